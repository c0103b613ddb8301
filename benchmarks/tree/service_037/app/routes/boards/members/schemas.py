from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class MemberAdd(BaseModel):
    board_id: str = Field(..., max_length=36)
    user_id: str = Field(..., max_length=36)
    can_edit: bool = False


class MemberResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    board_id: str
    user_id: str
    can_edit: bool
    created_at: datetime
