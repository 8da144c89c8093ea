"""Imports a gateway run never reads, put off until something reads them.

grpc imports `grpc.aio` (and with it `asyncio`), and protobuf imports
`text_format` and its pure-Python message implementation (`python_message`,
which the upb implementation the image runs never calls): a third of grpc's
and protobuf's import time, paid on every build before the first request to
BuildKit. The others are read only by what a build never does: print a
traceback, give a did-you-mean hint, parse a package's metadata (which
importlib.metadata imports its parsers for when pydantic looks for plugins).
tests/unit/test_deferred.py builds an app and checks that none was read.
importlib's LazyLoader cannot stand in for them: the import system reads a
lazy module's `__spec__` (which loads it), and grpc.aio reads asyncio's
attributes as it imports."""

from __future__ import annotations

import importlib
import sys
import types

UNUSED_BY_A_GATEWAY_RUN = (
    # grpc's asyncio API; protobuf's text format and pure-Python messages.
    "asyncio", "grpc.aio", "google.protobuf.text_format",
    "google.protobuf.internal.python_message",
    # What importlib.metadata imports to read a distribution's metadata:
    # pydantic imports it to look for plugins, and the image has none.
    "importlib.metadata._adapters", "email.header", "email.base64mime", "csv", "shutil",
    "tempfile",
    # Read only on paths a build does not take: a traceback logged, a
    # did-you-mean hint, protobuf's Timestamp helpers, pydantic's secrets
    # and discriminated unions, grpc's lookups of optional packages.
    "traceback", "linecache", "tokenize", "difflib", "calendar", "locale", "secrets",
    "pydantic._internal._discriminated_union", "pkgutil",
)


class Deferred(types.ModuleType):
    """Stands in `sys.modules` for a module not imported yet: the first
    attribute read imports it, and every read is answered from it."""

    def __getattr__(self, attribute: str) -> object:
        module = sys.modules.get(self.__name__)
        if module is None or module is self:
            sys.modules.pop(self.__name__, None)
            module = importlib.import_module(self.__name__)
        return getattr(module, attribute)


def defer_unused_imports() -> None:
    for name in UNUSED_BY_A_GATEWAY_RUN:
        sys.modules.setdefault(name, Deferred(name))
