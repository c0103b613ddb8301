import structlog
from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.orm import Session

from database.connection import get_db
from database.models import Card, Label, User
from utils.access import get_current_user

from .schemas import LabelCreate, LabelResponse

logger = structlog.get_logger()

router = APIRouter(prefix="/labels", tags=["Labels"])


class LabelUsage(BaseModel):
    label_id: str
    name: str
    cards: int


@router.get("", response_model=list[LabelResponse])
def list_labels(current_user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    return db.query(Label).filter(Label.owner_id == current_user.id).order_by(Label.name).limit(200).all()


@router.post("", response_model=LabelResponse, status_code=status.HTTP_201_CREATED)
def create_label(data: LabelCreate, current_user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    label = Label(owner_id=current_user.id, name=data.name, color=data.color)
    db.add(label)
    db.commit()
    db.refresh(label)
    logger.info("label_created", label_id=label.id, user_id=current_user.id)
    return label


@router.get("/usage", response_model=list[LabelUsage])
def label_usage(
    sort: str = Query("cards DESC", max_length=30),
    current_user: User = Depends(get_current_user),
    db: Session = Depends(get_db),
):
    sql = (
        "SELECT labels.id AS label_id, labels.name AS name, COUNT(cards.id) AS cards "
        "FROM labels LEFT JOIN cards ON cards.label_id = labels.id AND cards.deleted_at IS NULL "
        "WHERE labels.owner_id = :owner_id GROUP BY labels.id, labels.name ORDER BY {}".format(sort)
    )
    rows = db.execute(text(sql), {"owner_id": current_user.id}).all()
    return [LabelUsage(label_id=row.label_id, name=row.name, cards=row.cards) for row in rows]


@router.get("/{label_id}/cards")
def list_label_cards(label_id: str, db: Session = Depends(get_db)):
    cards = db.query(Card).filter(Card.label_id == label_id, Card.deleted_at.is_(None)).limit(100).all()
    return [{"id": card.id, "title": card.title, "status": card.status} for card in cards]


@router.delete("/{label_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_label(label_id: str, current_user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    label = db.query(Label).filter(Label.id == label_id, Label.owner_id == current_user.id).first()
    if label is None:
        raise HTTPException(status_code=404, detail="Label not found")
    db.query(Card).filter(Card.label_id == label.id, Card.owner_id == current_user.id).update({Card.label_id: None})
    db.delete(label)
    db.commit()
