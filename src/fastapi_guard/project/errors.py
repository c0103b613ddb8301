"""The errors facet of the Project index: exception and response classes, and exception handlers.

Answers three questions for the FG4xx rules:

* what class an expression names, and its ancestry: the project's own classes
  are followed base by base (across files, aliases and re-exports) down to a
  builtin exception (whose MRO is known) or an external class (known only by
  name, so the ancestry is incomplete);
* whether that class is an HTTP exception (``HTTPException``, Starlette's,
  ``RequestValidationError`` or a subclass: FastAPI turns them into responses)
  or a response class (``JSONResponse``, ...);
* which exception classes an exception handler maps, on which apps:
  ``@app.exception_handler(E)``, ``app.add_exception_handler(E, h)``,
  ``FastAPI(exception_handlers={E: h})`` (also through a dict constant filled
  with ``handlers[E] = h`` and a loop over it). A registration whose class
  cannot be read (a loop over objects) maps every non-builtin exception, so
  that nothing it may cover is reported.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, TypeGuard

from fastapi_guard.project.fastapi_walk import Site, keyword
from fastapi_guard.project.names import NEVER_PROJECT_MODULES
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo, ScopeNode, scope_statements

if TYPE_CHECKING:
    from fastapi_guard.project import Project
    from fastapi_guard.project.fastapi import Endpoint

HTTP_EXCEPTIONS = frozenset({
    "fastapi.HTTPException",  # Starlette's and ``fastapi.exceptions``' spellings fold to it
    "fastapi.WebSocketException",
    "fastapi.exceptions.WebSocketException",
    "starlette.exceptions.WebSocketException",
    "fastapi.exceptions.RequestValidationError",
    "fastapi.exceptions.WebSocketRequestValidationError",
})
WEBSOCKET_EXCEPTIONS = frozenset(name for name in HTTP_EXCEPTIONS if "WebSocket" in name)
RESPONSE_MODULES = ("fastapi.responses.", "starlette.responses.")
MAX_ALIAS_HOPS = 8
_BUILTIN_EXCEPTIONS = {
    name: value for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}
Scopes = Sequence[ScopeNode]


def builtin_name(project: Project, module: ModuleInfo, expr: ast.expr, scopes: Scopes = ()) -> str | None:
    """``print`` / ``ValueError`` when the name is the builtin, not a project or local binding."""
    if not isinstance(expr, ast.Name) or not hasattr(builtins, expr.id):
        return None
    if expr.id in module.bindings:
        return None
    resolved = project.names.resolve_name(module, expr.id, scopes)
    # An unbound name resolves to ``<module>.<name>`` with no binding (nor a star import's module).
    return expr.id if resolved.binding is None and resolved.qualname == f"{module.name}.{expr.id}" else None


@dataclass(frozen=True)
class ClassInfo:
    """A class and every class it derives from (qualified names, itself included).

    ``complete`` is False when some base chain ends in an external class whose
    own bases are unknown, or cannot be read at all. ``in_project`` is True for the
    project's classes, also those of its packages defined outside the checked folder.
    """

    qualname: str
    ancestors: frozenset[str]
    complete: bool
    in_project: bool

    @property
    def is_exception(self) -> bool:
        return "builtins.BaseException" in self.ancestors or bool(self.ancestors & HTTP_EXCEPTIONS)

    @property
    def is_http_exception(self) -> bool:
        return bool(self.ancestors & HTTP_EXCEPTIONS)

    @property
    def is_websocket_exception(self) -> bool:
        return bool(self.ancestors & WEBSOCKET_EXCEPTIONS)

    @property
    def is_builtin(self) -> bool:
        return self.qualname.startswith("builtins.")

    @property
    def is_response(self) -> bool:
        return any(is_response_class(name) for name in self.ancestors)

    @property
    def short_name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


def is_response_class(qualname: str) -> bool:
    return qualname == "fastapi.Response" or (
        qualname.startswith(RESPONSE_MODULES) and qualname.endswith("Response") and qualname.count(".") == 2
    )


@dataclass(frozen=True)
class HandlerRegistration:
    """One exception handler: the class it maps (None: unreadable) and the apps it is
    registered on (None: unknown, taken as every app)."""

    exception: str | None
    apps: frozenset[str] | None
    module: ModuleInfo
    node: ast.AST
    function: FunctionNode | None = None


# An exception class a handler maps (None: unreadable) and the handler function, when readable.
Entry = tuple[str | None, FunctionNode | None]


class ErrorIndex:
    """Exception and response classes of one project, and its exception handlers."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._classes: dict[str, tuple[ModuleInfo, ast.ClassDef]] = {}
        for module in project.modules.values():
            for qualname, node in _class_definitions(module):
                self._classes.setdefault(qualname, (module, node))
        self._infos: dict[str, ClassInfo] = {}
        # Top-level packages of the checked code: a class of one of them defined outside the
        # checked folder (``airflow.exceptions`` when checking ``airflow/api_fastapi``) is still the project's.
        self._own_packages = frozenset(
            name.split(".")[0] for name, module in project.modules.items() if module.is_package or "." in name
        ) - NEVER_PROJECT_MODULES

    # -- classes ---------------------------------------------------------------------------------

    def class_qualname(self, module: ModuleInfo, expr: ast.expr, scopes: Scopes = ()) -> str | None:
        """The class an expression names: a project class, ``builtins.X`` or an external name;
        None for anything else (a parameter, a call, a local variable)."""
        for _ in range(MAX_ALIAS_HOPS):
            builtin = builtin_name(self.project, module, expr, scopes)
            if builtin is not None:
                return f"builtins.{builtin}"
            resolved = self.project.names.resolve_expr(module, expr, scopes)
            if resolved is None:
                return None
            binding = resolved.binding
            if resolved.module is None:
                # ``<this module>.<name>`` with no module: a name nothing binds (a loop variable's attribute).
                return None if resolved.qualname.startswith(f"{module.name}.") else resolved.qualname
            if binding is None and resolved.qualname in self._classes:
                return resolved.qualname
            if binding is None:
                return None
            if binding.kind == "class":
                return resolved.qualname
            # ``Error = ValueError``: follow the alias to what it names.
            if binding.kind != "value" or not isinstance(binding.node, (ast.Name, ast.Attribute)):
                return None
            module, expr = resolved.module, binding.node
            scopes = scopes if "<locals>" in binding.qualname else ()
        return None

    def info(self, qualname: str) -> ClassInfo:
        cached = self._infos.get(qualname)
        if cached is not None:
            return cached
        # A cycle of bases reads as an incomplete ancestry.
        self._infos[qualname] = ClassInfo(qualname, frozenset({qualname}), False, qualname in self._classes)
        info = self._compute(qualname)
        self._infos[qualname] = info
        return info

    def info_of(self, module: ModuleInfo, expr: ast.expr, scopes: Scopes = ()) -> ClassInfo | None:
        qualname = self.class_qualname(module, expr, scopes)
        return self.info(qualname) if qualname is not None else None

    def _compute(self, qualname: str) -> ClassInfo:
        if qualname.startswith("builtins."):
            value = _BUILTIN_EXCEPTIONS.get(qualname[len("builtins."):])
            if value is None:
                return ClassInfo(qualname, frozenset({qualname}), qualname == "builtins.object", False)
            return ClassInfo(qualname, frozenset(f"builtins.{base.__name__}" for base in value.__mro__), True, False)
        if qualname in HTTP_EXCEPTIONS:
            ancestors = frozenset({qualname, "builtins.Exception", "builtins.BaseException"})
            return ClassInfo(qualname, ancestors, True, False)
        definition = self._classes.get(qualname)
        if definition is None:
            own = qualname.split(".")[0] in self._own_packages
            return ClassInfo(qualname, frozenset({qualname}), is_response_class(qualname), own)
        module, node = definition
        ancestors = {qualname}
        complete = True
        for base in node.bases:
            while isinstance(base, ast.Subscript):
                base = base.value
            base_name = self.class_qualname(module, base)
            if base_name is None:
                complete = False
                continue
            inherited = self.info(base_name)
            ancestors |= inherited.ancestors
            complete = complete and inherited.complete
        return ClassInfo(qualname, frozenset(ancestors), complete, True)

    # -- exception handlers ----------------------------------------------------------------------

    @cached_property
    def handlers(self) -> list[HandlerRegistration]:
        found: list[HandlerRegistration] = []
        graph = self.project.fastapi.graph
        for site in graph.found.decorated:
            function = site.node
            assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
            for decorator in function.decorator_list:
                if _is_method_call(decorator, "exception_handler") and decorator.args:
                    entry = (self.class_qualname(site.module, decorator.args[0], site.scopes), function)
                    found.extend(self._registrations(site, decorator, decorator.args[0], [entry]))
        for site in graph.found.calls_by_name.get("add_exception_handler", ()):
            call = site.node
            assert isinstance(call, ast.Call)
            argument = call.args[0] if call.args else keyword(call, "exc_class_or_status_code")
            handler = call.args[1] if len(call.args) > 1 else keyword(call, "handler")
            if argument is not None:
                entries = self._looped_entries(site, argument, handler)
                found.extend(self._registrations(site, call, argument, entries))
        for module in self.project.modules.values():
            if any("exception_handlers" in line for line in module.lines):
                found.extend(self._handler_tables(module))
        return found

    @cached_property
    def handler_functions(self) -> dict[int, list[str | None]]:
        """Registered handler functions (by ``id``) and the classes each one maps."""
        mapped: dict[int, list[str | None]] = {}
        for registration in self.handlers:
            if registration.function is not None:
                mapped.setdefault(id(registration.function), []).append(registration.exception)
        return mapped

    def _registrations(
        self, site: Site, call: ast.Call, argument: ast.expr, entries: list[Entry]
    ) -> Iterator[HandlerRegistration]:
        if isinstance(argument, ast.Constant):  # a handler for a status code, not a class
            return
        assert isinstance(call.func, ast.Attribute)
        apps = self._apps(site.module, call.func.value, site.scopes)
        for exception, function in entries:
            yield HandlerRegistration(exception, apps, site.module, call, function)

    def _looped_entries(self, site: Site, argument: ast.expr, handler: ast.expr | None) -> list[Entry]:
        """The class an argument names and the handler function; for loop variables over
        ``table.items()`` (or the table itself), the entries of that dict constant."""
        if isinstance(argument, ast.Name):
            for loop in reversed(site.loops):
                target = loop.target
                first = target.elts[0] if isinstance(target, ast.Tuple) and target.elts else target
                if isinstance(first, ast.Name) and first.id == argument.id:
                    table = loop.iter
                    if isinstance(table, ast.Call) and isinstance(table.func, ast.Attribute) \
                            and table.func.attr in ("items", "keys") and not table.args:
                        table = table.func.value
                    entries = self._table_entries(site.module, table, site.scopes)
                    return entries if entries is not None else [(None, None)]
        function = self._function(site.module, handler, site.scopes) if handler is not None else None
        return [(self.class_qualname(site.module, argument, site.scopes), function)]

    def _table_entries(self, module: ModuleInfo, table: ast.expr, scopes: Scopes) -> list[Entry] | None:
        """The entries of a dict literal, or of a dict constant (with its ``table[E] = h`` writes)."""
        if isinstance(table, ast.Dict):
            return [
                (self.class_qualname(module, key, scopes) if key is not None else None,
                 self._function(module, value, scopes))
                for key, value in zip(table.keys, table.values)
            ]
        resolved = self.project.names.resolve_expr(module, table, scopes)
        binding = resolved.binding if resolved else None
        if resolved is None or binding is None or binding.kind != "value" or not isinstance(binding.node, ast.Dict):
            return None
        where = resolved.module or module
        local = "<locals>" in binding.qualname
        entries = self._table_entries(where, binding.node, scopes if local else ()) or []
        name = binding.qualname.rsplit(".", 1)[-1]
        for statement in scope_statements(where.tree.body if not local else []):
            if isinstance(statement, ast.Assign):
                for target in statement.targets:
                    if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                            and target.value.id == name:
                        key = self.class_qualname(where, target.slice)
                        entries.append((key, self._function(where, statement.value)))
        return entries

    def _function(self, module: ModuleInfo, expr: ast.expr, scopes: Scopes = ()) -> FunctionNode | None:
        resolved = self.project.names.resolve_expr(module, expr, scopes)
        node = resolved.node if resolved is not None and resolved.binding is not None else None
        return node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None

    def _handler_tables(self, module: ModuleInfo) -> Iterator[HandlerRegistration]:
        """``FastAPI(exception_handlers={...})`` and ``{"exception_handlers": {...}}`` settings dicts."""
        graph = self.project.fastapi.graph
        for node, scopes in module.scoped_nodes:
            tables: list[tuple[ast.expr, frozenset[str] | None]] = []
            if isinstance(node, ast.Call):
                value = keyword(node, "exception_handlers")
                if value is not None:
                    app = graph.by_call.get(id(node))
                    tables.append((value, frozenset({app}) if app else None))
            elif isinstance(node, ast.Dict):
                tables.extend(
                    (value, None) for key, value in zip(node.keys, node.values)
                    if isinstance(key, ast.Constant) and key.value == "exception_handlers"
                )
            for table, apps in tables:
                entries = self._table_entries(module, table, scopes)
                for exception, function in entries if entries is not None else [(None, None)]:
                    yield HandlerRegistration(exception, apps, module, node, function)

    def _apps(self, module: ModuleInfo, receiver: ast.expr, scopes: Scopes) -> frozenset[str] | None:
        router = self.project.fastapi.router_for(module, receiver, tuple(scopes))
        return frozenset({router.qualname}) if router is not None and router.kind == "app" else None

    def is_mapped(self, info: ClassInfo, endpoint: Endpoint) -> bool:
        """Whether a handler maps ``info`` (or one of its bases) on every app the endpoint is served by."""
        covering = [
            registration for registration in self.handlers
            if (registration.exception is None and not info.is_builtin) or registration.exception in info.ancestors
        ]
        if not covering:
            return False
        for route in endpoint.routes:
            apps = {level.name for level in route.levels if level.kind == "app"}
            if apps and not any(item.apps is None or item.apps & apps for item in covering):
                return False
        return True


def _is_method_call(node: ast.expr, name: str) -> TypeGuard[ast.Call]:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name


def _class_definitions(module: ModuleInfo) -> Iterator[tuple[str, ast.ClassDef]]:
    """Module-level classes and the classes nested in their bodies, by qualified name."""
    stack: list[tuple[list[ast.stmt], str]] = [(module.tree.body, module.name)]
    while stack:
        body, prefix = stack.pop()
        for statement in scope_statements(body):
            if isinstance(statement, ast.ClassDef):
                qualname = f"{prefix}.{statement.name}"
                yield qualname, statement
                stack.append((statement.body, qualname))
