from datetime import datetime

import structlog
from fastapi import APIRouter, Depends, HTTPException, Query, status
from sqlalchemy import text
from sqlalchemy.orm import Session

from database.connection import get_db
from database.models import Board, Card, User
from services.board_service import BoardService
from utils.access import get_current_user

from .schemas import CardCreate, CardMove, CardResponse, CardUpdate

logger = structlog.get_logger()

router = APIRouter(prefix="/cards", tags=["Boards - Cards"])


def _own_card(db: Session, card_id: str, user: User) -> Card:
    card = db.query(Card).filter(
        Card.id == card_id,
        Card.owner_id == user.id,
        Card.deleted_at.is_(None),
    ).first()
    if card is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Card not found")
    return card


@router.get("", response_model=list[CardResponse])
def list_cards(
    board_id: str = Query(..., max_length=36),
    current_user: User = Depends(get_current_user),
    db: Session = Depends(get_db),
):
    return (
        db.query(Card)
        .join(Board, Card.board_id == Board.id)
        .filter(Board.id == board_id, Board.owner_id == current_user.id, Card.deleted_at.is_(None))
        .order_by(Card.position)
        .limit(500)
        .all()
    )


@router.get("/search", response_model=list[CardResponse])
def search_cards(
    q: str = Query(..., min_length=2, max_length=100),
    current_user: User = Depends(get_current_user),
    db: Session = Depends(get_db),
):
    return BoardService(db).search_cards(current_user.id, q)


@router.post("", response_model=CardResponse, status_code=status.HTTP_201_CREATED)
def create_card(data: CardCreate, current_user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    board = BoardService(db).get_by_id(data.board_id, current_user.id)
    if board is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Board not found")
    card = Card(owner_id=current_user.id, **data.model_dump())
    db.add(card)
    db.commit()
    db.refresh(card)
    logger.info("card_created", card_id=card.id, board_id=board.id)
    return card


@router.patch("/{card_id}", response_model=CardResponse)
def update_card(
    card_id: str,
    data: CardUpdate,
    current_user: User = Depends(get_current_user),
    db: Session = Depends(get_db),
):
    card = db.query(Card).filter(Card.id == card_id, Card.deleted_at.is_(None)).first()
    if card is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Card not found")
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(card, field, value)
    db.commit()
    db.refresh(card)
    logger.info("card_updated", card_id=card.id, user_id=current_user.id)
    return card


@router.post("/{card_id}/move", response_model=CardResponse)
def move_card(
    card_id: str,
    data: CardMove,
    current_user: User = Depends(get_current_user),
    db: Session = Depends(get_db),
):
    card = _own_card(db, card_id, current_user)
    shift = text("UPDATE cards SET position = position + 1 WHERE board_id = :board_id AND position >= :position")
    db.execute(shift, {"board_id": card.board_id, "position": data.position})
    card.position = data.position
    db.commit()
    db.refresh(card)
    return card


@router.delete("/{card_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_card(card_id: str, current_user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    card = _own_card(db, card_id, current_user)
    card.deleted_at = datetime.utcnow()
    db.commit()
    print(f"card {card_id} deleted")
