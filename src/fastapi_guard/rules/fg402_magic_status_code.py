"""An integer literal HTTP status where a `status.HTTP_*` constant says what it means.

## What it does
Reports an integer literal status code:

- in `HTTPException(status_code=404)` / `HTTPException(404, ...)` (and
  `status_code=` of a project subclass of `HTTPException`);
- in `status_code=201` of a route decorator or registration
  (`@router.post(..., status_code=201)`, `router.add_api_route(...)`);
- in a response: `Response(status_code=204)`, `JSONResponse(content, 400)`,
  `RedirectResponse(url, status_code=302)` and the other Starlette/FastAPI
  response classes (and `status_code=` of project subclasses of them).

Only codes that have a `status.HTTP_*` constant are reported; `status.HTTP_*`
constants (`fastapi.status`, `starlette.status`, any alias) and other names
are left alone. The finding is on the call that receives the literal (the
decorator call for a route).

## Why is this bad?
The house guide's Rule 4 spells every status with its name
(`status.HTTP_404_NOT_FOUND`). A bare `403` or `409` makes the reader
remember the table; a named constant says what the response means, is found
by a search for the name, and a misspelt name fails loudly (an
`AttributeError`, a type checker error) where a wrong digit silently sends
the wrong status.

## Example
```python
from fastapi import APIRouter, HTTPException

router = APIRouter(prefix="/items")


@router.post("", status_code=201)  # [FG402]
def create_item(name: str):
    if not name:
        raise HTTPException(status_code=400, detail="Name is required")  # [FG402]
    return {"name": name}
```

## Use instead
```python
from fastapi import APIRouter, HTTPException, status

router = APIRouter(prefix="/items")


@router.post("", status_code=status.HTTP_201_CREATED)
def create_item(name: str):
    if not name:
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail="Name is required")
    return {"name": name}
```

## Fix
A safe autofix replaces the literal with the `status.HTTP_*` constant and adds
`from fastapi import status` when the module has no `status` module bound
(an existing `from starlette import status`, or an alias of it, is reused).
There is no fix when a local name `status` (a query parameter, say) would
shadow the module, nor for 413, 414, 416 and 422, whose constants Starlette
renamed (`HTTP_422_UNPROCESSABLE_ENTITY` became `HTTP_422_UNPROCESSABLE_CONTENT`):
use the name your Starlette version has.

## Related rules
- FG401 non-http-exception-in-route
"""

from __future__ import annotations

import ast
from typing import TypeGuard

from fastapi_guard.findings import Edit, Fix
from fastapi_guard.project.fastapi_walk import IMPERATIVE_ROUTES, ROUTE_DECORATORS, keyword
from fastapi_guard.project.symbols import ScopeNode, collect_bindings, dotted_name
from fastapi_guard.rule import FileRule, node_span

# Constant names that are the same in Starlette 0.27 and in current releases.
STABLE_NAMES = {
    100: "CONTINUE", 101: "SWITCHING_PROTOCOLS", 102: "PROCESSING", 103: "EARLY_HINTS",
    200: "OK", 201: "CREATED", 202: "ACCEPTED", 203: "NON_AUTHORITATIVE_INFORMATION", 204: "NO_CONTENT",
    205: "RESET_CONTENT", 206: "PARTIAL_CONTENT", 207: "MULTI_STATUS", 208: "ALREADY_REPORTED", 226: "IM_USED",
    300: "MULTIPLE_CHOICES", 301: "MOVED_PERMANENTLY", 302: "FOUND", 303: "SEE_OTHER", 304: "NOT_MODIFIED",
    305: "USE_PROXY", 306: "RESERVED", 307: "TEMPORARY_REDIRECT", 308: "PERMANENT_REDIRECT",
    400: "BAD_REQUEST", 401: "UNAUTHORIZED", 402: "PAYMENT_REQUIRED", 403: "FORBIDDEN", 404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED", 406: "NOT_ACCEPTABLE", 407: "PROXY_AUTHENTICATION_REQUIRED",
    408: "REQUEST_TIMEOUT", 409: "CONFLICT", 410: "GONE", 411: "LENGTH_REQUIRED", 412: "PRECONDITION_FAILED",
    415: "UNSUPPORTED_MEDIA_TYPE", 417: "EXPECTATION_FAILED", 418: "IM_A_TEAPOT", 421: "MISDIRECTED_REQUEST",
    423: "LOCKED", 424: "FAILED_DEPENDENCY", 425: "TOO_EARLY", 426: "UPGRADE_REQUIRED",
    428: "PRECONDITION_REQUIRED", 429: "TOO_MANY_REQUESTS", 431: "REQUEST_HEADER_FIELDS_TOO_LARGE",
    451: "UNAVAILABLE_FOR_LEGAL_REASONS",
    500: "INTERNAL_SERVER_ERROR", 501: "NOT_IMPLEMENTED", 502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT", 505: "HTTP_VERSION_NOT_SUPPORTED", 506: "VARIANT_ALSO_NEGOTIATES",
    507: "INSUFFICIENT_STORAGE", 508: "LOOP_DETECTED", 510: "NOT_EXTENDED", 511: "NETWORK_AUTHENTICATION_REQUIRED",
}
# Renamed in newer Starlette (RFC 9110 names): old spelling, new spelling.
RENAMED = {
    413: ("REQUEST_ENTITY_TOO_LARGE", "CONTENT_TOO_LARGE"),
    414: ("REQUEST_URI_TOO_LONG", "URI_TOO_LONG"),
    416: ("REQUESTED_RANGE_NOT_SATISFIABLE", "RANGE_NOT_SATISFIABLE"),
    422: ("UNPROCESSABLE_ENTITY", "UNPROCESSABLE_CONTENT"),
}
STATUS_MODULES = frozenset({"fastapi.status", "starlette.status"})
ROUTE_CALLS = ROUTE_DECORATORS | IMPERATIVE_ROUTES
IMPORT_LINE = "from fastapi import status"


class MagicStatusCode(FileRule):
    code = "FG402"
    name = "magic-status-code"
    message = "magic status code `{value}` in `{call}`; use `{constant}`"
    fixable = True

    def visit_Call(self, node: ast.Call) -> None:
        literal = self._literal(node)
        if literal is None:
            return
        value = literal.value
        stable = STABLE_NAMES.get(value)
        if stable is not None:
            constant, hint = f"status.HTTP_{value}_{stable}", None
        else:
            old, new = RENAMED[value]
            constant = f"status.HTTP_{value}_{old}"
            hint = f"use `status.HTTP_{value}_{old}` (`status.HTTP_{value}_{new}` on newer Starlette)"
        fix = self._fix(literal, f"HTTP_{value}_{stable}") if stable is not None else None
        self.report(node, fix=fix, hint=hint, value=value, call=_callee(node), constant=constant)

    def _literal(self, call: ast.Call) -> ast.Constant | None:
        """The integer literal status this call receives, when the call is one that takes a status."""
        candidates = [item for item in (keyword(call, "status_code"), *call.args[:2]) if _status_literal(item)]
        if not candidates:
            return None
        scopes = self._scopes()
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in ROUTE_CALLS:
            found = keyword(call, "status_code")
            router = self.project.fastapi.router_for(self.module, func.value, tuple(scopes))
            return found if router is not None and _status_literal(found) else None
        info = self.project.errors.info_of(self.module, func, scopes)
        if info is None:
            return None
        # A project subclass may have its own signature: only its ``status_code=`` is read.
        if info.is_http_exception and not info.is_websocket_exception:
            positional = call.args[0] if info.qualname == "fastapi.HTTPException" and call.args else None
        elif info.is_response:
            positional = call.args[1] if not info.in_project and len(call.args) > 1 else None
        else:
            return None
        found = keyword(call, "status_code") or positional
        return found if _status_literal(found) else None

    def _scopes(self) -> tuple[ScopeNode, ...]:
        """The function scopes the current node is inside: a decorator or a parameter default
        belongs to the scope around its function, only the body to the function."""
        ancestors = self.context.ancestors
        scopes: list[ScopeNode] = []
        for index, node in enumerate(ancestors):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                child = ancestors[index + 1] if index + 1 < len(ancestors) else None
                body = node.body if isinstance(node.body, list) else [node.body]
                if any(statement is child for statement in body):
                    scopes.append(node)
        return tuple(scopes)

    # -- fix ---------------------------------------------------------------------------------------

    def _fix(self, literal: ast.Constant, name: str) -> Fix | None:
        bound = self._status_name()
        if bound is None:
            return None
        line, column, end_line, end_column = node_span(self.module, literal)
        edits = [Edit(line, column, end_line, end_column, f"{bound or 'status'}.{name}")]
        if not bound:
            edits.append(self._import_edit())
        return Fix("safe", tuple(sorted(edits)))

    def _status_name(self) -> str | None:
        """The local name of the status module here, "" when ``status`` is free and must be
        imported, None when a local ``status`` would shadow it."""
        names, module, scopes = self.project.names, self.module, self._scopes()
        if any(isinstance(node, ast.ClassDef) and "status" in collect_bindings(node.body, "", "", False)
               for node in self.context.ancestors):
            return None
        if names.qualname(module, ast.Name("status"), scopes) in STATUS_MODULES:
            return "status"
        for local, binding in module.bindings.items():
            if binding.kind == "import" and names.qualname(module, ast.Name(local), scopes) in STATUS_MODULES:
                return local
        taken = "status" in module.bindings or any("status" in module.function_bindings(scope) for scope in scopes)
        return None if taken else ""

    def _import_edit(self) -> Edit:
        """``from fastapi import status`` after the module's first top-level fastapi import, else
        after its leading imports (or docstring): before any module-level use of the name."""
        body = self.module.tree.body
        anchor = next((
            statement for statement in body
            if isinstance(statement, ast.ImportFrom) and statement.level == 0
            and (statement.module or "").split(".")[0] == "fastapi"
        ), None)
        if anchor is None:
            for index, statement in enumerate(body):
                docstring = index == 0 and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
                if not (docstring or isinstance(statement, (ast.Import, ast.ImportFrom))):
                    break
                anchor = statement
        line = (anchor.end_lineno or anchor.lineno) + 1 if anchor is not None else 1
        return Edit(line, 1, line, 1, IMPORT_LINE + "\n")


def _status_literal(node: ast.expr | None) -> TypeGuard[ast.Constant]:
    return (
        isinstance(node, ast.Constant) and type(node.value) is int
        and (node.value in STABLE_NAMES or node.value in RENAMED)
    )


def _callee(call: ast.Call) -> str:
    name = dotted_name(call.func)
    return f"{name or 'call'}(...)"
