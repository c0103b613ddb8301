"""SQL text built from a non-constant value by f-string, `%`, `.format()` or `+`.

## What it does
Reports a call that receives SQL text assembled from a value that is neither a
literal nor a constant: `text()`, `literal_column()`, `exec_driver_sql()`,
`executescript()`, `<x>.execute()` and `executemany()`, or a query's
`.filter()` / `.where()` / `.order_by()` / `.having()` / `.group_by()` given a
string. The string may be built in the call or in a local variable assigned
(or `+=`-extended) earlier in the same function. `execute` is a common method
name, so for `execute()` and `executemany()` the string must also look like SQL
(`SELECT`, `UPDATE ... SET`, `DELETE FROM`, ...); for the query methods it must
look like SQL or the receiver must be a query (`db.query(M)`, `select(M)`).

Not reported, because the interpolated value cannot carry a caller's text:

- literals, UPPER_CASE constants (`TABLE`, `self.TABLE`, `Cls.TABLE_NAME`),
  model metadata (`Model.__tablename__`, `Model.__table__.c.x.name`,
  `Model.col.key`) and numbers (`int(limit)`, a parameter annotated `int`);
- bind-parameter placeholders built from those (`", ".join(f":id{i}" for i in range(len(ids)))`);
- a value checked against a constant whitelist (`if sort not in SORTABLE: raise ...`);
- an attribute its class only sets to such values (`self.dim = int(dim)`);
- a parameter that every caller fills safely, for an undecorated function whose
  callers are all in its module (nested, private, or mentioned by no other file);
- SQL built by a project helper (`text(build_sql(...))`, `f"... WHERE {self._where()}"`),
  which cannot be read statically.

Such SQL is still raw SQL, reported by FG105. Alembic migrations (code under
`exclude`, and any module importing `alembic.op` or `alembic.context`) are
not checked.

## Why is this bad?
A value spliced into SQL text becomes SQL: a search term such as
`' OR 1=1 --` reads every row of every owner, and an `order_by` parameter can
carry a sub-query. Bound parameters send values separately from the statement,
so the database never parses them as SQL. The seed guide's checklist asks for
"No SQL injection vulnerabilities".

## Example
```python
from sqlalchemy import text
from sqlalchemy.orm import Session


def search_items(db: Session, owner_id: str, term: str) -> list[dict]:
    stmt = text(f"SELECT id, name FROM items WHERE owner_id = :owner_id AND name LIKE '%{term}%'")  # [FG104]
    return [dict(row._mapping) for row in db.execute(stmt, {"owner_id": owner_id})]


def sorted_items(db: Session, owner_id: str, order_by: str) -> list[dict]:
    sql = "SELECT id, name FROM items WHERE owner_id = :owner_id"
    sql += " ORDER BY " + order_by
    rows = db.execute(text(sql), {"owner_id": owner_id})  # [FG104]
    return [dict(row._mapping) for row in rows]
```

## Use instead
```python
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.database.models import Item

SORTABLE = {"name": Item.name, "created_at": Item.created_at}


def search_items(db: Session, owner_id: str, term: str) -> list[dict]:
    stmt = text("SELECT id, name FROM items WHERE owner_id = :owner_id AND name LIKE :pattern")
    rows = db.execute(stmt, {"owner_id": owner_id, "pattern": f"%{term}%"})
    return [dict(row._mapping) for row in rows]


def sorted_items(db: Session, owner_id: str, order_by: str) -> list[Item]:
    column = SORTABLE.get(order_by, Item.created_at)
    return list(db.scalars(select(Item).where(Item.owner_id == owner_id).order_by(column)))
```

## Fix
Pass values as bound parameters (`:name` in `text()`, `%s` / `?` with a
parameter tuple for a DB-API cursor). Identifiers cannot be bound: map the
user's choice to a column through a fixed dictionary, as above.

## Related rules
FG105 (raw SQL in application code: the same calls with constant SQL).
"""

from __future__ import annotations

import ast

from fastapi_guard.project.sqltext import SqlReader, looks_like_sql
from fastapi_guard.project.valueplaces import MAX_DEPTH
from fastapi_guard.rules._sql_strings import SqlStringRule

_QUERY_BUILDERS = frozenset({"sqlalchemy.select", "sqlalchemy.update", "sqlalchemy.delete", "sqlmodel.select"})


class SqlInjectionRule(SqlStringRule):
    code = "FG104"
    name = "sql-injection"
    message = "SQL built from `{source}` with {how} is passed to `{sink}()`"
    hint = 'use bound parameters: `text("... WHERE id = :id").bindparams(id=value)` or `execute(stmt, {"id": value})`'

    def visit_Call(self, node: ast.Call) -> None:
        found = self.sql_call(node)
        if found is None:
            return
        reader = self.reader(node)
        for argument in found.arguments:
            sql = reader.read(argument)
            if sql is None or not sql.unsafe:
                continue
            if found.kind == "text" or looks_like_sql(sql.text) or (
                found.kind == "clause" and isinstance(node.func, ast.Attribute) and _is_query(reader, node.func.value, 0)
            ):
                first = sql.unsafe[0]
                self.report(node, source=first.source, how=first.how, sink=found.name)
                return


def _is_query(reader: SqlReader, expr: ast.expr, depth: int) -> bool:
    """Whether ``expr`` is a SQLAlchemy query: a chain on ``<session>.query(...)`` or ``select(...)``."""
    while depth <= MAX_DEPTH:
        if isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Attribute) and func.attr == "query":
                return True
            if reader.qualname(func) in _QUERY_BUILDERS:
                return True
            expr = func
        elif isinstance(expr, ast.Attribute):
            expr = expr.value
        elif isinstance(expr, ast.Name):
            return any(_is_query(reader, value, depth + 1) for value in reader.assigned(expr.id))
        else:
            return False
        depth += 1
    return False
