"""FG103 unscoped-query: admin tests, messages and configuration beyond the fixture cases."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from support import write_project

from fastapi_guard.engine import RunOptions, run
from fastapi_guard.project.guards import implies_admin

MODELS = """
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Item(Base):
    __tablename__ = "items"
    id = Column(Integer, primary_key=True)
    owner_id = Column(Integer, ForeignKey("users.id"), index=True)
    created_by = Column(Integer, index=True)
    name = Column(String(50))
"""


@pytest.mark.parametrize("test, outcome, expected", [
    ("user.is_superuser", True, True),
    ("user.is_superuser", False, False),
    ("not user.is_admin", False, True),
    ("user.role == Role.admin", True, True),
    ("user.role == UserRole.ADMIN", True, True),
    ("current_user.role == 'admin'", True, True),
    ("user.role != 'admin'", False, True),
    ("user.role.value == 'superuser'", True, True),
    ("'admin' in user.roles", True, True),
    ("user.role in (Role.admin, Role.superuser)", True, True),
    ("user.role in (Role.admin, Role.member)", True, False),
    ("user.is_superuser or user.role == 'admin'", True, True),
    ("user.is_superuser or item.public", True, False),
    ("user.is_superuser and item.public", True, True),
    ("not (user.is_superuser or user.role == 'admin')", False, True),
    ("not user.is_admin and item.owner_id != user.id", False, False),
    ("user.is_admin == True", True, True),
    ("user.is_admin is False", False, True),
    ("user.has_role('admin')", True, True),
    ("user.has_role('editor')", True, False),
    ("user.is_active", True, False),
])
def test_implies_admin(test: str, outcome: bool, expected: bool) -> None:
    expression = ast.parse(test, mode="eval").body
    assert implies_admin(expression, outcome) is expected


def findings(tmp_path: Path, service: str, config: str = "") -> list[tuple[int, str, str | None]]:
    root = write_project(tmp_path, {"app/models.py": MODELS, "app/service.py": service}, config)
    result = run([root], RunOptions(select=("FG103",)))
    assert not [note for project in result.projects for note in project.notes if "internal error" in note]
    return [(f.line, f.message, f.hint) for f in result.findings]


def test_message_and_hint(tmp_path: Path) -> None:
    service = "from app.models import Item\n\n\ndef get(db, item_id):\n    return db.get(Item, item_id)\n"
    assert findings(tmp_path, service) == [(
        5,
        "query on owned model `Item` is not scoped to its owner (`owner_id`)",
        "filter on `Item.owner_id == current_user.id`",
    )]


def test_configured_owner_columns(tmp_path: Path) -> None:
    service = (
        "from app.models import Item\n\n\n"
        "def by_owner(db, user_id):\n    return db.query(Item).filter(Item.owner_id == user_id).all()\n\n\n"
        "def by_creator(db, user_id):\n    return db.query(Item).filter(Item.created_by == user_id).all()\n"
    )
    assert [line for line, _, _ in findings(tmp_path, service, 'owner-columns = ["created_by"]\n')] == [5]


def test_admin_dependency_function(tmp_path: Path) -> None:
    service = (
        "from fastapi import Depends\n"
        "from app.models import Item\n\n\n"
        "def require_admin():\n    return None\n\n\n"
        "def all_items(db, admin=Depends(require_admin)):\n    return db.query(Item).all()\n\n\n"
        "def some_items(db):\n    return db.query(Item).all()\n"
    )
    assert [line for line, _, _ in findings(tmp_path, service)] == [14]


def test_module_level_and_nested_scopes(tmp_path: Path) -> None:
    service = (
        "from sqlalchemy import select\n"
        "from app.models import Item\n\n"
        "BASE = select(Item)\n"
        "FIRST = SESSION.scalars(select(Item)).first()\n\n\n"
        "def outer(db, owner_id):\n"
        "    def inner(item_id):\n"
        "        return db.get(Item, item_id)\n"
        "    return db.scalars(BASE.where(Item.owner_id == owner_id)).all(), inner\n"
    )
    assert [line for line, _, _ in findings(tmp_path, service)] == [5, 10]


def test_returned_base_statement_is_left_to_callers(tmp_path: Path) -> None:
    service = (
        "from sqlalchemy import select\n"
        "from app.models import Item\n\n\n"
        "def base():\n"
        "    return select(Item).order_by(Item.name)\n\n\n"
        "def fetched(db):\n"
        "    return db.scalars(select(Item)).all()\n"
    )
    assert [line for line, _, _ in findings(tmp_path, service)] == [10]


def test_fetch_then_check_on_relationship(tmp_path: Path) -> None:
    service = (
        "from app.models import Item\n\n\n"
        "def get(db, item_id, user):\n"
        "    item = db.query(Item).filter(Item.id == item_id).one()\n"
        "    if item.owner != user:\n"
        "        raise PermissionError(item_id)\n"
        "    return item\n"
    )
    assert findings(tmp_path, service) == []


def test_scoped_query_does_not_vouch_for_another_in_the_same_function(tmp_path: Path) -> None:
    service = (
        "from app.models import Item\n\n\n"
        "def both(db, item_id, owner_id):\n"
        "    mine = db.query(Item).filter(Item.owner_id == owner_id).all()\n"
        "    other = db.query(Item).filter(Item.id == item_id).first()\n"
        "    return mine, other\n"
    )
    assert [line for line, _, _ in findings(tmp_path, service)] == [6]


def test_unowned_parent_does_not_scope(tmp_path: Path) -> None:
    models = MODELS + (
        "\n\nclass Board(Base):\n    __tablename__ = 'boards'\n    id = Column(Integer, primary_key=True)\n"
    )
    root = write_project(tmp_path, {"app/models.py": models, "app/service.py": (
        "from app.models import Board, Item\n\n\n"
        "def items_on(db, board_id):\n"
        "    board = db.get(Board, board_id)\n"
        "    return db.query(Item).filter(Item.name == board.id).all()\n"
    )})
    result = run([root], RunOptions(select=("FG103",)))
    assert [f.line for f in result.findings] == [6]
