from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NetMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UNSET: _ClassVar[NetMode]
    HOST: _ClassVar[NetMode]
    NONE: _ClassVar[NetMode]

class SecurityMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SANDBOX: _ClassVar[SecurityMode]
    INSECURE: _ClassVar[SecurityMode]

class MountType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BIND: _ClassVar[MountType]
    SECRET: _ClassVar[MountType]
    SSH: _ClassVar[MountType]
    CACHE: _ClassVar[MountType]
    TMPFS: _ClassVar[MountType]

class CacheSharingOpt(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SHARED: _ClassVar[CacheSharingOpt]
    PRIVATE: _ClassVar[CacheSharingOpt]
    LOCKED: _ClassVar[CacheSharingOpt]
UNSET: NetMode
HOST: NetMode
NONE: NetMode
SANDBOX: SecurityMode
INSECURE: SecurityMode
BIND: MountType
SECRET: MountType
SSH: MountType
CACHE: MountType
TMPFS: MountType
SHARED: CacheSharingOpt
PRIVATE: CacheSharingOpt
LOCKED: CacheSharingOpt

class Op(_message.Message):
    __slots__ = ("inputs", "exec", "source", "file", "merge", "diff", "platform")
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    EXEC_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    FILE_FIELD_NUMBER: _ClassVar[int]
    MERGE_FIELD_NUMBER: _ClassVar[int]
    DIFF_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    inputs: _containers.RepeatedCompositeFieldContainer[Input]
    exec: ExecOp
    source: SourceOp
    file: FileOp
    merge: MergeOp
    diff: DiffOp
    platform: Platform
    def __init__(self, inputs: _Optional[_Iterable[_Union[Input, _Mapping]]] = ..., exec: _Optional[_Union[ExecOp, _Mapping]] = ..., source: _Optional[_Union[SourceOp, _Mapping]] = ..., file: _Optional[_Union[FileOp, _Mapping]] = ..., merge: _Optional[_Union[MergeOp, _Mapping]] = ..., diff: _Optional[_Union[DiffOp, _Mapping]] = ..., platform: _Optional[_Union[Platform, _Mapping]] = ...) -> None: ...

class Platform(_message.Message):
    __slots__ = ("Architecture", "OS", "Variant", "OSVersion")
    ARCHITECTURE_FIELD_NUMBER: _ClassVar[int]
    OS_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    OSVERSION_FIELD_NUMBER: _ClassVar[int]
    Architecture: str
    OS: str
    Variant: str
    OSVersion: str
    def __init__(self, Architecture: _Optional[str] = ..., OS: _Optional[str] = ..., Variant: _Optional[str] = ..., OSVersion: _Optional[str] = ...) -> None: ...

class Input(_message.Message):
    __slots__ = ("digest", "index")
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    digest: str
    index: int
    def __init__(self, digest: _Optional[str] = ..., index: _Optional[int] = ...) -> None: ...

class ExecOp(_message.Message):
    __slots__ = ("meta", "mounts", "network", "security")
    META_FIELD_NUMBER: _ClassVar[int]
    MOUNTS_FIELD_NUMBER: _ClassVar[int]
    NETWORK_FIELD_NUMBER: _ClassVar[int]
    SECURITY_FIELD_NUMBER: _ClassVar[int]
    meta: Meta
    mounts: _containers.RepeatedCompositeFieldContainer[Mount]
    network: NetMode
    security: SecurityMode
    def __init__(self, meta: _Optional[_Union[Meta, _Mapping]] = ..., mounts: _Optional[_Iterable[_Union[Mount, _Mapping]]] = ..., network: _Optional[_Union[NetMode, str]] = ..., security: _Optional[_Union[SecurityMode, str]] = ...) -> None: ...

class Meta(_message.Message):
    __slots__ = ("args", "env", "cwd", "user", "removeMountStubsRecursive")
    ARGS_FIELD_NUMBER: _ClassVar[int]
    ENV_FIELD_NUMBER: _ClassVar[int]
    CWD_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    REMOVEMOUNTSTUBSRECURSIVE_FIELD_NUMBER: _ClassVar[int]
    args: _containers.RepeatedScalarFieldContainer[str]
    env: _containers.RepeatedScalarFieldContainer[str]
    cwd: str
    user: str
    removeMountStubsRecursive: bool
    def __init__(self, args: _Optional[_Iterable[str]] = ..., env: _Optional[_Iterable[str]] = ..., cwd: _Optional[str] = ..., user: _Optional[str] = ..., removeMountStubsRecursive: bool = ...) -> None: ...

class Mount(_message.Message):
    __slots__ = ("input", "selector", "dest", "output", "readonly", "mountType", "TmpfsOpt", "cacheOpt", "secretOpt")
    INPUT_FIELD_NUMBER: _ClassVar[int]
    SELECTOR_FIELD_NUMBER: _ClassVar[int]
    DEST_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    READONLY_FIELD_NUMBER: _ClassVar[int]
    MOUNTTYPE_FIELD_NUMBER: _ClassVar[int]
    TMPFSOPT_FIELD_NUMBER: _ClassVar[int]
    CACHEOPT_FIELD_NUMBER: _ClassVar[int]
    SECRETOPT_FIELD_NUMBER: _ClassVar[int]
    input: int
    selector: str
    dest: str
    output: int
    readonly: bool
    mountType: MountType
    TmpfsOpt: TmpfsOpt
    cacheOpt: CacheOpt
    secretOpt: SecretOpt
    def __init__(self, input: _Optional[int] = ..., selector: _Optional[str] = ..., dest: _Optional[str] = ..., output: _Optional[int] = ..., readonly: bool = ..., mountType: _Optional[_Union[MountType, str]] = ..., TmpfsOpt: _Optional[_Union[TmpfsOpt, _Mapping]] = ..., cacheOpt: _Optional[_Union[CacheOpt, _Mapping]] = ..., secretOpt: _Optional[_Union[SecretOpt, _Mapping]] = ...) -> None: ...

class TmpfsOpt(_message.Message):
    __slots__ = ("size",)
    SIZE_FIELD_NUMBER: _ClassVar[int]
    size: int
    def __init__(self, size: _Optional[int] = ...) -> None: ...

class CacheOpt(_message.Message):
    __slots__ = ("ID", "sharing")
    ID_FIELD_NUMBER: _ClassVar[int]
    SHARING_FIELD_NUMBER: _ClassVar[int]
    ID: str
    sharing: CacheSharingOpt
    def __init__(self, ID: _Optional[str] = ..., sharing: _Optional[_Union[CacheSharingOpt, str]] = ...) -> None: ...

class SecretOpt(_message.Message):
    __slots__ = ("ID", "uid", "gid", "mode", "optional")
    ID_FIELD_NUMBER: _ClassVar[int]
    UID_FIELD_NUMBER: _ClassVar[int]
    GID_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    OPTIONAL_FIELD_NUMBER: _ClassVar[int]
    ID: str
    uid: int
    gid: int
    mode: int
    optional: bool
    def __init__(self, ID: _Optional[str] = ..., uid: _Optional[int] = ..., gid: _Optional[int] = ..., mode: _Optional[int] = ..., optional: bool = ...) -> None: ...

class SourceOp(_message.Message):
    __slots__ = ("identifier", "attrs")
    class AttrsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    ATTRS_FIELD_NUMBER: _ClassVar[int]
    identifier: str
    attrs: _containers.ScalarMap[str, str]
    def __init__(self, identifier: _Optional[str] = ..., attrs: _Optional[_Mapping[str, str]] = ...) -> None: ...

class OpMetadata(_message.Message):
    __slots__ = ("ignore_cache", "description", "caps", "progress_group")
    class DescriptionEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class CapsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: bool
        def __init__(self, key: _Optional[str] = ..., value: bool = ...) -> None: ...
    IGNORE_CACHE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CAPS_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_GROUP_FIELD_NUMBER: _ClassVar[int]
    ignore_cache: bool
    description: _containers.ScalarMap[str, str]
    caps: _containers.ScalarMap[str, bool]
    progress_group: ProgressGroup
    def __init__(self, ignore_cache: bool = ..., description: _Optional[_Mapping[str, str]] = ..., caps: _Optional[_Mapping[str, bool]] = ..., progress_group: _Optional[_Union[ProgressGroup, _Mapping]] = ...) -> None: ...

class ProgressGroup(_message.Message):
    __slots__ = ("id", "name", "weak")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    WEAK_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    weak: bool
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., weak: bool = ...) -> None: ...

class Source(_message.Message):
    __slots__ = ("locations", "infos")
    class LocationsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: Locations
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[Locations, _Mapping]] = ...) -> None: ...
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    INFOS_FIELD_NUMBER: _ClassVar[int]
    locations: _containers.MessageMap[str, Locations]
    infos: _containers.RepeatedCompositeFieldContainer[SourceInfo]
    def __init__(self, locations: _Optional[_Mapping[str, Locations]] = ..., infos: _Optional[_Iterable[_Union[SourceInfo, _Mapping]]] = ...) -> None: ...

class Locations(_message.Message):
    __slots__ = ("locations",)
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    locations: _containers.RepeatedCompositeFieldContainer[Location]
    def __init__(self, locations: _Optional[_Iterable[_Union[Location, _Mapping]]] = ...) -> None: ...

class SourceInfo(_message.Message):
    __slots__ = ("filename", "data", "definition", "language")
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    DEFINITION_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    filename: str
    data: bytes
    definition: Definition
    language: str
    def __init__(self, filename: _Optional[str] = ..., data: _Optional[bytes] = ..., definition: _Optional[_Union[Definition, _Mapping]] = ..., language: _Optional[str] = ...) -> None: ...

class Location(_message.Message):
    __slots__ = ("sourceIndex", "ranges")
    SOURCEINDEX_FIELD_NUMBER: _ClassVar[int]
    RANGES_FIELD_NUMBER: _ClassVar[int]
    sourceIndex: int
    ranges: _containers.RepeatedCompositeFieldContainer[Range]
    def __init__(self, sourceIndex: _Optional[int] = ..., ranges: _Optional[_Iterable[_Union[Range, _Mapping]]] = ...) -> None: ...

class Range(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: Position
    end: Position
    def __init__(self, start: _Optional[_Union[Position, _Mapping]] = ..., end: _Optional[_Union[Position, _Mapping]] = ...) -> None: ...

class Position(_message.Message):
    __slots__ = ("line", "character")
    LINE_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_FIELD_NUMBER: _ClassVar[int]
    line: int
    character: int
    def __init__(self, line: _Optional[int] = ..., character: _Optional[int] = ...) -> None: ...

class Definition(_message.Message):
    __slots__ = ("metadata", "Source")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: OpMetadata
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[OpMetadata, _Mapping]] = ...) -> None: ...
    DEF_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    metadata: _containers.MessageMap[str, OpMetadata]
    Source: Source
    def __init__(self, metadata: _Optional[_Mapping[str, OpMetadata]] = ..., Source: _Optional[_Union[Source, _Mapping]] = ..., **kwargs) -> None: ...

class FileOp(_message.Message):
    __slots__ = ("actions",)
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    actions: _containers.RepeatedCompositeFieldContainer[FileAction]
    def __init__(self, actions: _Optional[_Iterable[_Union[FileAction, _Mapping]]] = ...) -> None: ...

class FileAction(_message.Message):
    __slots__ = ("input", "secondaryInput", "output", "copy", "mkfile", "mkdir", "rm")
    INPUT_FIELD_NUMBER: _ClassVar[int]
    SECONDARYINPUT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    COPY_FIELD_NUMBER: _ClassVar[int]
    MKFILE_FIELD_NUMBER: _ClassVar[int]
    MKDIR_FIELD_NUMBER: _ClassVar[int]
    RM_FIELD_NUMBER: _ClassVar[int]
    input: int
    secondaryInput: int
    output: int
    copy: FileActionCopy
    mkfile: FileActionMkFile
    mkdir: FileActionMkDir
    rm: FileActionRm
    def __init__(self, input: _Optional[int] = ..., secondaryInput: _Optional[int] = ..., output: _Optional[int] = ..., copy: _Optional[_Union[FileActionCopy, _Mapping]] = ..., mkfile: _Optional[_Union[FileActionMkFile, _Mapping]] = ..., mkdir: _Optional[_Union[FileActionMkDir, _Mapping]] = ..., rm: _Optional[_Union[FileActionRm, _Mapping]] = ...) -> None: ...

class FileActionCopy(_message.Message):
    __slots__ = ("src", "dest", "mode", "followSymlink", "dirCopyContents", "createDestPath", "allowWildcard", "allowEmptyWildcard", "timestamp", "include_patterns", "exclude_patterns")
    SRC_FIELD_NUMBER: _ClassVar[int]
    DEST_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    FOLLOWSYMLINK_FIELD_NUMBER: _ClassVar[int]
    DIRCOPYCONTENTS_FIELD_NUMBER: _ClassVar[int]
    CREATEDESTPATH_FIELD_NUMBER: _ClassVar[int]
    ALLOWWILDCARD_FIELD_NUMBER: _ClassVar[int]
    ALLOWEMPTYWILDCARD_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_PATTERNS_FIELD_NUMBER: _ClassVar[int]
    EXCLUDE_PATTERNS_FIELD_NUMBER: _ClassVar[int]
    src: str
    dest: str
    mode: int
    followSymlink: bool
    dirCopyContents: bool
    createDestPath: bool
    allowWildcard: bool
    allowEmptyWildcard: bool
    timestamp: int
    include_patterns: _containers.RepeatedScalarFieldContainer[str]
    exclude_patterns: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, src: _Optional[str] = ..., dest: _Optional[str] = ..., mode: _Optional[int] = ..., followSymlink: bool = ..., dirCopyContents: bool = ..., createDestPath: bool = ..., allowWildcard: bool = ..., allowEmptyWildcard: bool = ..., timestamp: _Optional[int] = ..., include_patterns: _Optional[_Iterable[str]] = ..., exclude_patterns: _Optional[_Iterable[str]] = ...) -> None: ...

class FileActionMkFile(_message.Message):
    __slots__ = ("path", "mode", "data", "timestamp")
    PATH_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    path: str
    mode: int
    data: bytes
    timestamp: int
    def __init__(self, path: _Optional[str] = ..., mode: _Optional[int] = ..., data: _Optional[bytes] = ..., timestamp: _Optional[int] = ...) -> None: ...

class FileActionMkDir(_message.Message):
    __slots__ = ("path", "mode", "makeParents", "timestamp")
    PATH_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    MAKEPARENTS_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    path: str
    mode: int
    makeParents: bool
    timestamp: int
    def __init__(self, path: _Optional[str] = ..., mode: _Optional[int] = ..., makeParents: bool = ..., timestamp: _Optional[int] = ...) -> None: ...

class FileActionRm(_message.Message):
    __slots__ = ("path", "allowNotFound", "allowWildcard")
    PATH_FIELD_NUMBER: _ClassVar[int]
    ALLOWNOTFOUND_FIELD_NUMBER: _ClassVar[int]
    ALLOWWILDCARD_FIELD_NUMBER: _ClassVar[int]
    path: str
    allowNotFound: bool
    allowWildcard: bool
    def __init__(self, path: _Optional[str] = ..., allowNotFound: bool = ..., allowWildcard: bool = ...) -> None: ...

class MergeInput(_message.Message):
    __slots__ = ("input",)
    INPUT_FIELD_NUMBER: _ClassVar[int]
    input: int
    def __init__(self, input: _Optional[int] = ...) -> None: ...

class MergeOp(_message.Message):
    __slots__ = ("inputs",)
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    inputs: _containers.RepeatedCompositeFieldContainer[MergeInput]
    def __init__(self, inputs: _Optional[_Iterable[_Union[MergeInput, _Mapping]]] = ...) -> None: ...

class LowerDiffInput(_message.Message):
    __slots__ = ("input",)
    INPUT_FIELD_NUMBER: _ClassVar[int]
    input: int
    def __init__(self, input: _Optional[int] = ...) -> None: ...

class UpperDiffInput(_message.Message):
    __slots__ = ("input",)
    INPUT_FIELD_NUMBER: _ClassVar[int]
    input: int
    def __init__(self, input: _Optional[int] = ...) -> None: ...

class DiffOp(_message.Message):
    __slots__ = ("lower", "upper")
    LOWER_FIELD_NUMBER: _ClassVar[int]
    UPPER_FIELD_NUMBER: _ClassVar[int]
    lower: LowerDiffInput
    upper: UpperDiffInput
    def __init__(self, lower: _Optional[_Union[LowerDiffInput, _Mapping]] = ..., upper: _Optional[_Union[UpperDiffInput, _Mapping]] = ...) -> None: ...
