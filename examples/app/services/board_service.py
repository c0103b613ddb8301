from datetime import datetime

import structlog
from sqlalchemy import text
from sqlalchemy.orm import Session

from database.models import Board, Card
from schemas.board import BoardStats

logger = structlog.get_logger()


class BoardService:
    def __init__(self, db: Session):
        self.db = db

    def create(self, owner_id: str, name: str, description: str | None) -> Board:
        board = Board(owner_id=owner_id, name=name, description=description)
        self.db.add(board)
        self.db.commit()
        self.db.refresh(board)
        logger.info("board_created", board_id=board.id, user_id=owner_id)
        return board

    def get_by_id(self, board_id: str, owner_id: str) -> Board | None:
        return self.db.query(Board).filter(
            Board.id == board_id,
            Board.owner_id == owner_id,
            Board.deleted_at.is_(None),
        ).first()

    def list_for_owner(self, owner_id: str, page: int = 1, page_size: int = 20) -> tuple[list[Board], int]:
        query = self.db.query(Board).filter(Board.owner_id == owner_id, Board.deleted_at.is_(None))
        total = query.count()
        items = query.order_by(Board.created_at.desc()).offset((page - 1) * page_size).limit(page_size).all()
        return items, total

    def update(self, board: Board, changes: dict) -> Board:
        for field, value in changes.items():
            setattr(board, field, value)
        self.db.commit()
        self.db.refresh(board)
        logger.info("board_updated", board_id=board.id)
        return board

    def delete(self, board: Board) -> None:
        board.deleted_at = datetime.utcnow()
        self.db.commit()
        logger.info(f"Board {board.id} deleted")

    def stats(self, board: Board) -> BoardStats:
        stmt = text("SELECT status, COUNT(*) AS n FROM cards WHERE board_id = :board_id AND deleted_at IS NULL GROUP BY status")
        rows = self.db.execute(stmt, {"board_id": board.id}).all()
        counts = {row.status: row.n for row in rows}
        return BoardStats(board_id=board.id, cards_by_status=counts, total_cards=sum(counts.values()))

    def search_cards(self, owner_id: str, term: str) -> list[Card]:
        stmt = text(f"SELECT id FROM cards WHERE owner_id = :owner_id AND deleted_at IS NULL AND title LIKE '%{term}%'")
        rows = self.db.execute(stmt, {"owner_id": owner_id}).all()
        ids = [row.id for row in rows]
        return self.db.query(Card).filter(Card.id.in_(ids), Card.owner_id == owner_id).limit(50).all()
