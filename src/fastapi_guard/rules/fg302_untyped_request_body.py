"""A request body that no schema validates.

## What it does
Reports an endpoint that takes its request body without a Pydantic schema:

- a body parameter typed `dict`, `Dict[str, Any]`, `Mapping`, `list[dict]`,
  a bare `list`, or `Any` / `object` (with `Body()`), also as
  `payload: dict = Body(...)`, `Annotated[dict, Body()]` or through a type
  alias (`JSONDict = dict[str, Any]`); the finding points at the parameter's
  annotation;
- the body parsed by hand inside the handler, `await request.json()` or
  `await request.form()` on its `Request` parameter; the finding points at
  the call.

A parameter is a body parameter the way FastAPI decides it: an explicit
`Body()`, or, without a `Query()`/`Path()`/`Depends()`/... marker, a dict,
list or model type. A dict whose values are typed (`dict[str, int]`) is
validated and is not reported. Webhook endpoints (a mounted path containing
`webhook`) are left alone: they need the raw body to verify its signature.
So are test modules.

## Why is this bad?
A `dict` body accepts anything: FastAPI validates nothing, documents nothing,
and the handler ends up checking keys by hand, or not at all (mass
assignment: `setattr(item, key, value)` for every key a client sends). The
house guide requires Pydantic schemas for all request data, so that invalid
input is rejected with a 422 before the handler runs.

## Example
```python
# file: app/routes/items/router.py
from typing import Any

from fastapi import APIRouter, Body, Request

router = APIRouter(prefix="/items", tags=["Items"])


@router.post("")
def create_item(payload: dict[str, Any]):  # [FG302]
    return payload


@router.put("/{item_id}")
def replace_item(item_id: int, payload: Any = Body(...)):  # [FG302]
    return payload


@router.post("/import")
async def import_items(request: Request):
    rows = await request.json()  # [FG302]
    return {"imported": len(rows)}
```

## Use instead
```python
# file: app/routes/items/schemas.py
from pydantic import BaseModel, Field


class ItemCreate(BaseModel):
    name: str = Field(..., min_length=1, max_length=255)
    quantity: int = 1
```

```python
# file: app/routes/items/router.py
from fastapi import APIRouter, Request

from .schemas import ItemCreate

router = APIRouter(prefix="/items", tags=["Items"])


@router.post("")
def create_item(payload: ItemCreate):
    return payload


@router.post("/import")
def import_items(rows: list[ItemCreate]):
    return {"imported": len(rows)}


@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request):
    event = await request.json()
    return {"received": event["type"]}
```

## Related rules
- FG305 unbounded-input-string: the schema should bound its strings too.
- FG106 webhook-signature: webhook bodies must be verified before use.
- FG301 route-missing-response-model: the same contract on the response side.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_guard.findings import Finding
from fastapi_guard.project import Project
from fastapi_guard.project.contracts import Contract
from fastapi_guard.project.fastapi_walk import own_nodes
from fastapi_guard.project.layout import is_test_module
from fastapi_guard.project.typeexpr import all_open
from fastapi_guard.rule import ProjectRule, node_span
from fastapi_guard.project.symbols import source_text

PARSERS = frozenset({"json", "form"})
HINT = "declare the body as a Pydantic schema parameter (`payload: ItemCreate`)"


class UntypedRequestBody(ProjectRule):
    code = "FG302"
    name = "untyped-request-body"
    message = "request body {what} is not validated by a schema"
    hint = HINT

    def check(self, project: Project) -> Iterator[Finding]:
        for contract in project.schemas.contracts.all:
            if is_test_module(contract.module.name) or contract.is_webhook:
                continue
            for parameter in contract.parameters:
                if parameter.source != "body":
                    continue
                annotation = parameter.argument.annotation
                if annotation is None or all_open(list(parameter.leaves)):
                    spelled = f"`{parameter.name}: {source_text(annotation)}`" if annotation else f"`{parameter.name}`"
                    node = annotation if annotation is not None else parameter.argument
                    yield self.finding(contract.module.path, node_span(contract.module, node), what=spelled)
            for call in self._parsed_by_hand(contract):
                what = f"parsed by hand with `{source_text(call)}`"
                yield self.finding(contract.module.path, node_span(contract.module, call), what=what)

    @staticmethod
    def _parsed_by_hand(contract: Contract) -> Iterator[ast.Call]:
        requests = contract.request_names
        for node in own_nodes(contract.function) if requests else ():
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in PARSERS \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in requests and not node.args:
                yield node
