from pydantic import BaseModel, ConfigDict, Field


class LabelCreate(BaseModel):
    name: str = Field(..., min_length=1, max_length=64)
    color: str = Field("#cccccc", pattern=r"^#[0-9a-fA-F]{6}$", max_length=7)


class LabelResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    color: str
