from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from database.models import CardStatus


class CardCreate(BaseModel):
    board_id: str = Field(..., max_length=36)
    title: str = Field(..., min_length=1, max_length=255)
    body: str = Field("", max_length=10_000)
    label_id: str | None = Field(None, max_length=36)


class CardUpdate(BaseModel):
    title: str | None = Field(None, min_length=1, max_length=255)
    body: str | None = Field(None, max_length=10_000)
    status: CardStatus | None = None


class CardMove(BaseModel):
    position: int = Field(..., ge=0)


class CardResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    board_id: str
    title: str
    body: str
    status: CardStatus
    position: int
    created_at: datetime
