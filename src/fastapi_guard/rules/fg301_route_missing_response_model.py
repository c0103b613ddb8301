"""An endpoint that declares no response model.

## What it does
Reports an endpoint whose route declares no `response_model=` and whose
handler has no return annotation describing the data it returns (a Pydantic
schema, or a container of one such as `list[ItemResponse]`,
`Optional[ItemResponse]`, `Page[ItemResponse]`). A return annotation or a
`response_model=` that is itself an open type (`dict`, `dict[str, Any]`,
`Any`, `list[dict]`) is reported too: it describes no fields.

Endpoints with nothing to describe are left alone: a `status_code` without a
body (`204`, `status.HTTP_204_NO_CONTENT`, `205`, `304`), a
`response_class=...` on the route, a return annotation naming a `Response`
class, handlers that only return `Response` objects (`JSONResponse(...)`,
`StreamingResponse(...)`, `RedirectResponse(...)`, `FileResponse(...)`,
`templates.TemplateResponse(...)`, project subclasses, helpers annotated to
return one), handlers that return nothing, `response_model=None` (a
deliberate opt-out), websocket routes and test modules. A typed return
annotation that is not a schema (`-> str`, `-> list[int]`) describes its
data and is accepted.

The finding points at the handler's `def` line, once per handler.

## Why is this bad?
The response model is the endpoint's contract: FastAPI filters the returned
object through it, so only the declared fields leave the server, and
documents it in the OpenAPI schema. Without one, whatever the handler returns
is serialized as is: an ORM object with every column (password hashes,
internal flags), a dict that grows a field whenever someone edits the
handler, and clients that cannot be generated from the schema. The house
guide requires Pydantic schemas for all request and response data.

## Example
```python
# file: app/routes/items/router.py
from typing import Any

from fastapi import APIRouter

router = APIRouter(prefix="/items", tags=["Items"])


@router.get("/{item_id}")
def get_item(item_id: int):  # [FG301]
    return {"id": item_id, "name": "Lamp"}


@router.get("")
def list_items() -> dict[str, Any]:  # [FG301]
    return {"items": []}
```

## Use instead
```python
# file: app/routes/items/schemas.py
from pydantic import BaseModel


class ItemResponse(BaseModel):
    id: int
    name: str
```

```python
# file: app/routes/items/router.py
from fastapi import APIRouter, status
from fastapi.responses import StreamingResponse

from .schemas import ItemResponse

router = APIRouter(prefix="/items", tags=["Items"])


@router.get("/{item_id}", response_model=ItemResponse)
def get_item(item_id: int):
    return {"id": item_id, "name": "Lamp"}


@router.get("")
def list_items() -> list[ItemResponse]:
    return []


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_item(item_id: int):
    return None


@router.get("/export.csv")
def export_items():
    return StreamingResponse(iter(["id,name\n"]), media_type="text/csv")
```

## Related rules
- FG306 sensitive-field-in-response: a response schema that exposes secrets.
- FG302 untyped-request-body: the same contract on the request side.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_guard.findings import Finding
from fastapi_guard.project import Project
from fastapi_guard.project.contracts import Contract
from fastapi_guard.project.layout import is_test_module
from fastapi_guard.project.typeexpr import all_open
from fastapi_guard.rule import ProjectRule, def_line_span
from fastapi_guard.project.symbols import source_text

NO_BODY_METHODS = frozenset({"HEAD", "OPTIONS"})


class RouteMissingResponseModel(ProjectRule):
    code = "FG301"
    name = "route-missing-response-model"
    message = "endpoint `{route}` has no response model{detail}"
    hint = "add `response_model=<Schema>` to the route, or annotate the handler's return type with a Pydantic schema"

    def check(self, project: Project) -> Iterator[Finding]:
        for contract in project.schemas.contracts.all:
            if is_test_module(contract.module.name):
                continue
            detail = self._problem(project, contract)
            if detail is not None:
                span = def_line_span(contract.module, contract.function)
                yield self.finding(contract.module.path, span, route=contract.label, detail=detail)

    def _problem(self, project: Project, contract: Contract) -> str | None:
        """What is missing, as the end of the message; None when the contract is fine."""
        contracts = project.schemas.contracts
        types = contracts.types
        returns = contract.function.returns
        for options in contract.options:
            if options.websocket or set(options.registration.methods) <= NO_BODY_METHODS:
                continue
            model = options.option("response_model")
            if model is not None:
                if isinstance(model, ast.Constant) and model.value is None:
                    continue
                if all_open(types.leaves(contract.module, model, contract.scopes)):
                    return f": `response_model={source_text(model)}` describes no fields"
                continue
            if options.option("response_class") is not None or contract.no_body(options):
                continue
            if returns is not None:
                leaves = types.leaves(contract.module, returns, contract.scopes)
                if any(contracts.is_response_class(leaf.qualname) for leaf in leaves) or not all_open(leaves):
                    continue
            if contract.body_kind() != "data":
                continue
            if returns is not None:
                return f": its return annotation `{source_text(returns)}` describes no fields"
            return ""
        return None
