"""Indexes and soft-delete facts of the model catalogue: ``indexed``, ``unindexed_owner_columns``,
``soft_delete_flag``, ``soft_delete_filtered_globally``."""

from __future__ import annotations

from pathlib import Path

from test_index_sqlalchemy import build, models_of

from fastapi_guard.config import Config

MODELS = """
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, PrimaryKeyConstraint, String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped, declarative_base, declared_attr, mapped_column
from sqlmodel import Field, SQLModel

Base = declarative_base()


class OwnedMixin:
    owner_id = Column(Integer, ForeignKey("users.id"))


class TableArgsMixin:
    @declared_attr
    def __table_args__(cls):
        return (Index(f"ix_{cls.__name__}_owner", "owner_id"),)


class Plain(OwnedMixin, Base):
    __tablename__ = "plain"
    id = Column(Integer, primary_key=True)


class Indexed(OwnedMixin, TableArgsMixin, Base):
    __tablename__ = "indexed"
    id = Column(Integer, primary_key=True)


class Second(Base):
    __tablename__ = "second"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer)
    status = Column(String(10))
    __table_args__ = (Index("ix_second_user", "user_id"),)
    # the second assignment replaces the first, as it does at import time
    __table_args__ = (Index("ix_second_status_user", "status", "user_id"),)


class Flags(Base):
    __tablename__ = "flags"
    id = Column(Integer, primary_key=True)
    tenant_id = Column(Integer, unique=True)
    account_id = Column(Integer)
    workspace_id = Column(Integer)
    deleted = Column(Boolean, default=False)
    removed_at = Column(DateTime)
    is_deleted = Column(Integer)
    __table_args__ = (UniqueConstraint("account_id", "id"), PrimaryKeyConstraint("workspace_id", "id"))


class Event(Base):
    __tablename__ = "events"
    id = Column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


Index("ix_events_user", Event.user_id.desc())


class Hero(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(sa_column=Column(Integer, index=True))
"""


def test_indexes_of_columns_table_args_and_module_level_index(tmp_path: Path) -> None:
    index = models_of(tmp_path, {"app/models.py": MODELS})

    def indexed(model: str, column: str) -> bool:
        found = index.model_for(f"app.models.{model}")
        assert found is not None
        return index.indexed(found, column)

    assert not indexed("Plain", "owner_id")
    assert indexed("Indexed", "owner_id")  # a declared_attr __table_args__ inherited from a mixin
    assert not indexed("Second", "user_id")  # the surviving index is led by `status`
    assert indexed("Flags", "tenant_id") and indexed("Flags", "account_id") and indexed("Flags", "workspace_id")
    assert indexed("Event", "user_id")
    assert indexed("Hero", "owner_id")
    assert indexed("Plain", "id")


def test_unindexed_owner_columns_are_grouped_by_declaration(tmp_path: Path) -> None:
    index = models_of(tmp_path, {"app/models.py": MODELS})
    (column, models), = index.unindexed_owner_columns("app.models.OwnedMixin")
    assert column.name == "owner_id" and [model.name for model in models] == ["Plain"]
    (column, models), = index.unindexed_owner_columns("app.models.Second")
    assert column.name == "user_id" and [model.name for model in models] == ["Second"]
    assert index.unindexed_owner_columns("app.models.Event") == []


def test_soft_delete_flag_columns(tmp_path: Path) -> None:
    config = Config(soft_delete_columns=("deleted", "removed_at", "is_deleted"))
    flags = models_of(tmp_path, {"app/models.py": MODELS}, config).model_for("app.models.Flags")
    assert flags is not None
    assert flags.soft_delete_flag("deleted") and flags.soft_delete_flag("is_deleted")
    assert not flags.soft_delete_flag("removed_at")


LISTENER = """
from sqlalchemy import event
from sqlalchemy.orm import Session, with_loader_criteria

from app.models import Plain


@event.listens_for(Session, "do_orm_execute")
def hide(state):
    state.statement = state.statement.options(with_loader_criteria(Plain, lambda cls: cls.{column}.is_(None)))
"""


def test_soft_delete_filtered_globally_by_a_loader_criteria_listener(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/models.py": MODELS}
    filtered = build(tmp_path / "a", {**files, "app/db.py": LISTENER.format(column="deleted_at")})
    assert filtered.models.soft_delete_filtered_globally
    other = build(tmp_path / "b", {**files, "app/db.py": LISTENER.format(column="archived")})
    assert not other.models.soft_delete_filtered_globally
