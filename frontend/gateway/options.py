"""BuildKit's environment for a frontend run, parsed into the request."""

from __future__ import annotations

import json
from collections.abc import Mapping

from frontend.platform import DEFAULT_PLATFORM, Platform
from frontend.request import BuildRequest

OPTION_PREFIX = "BUILDKIT_FRONTEND_OPT_"


def request_from_environment(environ: Mapping[str, str]) -> BuildRequest:
    """BuildKit passes each option as BUILDKIT_FRONTEND_OPT_<n>=<key>=<value>
    (n is only an index)."""
    options: dict[str, str] = {}
    for name in sorted(environ):
        if name.startswith(OPTION_PREFIX):
            key, _, value = environ[name].partition("=")
            options[key] = value
    return BuildRequest.from_options(options, session_id=environ.get("BUILDKIT_SESSION_ID", ""),
                                     default_platform=_worker_platform(environ))


def _worker_platform(environ: Mapping[str, str]) -> Platform:
    try:
        return Platform.from_worker(
            json.loads(environ.get("BUILDKIT_WORKERS", "[]"))[0]["platforms"][0])
    except (ValueError, LookupError, TypeError, AttributeError):
        return DEFAULT_PLATFORM
