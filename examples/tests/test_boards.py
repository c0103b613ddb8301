import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from routes.boards.schemas import BoardCreate


def test_boards_require_a_token(client: TestClient) -> None:
    assert client.get("/api/v1/boards").status_code == 401


def test_cards_of_a_board_require_a_token(client: TestClient) -> None:
    card_id = "c0ffee"
    assert client.patch(f"/api/v1/boards/cards/{card_id}", json={"title": "Ship it"}).status_code == 401


def test_board_name_must_not_be_empty() -> None:
    with pytest.raises(ValidationError):
        BoardCreate(name="")
