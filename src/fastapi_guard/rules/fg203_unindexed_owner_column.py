"""An owner column without an index.

## What it does
Reports an owner column (one of the `owner-columns`, such as `owner_id`,
`user_id` or `tenant_id`) of a model that no index can serve. The column is
indexed when:

- it is declared with `index=True`, `unique=True` or `primary_key=True`
  (`Column(...)`, `mapped_column(...)`, SQLModel `Field(...)` or its
  `sa_column=Column(...)`);
- an `Index(...)`, `UniqueConstraint(...)` or `PrimaryKeyConstraint(...)` in the
  model's `__table_args__` (its own, or one it inherits, also from a
  `declared_attr`) lists it FIRST: `Index("ix_items_owner_status", "owner_id",
  "status")`; a unique constraint is backed by a unique index in PostgreSQL,
  MySQL and SQLite alike, so it counts;
- a module-level `Index("ix_items_owner", Item.owner_id, ...)` leads with it.

A `ForeignKey` alone is not enough: PostgreSQL and SQLite do not index
foreign keys. An index whose owner column comes second
(`Index("ix", "status", "owner_id")`) cannot serve a filter on the owner
alone.

The finding is reported once per declaration, at the column assignment. An
owner column inherited from a mixin is reported in the mixin, once, naming the
models that use it without an index; a model that adds its own index in its
`__table_args__` is not among them.

## Why is this bad?
Every read of an owned model filters on its owner column (FG103 makes sure of
that). Without an index each of those filters scans the whole table: fine
with a hundred rows in development, a full scan per request in production,
and lock contention on writes that have to check the same rows.

## Example
```python
from sqlalchemy import Column, ForeignKey, Index, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Item(Base):
    __tablename__ = "items"

    id = Column(Integer, primary_key=True)
    owner_id = Column(Integer, ForeignKey("users.id"), nullable=False)  # [FG203]
    name = Column(String(255), nullable=False)


class Tag(Base):
    __tablename__ = "tags"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False)  # [FG203]
    label = Column(String(64), nullable=False)

    __table_args__ = (Index("ix_tags_label_user", "label", "user_id"),)
```

## Use instead
```python
from sqlalchemy import Column, ForeignKey, Index, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Item(Base):
    __tablename__ = "items"

    id = Column(Integer, primary_key=True)
    owner_id = Column(Integer, ForeignKey("users.id"), nullable=False, index=True)
    name = Column(String(255), nullable=False)


class Tag(Base):
    __tablename__ = "tags"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False)
    label = Column(String(64), nullable=False)

    __table_args__ = (Index("ix_tags_user_label", "user_id", "label"),)
```

## Fix
Add `index=True` to the column, or an index led by the owner column to
`__table_args__` (`Index("ix_items_owner_status", "owner_id", "status")` also
serves the owner filter alone), and create it with a migration.

## Options
- `owner-columns`: the column names that make a model owned (default `owner_id`,
  `user_id`, `tenant_id`, `organization_id`, `workspace_id`, `account_id`).

## Related rules
- FG103 unscoped-query: the owner filter this index serves.
"""

from __future__ import annotations

import ast

from fastapi_guard.project.sqlalchemy import Column, Model
from fastapi_guard.rule import FileRule, def_line_span, node_span


class UnindexedOwnerColumn(FileRule):
    code = "FG203"
    name = "unindexed-owner-column"
    message = "owner column `{column}` has no index{where}"
    hint = "add `index=True` to the column, or an `Index(...)` led by it in `__table_args__`"

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if any(isinstance(a, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for a in self.context.ancestors):
            return
        models = self.project.models
        if not models.owned:
            return
        qualname = f"{self.module.name}.{node.name}"
        for column, unindexed in models.unindexed_owner_columns(qualname):
            self._report(column, qualname, unindexed)

    def _report(self, column: Column, declared_in: str, unindexed: list[Model]) -> None:
        where = ""
        if [model.qualname for model in unindexed] != [declared_in]:
            users = ", ".join(f"`{model.name}`" for model in unindexed)
            where = f" (declared in `{declared_in.rsplit('.', 1)[-1]}`, used by {users})"
        statement = column.node
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            span = def_line_span(self.module, statement)
        elif isinstance(statement, ast.Assign):
            span = node_span(self.module, statement.targets[0])
        elif isinstance(statement, ast.AnnAssign):
            span = node_span(self.module, statement.target)
        else:
            span = node_span(self.module, statement)
        self.report_span(span, column=column.name, where=where)
