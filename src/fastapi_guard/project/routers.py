"""The app/router objects of a project, the mount tree between them and route registrations.

One walk per module collects the candidate statements (router creations,
``include_router``/``mount`` calls, route decorators and imperative
registrations); they are then resolved through the name index, never by
variable name. A router passed to a helper (``def init_views(app):
app.include_router(...)``) is a parameter: such edges and routes are templates,
instantiated at every call site of the helper (:mod:`router_params`). The
records the graph is made of live in :mod:`router_model`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from fastapi_guard.project.fastapi_walk import (
    HTTP_METHODS, ROUTE_DECORATORS, DependencyRef, Environment, Scopes, Site, collect, dependency_items, find_method,
    argument_for, init_dependencies, keyword, loop_environments, returned_values, strip_generic,
    terminal_name,
)
from fastapi_guard.project.localwrites import target_names
from fastapi_guard.project.pathglob import StringEvaluator
from fastapi_guard.project.router_model import MAX_DEPTH, Edge, ParamSlot, Registration, Router, RouterKind, RouterRef
from fastapi_guard.project.router_params import RouterParameters
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo

if TYPE_CHECKING:
    from fastapi_guard.project import Project

APP_CLASSES = frozenset({"fastapi.FastAPI", "cadwyn.Cadwyn"})
ROUTER_CLASSES = frozenset({
    "fastapi.APIRouter", "cadwyn.VersionedAPIRouter",
    "fastapi_utils.inferring_router.InferringRouter", "fastapi_restful.inferring_router.InferringRouter",
})


class RouterGraph:
    """Routers, include/mount edges and route registrations of one project."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.names = project.names
        self.found = collect(list(project.modules.values()))
        self.strings = StringEvaluator(project)
        self.routers: dict[str, Router] = {}
        self.by_call: dict[int, str] = {}
        self._returned: dict[int, list[ast.expr]] = {}
        self._class_kinds: dict[int, RouterKind | None] = {}
        spellings = self._router_spellings()
        for site in self.found.assignments:
            value = site.node.value if isinstance(site.node, (ast.Assign, ast.AnnAssign)) else None
            calls = [value, *value.args] if isinstance(value, ast.Call) else []
            if any(isinstance(call, ast.Call) and terminal_name(call.func) in spellings for call in calls):
                self._add_router(site)
        self.edges: list[Edge] = []
        # Dependencies of includes whose router cannot be read statically (``importlib``, plugins).
        self.opaque_includes: list[list[DependencyRef]] = []
        for site in self.found.edge_calls:
            self.edges.extend(self._edges(site))
        self.registrations: list[Registration] = []
        for site in self.found.decorated:
            self.registrations.extend(self._decorated_routes(site))
        for site in self.found.route_calls:
            self.registrations.extend(self._imperative_routes(site))
        parameters = RouterParameters(self.found, self._function, self.routers_of)
        self.edges = [edge for template in self.edges for edge in parameters.instantiate_edge(template)]
        self.registrations = [reg for template in self.registrations for reg in parameters.instantiate_route(template)]

    def _router_spellings(self) -> set[str]:
        """Names a router-creating call can be spelled with: the library classes, project
        subclasses of them and import aliases. Only a cheap pre-filter: each candidate
        assignment is still resolved through the name index before it counts."""
        spellings = {qualname.rsplit(".", 1)[-1] for qualname in APP_CLASSES | ROUTER_CLASSES}
        changed = True
        while changed:
            changed = False
            for cls in self.found.classes:
                if cls.name not in spellings and any(terminal_name(base) in spellings for base in cls.bases):
                    spellings.add(cls.name)
                    changed = True
        for module in self.project.modules.values():
            for local, binding in module.bindings.items():
                if binding.kind == "import" and (binding.attribute or "") in spellings:
                    spellings.add(local)
        return spellings

    def enclosing(self, node: ast.AST) -> Scopes:
        return self.found.enclosing.get(id(node), ())

    def _returns(self, function: FunctionNode) -> list[ast.expr]:
        cached = self._returned.get(id(function))
        if cached is None:
            cached = self._returned[id(function)] = returned_values(function)
        return cached

    # -- routers -----------------------------------------------------------------------------

    def _router_kind(self, module: ModuleInfo, func: ast.expr, scopes: Scopes) -> RouterKind | None:
        resolved = self.names.resolve_expr(module, strip_generic(func), scopes)
        if resolved is None:
            return None
        if resolved.qualname in APP_CLASSES:
            return "app", []
        if resolved.qualname in ROUTER_CLASSES:
            return "router", []
        binding = resolved.binding
        if binding is not None and binding.kind == "class" and resolved.module is not None:
            assert isinstance(binding.node, ast.ClassDef)
            return self._class_kind(resolved.module, binding.node)
        return None

    def _class_kind(self, module: ModuleInfo, cls: ast.ClassDef) -> RouterKind | None:
        """For an APIRouter/FastAPI subclass: its kind and the dependencies its ``__init__`` adds."""
        key = id(cls)
        if key in self._class_kinds:
            return self._class_kinds[key]
        self._class_kinds[key] = None
        scopes = self.enclosing(cls)
        result = None
        init = find_method(cls, "__init__")
        added = init_dependencies(self.names, module, init, (*self.enclosing(init), init)) if init else []
        for base in cls.bases:
            inherited = self._router_kind(module, base, scopes)
            if inherited is not None:
                result = (inherited[0], [*inherited[1], *added])
                break
        self._class_kinds[key] = result
        return result

    def _add_router(self, site: Site) -> None:
        statement = site.node
        assert isinstance(statement, (ast.Assign, ast.AnnAssign))
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if len(targets) != 1 or not isinstance(targets[0], ast.Name):
            return
        call = statement.value
        assert isinstance(call, ast.Call)
        created = self._creating_call(site.module, call, site.scopes)
        if created is None:
            return
        creating, kind, class_dependencies = created
        qualname = self.names.resolve_name(site.module, targets[0].id, site.scopes).qualname
        if qualname in self.routers:
            return
        prefix = keyword(creating, "prefix")
        dependencies = keyword(creating, "dependencies")
        self.routers[qualname] = Router(
            qualname, kind, site.module, statement,
            self.strings.value(site.module, prefix, site.scopes) if prefix is not None and kind == "router" else "",
            [*class_dependencies, *self._dependencies(site.module, dependencies, site.scopes)],
        )
        self.by_call[id(creating)] = qualname

    def _creating_call(
        self, module: ModuleInfo, call: ast.Call, scopes: Scopes
    ) -> tuple[ast.Call, str, list[DependencyRef]] | None:
        """The ``APIRouter(...)`` call an assignment creates, also when a helper returning its argument wraps it."""
        kind = self._router_kind(module, call.func, scopes)
        if kind is not None:
            return call, kind[0], kind[1]
        function = self._function(module, call.func, scopes)
        if function is None:
            return None
        for value in self._returns(function[1]):
            argument = argument_for(function[1], call, value)
            if isinstance(argument, ast.Call):
                return self._creating_call(module, argument, scopes)
        return None

    # -- resolving router expressions -------------------------------------------------------

    def _elements(
        self, module: ModuleInfo, expr: ast.expr, scopes: Scopes, depth: int = 0
    ) -> tuple[ModuleInfo, list[ast.expr], Scopes] | None:
        """The elements of a list/tuple literal, also through a constant (``for r in API_ROUTERS``)."""
        if isinstance(expr, (ast.List, ast.Tuple)):
            return module, [item for item in expr.elts if not isinstance(item, ast.Starred)], scopes
        resolved = self.names.resolve_expr(module, expr, scopes) if depth <= MAX_DEPTH else None
        binding = resolved.binding if resolved else None
        if resolved is None or binding is None or binding.kind != "value" or binding.node is None:
            return None
        local = "<locals>" in binding.qualname
        return self._elements(resolved.module or module, binding.node, scopes if local else (), depth + 1)

    def _dependencies(self, module: ModuleInfo, value: ast.expr | None, scopes: Scopes) -> list[DependencyRef]:
        return dependency_items(self.names, module, value, scopes) if value is not None else []

    def _function(self, module: ModuleInfo, expr: ast.expr, scopes: Scopes) -> tuple[ModuleInfo, FunctionNode] | None:
        resolved = self.names.resolve_expr(module, expr, scopes)
        binding = resolved.binding if resolved else None
        if resolved is None or binding is None or binding.kind != "def":
            return None
        assert isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef))
        return resolved.module or module, binding.node

    def routers_of(
        self, module: ModuleInfo, expr: ast.expr, scopes: Scopes,
        environment: Environment | None = None, depth: int = 0,
    ) -> list[RouterRef]:
        """The routers (or router parameters) an expression denotes."""
        if depth > MAX_DEPTH:
            return []
        if environment and isinstance(expr, ast.Name) and expr.id in environment:
            bound = environment[expr.id]
            return self.routers_of(bound.module, bound.expr, bound.scopes, None, depth + 1)
        if isinstance(expr, ast.Call):
            if id(expr) in self.by_call:
                return [self.by_call[id(expr)]]
            function = self._function(module, expr.func, scopes)
            if function is None:
                return []
            found: list[RouterRef] = []
            inner = (*self.enclosing(function[1]), function[1])
            for value in self._returns(function[1]):
                argument = argument_for(function[1], expr, value)
                if argument is not None:
                    found.extend(self.routers_of(module, argument, scopes, environment, depth + 1))
                else:
                    found.extend(self.routers_of(function[0], value, inner, None, depth + 1))
            return found
        if isinstance(expr, ast.Attribute) and expr.attr == "router":
            owners = self.routers_of(module, expr.value, scopes, environment, depth + 1)
            apps = [owner for owner in owners if isinstance(owner, str) and self.routers[owner].kind == "app"]
            if apps:
                return apps
        resolved = self.names.resolve_expr(module, expr, scopes)
        if resolved is None:
            return []
        if resolved.qualname in self.routers:
            return [resolved.qualname]
        binding = resolved.binding
        if binding is None:
            return []
        if binding.kind == "param" and isinstance(expr, ast.Name):
            for scope in reversed(scopes):
                if module.function_bindings(scope).get(expr.id) is binding and not isinstance(scope, ast.Lambda):
                    return [ParamSlot(id(scope), expr.id)]
            return []
        if binding.kind == "value" and binding.node is not None and binding.node is not expr:
            local = "<locals>" in binding.qualname
            return self.routers_of(resolved.module or module, binding.node, scopes if local else (), None, depth + 1)
        return []

    # -- edges and registrations -------------------------------------------------------------

    def _edges(self, site: Site) -> Iterator[Edge]:
        call = site.node
        assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
        kind = "mount" if call.func.attr == "mount" else "include"
        if call.func.attr == "generate_and_include_versioned_routers":
            children, prefix = [arg for arg in call.args if not isinstance(arg, ast.Starred)], None
        elif kind == "include":
            children, prefix = [call.args[0] if call.args else keyword(call, "router")], keyword(call, "prefix")
        else:
            children = [call.args[1] if len(call.args) > 1 else keyword(call, "app")]
            prefix = call.args[0] if call.args else keyword(call, "path")
        dependencies = keyword(call, "dependencies")
        used = set(target_names(call))
        for environment in loop_environments(site, used, self._elements):
            parents = self.routers_of(site.module, call.func.value, site.scopes, environment)
            if not parents:
                continue
            targets = [found for child in children if child is not None
                       for found in self.routers_of(site.module, child, site.scopes, environment)]
            if not targets and kind == "include" and dependencies is not None:
                self.opaque_includes.append(self._dependencies(site.module, dependencies, site.scopes))
            text = self.strings.value(site.module, prefix, site.scopes, environment) if prefix is not None else ""
            if kind == "mount":
                # Starlette drops a mount path's trailing slash: ``mount("/", app)`` adds nothing.
                text = text.rstrip("/")
            refs = self._dependencies(site.module, dependencies, site.scopes)
            for parent in parents:
                for target in targets:
                    yield Edge(parent, target, kind, text, refs, site.module, call)

    def _route(
        self, module: ModuleInfo, scopes: Scopes, kind: str, call: ast.Call, path: ast.expr | None
    ) -> tuple[tuple[str, ...], str, list[DependencyRef]]:
        if kind == "websocket" or kind == "add_api_websocket_route":
            methods: tuple[str, ...] = ("WEBSOCKET",)
        elif kind in HTTP_METHODS:
            methods = (kind.upper(),)
        else:
            listed = keyword(call, "methods")
            methods = tuple(
                item.value.upper() for item in getattr(listed, "elts", ())
                if isinstance(item, ast.Constant) and isinstance(item.value, str)
            ) or ("GET",)
        text = self.strings.value(module, path, scopes) if path is not None else ""
        return methods, text, self._dependencies(module, keyword(call, "dependencies"), scopes)

    def _decorated_routes(self, site: Site) -> Iterator[Registration]:
        function = site.node
        assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
        for decorator in function.decorator_list:
            if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
                continue
            if decorator.func.attr not in ROUTE_DECORATORS:
                continue
            routers = self.routers_of(site.module, decorator.func.value, site.scopes)
            if not routers:
                continue
            path = decorator.args[0] if decorator.args else keyword(decorator, "path")
            methods, text, refs = self._route(site.module, site.scopes, decorator.func.attr, decorator, path)
            for router in routers:
                yield Registration(router, site.module, function, methods, text, refs, decorator)

    def _imperative_routes(self, site: Site) -> Iterator[Registration]:
        call = site.node
        assert isinstance(call, ast.Call)
        if isinstance(call.func, ast.Call):
            decorator = call.func
            assert isinstance(decorator.func, ast.Attribute)
            handler = call.args[0] if call.args else None
            path = decorator.args[0] if decorator.args else keyword(decorator, "path")
            owner, kind, options = decorator.func.value, decorator.func.attr, decorator
        else:
            assert isinstance(call.func, ast.Attribute)
            handler = call.args[1] if len(call.args) > 1 else keyword(call, "endpoint")
            path = call.args[0] if call.args else keyword(call, "path")
            owner, kind, options = call.func.value, call.func.attr, call
        if handler is None:
            return
        function = self._function(site.module, handler, site.scopes)
        routers = self.routers_of(site.module, owner, site.scopes) if function is not None else []
        if function is None or not routers:
            return
        methods, text, refs = self._route(site.module, site.scopes, kind, options, path)
        for router in routers:
            yield Registration(router, function[0], function[1], methods, text, refs, call)
