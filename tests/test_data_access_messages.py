"""FG202, FG203, FG601 and FG602: messages, hints and report positions beyond the fixture cases."""

from __future__ import annotations

from pathlib import Path

from support import FIXTURES, write_project

from fastapi_guard.engine import RunOptions, run
from fastapi_guard.findings import Finding

RULES = FIXTURES / "rules"


def findings(root: Path, code: str) -> list[Finding]:
    return run([root], RunOptions(select=(code,))).findings


def test_fg601_names_the_session_or_the_call_chain() -> None:
    direct, = findings(RULES / "FG601/fire_session_opened_in_body", "FG601")
    assert direct.message == (
        "async endpoint `count_items` blocks the event loop: `db` is a synchronous Session (line 13)"
    )
    assert (direct.line, direct.column, direct.end_column) == (11, 1, 22)
    chained = findings(RULES / "FG601/fire_through_project_helpers", "FG601")[1]
    assert chained.message == (
        "async endpoint `item_summary` blocks the event loop: it calls `ItemService.summarize` -> "
        "`ItemsTable.get_item_by_id`, where `db` is a synchronous Session (app/database/tables.py:8)"
    )
    assert chained.hint is not None and "AsyncSession" in chained.hint


def test_fg203_mixin_finding_names_the_models_without_an_index() -> None:
    finding, = findings(RULES / "FG203/fire_mixin_reported_once", "FG203")
    assert finding.message == (
        "owner column `owner_id` has no index (declared in `OwnedMixin`, used by `Project`, `Task`)"
    )
    assert (finding.line, finding.column, finding.end_column) == (6, 5, 13)


def test_fg602_points_at_the_all_attribute_and_names_the_endpoint() -> None:
    multi_line = findings(RULES / "FG602/fire_returned_all", "FG602")[1]
    assert (multi_line.line, multi_line.column, multi_line.end_column) == (25, 10, 13)
    helper, = findings(RULES / "FG602/fire_returned_by_helper", "FG602")
    assert helper.message == (
        "`list_for` (returned by endpoint `list_items`) returns every matching `Item` row: "
        "`.all()` without `.limit()` or pagination"
    )


def test_fg202_hint_matches_the_column_kind() -> None:
    hints = [f.hint for f in findings(RULES / "FG202/fire_query_without_filter", "FG202")]
    assert hints == [
        "add `.where(Item.deleted_at.is_(None))`",
        "add `.where(Item.deleted_at.is_(None))`",
        "add `.where(Comment.is_deleted.is_(False))`",
    ]


def test_fg202_respects_configured_columns(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "app/models.py": (
            "from sqlalchemy import Column, DateTime, Integer\nfrom sqlalchemy.orm import declarative_base\n\n"
            "Base = declarative_base()\n\n\nclass Doc(Base):\n    __tablename__ = 'docs'\n"
            "    id = Column(Integer, primary_key=True)\n    archived_at = Column(DateTime)\n"
        ),
        "app/service.py": (
            "from app.models import Doc\n\n\ndef get(db, doc_id):\n"
            "    return db.query(Doc).filter(Doc.id == doc_id).first()\n"
        ),
    }, config='soft-delete-columns = ["archived_at"]\n')
    finding, = findings(root, "FG202")
    assert finding.message == "read of soft-deletable `Doc` does not filter out deleted rows (`archived_at`)"
