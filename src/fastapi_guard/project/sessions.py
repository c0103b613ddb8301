"""Which expressions are SQLAlchemy sessions, read from annotations and how values were made.

A session is a value annotated ``Session`` / ``AsyncSession`` (SQLAlchemy or
SQLModel, also through ``Annotated`` aliases and ``Optional``), made by a
session class or a ``sessionmaker()`` / ``async_sessionmaker()`` /
``scoped_session()`` product, bound by ``with get_db() as db`` to a
dependency that yields one, injected by ``Depends(get_db)``, or kept as
``self.db`` by an ``__init__`` that received one. Anything else is either a
known non-session (an instance of some other project class, a dict) or
unknown, and rules decide what unknown means to them.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from fastapi_guard.project.sqlalchemy import library_name, wrapped_types
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo, ScopeNode

if TYPE_CHECKING:
    from fastapi_guard.project import Project
    from fastapi_guard.project.queries import ScopeQueries

Kind = Literal["session", "other"] | None

SESSION_CLASSES = frozenset({"Session", "AsyncSession", "scoped_session", "async_scoped_session"})
SESSION_FACTORIES = frozenset({"sessionmaker", "async_sessionmaker"})
WRAPPERS = frozenset({
    "Optional", "Union", "Annotated", "Iterator", "Generator", "AsyncIterator", "AsyncGenerator",
    "Iterable", "AsyncIterable", "ContextManager", "AbstractContextManager", "AsyncContextManager",
    "AbstractAsyncContextManager", "Awaitable",
})
PLAIN_TYPES = frozenset({"builtins.dict", "builtins.set", "builtins.list", "dict", "set", "list", "str"})
MAX_DEPTH = 12


class Sessions:
    """Session facts of one project; instances are cheap, results are cached per function."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._yields: dict[int, bool] = {}

    def _qualname(self, module: ModuleInfo, expr: ast.expr, scopes: Sequence[ScopeNode] = ()) -> str | None:
        return self.project.names.qualname(module, expr, scopes)

    def annotation(self, module: ModuleInfo, annotation: ast.expr | None, depth: int = 0) -> Kind:
        """What a type annotation says: a session, another known type, or nothing useful."""
        if annotation is None or depth > MAX_DEPTH:
            return None
        if isinstance(annotation, (ast.Subscript, ast.BinOp)):
            inner = wrapped_types(annotation)
            if isinstance(annotation, ast.Subscript):
                head = (self._qualname(module, annotation.value) or "").rsplit(".", 1)[-1]
                if head not in WRAPPERS:
                    return None
                if head == "Annotated":
                    inner = inner[:1]
            kinds = [self.annotation(module, part, depth + 1) for part in inner]
            if "session" in kinds:
                return "session"
            return "other" if "other" in kinds else None
        if not isinstance(annotation, (ast.Name, ast.Attribute)):
            return None
        resolved = self.project.names.resolve_expr(module, annotation)
        if resolved is None:
            return None
        if library_name(resolved.qualname, SESSION_CLASSES):
            return "session"
        binding = resolved.binding
        if binding is not None and binding.kind == "class" and isinstance(binding.node, ast.ClassDef):
            return "session" if self._session_subclass(resolved.module or module, binding.node, depth) else "other"
        if binding is not None and binding.kind == "value" and isinstance(binding.node, ast.expr):
            return self.annotation(resolved.module or module, binding.node, depth + 1)
        return "other" if resolved.qualname in PLAIN_TYPES else None

    def _session_subclass(self, module: ModuleInfo, node: ast.ClassDef, depth: int) -> bool:
        return any(self.annotation(module, base, depth + 1) == "session" for base in node.bases)

    def made_by(
        self, module: ModuleInfo, value: ast.expr | None, scopes: Sequence[ScopeNode] = (), depth: int = 0
    ) -> Kind:
        """What a value made by ``value`` is: ``SessionLocal()``, ``Session(engine)``, ``get_db()``, ``Service(db)``."""
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, (ast.Dict, ast.Set, ast.List, ast.DictComp, ast.SetComp, ast.ListComp)):
            return "other"
        if not isinstance(value, ast.Call) or depth > MAX_DEPTH:
            return None
        resolved = self.project.names.resolve_expr(module, value.func, scopes)
        if resolved is None:
            return None
        if library_name(resolved.qualname, SESSION_CLASSES):
            return "session"
        if resolved.qualname in PLAIN_TYPES:
            return "other"
        binding, where = resolved.binding, resolved.module or module
        if binding is None:
            return None
        if binding.kind == "class" and isinstance(binding.node, ast.ClassDef):
            return "session" if self._session_subclass(where, binding.node, depth) else "other"
        if binding.kind == "def" and isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return "session" if self.provides_session(where, binding.node) else None
        if binding.kind == "value" and isinstance(binding.node, ast.Call):
            return self._factory(where, binding.node, depth + 1)
        return None

    def _factory(self, module: ModuleInfo, call: ast.Call, depth: int) -> Kind:
        """The value a module-level factory produces when called: ``SessionLocal = sessionmaker(...)``."""
        qualname = self._qualname(module, call.func)
        if library_name(qualname, SESSION_FACTORIES | SESSION_CLASSES):
            return "session"
        wrapper = qualname.rsplit(".", 1)[-1] if qualname else None
        if wrapper in {"contextmanager", "asynccontextmanager"} and call.args:
            resolved = self.project.names.resolve_expr(module, call.args[0])
            node = resolved.node if resolved else None
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and resolved is not None:
                return "session" if self.provides_session(resolved.module or module, node) else None
        return None

    def provides_session(self, module: ModuleInfo, function: FunctionNode) -> bool:
        """A dependency or context manager that returns or yields a session (``get_db``)."""
        key = id(function)
        if key not in self._yields:
            self._yields[key] = False  # recursion guard
            self._yields[key] = self._provides(module, function)
        return self._yields[key]

    def _provides(self, module: ModuleInfo, function: FunctionNode) -> bool:
        if function.returns is not None:
            return self.annotation(module, function.returns) == "session"
        bindings = module.function_bindings(function)
        for node in ast.walk(function):
            if isinstance(node, (ast.Yield, ast.Return)) and node.value is not None:
                value = node.value
                if self.made_by(module, value, (function,)) == "session":
                    return True
                if isinstance(value, ast.Name) and value.id in bindings:
                    if self._local_kind(module, function, value.id) == "session":
                        return True
        return False

    def _local_kind(self, module: ModuleInfo, function: FunctionNode, name: str) -> Kind:
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                return self.made_by(module, node.value, (function,))
            if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name) \
                    and node.optional_vars.id == name:
                return self.made_by(module, node.context_expr, (function,))
        return None

    def parameter(self, module: ModuleInfo, argument: ast.arg, default: ast.expr | None) -> Kind:
        kind = self.annotation(module, argument.annotation)
        if kind is not None:
            return kind
        if isinstance(default, ast.Call) and default.args and \
                self._qualname(module, default.func) in {"fastapi.Depends", "fastapi.Security"}:
            resolved = self.project.names.resolve_expr(module, default.args[0])
            node = resolved.node if resolved else None
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and resolved is not None:
                return "session" if self.provides_session(resolved.module or module, node) else None
        return None

    def receiver(self, queries: ScopeQueries, expr: ast.expr, klass: ast.ClassDef | None) -> Kind:
        """What the receiver of a method call is, e.g. the ``db`` of ``db.delete(obj)``."""
        module = queries.module
        if isinstance(expr, ast.Name):
            if expr.id in {"self", "cls"} and klass is not None:
                return "session" if self._session_subclass(module, klass, 0) else "other"
            return self._name_kind(queries, expr)
        on_self = isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self"
        if on_self and isinstance(expr, ast.Attribute) and klass is not None:
            return self._attribute_kind(module, klass, expr.attr)
        return None

    def _name_kind(self, queries: ScopeQueries, name: ast.Name) -> Kind:
        module, function = queries.module, queries.scope
        assignment = queries.reaching(name)
        if assignment is not None:
            holder = queries.parent(assignment.node) if isinstance(assignment.node, ast.Name) else None
            if isinstance(holder, ast.withitem):
                return self.made_by(module, holder.context_expr, queries.scopes)
            return self.made_by(module, assignment.value, queries.scopes)
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            kind = self._parameter_named(module, function, name.id)
            if kind is not None or name.id in module.function_bindings(function):
                return kind
        resolved = self.project.names.resolve_expr(module, name, queries.scopes)
        if resolved is not None and resolved.binding is not None and resolved.binding.kind == "value":
            node = resolved.binding.node
            where = resolved.module or module
            if isinstance(node, ast.Call):
                return self._factory(where, node, 0) or self.made_by(where, node)
        return None

    def _parameter_named(self, module: ModuleInfo, function: FunctionNode, name: str) -> Kind:
        arguments = function.args
        positional = [*arguments.posonlyargs, *arguments.args]
        missing = len(positional) - len(arguments.defaults)
        defaults: list[ast.expr | None] = [None] * missing + list(arguments.defaults)
        pairs = list(zip(positional, defaults)) + list(zip(arguments.kwonlyargs, arguments.kw_defaults))
        for argument, default in pairs:
            if argument.arg == name:
                return self.parameter(module, argument, default)
        return None

    def _attribute_kind(self, module: ModuleInfo, klass: ast.ClassDef, attribute: str) -> Kind:
        """``self.db``: what the class's methods assign to it (``self.db = db`` with ``db: Session``)."""
        for method in klass.body:
            if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(method):
                if not isinstance(node, (ast.Assign, ast.AnnAssign)):
                    continue
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Attribute) and target.attr == attribute and \
                            isinstance(target.value, ast.Name) and target.value.id == "self":
                        value = node.value
                        if isinstance(value, ast.Name):
                            return self._parameter_named(module, method, value.id)
                        return self.made_by(module, value, (method,))
        for statement in klass.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) \
                    and statement.target.id == attribute:
                return self.annotation(module, statement.annotation)
        return None
