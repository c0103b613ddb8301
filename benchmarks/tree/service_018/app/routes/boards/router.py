from fastapi import APIRouter, Depends, HTTPException, Query, status
from sqlalchemy.orm import Session

from database.connection import get_db
from database.models import Board, Card, CardStatus, User
from schemas.board import BoardStats, BoardSummary
from services.board_service import BoardService
from utils.access import get_current_user

from .schemas import BoardCreate, BoardListResponse, BoardResponse, BoardUpdate

router = APIRouter(prefix="/boards", tags=["Boards"])


def _board_or_404(service: BoardService, board_id: str, user: User) -> Board:
    board = service.get_by_id(board_id, user.id)
    if board is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Board not found")
    return board


@router.post("", response_model=BoardResponse, status_code=status.HTTP_201_CREATED)
def create_board(
    data: BoardCreate,
    current_user: User = Depends(get_current_user),
    db: Session = Depends(get_db),
):
    return BoardService(db).create(current_user.id, data.name, data.description)


@router.get("", response_model=BoardListResponse)
def list_boards(
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=100),
    current_user: User = Depends(get_current_user),
    db: Session = Depends(get_db),
):
    items, total = BoardService(db).list_for_owner(current_user.id, page=page, page_size=page_size)
    return BoardListResponse(items=items, total=total, page=page, page_size=page_size)


@router.get("/{board_id}", response_model=BoardResponse)
def get_board(board_id: str, current_user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    return _board_or_404(BoardService(db), board_id, current_user)


@router.put("/{board_id}", response_model=BoardResponse)
def update_board(
    board_id: str,
    data: BoardUpdate,
    current_user: User = Depends(get_current_user),
    db: Session = Depends(get_db),
):
    service = BoardService(db)
    board = _board_or_404(service, board_id, current_user)
    return service.update(board, data.model_dump(exclude_unset=True))


@router.delete("/{board_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_board(board_id: str, current_user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    service = BoardService(db)
    board = _board_or_404(service, board_id, current_user)
    service.delete(board)


@router.delete("/{board_id}/permanent", status_code=status.HTTP_204_NO_CONTENT)
def delete_board_permanently(
    board_id: str,
    current_user: User = Depends(get_current_user),
    db: Session = Depends(get_db),
):
    board = _board_or_404(BoardService(db), board_id, current_user)
    db.query(Card).filter(Card.board_id == board.id, Card.owner_id == current_user.id).delete()
    db.delete(board)
    db.commit()


@router.get("/{board_id}/stats", response_model=BoardStats)
def board_stats(board_id: str, current_user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    service = BoardService(db)
    return service.stats(_board_or_404(service, board_id, current_user))


@router.get("/{board_id}/summary", response_model=BoardSummary)
def board_summary(board_id: str, db: Session = Depends(get_db)):
    board = db.query(Board).filter(Board.id == board_id, Board.deleted_at.is_(None)).first()
    if board is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Board not found")
    live = [card for card in board.cards if card.deleted_at is None]
    done = sum(1 for card in live if card.status == CardStatus.done)
    return BoardSummary(id=board.id, name=board.name, open_cards=len(live) - done, done_cards=done)
