"""Which loggers are structlog loggers and which are stdlib ``logging`` ones; where CLI code is.

A logger is known by where it comes from, never by its variable name:
``structlog.get_logger()`` / ``structlog.stdlib.get_logger()`` /
``structlog.wrap_logger(...)`` and ``.bind(...)``/``.new(...)`` on one of them are
structlog; ``logging.getLogger(...)`` and ``logging.LoggerAdapter(...)`` are
stdlib. Names are followed through assignments (module constants imported from
elsewhere included), parameter annotations (``log: structlog.stdlib.BoundLogger``),
``self.<attribute>`` writes of the enclosing class and project helpers whose
returns all agree (``def get_logger(name): return structlog.get_logger(name)``).
Anything else is unknown, and rules leave unknown loggers alone.

CLI entry code prints by design: the ``if __name__ == "__main__":`` block, the
functions it calls, click/typer commands and a package's ``__main__`` module.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from fastapi_guard.project.fastapi_walk import returned_values
from fastapi_guard.project.localwrites import WriteIndex
from fastapi_guard.project.symbols import ModuleInfo, ScopeNode

if TYPE_CHECKING:
    from fastapi_guard.project import Project

LoggerKind = Literal["structlog", "stdlib"]
EMIT_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "msg"})
STRUCTLOG_FACTORIES = frozenset({
    "structlog.get_logger", "structlog.getLogger", "structlog.wrap_logger",
    "structlog.stdlib.get_logger", "structlog.stdlib.BoundLogger",
})
STDLIB_FACTORIES = frozenset({"logging.getLogger", "logging.LoggerAdapter", "logging.Logger"})
STDLIB_TYPES = frozenset({"logging.Logger", "logging.LoggerAdapter"})
BIND_METHODS = frozenset({"bind", "new", "unbind", "try_unbind", "opt"})
CLI_PACKAGES = ("click.", "typer.", "rich_click.")
CLI_DECORATOR_METHODS = frozenset({"command", "group", "callback", "result_callback"})
MAX_DEPTH = 8
Scopes = Sequence[ScopeNode]


class LoggerKinds:
    """Classifies logger expressions of one project (memoised per expression)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.writes = WriteIndex()
        self._memo: dict[int, LoggerKind | None] = {}

    def kind(
        self, module: ModuleInfo, expr: ast.expr, scopes: Scopes = (), owner: ast.ClassDef | None = None, depth: int = 0
    ) -> LoggerKind | None:
        key = id(expr)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = None  # a cycle of assignments is unknown
        found = self._kind(module, expr, scopes, owner, depth) if depth <= MAX_DEPTH else None
        self._memo[key] = found
        return found

    def _kind(
        self, module: ModuleInfo, expr: ast.expr, scopes: Scopes, owner: ast.ClassDef | None, depth: int
    ) -> LoggerKind | None:
        names = self.project.names
        if isinstance(expr, ast.Call):
            func = expr.func
            if isinstance(func, ast.Attribute) and func.attr in BIND_METHODS:
                return self.kind(module, func.value, scopes, owner, depth + 1)
            qualname = names.qualname(module, func, scopes)
            if qualname in STRUCTLOG_FACTORIES:
                return "structlog"
            if qualname in STDLIB_FACTORIES:
                return "stdlib"
            return self._helper_kind(module, func, scopes, depth)
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
            return self._attribute_kind(module, expr.attr, owner, depth) if owner is not None else None
        if not isinstance(expr, (ast.Name, ast.Attribute)):
            return None
        resolved = names.resolve_expr(module, expr, scopes)
        if resolved is None:
            return None
        if resolved.qualname == "logging.root":
            return "stdlib"
        binding = resolved.binding
        if binding is None:
            return None
        if binding.kind == "param" and isinstance(binding.node, ast.arg):
            return self._annotation_kind(resolved.module or module, binding.node.annotation)
        if binding.kind != "value" or not isinstance(binding.node, ast.expr):
            return None
        local = "<locals>" in binding.qualname
        return self.kind(resolved.module or module, binding.node, scopes if local else (), owner, depth + 1)

    def _annotation_kind(self, module: ModuleInfo, annotation: ast.expr | None) -> LoggerKind | None:
        if annotation is None:
            return None
        qualname = self.project.names.qualname(module, annotation) or ""
        if qualname.startswith("structlog."):
            return "structlog"
        return "stdlib" if qualname in STDLIB_TYPES else None

    def _helper_kind(self, module: ModuleInfo, func: ast.expr, scopes: Scopes, depth: int) -> LoggerKind | None:
        """A project function whose every ``return`` gives the same kind of logger."""
        resolved = self.project.names.resolve_expr(module, func, scopes)
        binding = resolved.binding if resolved else None
        if resolved is None or binding is None or binding.kind != "def":
            return None
        function = binding.node
        assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
        where = resolved.module or module
        inner = (function,) if "<locals>" not in binding.qualname else (*scopes, function)
        kinds = {self.kind(where, value, inner, None, depth + 1) for value in returned_values(function)}
        return kinds.pop() if len(kinds) == 1 else None

    def _attribute_kind(self, module: ModuleInfo, name: str, owner: ast.ClassDef, depth: int) -> LoggerKind | None:
        """``self.log``: every write of the attribute in the class agrees."""
        writes = self.writes.attributes(owner).get(name, [])
        kinds: set[LoggerKind | None] = set()
        for item in writes:
            value = item.write.value
            if item.write.kind != "assign" or value is None:
                return None
            method_scopes = (item.method,) if item.method is not None else ()
            kinds.add(self.kind(module, value, method_scopes, owner, depth + 1))
        return kinds.pop() if len(kinds) == 1 else None


def is_main_guard(node: ast.AST) -> bool:
    """``if __name__ == "__main__":``."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare) or len(node.test.comparators) != 1:
        return False
    sides = [node.test.left, node.test.comparators[0]]
    return isinstance(node.test.ops[0], ast.Eq) and any(
        isinstance(side, ast.Name) and side.id == "__name__" for side in sides
    ) and any(isinstance(side, ast.Constant) and side.value == "__main__" for side in sides)


def cli_functions(project: Project, module: ModuleInfo) -> set[int]:
    """Functions of the module that are CLI entry points: click/typer commands and the
    functions its ``__main__`` block calls."""
    found: set[int] = set()
    functions = {
        statement.name: statement for statement in module.tree.body
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    for statement in module.tree.body:
        if is_main_guard(statement):
            for node in ast.walk(statement):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
                    found.add(id(functions[node.func.id]))
    for node in ast.walk(module.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            _is_cli_decorator(project, module, decorator) for decorator in node.decorator_list
        ):
            found.add(id(node))
    return found


def _is_cli_decorator(
    project: Project, module: ModuleInfo, decorator: ast.expr, seen: frozenset[int] = frozenset()
) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    qualname = project.names.qualname(module, target) or ""
    if qualname.startswith(CLI_PACKAGES):
        return True
    if not isinstance(target, ast.Attribute) or target.attr not in CLI_DECORATOR_METHODS:
        return False
    # ``@app.command()`` where ``app = typer.Typer()``, or ``@cli.command()`` under a ``@click.group()``.
    resolved = project.names.resolve_expr(module, target.value)
    binding = resolved.binding if resolved else None
    if resolved is None or binding is None:
        return False
    where = resolved.module or module
    if binding.kind == "value" and isinstance(binding.node, ast.Call):
        return (project.names.qualname(where, binding.node.func) or "").startswith(CLI_PACKAGES)
    if binding.kind == "def" and isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        # Decorators can name each other in a cycle (``@cli.command()`` on ``def cli``).
        if id(binding.node) in seen:
            return False
        inside = seen | {id(binding.node)}
        return any(_is_cli_decorator(project, where, inner, inside) for inner in binding.node.decorator_list)
    return False
