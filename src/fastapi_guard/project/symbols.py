"""Modules, bindings and name resolution across the files of one project.

Names are resolved from import facts alone (no libcst scope provider, no
inference): an expression such as ``routes.jobs.router`` in ``main.py`` becomes
the qualified name of the object it denotes, following re-exports through
``__init__.py`` files, ``import x as y`` and relative imports. Names defined in
the project become ``<module>.<name>``; names from other packages keep their
import path, with known aliases folded (``fastapi.routing.APIRouter`` is
``fastapi.APIRouter``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
# PEP 695 aliases parse natively from Python 3.12 (older interpreters see them downleveled to assignments).
TYPE_ALIAS: tuple[type, ...] = (ast.TypeAlias,) if hasattr(ast, "TypeAlias") else ()
ScopeNode = FunctionNode | ast.Lambda

# Re-exports of the libraries we reason about, folded to one public name.
EXTERNAL_ALIASES = {
    "fastapi.applications.FastAPI": "fastapi.FastAPI",
    "fastapi.routing.APIRouter": "fastapi.APIRouter",
    "fastapi.param_functions.Depends": "fastapi.Depends",
    "fastapi.params.Depends": "fastapi.Depends",
    "fastapi.param_functions.Security": "fastapi.Security",
    "fastapi.params.Security": "fastapi.Security",
    "fastapi.exceptions.HTTPException": "fastapi.HTTPException",
    "starlette.exceptions.HTTPException": "fastapi.HTTPException",
    "typing_extensions.Annotated": "typing.Annotated",
    "sqlalchemy.sql.expression.select": "sqlalchemy.select",
    "sqlalchemy.sql.select": "sqlalchemy.select",
    "sqlalchemy.future.select": "sqlalchemy.select",
    "sqlalchemy.sql.expression.update": "sqlalchemy.update",
    "sqlalchemy.sql.expression.delete": "sqlalchemy.delete",
    "sqlalchemy.sql.expression.text": "sqlalchemy.text",
    "sqlalchemy.sql.text": "sqlalchemy.text",
    "sqlalchemy.sql.expression.literal_column": "sqlalchemy.literal_column",
    "sqlalchemy.sql.expression.and_": "sqlalchemy.and_",
    "sqlalchemy.sql.and_": "sqlalchemy.and_",
    "sqlalchemy.sql.expression.or_": "sqlalchemy.or_",
    "sqlalchemy.orm.session.Session": "sqlalchemy.orm.Session",
    "sqlalchemy.ext.asyncio.session.AsyncSession": "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.schema.Column": "sqlalchemy.Column",
    "sqlalchemy.sql.schema.Column": "sqlalchemy.Column",
    "sqlalchemy.orm.declarative_base": "sqlalchemy.orm.declarative_base",
    "sqlalchemy.ext.declarative.declarative_base": "sqlalchemy.orm.declarative_base",
    "sqlmodel.sql.expression.select": "sqlmodel.select",
    "pydantic.main.BaseModel": "pydantic.BaseModel",
}


def fold_external(name: str) -> str:
    for prefix in ("fastapi.security.", "fastapi.openapi."):
        if name.startswith(prefix) and name.count(".") > 2:
            return prefix + name.rsplit(".", 1)[1]
    return EXTERNAL_ALIASES.get(name, name)


def source_text(node: ast.AST) -> str:
    """``ast.unparse`` that cannot fail: the unparser recurses once per level, so a
    valid expression nested a thousand deep (``a.b.b.b...``) would raise
    RecursionError and take down whatever index or report was being built."""
    try:
        return ast.unparse(node)
    except RecursionError:
        return "..."


def dotted_name(expr: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attribute accesses on a name, else None."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))


@dataclass(frozen=True)
class Binding:
    """What a name is bound to in a module or function scope.

    ``kind`` is ``import`` (``target`` is the imported dotted name, ``attribute``
    the name taken from it by ``from ... import``), ``def``, ``class``, ``value``
    (an assignment; ``node`` is the assigned expression, or None when unknown)
    or ``param`` (``node`` is the ``ast.arg``).
    """

    kind: str
    qualname: str
    node: ast.AST | None
    line: int
    target: str = ""
    attribute: str | None = None


def absolute_module(module: str, is_package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    if name:
        parts.append(name)
    return ".".join(parts)


def _import_bindings(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[tuple[str, Binding]]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                yield alias.asname, Binding("import", alias.name, None, node.lineno, target=alias.name)
            else:
                top = alias.name.split(".")[0]
                yield top, Binding("import", top, None, node.lineno, target=top)
        return
    source = absolute_module(module, is_package, node.level, node.module)
    for alias in node.names:
        if alias.name == "*":
            continue
        local = alias.asname or alias.name
        target = f"{source}.{alias.name}" if source else alias.name
        yield local, Binding("import", target, None, node.lineno, target=source, attribute=alias.name)


def _assigned_names(target: ast.expr) -> Iterator[ast.Name]:
    if isinstance(target, ast.Name):
        yield target
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _assigned_names(element)
    elif isinstance(target, ast.Starred):
        yield from _assigned_names(target.value)


def scope_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of one scope, descending into blocks but not into nested scopes."""
    stack = list(reversed(body))
    while stack:
        statement = stack.pop()
        yield statement
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        nested: list[ast.stmt] = []
        for name in ("body", "orelse", "finalbody"):
            nested.extend(getattr(statement, name, ()) or ())
        for handler in getattr(statement, "handlers", ()) or ():
            nested.extend(handler.body)
        for case in getattr(statement, "cases", ()) or ():
            nested.extend(case.body)
        stack.extend(reversed(nested))


def collect_bindings(body: list[ast.stmt], prefix: str, module: str, is_package: bool) -> dict[str, Binding]:
    """The names a scope binds; for a name bound twice the first binding wins,
    except that an unconditional later value replaces a forward declaration."""
    bindings: dict[str, Binding] = {}

    def bind(name: str, binding: Binding) -> None:
        bindings.setdefault(name, binding)

    for statement in scope_statements(body):
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            for name, binding in _import_bindings(statement, module, is_package):
                bind(name, binding)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            bind(statement.name, Binding("def", f"{prefix}{statement.name}", statement, statement.lineno))
        elif isinstance(statement, ast.ClassDef):
            bind(statement.name, Binding("class", f"{prefix}{statement.name}", statement, statement.lineno))
        elif isinstance(statement, ast.Assign):
            single = len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name)
            for target in statement.targets:
                for name in _assigned_names(target):
                    value = statement.value if single else None
                    bind(name.id, Binding("value", f"{prefix}{name.id}", value, statement.lineno))
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            existing = bindings.get(statement.target.id)
            binding = Binding("value", f"{prefix}{statement.target.id}", statement.value, statement.lineno)
            if existing is None or (existing.kind == "value" and existing.node is None):
                bindings[statement.target.id] = binding
        elif isinstance(statement, TYPE_ALIAS) and isinstance(statement.name, ast.Name):  # ``type X = ...`` on 3.12+
            bind(statement.name.id, Binding("value", f"{prefix}{statement.name.id}", statement.value, statement.lineno))
    return bindings


@dataclass
class ModuleInfo:
    """One parsed file of the project."""

    name: str
    path: str
    is_package: bool
    tree: ast.Module
    lines: list[str] = field(repr=False)

    @cached_property
    def bindings(self) -> dict[str, Binding]:
        return collect_bindings(self.tree.body, f"{self.name}.", self.name, self.is_package)

    @cached_property
    def star_imports(self) -> list[str]:
        return [
            absolute_module(self.name, self.is_package, node.level, node.module)
            for node in self.tree.body
            if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names)
        ]

    @cached_property
    def _function_scopes(self) -> dict[int, dict[str, Binding]]:
        return {}

    @cached_property
    def scoped_nodes(self) -> list[tuple[ast.AST, tuple[ScopeNode, ...]]]:
        """Every node of the module with its enclosing function scopes; walked once, read by many."""
        return list(walk_with_scopes(self.tree))

    def function_bindings(self, function: ScopeNode) -> dict[str, Binding]:
        """Parameters, assignments, imports and nested definitions of one function."""
        key = id(function)
        cached = self._function_scopes.get(key)
        if cached is not None:
            return cached
        name = getattr(function, "name", "<lambda>")
        prefix = f"{self.name}.{name}.<locals>."
        body = function.body if isinstance(function.body, list) else []
        bindings = collect_bindings(body, prefix, self.name, self.is_package)
        arguments = function.args
        for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                         *filter(None, [arguments.vararg, arguments.kwarg])]:
            bindings.setdefault(argument.arg, Binding("param", prefix + argument.arg, argument, argument.lineno))
        self._function_scopes[key] = bindings
        return bindings


def walk_with_scopes(tree: ast.AST) -> Iterator[tuple[ast.AST, tuple[ScopeNode, ...]]]:
    """Every node under ``tree`` with the function scopes enclosing it, outermost first."""
    stack: list[tuple[ast.AST, tuple[ScopeNode, ...]]] = [(tree, ())]
    while stack:
        node, scopes = stack.pop()
        yield node, scopes
        children = list(ast.iter_child_nodes(node))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            # Decorators, defaults and annotations belong to the enclosing scope; only the body is inside.
            body = node.body if isinstance(node.body, list) else [node.body]
            inside = {id(statement) for statement in body}
            inner = (*scopes, node)
            stack.extend((child, inner if id(child) in inside else scopes) for child in reversed(children))
        else:
            stack.extend((child, scopes) for child in reversed(children))
