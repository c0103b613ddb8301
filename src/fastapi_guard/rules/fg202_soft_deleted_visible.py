"""A read query on a soft-deletable model that does not filter out deleted rows.

## What it does
Reports a read query on a *soft-deletable* model (a model with one of the
`soft-delete-columns`, such as `deleted_at` or `is_deleted`, learned from the
model classes and their mixins) that never looks at that column:
`db.query(M)` chains, `select(M)` / `select(M.col)` statements,
`session.get(M, id)` and `db.query(M).get(id)`. The finding points at the
call that names the model.

The query is followed like FG103 follows it (method chain, `await`,
`session.execute(...)`, local variables). It counts as filtered when:

- a condition uses the soft-delete column: `.where(M.deleted_at.is_(None))`,
  `.filter(M.deleted_at == None)`, `.filter_by(deleted_at=None)`,
  `M.is_deleted.is_(False)`, `M.is_deleted == False`, `~M.is_deleted`; a
  condition on the column that selects deleted rows on purpose
  (`M.deleted_at.is_not(None)` for a trash view) counts too, because the
  query chose what to show;
- the column appears in `.options(with_loader_criteria(...))`, or the project
  installs a global `with_loader_criteria` on a soft-delete column in a
  `do_orm_execute` event listener (then no query is reported);
- the fetched object's soft-delete column is compared, tested or assigned in
  the same function: `if item is None or item.deleted_at is not None: raise ...`,
  a soft delete (`item.deleted_at = now`) or a restore (`item.deleted_at = None`);
  or the object is fetched to be deleted (`db.delete(item)`, FG201's business);
- its conditions use values selected by a query that filters the column
  (`M.id.in_(ids)` where `ids` come from `select(M.id).where(M.deleted_at.is_(None))`
  or from a raw `... AND deleted_at IS NULL` statement);
- its filters cannot be read statically (`filter_by(**filters)`,
  `where(*clauses)`, `q = not_deleted(q)`): they get the benefit of the doubt.

Not reported: writes (`update(M)`, `delete(M)`, `Query.update()` /
`.delete()`), subqueries (judged with their outer query), base statements
returned unexecuted for callers to refine, queries in admin-only functions
and admin-guarded branches (as for FG103), and queries marked
`# noqa: FG202` because they read deleted rows deliberately.

## Why is this bad?
A soft delete only hides a row if every read filters it out. One forgotten
filter brings "deleted" records back: a deleted project in a list, a deleted
user able to log in, a deleted document served by id. The house guide puts
`deleted_at.is_(None)` next to the owner filter in every read for this
reason.

## Example
```python
# file: app/models.py
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    deleted_at: Mapped[datetime | None]
```

```python
# file: app/services/documents.py
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Document


async def get_document(session: AsyncSession, document_id: int, workspace_id: int) -> Document | None:
    stmt = select(Document).where(Document.id == document_id, Document.workspace_id == workspace_id)  # [FG202]
    return await session.scalar(stmt)
```

## Use instead
```python
# file: app/models.py
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    deleted_at: Mapped[datetime | None]
```

```python
# file: app/services/documents.py
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Document


async def get_document(session: AsyncSession, document_id: int, workspace_id: int) -> Document | None:
    stmt = select(Document).where(
        Document.id == document_id, Document.workspace_id == workspace_id, Document.deleted_at.is_(None)
    )
    return await session.scalar(stmt)


async def list_trash(session: AsyncSession, workspace_id: int) -> list[Document]:
    stmt = select(Document).where(Document.workspace_id == workspace_id, Document.deleted_at.is_not(None))
    return list(await session.scalars(stmt.limit(50)))
```

## Fix
Add the "not deleted" condition (`.where(Item.deleted_at.is_(None))`,
`.where(Item.is_deleted.is_(False))`), or install it once for every query with
a `do_orm_execute` listener and `with_loader_criteria`. A query that must see
deleted rows (an audit export, a restore endpoint) says so with
`# noqa: FG202`.

## Options
- `soft-delete-columns`: the column names that make a model soft-deletable
  (default `deleted_at`, `is_deleted`).

## Related rules
- FG201 hard-delete: deletes on these models must set the column instead.
- FG103 unscoped-query: the owner filter every read needs as well.
"""

from __future__ import annotations

import ast
import re

from fastapi_guard.project.queries import Query, ScopeQueries
from fastapi_guard.project.sqlalchemy import Model
from fastapi_guard.project.symbols import ScopeNode
from fastapi_guard.rules._query_scopes import QueryScopeRule

READS = frozenset({"query", "select", "get"})
WRITES = frozenset({"update", "delete"})


class SoftDeletedVisible(QueryScopeRule):
    code = "FG202"
    name = "soft-deleted-visible"
    message = "read of soft-deletable `{model}` does not filter out deleted rows (`{column}`)"

    def check_scope(self, scope: ScopeNode | ast.Module, scopes: tuple[ScopeNode, ...]) -> None:
        models = self.project.models
        if not models.soft_deletable or models.soft_delete_filtered_globally:
            return
        queries = models.queries(self.module, scope, scopes)
        for query in queries.queries:
            if query.kind not in READS or query.applies(*WRITES) or query.subquery or query.dynamic:
                continue
            if queries.is_builder(query) or queries.admin_guarded(query.root):
                continue
            model = next((m for m in query.models if m.is_soft_deletable and not self._hides(queries, query, m)), None)
            if model is None:
                continue
            if queries.admin_only:
                return
            column = model.soft_delete_columns[0]
            condition = f"{model.name}.{column}.is_(False)" if model.soft_delete_flag(column) \
                else f"{model.name}.{column}.is_(None)"
            self.report(query.root, hint=f"add `.where({condition})`", model=model.name, column=column)

    def _hides(self, queries: ScopeQueries, query: Query, model: Model) -> bool:
        """Whether the query (or the code around it) takes the model's soft-delete column into account."""
        columns = set(model.soft_delete_columns)
        mentions = re.compile(r"\b(" + "|".join(map(re.escape, sorted(columns))) + r")\b")
        if any(keyword.arg in columns for keyword in query.keywords):
            return True
        for node in queries.expanded(query.conditions):
            if isinstance(node, ast.Attribute) and node.attr in columns:
                reference = self.project.models.column_ref(queries.module, node, queries.scopes)
                if reference is not None and reference[0] is model:
                    return True
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and mentions.search(node.value):
                return True  # filtered by ids a raw ``... AND deleted_at IS NULL`` query selected
        for call in query.calls("options"):
            if any(isinstance(node, ast.Attribute) and node.attr in columns for node in ast.walk(call)):
                return True
        fetched = query.results | query.rows
        if any(variable in fetched and attribute in columns for variable, attribute in queries.examined):
            return True
        # fetched to be deleted: FG201 judges the delete, and purging a soft-deleted row is its purpose
        return any("delete" in queries.passed_to.get(variable, ()) for variable in fetched)
