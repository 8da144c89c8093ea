"""The build context as the scan reads it (frontend.scan), through BuildKit:
only the manifests, dependency files and .dockerignore are transferred,
by the same op the build's installs load them with."""

from __future__ import annotations

from collections.abc import Sequence

from frontend.compile import dependency_files_source
from frontend.gateway.bridge import Bridge
from frontend.llb import marshal
from frontend.request import BuildRequest
from frontend.scan import FileInfo
from frontend.sources import scripts_source

DIRECTORY_MODE = 1 << 31  # Go's os.ModeDir, as fsutil's Stat carries it


class BridgeReader:
    def __init__(self, bridge: Bridge, request: BuildRequest) -> None:
        self.bridge = bridge
        self.request = request
        self.ref = ""
        # Where find() found each file, for read_found().
        self.found_in: dict[str, str] = {}

    def list(self) -> dict[str, FileInfo]:
        self.ref = self.bridge.solve(marshal(dependency_files_source(self.request)),
                                     evaluate=True)
        return self._walk(self.ref)

    def read(self, path: str, limit: int) -> bytes:
        return self.bridge.read_file(self.ref, path, limit=limit)

    def find(self, include: Sequence[str], exclude: Sequence[str] = ()) -> dict[str, FileInfo]:
        source = scripts_source(self.request.context_name, self.request.session_id, include,
                                exclude)
        ref = self.bridge.solve(marshal(source), evaluate=True)
        found = self._walk(ref)
        self.found_in |= dict.fromkeys(found, ref)
        return found

    def read_found(self, path: str, limit: int) -> bytes:
        return self.bridge.read_file(self.found_in[path], path, limit=limit)

    def _walk(self, ref: str, folder: str = "") -> dict[str, FileInfo]:
        """Every file under `folder` of a solved source, by relative path."""
        found: dict[str, FileInfo] = {}
        for entry in self.bridge.read_dir(ref, folder or "/"):
            path = f"{folder}/{entry.path}" if folder else entry.path
            if entry.mode & DIRECTORY_MODE:
                found |= self._walk(ref, path)
            else:
                found[path] = FileInfo(entry.size, entry.linkname)
        return found
