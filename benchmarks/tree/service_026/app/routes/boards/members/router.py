from fastapi import APIRouter, Depends, HTTPException, Query, status
from sqlalchemy.orm import Session

from database.connection import get_db
from database.models import Board, BoardMember, User
from services.board_service import BoardService
from utils.access import get_current_user

from .schemas import MemberAdd, MemberResponse

router = APIRouter(prefix="/members", tags=["Boards - Members"])


@router.get("", response_model=list[MemberResponse])
def list_members(
    board_id: str = Query(..., max_length=36),
    current_user: User = Depends(get_current_user),
    db: Session = Depends(get_db),
):
    return (
        db.query(BoardMember)
        .join(Board, BoardMember.board_id == Board.id)
        .filter(Board.id == board_id, Board.owner_id == current_user.id)
        .limit(200)
        .all()
    )


@router.post("", response_model=MemberResponse, status_code=status.HTTP_201_CREATED)
def add_member(data: MemberAdd, current_user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    board = BoardService(db).get_by_id(data.board_id, current_user.id)
    if board is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Board not found")
    member = BoardMember(board_id=board.id, user_id=data.user_id, can_edit=data.can_edit)
    db.add(member)
    db.commit()
    db.refresh(member)
    return member


@router.delete("/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(member_id: str, current_user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    member = (
        db.query(BoardMember)
        .join(Board, BoardMember.board_id == Board.id)
        .filter(BoardMember.id == member_id, Board.owner_id == current_user.id)
        .first()
    )
    if member is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Member not found")
    db.delete(member)
    db.commit()
