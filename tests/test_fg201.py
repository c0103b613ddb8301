"""FG201 hard-delete: session detection, messages and the "all" mode beyond the fixture cases."""

from __future__ import annotations

from pathlib import Path

from support import write_project

from fastapi_guard.engine import RunOptions, run

MODELS = """
from sqlalchemy import Boolean, Column, Integer
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Item(Base):
    __tablename__ = "items"
    id = Column(Integer, primary_key=True)
    is_deleted = Column(Boolean, default=False)


class Tag(Base):
    __tablename__ = "tags"
    id = Column(Integer, primary_key=True)
"""

DATABASE = """
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session, sessionmaker

SessionLocal = sessionmaker()


def get_session():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


def get_typed() -> Iterator[Session]:
    yield SessionLocal()


get_db = contextmanager(get_session)
DbSession = Annotated[Session, Depends(get_typed)]
"""


def findings(tmp_path: Path, service: str, config: str = "") -> list[tuple[int, str, str | None]]:
    files = {"app/models.py": MODELS, "app/database.py": DATABASE, "app/service.py": service}
    root = write_project(tmp_path, files, config)
    result = run([root], RunOptions(select=("FG201",)))
    assert not [note for project in result.projects for note in project.notes if "internal error" in note]
    return [(f.line, f.message, f.hint) for f in result.findings]


def test_flag_column_message_and_hint(tmp_path: Path) -> None:
    service = "from app.models import Item\n\n\ndef drop(db, item: Item):\n    db.delete(item)\n"
    assert findings(tmp_path, service) == [(
        5,
        "hard delete of `Item` rows; the model has a soft-delete column `is_deleted`",
        "set `item.is_deleted = True` instead",
    )]


def test_optional_annotation_and_constructor(tmp_path: Path) -> None:
    service = (
        "from typing import Optional\n"
        "from app.models import Item, Tag\n\n\n"
        "def drop(db, item: Optional[Item], other: Item | None):\n"
        "    db.delete(item)\n"
        "    db.delete(other)\n"
        "    fresh = Item()\n"
        "    db.delete(fresh)\n"
        "    db.delete(Tag())\n"
    )
    assert [line for line, _, _ in findings(tmp_path, service)] == [6, 7, 9]


ALL_MODE_SERVICE = """
from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.database import DbSession, SessionLocal, get_db, get_session


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def remove(self, obj) -> None:
        await self.session.delete(obj)


def annotated(db: Session, obj) -> None:
    db.delete(obj)


def injected(obj, db=Depends(get_session)) -> None:
    db.delete(obj)


def aliased(db: DbSession, obj) -> None:
    db.delete(obj)


def context_manager(obj) -> None:
    with get_db() as db:
        db.delete(obj)


def factory(obj) -> None:
    db = SessionLocal()
    db.delete(obj)


def unknown(db, obj, cache) -> None:
    db.delete(obj)
    cache.delete(obj)
"""


def test_all_mode_needs_a_known_session_for_unknown_objects(tmp_path: Path) -> None:
    found = findings(tmp_path, ALL_MODE_SERVICE, 'soft-delete = "all"\n')
    assert [line for line, _, _ in found] == [14, 18, 22, 26, 31, 36]
    assert found[0][1] == 'hard delete of `obj`; every model is soft-deleted (`soft-delete = "all"`)'


def test_all_mode_covers_models_without_the_column(tmp_path: Path) -> None:
    service = (
        "from app.models import Tag\n\n\n"
        "def drop(db, tag_id):\n    db.query(Tag).filter(Tag.id == tag_id).delete()\n"
    )
    assert findings(tmp_path, service) == []
    assert findings(tmp_path, service, 'soft-delete = "all"\n') == [(
        5,
        'hard delete of `Tag` rows; every model is soft-deleted (`soft-delete = "all"`)',
        "add a `deleted_at` column to `Tag` and set it instead",
    )]
