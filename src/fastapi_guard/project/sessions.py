"""Which expressions are SQLAlchemy sessions, read from annotations and how values were made.

A session is a value annotated ``Session`` / ``AsyncSession`` (SQLAlchemy or
SQLModel, also through ``Annotated`` aliases and ``Optional``), made by a
session class or a ``sessionmaker()`` / ``async_sessionmaker()`` /
``scoped_session()`` product, bound by ``with get_db() as db`` to a
dependency that yields one, injected by ``Depends(get_db)``, or kept as
``self.db`` by an ``__init__`` that received one. Anything else is either a
known non-session (an instance of some other project class, a dict) or
unknown, and rules decide what unknown means to them.

Each session also has a flavour: ``sync`` (``Session``, ``scoped_session``,
``sessionmaker()``) or ``async`` (``AsyncSession``, ``async_sessionmaker()``,
``sessionmaker(class_=AsyncSession)``), read from the resolved class, never
from the local name (``from sqlalchemy.ext.asyncio import AsyncSession as
Session`` is async). The ``*_flavor`` methods answer with the flavour; the
plain ones only say "session".
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from fastapi_guard.project.sqlalchemy import library_name, wrapped_types
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo, ScopeNode

if TYPE_CHECKING:
    from fastapi_guard.project import Project
    from fastapi_guard.project.scopeflow import ScopeFlow

Kind = Literal["session", "other"] | None
Flavor = Literal["sync", "async", "other"] | None

SESSION_CLASSES = frozenset({"Session", "AsyncSession", "scoped_session", "async_scoped_session"})
SESSION_FACTORIES = frozenset({"sessionmaker", "async_sessionmaker"})
REGISTRIES = frozenset({"scoped_session", "async_scoped_session"})
ASYNC_NAMES = frozenset({"AsyncSession", "async_scoped_session", "async_sessionmaker"})
WRAPPERS = frozenset({
    "Optional", "Union", "Annotated", "Iterator", "Generator", "AsyncIterator", "AsyncGenerator",
    "Iterable", "AsyncIterable", "ContextManager", "AbstractContextManager", "AsyncContextManager",
    "AbstractAsyncContextManager", "Awaitable",
})
PLAIN_TYPES = frozenset({"builtins.dict", "builtins.set", "builtins.list", "dict", "set", "list", "str"})
MAX_DEPTH = 12


def kind_of(flavor: Flavor) -> Kind:
    if flavor is None or flavor == "other":
        return flavor
    return "session"


def _library_flavor(qualname: str) -> Flavor:
    return "async" if qualname.rsplit(".", 1)[-1] in ASYNC_NAMES else "sync"


def _combined(flavors: list[Flavor]) -> Flavor:
    """One flavour for the parts of a union (``None`` constants already left out).

    A union is a session only when every part is one (``Union[str, Session]`` may be
    a string); async wins over sync, since an awaitable path must never be reported as blocking.
    """
    if flavors and all(flavor in ("sync", "async") for flavor in flavors):
        return "async" if "async" in flavors else "sync"
    return "other" if "other" in flavors else None


class Sessions:
    """Session facts of one project; instances are cheap, results are cached per function."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._provided: dict[int, Flavor] = {}

    def _qualname(self, module: ModuleInfo, expr: ast.expr, scopes: Sequence[ScopeNode] = ()) -> str | None:
        return self.project.names.qualname(module, expr, scopes)

    # -- the questions, with and without the flavour ----------------------------------------------

    def annotation(self, module: ModuleInfo, annotation: ast.expr | None) -> Kind:
        """What a type annotation says: a session, another known type, or nothing useful."""
        return kind_of(self.annotation_flavor(module, annotation))

    def made_by(self, module: ModuleInfo, value: ast.expr | None, scopes: Sequence[ScopeNode] = ()) -> Kind:
        """What a value made by ``value`` is: ``SessionLocal()``, ``Session(engine)``, ``get_db()``, ``Service(db)``."""
        return kind_of(self.made_by_flavor(module, value, scopes))

    def provides_session(self, module: ModuleInfo, function: FunctionNode) -> bool:
        """A dependency or context manager that returns or yields a session (``get_db``)."""
        return self.provided(module, function) in ("sync", "async")

    def parameter(self, module: ModuleInfo, argument: ast.arg, default: ast.expr | None) -> Kind:
        return kind_of(self.parameter_flavor(module, argument, default))

    def receiver(self, queries: ScopeFlow, expr: ast.expr, klass: ast.ClassDef | None) -> Kind:
        """What the receiver of a method call is, e.g. the ``db`` of ``db.delete(obj)``."""
        return kind_of(self.receiver_flavor(queries, expr, klass))

    # -- annotations -------------------------------------------------------------------------------

    def annotation_flavor(self, module: ModuleInfo, annotation: ast.expr | None, depth: int = 0) -> Flavor:
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
            return _combined([
                self.annotation_flavor(module, part, depth + 1) for part in inner
                if not (isinstance(part, ast.Constant) and part.value is None)
            ])
        if not isinstance(annotation, (ast.Name, ast.Attribute)):
            return None
        resolved = self.project.names.resolve_expr(module, annotation)
        if resolved is None:
            return None
        if library_name(resolved.qualname, SESSION_CLASSES):
            return _library_flavor(resolved.qualname)
        binding = resolved.binding
        if binding is not None and binding.kind == "class" and isinstance(binding.node, ast.ClassDef):
            return self._subclass_flavor(resolved.module or module, binding.node, depth) or "other"
        if binding is not None and binding.kind == "value" and isinstance(binding.node, ast.expr):
            return self.annotation_flavor(resolved.module or module, binding.node, depth + 1)
        return "other" if resolved.qualname in PLAIN_TYPES else None

    def _subclass_flavor(self, module: ModuleInfo, node: ast.ClassDef, depth: int) -> Flavor:
        """The flavour of a project class deriving from a session class, else None."""
        flavors = [self.annotation_flavor(module, base, depth + 1) for base in node.bases]
        return _combined([flavor for flavor in flavors if flavor != "other"])

    def _annotated_dependency(
        self, module: ModuleInfo, annotation: ast.expr | None
    ) -> tuple[ModuleInfo, ast.Call] | None:
        """The ``Depends(get_db)`` of ``Annotated[Any, Depends(get_db)]`` (or of an alias to it, with the
        module the alias is defined in)."""
        for _ in range(MAX_DEPTH):
            if isinstance(annotation, (ast.Name, ast.Attribute)):
                resolved = self.project.names.resolve_expr(module, annotation)
                binding = resolved.binding if resolved else None
                if binding is None or binding.kind != "value" or not isinstance(binding.node, ast.expr):
                    return None
                module, annotation = resolved.module or module, binding.node
                continue
            break
        if not (isinstance(annotation, ast.Subscript) and isinstance(annotation.slice, ast.Tuple)):
            return None
        if (self._qualname(module, annotation.value) or "").rsplit(".", 1)[-1] != "Annotated":
            return None
        for extra in annotation.slice.elts[1:]:
            if isinstance(extra, ast.Call) and self._is_depends(module, extra):
                return module, extra
        return None

    def _is_depends(self, module: ModuleInfo, expr: ast.expr | None) -> bool:
        return isinstance(expr, ast.Call) and bool(expr.args) and \
            self._qualname(module, expr.func) in {"fastapi.Depends", "fastapi.Security"}

    # -- values ------------------------------------------------------------------------------------

    def made_by_flavor(
        self, module: ModuleInfo, value: ast.expr | None, scopes: Sequence[ScopeNode] = (), depth: int = 0
    ) -> Flavor:
        if isinstance(value, ast.Await):
            value = value.value
        if isinstance(value, (ast.Dict, ast.Set, ast.List, ast.DictComp, ast.SetComp, ast.ListComp)):
            return "other"
        if not isinstance(value, ast.Call):
            return None
        return self._call_flavor(module, value.func, scopes, depth)

    def _call_flavor(self, module: ModuleInfo, func: ast.expr, scopes: Sequence[ScopeNode], depth: int) -> Flavor:
        """What calling ``func`` makes."""
        resolved = self.project.names.resolve_expr(module, func, scopes) if depth <= MAX_DEPTH else None
        if resolved is None:
            return None
        if library_name(resolved.qualname, SESSION_CLASSES):
            return _library_flavor(resolved.qualname)
        if resolved.qualname in PLAIN_TYPES:
            return "other"
        binding, where = resolved.binding, resolved.module or module
        if binding is None:
            return None
        if binding.kind == "class" and isinstance(binding.node, ast.ClassDef):
            return self._subclass_flavor(where, binding.node, depth) or "other"
        if binding.kind == "def" and isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self.provided(where, binding.node)
        if binding.kind == "value" and isinstance(binding.node, ast.Call):
            return self._factory(where, binding.node, depth + 1)
        return None

    def _factory(self, module: ModuleInfo, call: ast.Call, depth: int) -> Flavor:
        """The value a module-level factory produces when called: ``SessionLocal = sessionmaker(...)``."""
        qualname = self._qualname(module, call.func)
        if qualname is not None and library_name(qualname, SESSION_FACTORIES | SESSION_CLASSES):
            made = next((k.value for k in call.keywords if k.arg == "class_"), None)
            if made is not None:  # ``sessionmaker(engine, class_=AsyncSession)``
                return self.annotation_flavor(module, made, depth + 1)
            if qualname.endswith("scoped_session") and call.args:  # the registry makes what its factory makes
                inner = self._call_flavor(module, call.args[0], (), depth + 1)
                if inner in ("sync", "async"):
                    return inner
            return _library_flavor(qualname)
        wrapper = qualname.rsplit(".", 1)[-1] if qualname else None
        if wrapper in {"contextmanager", "asynccontextmanager"} and call.args:
            resolved = self.project.names.resolve_expr(module, call.args[0])
            node = resolved.node if resolved else None
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and resolved is not None:
                return self.provided(resolved.module or module, node)
        return None

    def provided(self, module: ModuleInfo, function: FunctionNode) -> Flavor:
        """The session type a dependency or context manager yields or returns (``get_db``), or None."""
        key = id(function)
        if key not in self._provided:
            self._provided[key] = None  # recursion guard
            self._provided[key] = self._provides(module, function)
        return self._provided[key]

    def _provides(self, module: ModuleInfo, function: FunctionNode) -> Flavor:
        if function.returns is not None:
            flavor = self.annotation_flavor(module, function.returns)
            return flavor if flavor in ("sync", "async") else None
        for node in ast.walk(function):
            if isinstance(node, (ast.Yield, ast.Return)) and node.value is not None:
                value = node.value
                flavor = self.made_by_flavor(module, value, (function,))
                if flavor not in ("sync", "async") and isinstance(value, ast.Name):  # also ``with ... as db``
                    flavor = self._local_flavor(module, function, value.id)
                if flavor in ("sync", "async"):
                    return flavor
        return None

    def _local_flavor(self, module: ModuleInfo, function: FunctionNode, name: str) -> Flavor:
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                return self.made_by_flavor(module, node.value, (function,))
            if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name) \
                    and node.optional_vars.id == name:
                return self.made_by_flavor(module, node.context_expr, (function,))
        return None

    def parameter_flavor(self, module: ModuleInfo, argument: ast.arg, default: ast.expr | None) -> Flavor:
        """A parameter's session type: its annotation, else the dependency in its default or ``Annotated``."""
        flavor = self.annotation_flavor(module, argument.annotation)
        if flavor is not None:
            return flavor
        found = (module, default) if isinstance(default, ast.Call) and self._is_depends(module, default) else \
            self._annotated_dependency(module, argument.annotation)
        if found is None:
            return None
        where, dependency = found
        resolved = self.project.names.resolve_expr(where, dependency.args[0])
        node = resolved.node if resolved else None
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and resolved is not None:
            return self.provided(resolved.module or where, node)
        return None

    # -- receivers ---------------------------------------------------------------------------------

    def receiver_flavor(self, queries: ScopeFlow, expr: ast.expr, klass: ast.ClassDef | None) -> Flavor:
        module = queries.module
        if isinstance(expr, ast.Name):
            if expr.id in {"self", "cls"} and klass is not None:
                return self._subclass_flavor(module, klass, 0) or "other"
            return self._name_flavor(queries, expr)
        on_self = isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self"
        if on_self and isinstance(expr, ast.Attribute) and klass is not None:
            return self.attribute_flavor(module, klass, expr.attr)
        return None

    def _name_flavor(self, queries: ScopeFlow, name: ast.Name) -> Flavor:
        module, function = queries.module, queries.scope
        assignment = queries.reaching(name)
        if assignment is not None:
            holder = queries.parent(assignment.node) if isinstance(assignment.node, ast.Name) else None
            if isinstance(holder, ast.withitem):
                return self.made_by_flavor(module, holder.context_expr, queries.scopes)
            return self.made_by_flavor(module, assignment.value, queries.scopes)
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            flavor = self._parameter_named(module, function, name.id)
            if flavor is not None or name.id in module.function_bindings(function):
                return flavor
        resolved = self.project.names.resolve_expr(module, name, queries.scopes)
        if resolved is not None and resolved.binding is not None and resolved.binding.kind == "value":
            node = resolved.binding.node
            where = resolved.module or module
            if isinstance(node, ast.Call):
                if library_name(self._qualname(where, node.func), REGISTRIES):
                    return self._factory(where, node, 0)  # a ``scoped_session`` registry acts as its session
                return self.made_by_flavor(where, node)  # ``SessionLocal`` itself is a factory, not a session
        return None

    def _parameter_named(self, module: ModuleInfo, function: FunctionNode, name: str) -> Flavor:
        arguments = function.args
        positional = [*arguments.posonlyargs, *arguments.args]
        missing = len(positional) - len(arguments.defaults)
        defaults: list[ast.expr | None] = [None] * missing + list(arguments.defaults)
        pairs = list(zip(positional, defaults)) + list(zip(arguments.kwonlyargs, arguments.kw_defaults))
        for argument, default in pairs:
            if argument.arg == name:
                return self.parameter_flavor(module, argument, default)
        return None

    def attribute_flavor(self, module: ModuleInfo, klass: ast.ClassDef, attribute: str) -> Flavor:
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
                        return self.made_by_flavor(module, value, (method,))
        for statement in klass.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) \
                    and statement.target.id == attribute:
                return self.annotation_flavor(module, statement.annotation)
        return None
