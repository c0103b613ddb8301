"""A hard delete of rows of a soft-deletable model.

## What it does
Reports deleting rows of a model that has a soft-delete column
(`soft-delete-columns`, default `deleted_at` and `is_deleted`, learned from the
model classes and their mixins):

- `db.delete(obj)` / `session.delete(obj)` / `await session.delete(obj)` where
  `obj` was fetched in the same function by a query on the model or by
  `session.get(M, id)`, is a parameter annotated with the model, or comes from
  a project function whose return annotation names the model;
- `db.query(M)....delete()`;
- a `delete(M)` statement (`session.execute(delete(M).where(...))`).

With `soft-delete = "all"` every model is expected to be soft-deleted, and
`db.delete(obj)` of an object of unknown type is reported when the receiver is
known to be a SQLAlchemy session (annotated `Session` / `AsyncSession`, injected
by a `Depends(get_db)` dependency that yields one, or `self.db` set from one).

Calls that only look alike are left alone: `cache.delete(key)`,
`redis.delete(...)`, `client.delete(url)`, and `service.delete(item)` on an
instance of one of the project's own classes.

## Why is this bad?
The house guide soft-deletes: a model with `deleted_at` promises that rows are
kept for audit, undo and referential history. A hard delete on such a model
silently breaks that promise, cascades to children the soft delete would have
kept, and cannot be undone.

## Example
```python
# file: app/models.py
from sqlalchemy import Column, DateTime, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Item(Base):
    __tablename__ = "items"

    id = Column(Integer, primary_key=True)
    name = Column(String(255), nullable=False)
    deleted_at = Column(DateTime(timezone=True), nullable=True)
```

```python
# file: app/services/items.py
from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.models import Item


def delete_item(db: Session, item_id: int) -> None:
    item = db.get(Item, item_id)
    db.delete(item)  # [FG201]
    db.commit()


def purge_items(db: Session) -> None:
    db.execute(delete(Item).where(Item.name == ""))  # [FG201]
```

## Use instead
```python
# file: app/models.py
from sqlalchemy import Column, DateTime, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Item(Base):
    __tablename__ = "items"

    id = Column(Integer, primary_key=True)
    name = Column(String(255), nullable=False)
    deleted_at = Column(DateTime(timezone=True), nullable=True)
```

```python
# file: app/services/items.py
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from app.models import Item


def delete_item(db: Session, item_id: int) -> None:
    item = db.get(Item, item_id)
    item.deleted_at = datetime.now(timezone.utc)
    db.commit()
```

## Fix
Set the soft-delete column instead (`item.deleted_at = datetime.now(timezone.utc)`,
`item.is_deleted = True`), or `update(M).values(deleted_at=func.now())` for
bulk deletes. Purging rows that are past their retention period is a
deliberate hard delete: put it under `exclude` (a maintenance script) or
mark it with `# noqa: FG201`.

## Options
- `soft-delete-columns`: the column names that make a model soft-deletable
  (default `deleted_at`, `is_deleted`).
- `soft-delete`: `"models-with-column"` (default) checks only models with a
  soft-delete column; `"all"` expects every model to be soft-deleted.

## Related rules
- FG202 soft-deleted-visible: reads must hide the rows a soft delete keeps.
"""

from __future__ import annotations

import ast

from fastapi_guard.project.queries import ScopeQueries
from fastapi_guard.project.sqlalchemy import Model
from fastapi_guard.project.symbols import ScopeNode, source_text
from fastapi_guard.rules._query_scopes import QueryScopeRule

class HardDelete(QueryScopeRule):
    code = "FG201"
    name = "hard-delete"
    message = "hard delete of {target}; {reason}"

    @property
    def _all_models(self) -> bool:
        return self.project.config.soft_delete == "all"

    def _applies(self, model: Model) -> bool:
        return model.is_soft_deletable or self._all_models

    def check_scope(self, scope: ScopeNode | ast.Module, scopes: tuple[ScopeNode, ...]) -> None:
        models = self.project.models
        if not models.models or not (models.soft_deletable or self._all_models):
            return
        queries = models.queries(self.module, scope, scopes)
        chained: set[int] = set()
        for query in queries.queries:
            chained.update(id(call) for _, call in query.methods)
            if not self._applies(query.model):
                continue
            if query.kind == "delete":
                self._report(query.root, query.model, None, statement=True)
            elif query.kind == "query":
                for call in query.calls("delete"):
                    self._report(call, query.model, None, statement=False)
        klass = self.context.parent if isinstance(self.context.parent, ast.ClassDef) else None
        for node in queries.nodes:
            if isinstance(node, ast.Call) and id(node) not in chained:
                self._check_session_delete(queries, node, klass)

    def _check_session_delete(self, queries: ScopeQueries, call: ast.Call, klass: ast.ClassDef | None) -> None:
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "delete"):
            return
        if len(call.args) != 1 or call.keywords:
            return
        argument = call.args[0]
        model = self._object_model(queries, argument, klass)
        if model is not None and not self._applies(model):
            return
        receiver = self.project.models.sessions.receiver(queries, func.value, klass)
        if receiver == "other" or (model is None and not (self._all_models and receiver == "session")):
            return
        variable = source_text(argument) if isinstance(argument, (ast.Name, ast.Attribute)) else "obj"
        self._report(call, model, variable)

    def _object_model(self, queries: ScopeQueries, argument: ast.expr, klass: ast.ClassDef | None) -> Model | None:
        """The model of the object being deleted: fetched here, annotated, constructed or returned by a typed helper."""
        if not isinstance(argument, ast.Name):
            return None
        models = self.project.models
        fetched = queries.fetched_models().get(argument.id)
        if fetched is not None:
            return fetched
        assignment = queries.reaching(argument)
        if assignment is not None:
            value = assignment.value.value if isinstance(assignment.value, ast.Await) else assignment.value
            return self._made_by(queries, value, klass) if isinstance(value, ast.Call) else None
        scope = queries.scope
        if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        arguments = scope.args
        for parameter in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            if parameter.arg == argument.id:
                return models.annotated(queries.module, parameter.annotation, queries.scopes)
        return None

    def _made_by(self, queries: ScopeQueries, call: ast.Call, klass: ast.ClassDef | None) -> Model | None:
        """``Item(...)``, or a call of a project function or method whose return annotation names a model."""
        models, names, module = self.project.models, self.project.names, queries.module
        model = models.resolve(module, call.func, queries.scopes)
        if model is not None:
            return model
        function: ast.AST | None = None
        where = module
        if isinstance(call.func, ast.Name):
            resolved = names.resolve_expr(module, call.func, queries.scopes)
            function, where = (resolved.node, resolved.module or module) if resolved else (None, module)
        elif isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) \
                and call.func.value.id == "self" and klass is not None:
            function = next((node for node in klass.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                             and node.name == call.func.attr), None)
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return models.annotated(where, function.returns)
        return None

    def _report(self, node: ast.Call, model: Model | None, variable: str | None, statement: bool = False) -> None:
        """``variable`` is the object of ``db.delete(obj)``; None for ``delete(M)`` or ``Query.delete()``."""
        if model is None:
            target, reason = f"`{variable}`", 'every model is soft-deleted (`soft-delete = "all"`)'
            hint = f"set a soft-delete column such as `{variable}.deleted_at` instead"
        elif model.soft_delete_columns:
            column = model.soft_delete_columns[0]
            target, reason = f"`{model.name}` rows", f"the model has a soft-delete column `{column}`"
            value = "True" if model.soft_delete_flag(column) else "datetime.now(timezone.utc)"
            if variable is not None:
                hint = f"set `{variable}.{column} = {value}` instead"
            elif statement:
                hint = f"use `update({model.name}).values({column}={value})` with the same filter instead"
            else:
                hint = f"use `.update({{{model.name}.{column}: {value}}})` instead"
        else:
            target, reason = f"`{model.name}` rows", 'every model is soft-deleted (`soft-delete = "all"`)'
            hint = f"add a `deleted_at` column to `{model.name}` and set it instead"
        self.report(node, hint=hint, target=target, reason=reason)
