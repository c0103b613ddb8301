"""A constant raw SQL string in application code.

## What it does
Reports `text()`, `exec_driver_sql()`, `executescript()`, `<x>.execute()` and
`executemany()` given constant SQL: a literal, a string built only from
literals and constants (`f"SELECT ... FROM {Model.__tablename__}"`), or a local
variable or module constant holding one. Any non-empty string passed to
`text()`, `exec_driver_sql()` or `executescript()` counts; `execute` is a common
method name, so for `execute()` and `executemany()` the string must look like
SQL (`SELECT`, `UPDATE ... SET`, `DELETE FROM`, `PRAGMA`, ...).

Not reported:

- `text()` in model and table definitions (`server_default=text("now()")`,
  `Index(..., postgresql_where=text(...))`, `__table_args__`);
- a lone SQL token inside an ORM expression (`func.timestampdiff(text("SECOND"), ...)`,
  `coalesce(x, text("-1"))`);
- alembic migrations (code under `exclude`, and any module importing
  `alembic.op` or `alembic.context`);
- SQL built from non-constant values: FG104 reports it, once.

## Why is this bad?
Raw SQL bypasses the models: the owner scoping the seed guide requires on
every query (Critical Rule 1), the soft-delete filter, column renames and
type conversions all live in the ORM layer, and a hand-written statement
silently drifts away from them. It is also where SQL injection starts: the
next change to a raw string is often an f-string.

## Example
```python
from sqlalchemy import text
from sqlalchemy.orm import Session


def count_items(db: Session, owner_id: str) -> int:
    stmt = text("SELECT COUNT(*) FROM items WHERE owner_id = :owner_id")  # [FG105]
    return int(db.execute(stmt, {"owner_id": owner_id}).scalar_one())


def archive_items(connection, owner_id: str) -> None:
    cursor = connection.cursor()
    cursor.execute("UPDATE items SET archived = 1 WHERE owner_id = ?", (owner_id,))  # [FG105]
```

## Use instead
```python
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.database.models import Item


def count_items(db: Session, owner_id: str) -> int:
    stmt = select(func.count()).select_from(Item).where(Item.owner_id == owner_id, Item.deleted_at.is_(None))
    return int(db.execute(stmt).scalar_one())


def archive_items(db: Session, owner_id: str) -> None:
    db.execute(update(Item).where(Item.owner_id == owner_id).values(archived=True))
```

## Fix
Express the statement with the ORM (`select()`, `update()`, `delete()` on the
model). Where raw SQL is deliberate (a database-specific feature, a health
check), keep it and say so with `# noqa: FG105`.

## Related rules
FG104 (SQL injection: the same calls with SQL built from non-constant values).
"""

from __future__ import annotations

import ast
import re

from fastapi_guard.project.sqltext import SqlReader, looks_like_sql
from fastapi_guard.rules._sql_strings import SqlStringRule

# SQLAlchemy/SQLModel constructs whose text() arguments are schema, not queries.
_SCHEMA_CALLS = frozenset({
    "Column", "mapped_column", "Index", "CheckConstraint", "UniqueConstraint", "PrimaryKeyConstraint",
    "ForeignKeyConstraint", "Table", "Computed", "Identity", "relationship", "column_property", "Field",
})
_SCHEMA_KEYWORDS = frozenset({"server_default", "server_onupdate", "sa_column_kwargs"})
_SQL_TOKEN = re.compile(r"[-+]?[\w.]+(?:\(\))?")


class RawSqlRule(SqlStringRule):
    code = "FG105"
    name = "raw-sql"
    message = "raw SQL string passed to `{sink}()`"
    hint = "express the query with the ORM (`select(Model).where(...)`) so models, scoping and soft-delete filters apply"

    def visit_Call(self, node: ast.Call) -> None:
        found = self.sql_call(node)
        if found is None or found.kind == "clause" or found.name == "literal_column" or not found.arguments:
            return
        reader = self.reader(node)
        sql = reader.read(found.arguments[0])
        if sql is None or sql.unsafe or not sql.text.strip():
            return
        if found.kind == "execute" and not looks_like_sql(sql.text):
            return
        if found.name == "text" and _SQL_TOKEN.fullmatch(sql.text.strip()):
            return  # text("SECOND"), text("-1"), text("now()"): a token inside an ORM expression
        if found.name == "text" and self._in_schema_definition(reader):
            return
        self.report(node, sink=found.name)

    def _in_schema_definition(self, reader: SqlReader) -> bool:
        for ancestor in self.context.ancestors:
            if isinstance(ancestor, ast.keyword) and ancestor.arg in _SCHEMA_KEYWORDS:
                return True
            if isinstance(ancestor, ast.Call):
                qualname = reader.qualname(ancestor.func) or ""
                if qualname.split(".")[0] in ("sqlalchemy", "sqlmodel") and qualname.rpartition(".")[2] in _SCHEMA_CALLS:
                    return True
            if isinstance(ancestor, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "__table_args__" for target in ancestor.targets
            ):
                return True
        return False
