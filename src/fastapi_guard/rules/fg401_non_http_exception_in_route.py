"""An endpoint that raises a non-HTTP exception, or returns an error payload with a success status.

## What it does
Reports an endpoint whose own body (not a nested function) either:

- raises an exception that FastAPI does not turn into a response:
  `raise ValueError(...)`, `raise Exception`, or a project exception class
  that does not derive from `HTTPException` and that no registered exception
  handler maps (`@app.exception_handler(E)`, `app.add_exception_handler(E, h)`,
  `FastAPI(exception_handlers={E: h})`, a handler for one of its base classes
  included, on the app that serves the endpoint);
- returns an error payload with a success status: `return {"error": ...}`
  from a route whose status code is 2xx.

Not reported: a bare `raise` and re-raising the caught exception
(`except E as e: raise e`), `raise HTTPException(...) from e`, `HTTPException`
subclasses (also Starlette's, `RequestValidationError` and `WebSocketException`),
exceptions caught by a `try` of the same function, classes defined outside the
project other than Python's builtin exceptions (their bases cannot be read),
`{"error": None}`, handlers that set `response.status_code`, and websocket
endpoints. The finding is on the handler's `def` line, once per endpoint.

## Why is this bad?
The house guide's Rule 4: "Use HTTPException with proper status codes". An
unmapped exception reaches the client as a bare `500 Internal Server Error`
with no usable detail, hides whether the request or the server was at fault,
and shows up in the error tracker as a crash. An error payload with a `200`
tells clients and caches that the request succeeded.

## Example
```python
from fastapi import APIRouter

router = APIRouter(prefix="/items")


@router.get("/{item_id}")
def get_item(item_id: int):  # [FG401]
    if item_id < 0:
        raise ValueError("item_id must be positive")
    return {"id": item_id}


@router.post("")
def create_item(name: str):  # [FG401]
    if not name:
        return {"error": "name is required"}
    return {"name": name}
```

## Use instead
```python
from fastapi import APIRouter, HTTPException, status

router = APIRouter(prefix="/items")


@router.get("/{item_id}")
def get_item(item_id: int):
    if item_id < 0:
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="item_id must be positive")
    return {"id": item_id}


@router.post("")
def create_item(name: str):
    if not name:
        raise HTTPException(status_code=status.HTTP_422_UNPROCESSABLE_ENTITY, detail="name is required")
    return {"name": name}
```

## Fix
Raise `HTTPException` with the status that says what went wrong, or keep a
domain exception and register a handler for it
(`@app.exception_handler(ItemNotFound)`) that returns the right response.

## Related rules
- FG402 magic-status-code
- FG405 exception-detail-leak
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_guard.findings import Finding
from fastapi_guard.project import Project
from fastapi_guard.project.errors import ErrorIndex
from fastapi_guard.project.fastapi import Endpoint
from fastapi_guard.project.fastapi_walk import keyword
from fastapi_guard.project.layout import is_test_module
from fastapi_guard.rule import ProjectRule, def_line_span

Trail = tuple[ast.AST, ...]
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_TRY: tuple[type, ...] = (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)


class NonHttpExceptionInRoute(ProjectRule):
    code = "FG401"
    name = "non-http-exception-in-route"
    message = "endpoint `{route}` {problem}"
    hint = "raise `HTTPException(status_code=status.HTTP_..., detail=...)`, or register an exception handler"

    def check(self, project: Project) -> Iterator[Finding]:
        errors = project.errors
        for endpoint in project.fastapi.endpoints:
            if is_test_module(endpoint.module.name) or set(endpoint.methods) == {"WEBSOCKET"}:
                continue
            nodes = list(_own_nodes(endpoint.function))
            problem = _raised(errors, endpoint, nodes) or _error_payload(endpoint, nodes)
            if problem is None:
                continue
            method, path = endpoint.pairs[0]
            span = def_line_span(endpoint.module, endpoint.function)
            yield self.finding(endpoint.module.path, span, route=f"{method} {path or '/'}", problem=problem)


def _own_nodes(function: ast.AST) -> Iterator[tuple[ast.AST, Trail]]:
    """Nodes of a function body with their ancestors inside it, not entering nested scopes."""
    stack: list[tuple[ast.AST, Trail]] = [(statement, ()) for statement in reversed(getattr(function, "body", []))]
    while stack:
        node, trail = stack.pop()
        yield node, trail
        if isinstance(node, _SCOPES):
            continue
        inner = (*trail, node)
        stack.extend((child, inner) for child in reversed(list(ast.iter_child_nodes(node))))


def _raised(errors: ErrorIndex, endpoint: Endpoint, nodes: list[tuple[ast.AST, Trail]]) -> str | None:
    """``raises `X`, ...`` for the first raise of an unmapped non-HTTP exception."""
    module, function = endpoint.module, endpoint.function
    scopes = (*errors.project.fastapi.graph.enclosing(function), function)
    for node, trail in nodes:
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue
        target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if isinstance(target, ast.Name) and _caught_name(target.id, trail):
            continue
        info = errors.info_of(module, target, scopes)
        if info is None or not info.complete or not info.is_exception or info.is_http_exception:
            continue
        if _caught_here(errors, endpoint, node, trail, info.ancestors) or errors.is_mapped(info, endpoint):
            continue
        return (
            f"raises `{info.short_name}`, which no exception handler turns into an HTTP response "
            "(a 500 for the client)"
        )
    return None


def _caught_name(name: str, trail: Trail) -> bool:
    """``except E as e: ... raise e``: re-raising the caught exception."""
    return any(isinstance(node, ast.ExceptHandler) and node.name == name for node in trail)


def _caught_here(
    errors: ErrorIndex, endpoint: Endpoint, raised: ast.Raise, trail: Trail, ancestors: frozenset[str]
) -> bool:
    """Whether a ``try`` around the raise (in its body) has an ``except`` for the class or a base."""
    scopes = (*errors.project.fastapi.graph.enclosing(endpoint.function), endpoint.function)
    for index, node in enumerate(trail):
        if not isinstance(node, _TRY):
            continue
        child = trail[index + 1] if index + 1 < len(trail) else raised
        if not any(statement is child for statement in node.body):
            continue
        for handler in node.handlers:
            if handler.type is None:
                return True
            types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
            if any(errors.class_qualname(endpoint.module, item, scopes) in ancestors for item in types):
                return True
    return False


def _error_payload(endpoint: Endpoint, nodes: list[tuple[ast.AST, Trail]]) -> str | None:
    """``return {"error": ...}`` from a route whose status is a success."""
    if not _success_status(endpoint):
        return None
    returns: list[ast.Dict] = []
    for node, _ in nodes:
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(target, ast.Attribute) and target.attr == "status_code" for target in targets):
                return None  # ``response.status_code = 400``: the status is set by hand
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Dict):
            returns.append(node.value)
    for payload in returns:
        for key, value in zip(payload.keys, payload.values):
            if isinstance(key, ast.Constant) and key.value == "error" and not _empty(value):
                return 'returns an error payload (`{"error": ...}`) with a success status'
    return None


def _success_status(endpoint: Endpoint) -> bool:
    for route in endpoint.routes:
        node = route.registration.node
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Call):  # ``router.get("/x")(handler)``
            node = node.func
        value = keyword(node, "status_code") if isinstance(node, ast.Call) else None
        if value is None:
            continue
        code = value.value if isinstance(value, ast.Constant) else None
        if isinstance(value, ast.Attribute) and value.attr.startswith("HTTP_"):
            code = int(value.attr[5:8]) if value.attr[5:8].isdigit() else None
        if not isinstance(code, int) or not 200 <= code < 300:
            return False
    return True


def _empty(value: ast.expr) -> bool:
    return isinstance(value, ast.Constant) and value.value in (None, False, "")
