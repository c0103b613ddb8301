"""A query on an owned model that is not filtered on its owner column.

## What it does
Reports a read or write query on an *owned* model (a model with one of the
`owner-columns`, such as `owner_id` or `user_id`, learned from the model
classes and their mixins) that never restricts that column: `db.query(M)`
chains, `select(M)` / `update(M)` / `delete(M)` statements, `session.get(M, id)`
and `db.query(M).get(id)`. The finding points at the call that names the model.

The query is followed up its method chain, through `await`,
`session.execute(...)` / `scalars(...)` / `scalar(...)` and through local
variables of the same function (`q = db.query(M)`, later `q = q.filter(...)`).
It counts as scoped when:

- a condition (`.filter`, `.where`, `.filter_by`, `.having`, a join's on-clause,
  inside `and_()` / `or_()`, or a subquery) uses an owner column of any owned
  model, e.g. a join to `Project` filtered on `Project.owner_id`;
- the object it fetches has its owner column compared in the same function
  (`if item.owner_id != user.id: raise HTTPException(...)`, `assert`), or is
  passed to one of the `ownership-checks` functions (`check_owner(item, user)`);
- it is filtered by a parent whose owner was checked that way, or which a
  scoped query fetched (`Task.project_id == project.id`);
- its filters cannot be read statically (`filter_by(**filters)`,
  `where(*clauses)`, a condition built by a project helper, `q = scope(q, user)`):
  they get the benefit of the doubt;
- it fetches by primary key and the primary key is the owner column, or it
  looks a credential up by its secret (`token`, `*_token`, `*_hash`,
  `*_secret`, `api_key`, `code`): holding the secret is the authorization.

Queries in functions that require an admin dependency, and in branches guarded
by an admin test (`if user.is_superuser:`, `if user.role == Role.admin:`, or
after `if not user.is_admin: raise ...`), are not reported.

## Why is this bad?
Data isolation is the first rule of the house guide: every query must be
scoped to the current owner or tenant. A query that looks rows up by id alone
returns another user's rows to anyone who guesses or enumerates the id
(an insecure direct object reference, OWASP API1: broken object level
authorization). The owner filter in the query itself is the cheapest and most
reliable place for the check.

## Example
```python
# file: app/models.py
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Item(Base):
    __tablename__ = "items"

    id = Column(Integer, primary_key=True)
    owner_id = Column(Integer, ForeignKey("users.id"), nullable=False, index=True)
    name = Column(String(255), nullable=False)
```

```python
# file: app/services/items.py
from sqlalchemy.orm import Session

from app.models import Item


def get_item(db: Session, item_id: int) -> Item | None:
    return db.query(Item).filter(Item.id == item_id).first()  # [FG103]


def list_items(db: Session) -> list[Item]:
    return db.query(Item).all()  # [FG103]
```

## Use instead
```python
# file: app/models.py
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Item(Base):
    __tablename__ = "items"

    id = Column(Integer, primary_key=True)
    owner_id = Column(Integer, ForeignKey("users.id"), nullable=False, index=True)
    name = Column(String(255), nullable=False)
```

```python
# file: app/services/items.py
from sqlalchemy.orm import Session

from app.models import Item


def get_item(db: Session, item_id: int, owner_id: int) -> Item | None:
    return db.query(Item).filter(Item.id == item_id, Item.owner_id == owner_id).first()


def list_items(db: Session, owner_id: int) -> list[Item]:
    return db.query(Item).filter_by(owner_id=owner_id).all()


def get_checked(db: Session, item_id: int, user_id: int) -> Item:
    item = db.get(Item, item_id)
    if item is None or item.owner_id != user_id:
        raise LookupError(item_id)
    return item
```

## Fix
Add the owner condition to the query (`.filter(Item.owner_id == current_user.id)`),
or fetch and then compare the owner column before using the object. A query
that is deliberately global (a platform report, a background job) belongs in
an admin-only function, under an admin test, or carries `# noqa: FG103`.

## Options
- `owner-columns`: the column names that make a model owned (default `owner_id`,
  `user_id`, `tenant_id`, `organization_id`, `workspace_id`, `account_id`).
- `ownership-checks`: functions that check an object's owner
  (default `check_permission`, `check_owner`, `authorize`; matched on the last
  name component, so `perms.check_owner(item, user)` counts).

## Related rules
- FG101 route-missing-auth: without authentication there is no owner to scope to.
- FG202 soft-deleted-visible: the other filter a read query must not forget.
- FG203 unindexed-owner-column: the owner filter needs an index to stay fast.
"""

from __future__ import annotations

import ast
import re

from fastapi_guard.project.queries import Query, ScopeQueries, last_name
from fastapi_guard.project.sqlalchemy import Model
from fastapi_guard.project.symbols import ScopeNode
from fastapi_guard.rules._query_scopes import QueryScopeRule


CREDENTIAL = re.compile(r"^(code|token|secret|api_key|\w+_(token|secret|hash|digest))$")


def _credential(column: str | None) -> bool:
    return column is not None and bool(CREDENTIAL.match(column))


def _relationship_names(columns: tuple[str, ...]) -> set[str]:
    """``owner`` for ``owner_id``: comparing ``item.owner`` or filtering ``Item.owner.has(...)`` scopes too."""
    return {column[:-3] for column in columns if column.endswith("_id")}


class UnscopedQuery(QueryScopeRule):
    code = "FG103"
    name = "unscoped-query"
    message = "query on owned model `{model}` is not scoped to its owner ({columns})"

    def check_scope(self, scope: ScopeNode | ast.Module, scopes: tuple[ScopeNode, ...]) -> None:
        models = self.project.models
        if not models.owned:
            return
        queries = models.queries(self.module, scope, scopes)
        candidates = [
            q for q in queries.queries
            if not q.subquery and any(m.is_owned for m in q.models) and not self._builder(q, scope)
        ]
        if not candidates:
            return
        trusted = self._checked_variables(queries)
        unscoped = [q for q in sorted(queries.queries, key=lambda q: (q.root.lineno, q.root.col_offset))
                    if not self._scoped(queries, q, trusted)]
        admin_only: bool | None = None
        for query in candidates:
            if query not in unscoped or queries.admin_guarded(query.root):
                continue
            if admin_only is None:
                admin_only = isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                    self.project.fastapi.requires_admin(self.module, scope)
            if admin_only:
                return
            self._report(query.root, next(model for model in query.models if model.is_owned))

    @staticmethod
    def _builder(query: Query, scope: ScopeNode | ast.Module) -> bool:
        """A base statement handed to callers (returned, or a module constant) that add their own filters."""
        if query.runs:
            return False
        return query.returns_statement or isinstance(scope, ast.Module)

    def _report(self, node: ast.Call, model: Model) -> None:
        columns = " or ".join(f"`{column}`" for column in model.owner_columns)
        hint = f"filter on `{model.name}.{model.owner_columns[0]} == current_user.id`"
        self.report(node, hint=hint, model=model.name, columns=columns)

    def _checked_variables(self, queries: ScopeQueries) -> set[str]:
        """Objects whose owner was checked here: owner column compared, or passed to an ownership check."""
        config = self.project.config
        owner_attributes = set(config.owner_columns) | _relationship_names(config.owner_columns)
        checks = {name.rsplit(".", 1)[-1] for name in config.ownership_checks}
        trusted = {variable for variable, attribute in queries.compared if attribute in owner_attributes}
        trusted.update(variable for variable, callees in queries.passed_to.items() if callees & checks)
        # ``Item.owner_id == x`` compares a column, not an object: the model class vouches for nothing
        models, names = self.project.models, self.project.names
        return {
            name for name in trusted
            if models.model_for(names.resolve_name(queries.module, name, queries.scopes).qualname) is None
        }

    def _scoped(self, queries: ScopeQueries, query: Query, trusted: set[str]) -> bool:
        """Scoped queries add what they fetch to ``trusted``: a query filtered by such a parent is scoped too."""
        if not any(model.is_owned for model in query.models):
            return True
        scoped = self._filters_owner(queries, query, trusted)
        if scoped:
            trusted.update(query.results | query.rows)
        return scoped

    def _filters_owner(self, queries: ScopeQueries, query: Query, trusted: set[str]) -> bool:
        if query.dynamic:
            return True
        owned = [model for model in query.models if model.is_owned]
        for model, attribute in queries.column_refs(query):
            if attribute in model.owner_columns or attribute in _relationship_names(model.owner_columns):
                return True
        config = self.project.config
        owner_names = set(config.owner_columns) | _relationship_names(config.owner_columns)
        if any(keyword.arg in owner_names or _credential(keyword.arg) for keyword in query.keywords):
            return True
        for node in queries.expanded(query.conditions):
            if isinstance(node, ast.Name) and node.id in trusted:
                return True  # filtered by a parent whose owner was checked (``Task.project_id == project.id``)
            if isinstance(node, ast.Call) and last_name(node.func) == "with_parent":
                return True
            if isinstance(node, ast.Call) and last_name(node.func) == "filter_by" and \
                    any(keyword.arg in owner_names for keyword in node.keywords):
                return True  # a subquery scoped by keyword: ``M.parent_id.in_(select(P.id).filter_by(user_id=u))``
            if isinstance(node, ast.Compare) and self._credential_lookup(queries, node):
                return True
        model = owned[0]
        by_primary_key = query.kind == "get" or query.applies("get", "get_one")
        if by_primary_key and set(model.primary_key) & set(model.owner_columns):
            return True
        return any(variable in trusted for variable in query.results | query.rows)

    def _credential_lookup(self, queries: ScopeQueries, compare: ast.Compare) -> bool:
        """``Token.token_hash == digest``: whoever holds the secret is entitled to the row."""
        if len(compare.ops) != 1 or not isinstance(compare.ops[0], ast.Eq):
            return False
        models = self.project.models
        for side in (compare.left, compare.comparators[0]):
            reference = models.column_ref(queries.module, side, queries.scopes)
            if reference is not None and _credential(reference[1]):
                return True
        return False
