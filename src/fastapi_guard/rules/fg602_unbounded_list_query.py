"""An endpoint that returns every row a query matches, with no limit or pagination.

## What it does
Reports `.all()` (also `scalars().all()`, `result.scalars().all()`,
`.fetchall()`) of a `db.query(M)` chain or a `select(M)` statement whose rows
are returned by an endpoint, when the query has no `.limit()`, `.offset()`,
`.slice()` or `[a:b]` and does not stop at one row. The rows may be returned
directly, through local variables, inside a response model or a dict
(`return ItemList(items=items)`, `return {"items": items}`), converted in a
comprehension, or by a helper whose result the endpoint returns
(`return service.list_items(db)`, followed three helpers deep).

Not reported:

- queries that select rows by key: an equality on the whole primary key or on
  a unique column (`Item.id == item_id`, `filter_by(id=item_id)`,
  `User.email == email` with `unique=True`) returns at most one row, and
  `Item.id.in_(ids)` as many rows as the ids it is given (a reload of rows
  already in hand, a batch the request names);
- aggregates (`.group_by(...)`): one row per group;
- queries handed to a project helper that may paginate them
  (`q = paginate(q, page)`), and `fetchmany(n)`, `.first()`, `.one()`;
- rows used inside the function rather than returned (`len(items)`, a loop).

A filter on an owner or a parent id (`Item.owner_id == user.id`,
`Comment.post_id == post_id`) does not bound a list: one owner's rows or one
post's comments grow without limit too.

The finding is reported on the line of the `.all` attribute.

## Why is this bad?
A list endpoint without a limit returns the whole table as soon as it grows:
one request loads every row into memory, serialises megabytes of JSON and
holds a connection for seconds, and anyone can repeat it. The house guide's
list pattern pages with `offset` / `limit`, with `page_size` capped by
`Query(le=100)`.

## Example
```python
# file: app/models.py
from sqlalchemy import Column, ForeignKey, Integer, Numeric
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Order(Base):
    __tablename__ = "orders"

    id = Column(Integer, primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id"), nullable=False, index=True)
    total = Column(Numeric(10, 2), nullable=False)
```

```python
# file: app/routes/items/router.py
from fastapi import APIRouter

from app.models import Order

router = APIRouter(prefix="/orders", tags=["Orders"])


@router.get("")
def list_orders(db, account_id: int) -> list[dict]:
    orders = db.query(Order).filter(Order.account_id == account_id).all()  # [FG602]
    return [{"id": order.id, "total": str(order.total)} for order in orders]
```

## Use instead
```python
# file: app/models.py
from sqlalchemy import Column, ForeignKey, Integer, Numeric
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Order(Base):
    __tablename__ = "orders"

    id = Column(Integer, primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id"), nullable=False, index=True)
    total = Column(Numeric(10, 2), nullable=False)
```

```python
# file: app/routes/items/router.py
from fastapi import APIRouter, Query

from app.models import Order

router = APIRouter(prefix="/orders", tags=["Orders"])


@router.get("")
def list_orders(db, account_id: int, page: int = Query(1, ge=1), page_size: int = Query(20, le=100)) -> list[dict]:
    query = db.query(Order).filter(Order.account_id == account_id).order_by(Order.id)
    orders = query.offset((page - 1) * page_size).limit(page_size).all()
    return [{"id": order.id, "total": str(order.total)} for order in orders]
```

## Fix
Page the query: `.offset((page - 1) * page_size).limit(page_size)` with
`page_size` bounded (`Query(20, ge=1, le=100)`), or keyset pagination
(`.where(Item.id > after).limit(page_size)`). A list that is small by nature
(the statuses of an enum, a handful of settings) can carry `# noqa: FG602`.

## Options
None.

## Related rules
- FG601 blocking-session-in-async-route: a big result blocks the loop longer.
"""

from __future__ import annotations

import ast

from fastapi_guard.project.queries import Query, ScopeQueries
from fastapi_guard.project.sqlalchemy import Model
from fastapi_guard.project.symbols import ScopeNode
from fastapi_guard.rule import node_span
from fastapi_guard.rules._query_scopes import QueryScopeRule

LISTS = ("all", "fetchall")
BOUNDED = frozenset({
    "limit", "offset", "slice", "fetchmany", "first", "one", "one_or_none", "scalar", "scalar_one",
    "scalar_one_or_none", "get", "get_one", "group_by", "paginate",
})


class UnboundedListQuery(QueryScopeRule):
    code = "FG602"
    name = "unbounded-list-query"
    message = "{who} returns every matching `{model}` row: `.{method}()` without `.limit()` or pagination"
    hint = "page it: `.offset((page - 1) * page_size).limit(page_size)` with `page_size` capped by `Query(le=100)`"

    def check_scope(self, scope: ScopeNode | ast.Module, scopes: tuple[ScopeNode, ...]) -> None:
        if not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return
        endpoint = self.project.models.calls.endpoint_results.get(id(scope))
        if endpoint is None:
            return
        queries = self.project.models.queries(self.module, scope, scopes)
        who = f"endpoint `{scope.name}`" if endpoint.function is scope \
            else f"`{scope.name}` (returned by endpoint `{endpoint.function.name}`)"
        for query in queries.queries:
            if query.kind not in ("query", "select") or query.subquery or query.handed_to:
                continue
            if query.applies(*BOUNDED) or self._keyed(queries, query):
                continue
            for method, call in query.methods:
                if method in LISTS and queries.returns(call) is not None:
                    self._report(call, query.model, who, method)

    def _keyed(self, queries: ScopeQueries, query: Query) -> bool:
        """Rows picked by key: an equality on the whole primary key or on a unique column of the queried
        model (one row), or ``Item.id.in_(ids)`` (as many rows as the caller's ids)."""
        model = query.model
        equal = {keyword.arg for keyword in query.keywords if keyword.arg}
        models = self.project.models
        for node in queries.expanded(query.conditions):
            sides: list[ast.expr] = []
            if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.Eq, ast.Is)):
                sides = [node.left, node.comparators[0]]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "in_":
                sides = [node.func.value]
            for side in sides:
                reference = models.column_ref(queries.module, side, queries.scopes)
                if reference is not None and reference[0] is model:
                    equal.add(reference[1])
        return _identifies_row(model, equal)

    def _report(self, call: ast.Call, model: Model, who: str, method: str) -> None:
        _, _, line, end = node_span(self.module, call.func)
        self.report_span((line, end - len(method), line, end), model=model.name, who=who, method=method)


def _identifies_row(model: Model, columns: set[str]) -> bool:
    return any(set(key) <= columns for key in model.unique_keys)
