"""Board report shapes, written following Step 6 of the guide (`from schemas.x import ...`)."""

from pydantic import BaseModel


class BoardStats(BaseModel):
    board_id: str
    cards_by_status: dict[str, int]
    total_cards: int


class BoardSummary(BaseModel):
    id: str
    name: str
    open_cards: int
    done_cards: int
