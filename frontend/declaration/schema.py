"""The declaration's JSON Schema, generated from its models, for editors
(yaml-language-server) to complete and check a `metacall.yaml`: the keys as
users write them, additionalProperties false where the models forbid extra
keys, and the `x-` keys the reader drops from every mapping. Committed as
schema/metacall.schema.json; `python -m frontend schema` prints it."""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from frontend.declaration.models import Declaration
from frontend.declaration.reader import EXTENSION_PREFIX

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# An identifier, in the namespace frontend/sbom.py names documents with: the
# examples reach the file by a relative path, not by this URI.
SCHEMA_ID = "https://metacall.io/frontend/metacall.schema.json"
TITLE = "metacall.yaml: a MetaCall image for the metacall/frontend BuildKit frontend"
COMMAND = "python -m frontend schema > schema/metacall.schema.json"

# Whatever its value: the reader drops the key before validation.
_EXTENSIONS = f"^{EXTENSION_PREFIX}"


class _Generator(GenerateJsonSchema):
    """Pydantic's schema, with the reader's `x-` keys allowed in every
    mapping: a model's (whose other unknown keys stay errors) and a dict's
    (env, labels, and scripts and dependencies keyed by language)."""

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        return _with_extensions(super().model_schema(schema))

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        return _with_extensions(super().dict_schema(schema))


def _with_extensions(json_schema: JsonSchemaValue) -> JsonSchemaValue:
    json_schema["patternProperties"] = {_EXTENSIONS: {}}
    names = json_schema.get("propertyNames")
    if names is not None:  # propertyNames constrains every key, x- keys too
        json_schema["propertyNames"] = {"anyOf": [names, {"pattern": _EXTENSIONS}]}
    return json_schema


def schema() -> dict[str, Any]:
    """The JSON Schema of a declaration, in the key order pydantic gives."""
    generated = Declaration.model_json_schema(by_alias=True, schema_generator=_Generator)
    generated.pop("title", None)
    return {"$schema": DIALECT, "$id": SCHEMA_ID, "title": TITLE, **generated}


def schema_text() -> str:
    """The schema as committed: indent 2, ASCII, a trailing newline."""
    return json.dumps(schema(), indent=2) + "\n"
