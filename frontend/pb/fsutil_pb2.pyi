from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class Stat(_message.Message):
    __slots__ = ("path", "mode", "uid", "gid", "size", "modTime", "linkname", "devmajor", "devminor", "xattrs")
    class XattrsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bytes
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bytes] = ...) -> None: ...
    PATH_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    UID_FIELD_NUMBER: _ClassVar[int]
    GID_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    MODTIME_FIELD_NUMBER: _ClassVar[int]
    LINKNAME_FIELD_NUMBER: _ClassVar[int]
    DEVMAJOR_FIELD_NUMBER: _ClassVar[int]
    DEVMINOR_FIELD_NUMBER: _ClassVar[int]
    XATTRS_FIELD_NUMBER: _ClassVar[int]
    path: str
    mode: int
    uid: int
    gid: int
    size: int
    modTime: int
    linkname: str
    devmajor: int
    devminor: int
    xattrs: _containers.ScalarMap[str, bytes]
    def __init__(self, path: _Optional[str] = ..., mode: _Optional[int] = ..., uid: _Optional[int] = ..., gid: _Optional[int] = ..., size: _Optional[int] = ..., modTime: _Optional[int] = ..., linkname: _Optional[str] = ..., devmajor: _Optional[int] = ..., devminor: _Optional[int] = ..., xattrs: _Optional[_Mapping[str, bytes]] = ...) -> None: ...
