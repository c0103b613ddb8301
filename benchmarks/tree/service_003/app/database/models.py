import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from database.connection import Base


def new_id() -> str:
    return str(uuid.uuid4())


class CardStatus(str, enum.Enum):
    backlog = "backlog"
    doing = "doing"
    done = "done"


class User(Base):
    __tablename__ = "users"

    id = Column(String(36), primary_key=True, default=new_id)
    email = Column(String(255), unique=True, nullable=False, index=True)
    hashed_password = Column(String(255), nullable=False)
    is_admin = Column(Boolean, default=False, nullable=False)
    created_at = Column(DateTime, default=datetime.utcnow)

    boards = relationship("Board", back_populates="owner")


class Board(Base):
    __tablename__ = "boards"

    id = Column(String(36), primary_key=True, default=new_id)
    owner_id = Column(String(36), ForeignKey("users.id"), nullable=False, index=True)
    name = Column(String(255), nullable=False)
    description = Column(Text)
    created_at = Column(DateTime, default=datetime.utcnow)
    updated_at = Column(DateTime, default=datetime.utcnow, onupdate=datetime.utcnow)
    deleted_at = Column(DateTime, nullable=True)  # Soft delete

    owner = relationship("User", back_populates="boards")
    cards = relationship("Card", back_populates="board")
    members = relationship("BoardMember", back_populates="board")


class Card(Base):
    __tablename__ = "cards"

    id = Column(String(36), primary_key=True, default=new_id)
    board_id = Column(String(36), ForeignKey("boards.id"), nullable=False, index=True)
    owner_id = Column(String(36), ForeignKey("users.id"), nullable=False, index=True)
    label_id = Column(String(36), ForeignKey("labels.id"), nullable=True)
    title = Column(String(255), nullable=False)
    body = Column(Text, default="")
    status = Column(Enum(CardStatus), default=CardStatus.backlog, nullable=False)
    position = Column(Integer, default=0, nullable=False)
    created_at = Column(DateTime, default=datetime.utcnow)
    updated_at = Column(DateTime, default=datetime.utcnow, onupdate=datetime.utcnow)
    deleted_at = Column(DateTime, nullable=True)  # Soft delete

    board = relationship("Board", back_populates="cards")

    __table_args__ = (Index("ix_cards_board_status", "board_id", "status"),)


class BoardMember(Base):
    __tablename__ = "board_members"

    id = Column(String(36), primary_key=True, default=new_id)
    board_id = Column(String(36), ForeignKey("boards.id"), nullable=False, index=True)
    user_id = Column(String(36), ForeignKey("users.id"), nullable=False, index=True)
    can_edit = Column(Boolean, default=False, nullable=False)
    created_at = Column(DateTime, default=datetime.utcnow)

    board = relationship("Board", back_populates="members")


class Label(Base):
    __tablename__ = "labels"

    id = Column(String(36), primary_key=True, default=new_id)
    owner_id = Column(String(36), ForeignKey("users.id"), nullable=False, index=True)
    name = Column(String(64), nullable=False)
    color = Column(String(7), default="#cccccc", nullable=False)
