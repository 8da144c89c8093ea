from frontend.pb import caps_pb2 as _caps_pb2
from frontend.pb import fsutil_pb2 as _fsutil_pb2
from frontend.pb import llb_pb2 as _llb_pb2
from frontend.pb import status_pb2 as _status_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AttestationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    InToto: _ClassVar[AttestationKind]
    Bundle: _ClassVar[AttestationKind]

class InTotoSubjectKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    Self: _ClassVar[InTotoSubjectKind]
    Raw: _ClassVar[InTotoSubjectKind]
InToto: AttestationKind
Bundle: AttestationKind
Self: InTotoSubjectKind
Raw: InTotoSubjectKind

class Result(_message.Message):
    __slots__ = ("ref", "refs", "metadata", "attestations")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bytes
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bytes] = ...) -> None: ...
    class AttestationsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: Attestations
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[Attestations, _Mapping]] = ...) -> None: ...
    REF_FIELD_NUMBER: _ClassVar[int]
    REFS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ATTESTATIONS_FIELD_NUMBER: _ClassVar[int]
    ref: Ref
    refs: RefMap
    metadata: _containers.ScalarMap[str, bytes]
    attestations: _containers.MessageMap[str, Attestations]
    def __init__(self, ref: _Optional[_Union[Ref, _Mapping]] = ..., refs: _Optional[_Union[RefMap, _Mapping]] = ..., metadata: _Optional[_Mapping[str, bytes]] = ..., attestations: _Optional[_Mapping[str, Attestations]] = ...) -> None: ...

class Attestations(_message.Message):
    __slots__ = ("attestation",)
    ATTESTATION_FIELD_NUMBER: _ClassVar[int]
    attestation: _containers.RepeatedCompositeFieldContainer[Attestation]
    def __init__(self, attestation: _Optional[_Iterable[_Union[Attestation, _Mapping]]] = ...) -> None: ...

class Attestation(_message.Message):
    __slots__ = ("kind", "metadata", "ref", "path", "inTotoPredicateType", "inTotoSubjects")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bytes
        def __init__(self, key: _Optional[str] = ..., value: _Optional[bytes] = ...) -> None: ...
    KIND_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    REF_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    INTOTOPREDICATETYPE_FIELD_NUMBER: _ClassVar[int]
    INTOTOSUBJECTS_FIELD_NUMBER: _ClassVar[int]
    kind: AttestationKind
    metadata: _containers.ScalarMap[str, bytes]
    ref: Ref
    path: str
    inTotoPredicateType: str
    inTotoSubjects: _containers.RepeatedCompositeFieldContainer[InTotoSubject]
    def __init__(self, kind: _Optional[_Union[AttestationKind, str]] = ..., metadata: _Optional[_Mapping[str, bytes]] = ..., ref: _Optional[_Union[Ref, _Mapping]] = ..., path: _Optional[str] = ..., inTotoPredicateType: _Optional[str] = ..., inTotoSubjects: _Optional[_Iterable[_Union[InTotoSubject, _Mapping]]] = ...) -> None: ...

class InTotoSubject(_message.Message):
    __slots__ = ("kind", "digest", "name")
    KIND_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    kind: InTotoSubjectKind
    digest: _containers.RepeatedScalarFieldContainer[str]
    name: str
    def __init__(self, kind: _Optional[_Union[InTotoSubjectKind, str]] = ..., digest: _Optional[_Iterable[str]] = ..., name: _Optional[str] = ...) -> None: ...

class Ref(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    DEF_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ..., **kwargs) -> None: ...

class RefMap(_message.Message):
    __slots__ = ("refs",)
    class RefsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: Ref
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[Ref, _Mapping]] = ...) -> None: ...
    REFS_FIELD_NUMBER: _ClassVar[int]
    refs: _containers.MessageMap[str, Ref]
    def __init__(self, refs: _Optional[_Mapping[str, Ref]] = ...) -> None: ...

class ReturnRequest(_message.Message):
    __slots__ = ("result", "error")
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    result: Result
    error: _status_pb2.Status
    def __init__(self, result: _Optional[_Union[Result, _Mapping]] = ..., error: _Optional[_Union[_status_pb2.Status, _Mapping]] = ...) -> None: ...

class ReturnResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ResolveImageConfigRequest(_message.Message):
    __slots__ = ("Ref", "Platform", "ResolveMode", "LogName", "ResolverType", "SessionID", "StoreID")
    REF_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    RESOLVEMODE_FIELD_NUMBER: _ClassVar[int]
    LOGNAME_FIELD_NUMBER: _ClassVar[int]
    RESOLVERTYPE_FIELD_NUMBER: _ClassVar[int]
    SESSIONID_FIELD_NUMBER: _ClassVar[int]
    STOREID_FIELD_NUMBER: _ClassVar[int]
    Ref: str
    Platform: _llb_pb2.Platform
    ResolveMode: str
    LogName: str
    ResolverType: int
    SessionID: str
    StoreID: str
    def __init__(self, Ref: _Optional[str] = ..., Platform: _Optional[_Union[_llb_pb2.Platform, _Mapping]] = ..., ResolveMode: _Optional[str] = ..., LogName: _Optional[str] = ..., ResolverType: _Optional[int] = ..., SessionID: _Optional[str] = ..., StoreID: _Optional[str] = ...) -> None: ...

class ResolveImageConfigResponse(_message.Message):
    __slots__ = ("Digest", "Config", "Ref")
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    REF_FIELD_NUMBER: _ClassVar[int]
    Digest: str
    Config: bytes
    Ref: str
    def __init__(self, Digest: _Optional[str] = ..., Config: _Optional[bytes] = ..., Ref: _Optional[str] = ...) -> None: ...

class SolveRequest(_message.Message):
    __slots__ = ("Definition", "Frontend", "FrontendOpt", "allowResultReturn", "allowResultArrayRef", "Final", "ExporterAttr", "CacheImports", "Evaluate")
    class FrontendOptEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    FRONTEND_FIELD_NUMBER: _ClassVar[int]
    FRONTENDOPT_FIELD_NUMBER: _ClassVar[int]
    ALLOWRESULTRETURN_FIELD_NUMBER: _ClassVar[int]
    ALLOWRESULTARRAYREF_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    EXPORTERATTR_FIELD_NUMBER: _ClassVar[int]
    CACHEIMPORTS_FIELD_NUMBER: _ClassVar[int]
    EVALUATE_FIELD_NUMBER: _ClassVar[int]
    Definition: _llb_pb2.Definition
    Frontend: str
    FrontendOpt: _containers.ScalarMap[str, str]
    allowResultReturn: bool
    allowResultArrayRef: bool
    Final: bool
    ExporterAttr: bytes
    CacheImports: _containers.RepeatedCompositeFieldContainer[CacheOptionsEntry]
    Evaluate: bool
    def __init__(self, Definition: _Optional[_Union[_llb_pb2.Definition, _Mapping]] = ..., Frontend: _Optional[str] = ..., FrontendOpt: _Optional[_Mapping[str, str]] = ..., allowResultReturn: bool = ..., allowResultArrayRef: bool = ..., Final: bool = ..., ExporterAttr: _Optional[bytes] = ..., CacheImports: _Optional[_Iterable[_Union[CacheOptionsEntry, _Mapping]]] = ..., Evaluate: bool = ...) -> None: ...

class CacheOptionsEntry(_message.Message):
    __slots__ = ("Type", "Attrs")
    class AttrsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ATTRS_FIELD_NUMBER: _ClassVar[int]
    Type: str
    Attrs: _containers.ScalarMap[str, str]
    def __init__(self, Type: _Optional[str] = ..., Attrs: _Optional[_Mapping[str, str]] = ...) -> None: ...

class SolveResponse(_message.Message):
    __slots__ = ("ref", "result")
    REF_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ref: str
    result: Result
    def __init__(self, ref: _Optional[str] = ..., result: _Optional[_Union[Result, _Mapping]] = ...) -> None: ...

class ReadFileRequest(_message.Message):
    __slots__ = ("Ref", "FilePath", "Range")
    REF_FIELD_NUMBER: _ClassVar[int]
    FILEPATH_FIELD_NUMBER: _ClassVar[int]
    RANGE_FIELD_NUMBER: _ClassVar[int]
    Ref: str
    FilePath: str
    Range: FileRange
    def __init__(self, Ref: _Optional[str] = ..., FilePath: _Optional[str] = ..., Range: _Optional[_Union[FileRange, _Mapping]] = ...) -> None: ...

class FileRange(_message.Message):
    __slots__ = ("Offset", "Length")
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    Offset: int
    Length: int
    def __init__(self, Offset: _Optional[int] = ..., Length: _Optional[int] = ...) -> None: ...

class ReadFileResponse(_message.Message):
    __slots__ = ("Data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    Data: bytes
    def __init__(self, Data: _Optional[bytes] = ...) -> None: ...

class ReadDirRequest(_message.Message):
    __slots__ = ("Ref", "DirPath", "IncludePattern")
    REF_FIELD_NUMBER: _ClassVar[int]
    DIRPATH_FIELD_NUMBER: _ClassVar[int]
    INCLUDEPATTERN_FIELD_NUMBER: _ClassVar[int]
    Ref: str
    DirPath: str
    IncludePattern: str
    def __init__(self, Ref: _Optional[str] = ..., DirPath: _Optional[str] = ..., IncludePattern: _Optional[str] = ...) -> None: ...

class ReadDirResponse(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[_fsutil_pb2.Stat]
    def __init__(self, entries: _Optional[_Iterable[_Union[_fsutil_pb2.Stat, _Mapping]]] = ...) -> None: ...

class StatFileRequest(_message.Message):
    __slots__ = ("Ref", "Path")
    REF_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    Ref: str
    Path: str
    def __init__(self, Ref: _Optional[str] = ..., Path: _Optional[str] = ...) -> None: ...

class StatFileResponse(_message.Message):
    __slots__ = ("stat",)
    STAT_FIELD_NUMBER: _ClassVar[int]
    stat: _fsutil_pb2.Stat
    def __init__(self, stat: _Optional[_Union[_fsutil_pb2.Stat, _Mapping]] = ...) -> None: ...

class PingRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PongResponse(_message.Message):
    __slots__ = ("FrontendAPICaps", "LLBCaps")
    FRONTENDAPICAPS_FIELD_NUMBER: _ClassVar[int]
    LLBCAPS_FIELD_NUMBER: _ClassVar[int]
    FrontendAPICaps: _containers.RepeatedCompositeFieldContainer[_caps_pb2.APICap]
    LLBCaps: _containers.RepeatedCompositeFieldContainer[_caps_pb2.APICap]
    def __init__(self, FrontendAPICaps: _Optional[_Iterable[_Union[_caps_pb2.APICap, _Mapping]]] = ..., LLBCaps: _Optional[_Iterable[_Union[_caps_pb2.APICap, _Mapping]]] = ...) -> None: ...

class WarnRequest(_message.Message):
    __slots__ = ("digest", "level", "short", "detail", "url", "info", "ranges")
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    SHORT_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    INFO_FIELD_NUMBER: _ClassVar[int]
    RANGES_FIELD_NUMBER: _ClassVar[int]
    digest: str
    level: int
    short: bytes
    detail: _containers.RepeatedScalarFieldContainer[bytes]
    url: str
    info: _llb_pb2.SourceInfo
    ranges: _containers.RepeatedCompositeFieldContainer[_llb_pb2.Range]
    def __init__(self, digest: _Optional[str] = ..., level: _Optional[int] = ..., short: _Optional[bytes] = ..., detail: _Optional[_Iterable[bytes]] = ..., url: _Optional[str] = ..., info: _Optional[_Union[_llb_pb2.SourceInfo, _Mapping]] = ..., ranges: _Optional[_Iterable[_Union[_llb_pb2.Range, _Mapping]]] = ...) -> None: ...

class WarnResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
