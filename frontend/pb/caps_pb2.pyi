from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class APICap(_message.Message):
    __slots__ = ("ID", "Enabled", "Deprecated", "DisabledReason", "DisabledReasonMsg", "DisabledAlternative")
    ID_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    DEPRECATED_FIELD_NUMBER: _ClassVar[int]
    DISABLEDREASON_FIELD_NUMBER: _ClassVar[int]
    DISABLEDREASONMSG_FIELD_NUMBER: _ClassVar[int]
    DISABLEDALTERNATIVE_FIELD_NUMBER: _ClassVar[int]
    ID: str
    Enabled: bool
    Deprecated: bool
    DisabledReason: str
    DisabledReasonMsg: str
    DisabledAlternative: str
    def __init__(self, ID: _Optional[str] = ..., Enabled: bool = ..., Deprecated: bool = ..., DisabledReason: _Optional[str] = ..., DisabledReasonMsg: _Optional[str] = ..., DisabledAlternative: _Optional[str] = ...) -> None: ...
