"""The text of a caught exception, or a traceback, sent to the client.

## What it does
Reports, at the call:

- `HTTPException(detail=...)` (or its second positional argument) built from
  the exception caught by an enclosing `except ... as e:`: `str(e)`,
  `repr(e)`, `e` itself, `e.args[0]`, `f"...{e}"`, `"... %s" % e`,
  `"...".format(e)`, a local variable holding one of them, or a project
  helper whose return value is built that way from its argument
  (`ERROR_MESSAGES.DEFAULT(e)` with `DEFAULT = lambda err: f"[ERROR: {err}]"`);
- the same in the `content` of a response (`JSONResponse(content={"detail": str(e)})`);
- a registered exception handler that puts the text of the exception it
  handles into its response;
- traceback text (`traceback.format_exc()`, `format_exception(...)`, ...) in
  a detail, a response or the return value of an endpoint.

Not reported: exceptions of the project's own classes (also those of its
packages outside the checked folder) and HTTP exceptions: their messages are
written for clients (`except ItemNotFound as e: raise HTTPException(404,
detail=str(e))`). Nor are attributes that are not the message (`e.detail`,
`e.status_code`, `e.errors()`), nor helpers whose body cannot be read (they
get the benefit of the doubt).

## Why is this bad?
Exception messages are written for developers: they carry SQL statements,
file paths, hostnames, library versions and sometimes secrets, and tell an
attacker how the server fails. The house guide's Rule 4 sends a fixed
`detail` with the status; the exception belongs in the log
(`logger.error("email_send_failed", error=str(e))`).

## Example
```python
from fastapi import APIRouter, HTTPException

router = APIRouter(prefix="/reports")


@router.post("")
def build_report(name: str):
    try:
        return {"rows": render(name)}
    except Exception as e:
        raise HTTPException(status_code=500, detail=str(e))  # [FG405]


def render(name: str) -> list[str]:
    return [name]
```

## Use instead
```python
import structlog
from fastapi import APIRouter, HTTPException, status

router = APIRouter(prefix="/reports")
logger = structlog.get_logger()


@router.post("")
def build_report(name: str):
    try:
        return {"rows": render(name)}
    except Exception as e:
        logger.error("report_failed", error=str(e), name=name)
        raise HTTPException(status_code=status.HTTP_500_INTERNAL_SERVER_ERROR, detail="Report failed")


def render(name: str) -> list[str]:
    return [name]
```

## Related rules
- FG401 non-http-exception-in-route
- FG404 unstructured-log-event
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_guard.project.errors import ClassInfo, builtin_name
from fastapi_guard.project.fastapi_walk import keyword, returned_values
from fastapi_guard.project.layout import is_test_module
from fastapi_guard.project.symbols import ModuleInfo, ScopeNode, source_text
from fastapi_guard.rule import FileContext, FileRule

TRACEBACK_TEXT = frozenset({
    "traceback.format_exc", "traceback.format_exception", "traceback.format_exception_only",
    "traceback.format_tb", "traceback.format_stack",
})
# Attributes that hold an exception's message (``e.detail``, ``e.status_code`` do not).
TEXT_ATTRIBUTES = frozenset({"args", "message", "msg", "orig", "strerror"})
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
MAX_HELPER_DEPTH = 2
Scopes = tuple[ScopeNode, ...]


class ExceptionDetailLeak(FileRule):
    code = "FG405"
    name = "exception-detail-leak"
    message = "{what} sends {leaked} to the client"
    hint = "send a fixed `detail` and log the exception: `logger.error(\"x_failed\", error=str(e))`"

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._skip = is_test_module(context.module.name)
        self._internal_handlers: dict[int, bool] = {}

    def visit_Call(self, node: ast.Call) -> None:
        if self._skip or not isinstance(node.func, (ast.Name, ast.Attribute)) or not (node.args or node.keywords):
            return
        names = self._exception_names()
        if not names and not any("traceback" in line for line in self._call_lines(node)):
            return
        payload = self._payload(node)
        if payload is None:
            return
        callee, value = payload
        leaked = self._leak(value, names, self.module, tuple(self.context.scopes), 0)
        if leaked is not None:
            self.report(node, what=f"`{callee}`", leaked=leaked)

    def visit_Return(self, node: ast.Return) -> None:
        function = self.context.function
        if self._skip or node.value is None or function is None:
            return
        if self.project.fastapi.endpoint_for(function) is None:
            return
        for call in _calls(node.value):
            if self._qualname(call.func) in TRACEBACK_TEXT:
                self.report(call, what="the endpoint's return value", leaked="traceback text")
                return

    # -- where exception text may go ------------------------------------------------------------

    def _payload(self, call: ast.Call) -> tuple[str, ast.expr] | None:
        """``(callee, value)`` for the detail of an HTTP exception or the content of a response."""
        info = self.project.errors.info_of(self.module, call.func, self.context.scopes)
        if info is None:
            return None
        if info.is_http_exception and not info.is_websocket_exception:
            positional = call.args[1] if info.qualname == "fastapi.HTTPException" and len(call.args) > 1 else None
            value = keyword(call, "detail") or positional
        elif info.is_response:
            value = keyword(call, "content") or (call.args[0] if call.args else None)
        else:
            return None
        return (f"{info.short_name}(...)", value) if value is not None else None

    def _exception_names(self) -> set[str]:
        """Names bound to caught exceptions whose text is not meant for clients: ``except E as e``
        around the node in the same function, and the exception parameter of a registered handler."""
        names: set[str] = set()
        errors = self.project.errors
        for node in reversed(self.context.ancestors):
            if isinstance(node, ast.ExceptHandler) and node.name:
                internal = self._internal_handlers.get(id(node))
                if internal is None:
                    internal = self._internal_handlers[id(node)] = self._internal(node.type)
                if internal:
                    names.add(node.name)
            if isinstance(node, (*_FUNCTIONS, ast.Lambda)):
                mapped = errors.handler_functions.get(id(node), []) if isinstance(node, _FUNCTIONS) else []
                parameters = [*node.args.posonlyargs, *node.args.args]
                if len(parameters) >= 2 and any(
                    exception is None or self._internal_class(errors.info(exception)) for exception in mapped
                ):
                    names.add(parameters[1].arg)
                break
        return names

    def _internal(self, caught: ast.expr | None) -> bool:
        """Whether an ``except`` clause catches exceptions whose text may be internal."""
        if caught is None:
            return True
        types = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        for item in types:
            info = self.project.errors.info_of(self.module, item, self.context.scopes)
            if info is None or self._internal_class(info):
                return True
        return False

    @staticmethod
    def _internal_class(info: ClassInfo) -> bool:
        return not (info.in_project or info.is_http_exception)

    # -- reading values -----------------------------------------------------------------------

    def _leak(self, value: ast.expr, names: set[str], module: ModuleInfo, scopes: Scopes, depth: int) -> str | None:
        """What exception text ``value`` carries ("`str(e)`", "traceback text"), or None."""
        if names and _exception_ref(value, names):
            return f"`{_shown(value)}`"
        for node in _walk(value):
            if isinstance(node, ast.Call):
                qualname = self.project.names.qualname(module, node.func, scopes)
                if qualname in TRACEBACK_TEXT:
                    return "traceback text"
                if not names:
                    continue
                if self._converts(module, node, names, scopes):
                    return f"`{_shown(node)}`"
                if depth < MAX_HELPER_DEPTH and self._helper_leaks(module, node, names, scopes, depth):
                    return f"`{_shown(node)}`"
            elif names and isinstance(node, ast.FormattedValue) and _exception_ref(node.value, names):
                return f"`{{{_shown(node.value)}}}` in an f-string"
            elif names and isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and any(
                _exception_ref(item, names) for item in _operands(node.right)
            ):
                return f"`{_shown(node)}`"
            elif names and isinstance(node, ast.Name) and depth == 0 and node is value:
                assigned = self._local_values(node.id)
                if assigned and all(self._leak(item, names, module, scopes, depth + 1) for item in assigned):
                    return f"`{node.id}` (built from the exception)"
        return None

    def _converts(self, module: ModuleInfo, call: ast.Call, names: set[str], scopes: Scopes) -> bool:
        """``str(e)``, ``repr(e)``, ``"...".format(e)``."""
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "format":
            return any(_exception_ref(item, names) for item in [*call.args, *(k.value for k in call.keywords)])
        builtin = builtin_name(self.project, module, func, scopes)
        return builtin in ("str", "repr") and bool(call.args) and _exception_ref(call.args[0], names)

    def _helper_leaks(self, module: ModuleInfo, call: ast.Call, names: set[str], scopes: Scopes, depth: int) -> bool:
        """A project function or lambda called with the exception that returns its text."""
        passed = [index for index, item in enumerate(call.args) if _exception_ref(item, names)]
        passed_names = {item.arg for item in call.keywords if item.arg and _exception_ref(item.value, names)}
        if not passed and not passed_names:
            return False
        helper = self._helper(module, call.func, scopes)
        if helper is None:
            return False
        where, function, values = helper
        positional = [item.arg for item in (*function.args.posonlyargs, *function.args.args)]
        inner = {positional[index] for index in passed if index < len(positional)} | passed_names
        inner_scopes = (function,) if isinstance(function, _FUNCTIONS) else ()
        return bool(inner) and any(self._leak(item, inner, where, inner_scopes, depth + 1) for item in values)

    def _helper(
        self, module: ModuleInfo, func: ast.expr, scopes: Scopes
    ) -> tuple[ModuleInfo, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, list[ast.expr]] | None:
        names = self.project.names
        resolved = names.resolve_expr(module, func, scopes)
        if resolved is None or resolved.module is None:
            return None
        node = resolved.node
        if node is None and isinstance(func, ast.Attribute):  # ``Messages.DEFAULT``: a lambda in a class body
            owner = names.resolve_expr(module, func.value, scopes)
            if owner is not None and isinstance(owner.node, ast.ClassDef):
                node = _class_attribute(owner.node, func.attr)
        if isinstance(node, _FUNCTIONS):
            return resolved.module, node, returned_values(node)
        if isinstance(node, ast.Lambda):
            return resolved.module, node, [node.body]
        return None

    def _local_values(self, name: str) -> list[ast.expr]:
        function = self.context.function
        if function is None:
            return []
        values: list[ast.expr] = []
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                values.append(node.value)
        return values

    def _qualname(self, func: ast.expr) -> str | None:
        return self.project.names.qualname(self.module, func, self.context.scopes)

    def _call_lines(self, call: ast.Call) -> list[str]:
        end = call.end_lineno or call.lineno
        return self.module.lines[call.lineno - 1:end]


def _shown(node: ast.expr) -> str:
    text = " ".join(source_text(node).split())
    return text if len(text) <= 60 else text[:57] + "..."


def _exception_ref(expr: ast.expr, names: set[str]) -> bool:
    """``e``, ``e.args``, ``e.args[0]``, ``e.message``: the exception or its message."""
    if isinstance(expr, ast.Subscript):
        expr = expr.value
    if isinstance(expr, ast.Attribute):
        return expr.attr in TEXT_ATTRIBUTES and _exception_ref(expr.value, names)
    return isinstance(expr, ast.Name) and expr.id in names


def _operands(expr: ast.expr) -> list[ast.expr]:
    return list(expr.elts) if isinstance(expr, ast.Tuple) else [expr]


def _walk(expr: ast.expr) -> Iterator[ast.AST]:
    """The nodes of an expression, not entering lambdas or comprehension scopes' own functions."""
    stack: list[ast.AST] = [expr]
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.Lambda):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _calls(expr: ast.expr) -> Iterator[ast.Call]:
    return (node for node in _walk(expr) if isinstance(node, ast.Call))


def _class_attribute(cls: ast.ClassDef, name: str) -> ast.AST | None:
    for statement in cls.body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in statement.targets
        ):
            return statement.value
    return None
