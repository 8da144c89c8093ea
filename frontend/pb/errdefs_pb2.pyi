from frontend.pb import llb_pb2 as _llb_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Source(_message.Message):
    __slots__ = ("info", "ranges")
    INFO_FIELD_NUMBER: _ClassVar[int]
    RANGES_FIELD_NUMBER: _ClassVar[int]
    info: _llb_pb2.SourceInfo
    ranges: _containers.RepeatedCompositeFieldContainer[_llb_pb2.Range]
    def __init__(self, info: _Optional[_Union[_llb_pb2.SourceInfo, _Mapping]] = ..., ranges: _Optional[_Iterable[_Union[_llb_pb2.Range, _Mapping]]] = ...) -> None: ...
