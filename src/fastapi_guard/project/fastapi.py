"""The FastAPI facet of the Project index: endpoints, their mounted paths and their auth level.

Built once per project from the router graph (``routers.py``: apps, routers,
include/mount edges, route registrations) and the dependency graph
(``dependencies.py``: which dependencies authenticate). Authentication is
judged per mount chain: an endpoint is only as protected as its least
protected mounted path.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from fastapi_guard.project.dependencies import DependencyGraph
from fastapi_guard.project.dependency_slots import AuthFacts
from fastapi_guard.project.fastapi_walk import DependencyRef, Scopes
from fastapi_guard.project.pathglob import PathPatterns
from fastapi_guard.project.reach import DependencyFunctions, Runnable, checks_admin
from fastapi_guard.project.router_model import Chain, Edge, Level, Registration, Router
from fastapi_guard.project.routers import RouterGraph
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo

if TYPE_CHECKING:
    from fastapi_guard.project import Project

AuthLevel = Literal["public", "admin", "user", "missing"]
# Include graphs multiply paths; past this many chains per router the rest add nothing a reader needs.
MAX_CHAINS = 256


@dataclass(frozen=True, eq=False)
class MountedRoute:
    """One registration of a handler seen through one mount chain."""

    methods: tuple[str, ...]
    path: str
    route_path: str
    mounted: bool
    levels: Chain
    decorator_dependencies: tuple[DependencyRef, ...]
    auth: AuthFacts
    public_methods: frozenset[str]
    registration: Registration

    @property
    def public(self) -> bool:
        return all(method in self.public_methods for method in self.methods)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return [(method, self.path) for method in self.methods]


@dataclass(eq=False)
class Endpoint:
    """One handler function with all its (method, full path) pairs and its auth verdict."""

    module: ModuleInfo
    function: FunctionNode
    routes: list[MountedRoute]
    handler_dependencies: list[DependencyRef]
    auth_level: AuthLevel = "missing"
    auth_dependencies: frozenset[str] = field(default_factory=frozenset)

    @property
    def name(self) -> str:
        return self.function.name

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(method for route in self.routes for method in route.methods))

    @property
    def paths(self) -> list[str]:
        """Full paths: every prefix joined along every mount chain."""
        return list(dict.fromkeys(route.path for route in self.routes))

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return list(dict.fromkeys(pair for route in self.routes for pair in route.pairs))

    @property
    def mounted(self) -> bool:
        return any(route.mounted for route in self.routes)

    @property
    def unprotected(self) -> list[tuple[str, str]]:
        """(method, path) pairs reachable without authentication and not public by configuration."""
        return [
            (method, route.path)
            for route in self.routes if not route.auth.auth
            for method in route.methods if method not in route.public_methods
        ]

    @property
    def admin_on_every_path(self) -> bool:
        return bool(self.routes) and all(route.auth.admin for route in self.routes)


class FastAPIIndex:
    """Apps, routers, the mount tree, endpoints and the dependency graph of one project."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.graph = RouterGraph(project)
        self._handlers = {id(registration.function) for registration in self.graph.registrations}
        self.dependencies = DependencyGraph(project, self.graph.enclosing, self.is_endpoint_function)
        config = project.config
        self.public_paths = PathPatterns(config.all_public_paths)
        self._level_facts: dict[int, AuthFacts] = {}
        self._incoming: dict[str, list[Edge]] = {}
        for edge in self.graph.edges:
            assert isinstance(edge.child, str)
            self._incoming.setdefault(edge.child, []).append(edge)
        self._chains: dict[str, list[Chain]] = {}
        self._signature: dict[int, AuthFacts] = {}
        # A router we never see included may be one of those dynamic includes: give it their auth
        # rather than report every route of a plugin-style app.
        self._opaque = self.dependencies.slots([ref for refs in self.graph.opaque_includes for ref in refs])
        self._reach = DependencyFunctions(self.dependencies)
        self._reached: dict[tuple[int, int], list[Runnable]] = {}

    # -- routers ---------------------------------------------------------------------------------

    @property
    def routers(self) -> dict[str, Router]:
        return self.graph.routers

    @property
    def apps(self) -> list[Router]:
        return [router for router in self.graph.routers.values() if router.kind == "app"]

    def router_for(self, module: ModuleInfo, expr: ast.expr, scopes: Scopes = ()) -> Router | None:
        found = [ref for ref in self.graph.routers_of(module, expr, scopes) if isinstance(ref, str)]
        return self.graph.routers[found[0]] if found else None

    # -- mount chains ----------------------------------------------------------------------------

    def chains(self, qualname: str) -> list[Chain]:
        """Every mount chain from a root (an app, or a router nobody includes) down to ``qualname``."""
        return self._chains_of(qualname, frozenset())

    def _chains_of(self, qualname: str, visiting: frozenset[str]) -> list[Chain]:
        cached = self._chains.get(qualname)
        if cached is not None:
            return cached
        router = self.graph.routers[qualname]
        own = Level(router.kind, router.qualname, router.prefix, tuple(router.dependencies))
        chains: list[Chain] = []
        for edge in self._incoming.get(qualname, ()):
            assert isinstance(edge.parent, str)
            if edge.parent in visiting or edge.parent == qualname:
                continue
            step = Level(edge.kind, f"{edge.parent} -> {qualname}", edge.prefix, tuple(edge.dependencies))
            for above in self._chains_of(edge.parent, visiting | {qualname}):
                chains.append((*above, step, own))
            if len(chains) >= MAX_CHAINS:
                break
        if not chains:
            chains = [(own,)]
        if not visiting:
            self._chains[qualname] = chains
        return chains

    # -- endpoints -------------------------------------------------------------------------------

    def is_endpoint_function(self, function: FunctionNode) -> bool:
        return id(function) in self._handlers

    @cached_property
    def endpoints(self) -> list[Endpoint]:
        """Every endpoint, in file and line order."""
        grouped: dict[int, list[Registration]] = {}
        for registration in self.graph.registrations:
            grouped.setdefault(id(registration.function), []).append(registration)
        endpoints = [self._endpoint(registrations) for registrations in grouped.values()]
        endpoints.sort(key=lambda item: (item.module.path, item.function.lineno, item.function.col_offset))
        return endpoints

    @cached_property
    def _by_function(self) -> dict[int, Endpoint]:
        return {id(endpoint.function): endpoint for endpoint in self.endpoints}

    def endpoint_for(self, function: ast.AST) -> Endpoint | None:
        return self._by_function.get(id(function))

    def _endpoint(self, registrations: list[Registration]) -> Endpoint:
        first = registrations[0]
        module, function = first.module, first.function
        handler_refs = [*self.dependencies.parameter_refs(module, function), *self._class_view_refs(module, function)]
        handler = self.dependencies.slots(handler_refs) | self.dependencies.body_calls(module, function)
        routes: list[MountedRoute] = []
        for registration in registrations:
            decorator = self.dependencies.slots(registration.dependencies)
            for chain in self.chains(registration.router):
                facts = handler | decorator
                for level in chain:
                    facts |= self._level(level)
                if chain[0].kind != "app":
                    facts |= self._opaque
                path = "".join(level.prefix for level in chain) + registration.path
                public = frozenset(method for method in registration.methods if (method, path) in self.public_paths)
                routes.append(MountedRoute(
                    registration.methods, path, registration.path, chain[0].kind == "app", chain,
                    tuple(registration.dependencies), facts, public, registration,
                ))
        endpoint = Endpoint(module, function, routes, handler_refs)
        endpoint.auth_level = self._auth_level(endpoint)
        names: frozenset[str] = frozenset()
        for route in routes:
            names |= route.auth.names
        endpoint.auth_dependencies = names
        return endpoint

    @staticmethod
    def _auth_level(endpoint: Endpoint) -> AuthLevel:
        if endpoint.unprotected:
            return "missing"
        if all(route.public for route in endpoint.routes):
            return "public"
        if endpoint.admin_on_every_path:
            return "admin"
        return "user"

    def _level(self, level: Level) -> AuthFacts:
        key = id(level)
        facts = self._level_facts.get(key)
        if facts is None:
            facts = self.dependencies.slots(list(level.dependencies))
            self._level_facts[key] = facts
        return facts

    def _class_view_refs(self, module: ModuleInfo, function: FunctionNode) -> list[DependencyRef]:
        """``Depends`` class attributes of a fastapi-utils ``@cbv(router)`` class apply to each of its routes."""
        cls = self.graph.found.owner_class.get(id(function))
        if cls is None or not any(self._is_cbv(module, decorator, cls) for decorator in cls.decorator_list):
            return []
        scopes = self.graph.enclosing(cls)
        refs: list[DependencyRef] = []
        for statement in cls.body:
            if isinstance(statement, ast.AnnAssign) and statement.value is not None:
                refs.append(DependencyRef(module, statement.value, scopes, statement.annotation))
                refs.extend(self.dependencies.annotated_refs(module, statement.annotation, scopes, 0) or [])
            elif isinstance(statement, ast.Assign):
                refs.append(DependencyRef(module, statement.value, scopes))
        return refs

    def _is_cbv(self, module: ModuleInfo, decorator: ast.expr, cls: ast.ClassDef) -> bool:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        resolved = self.project.names.resolve_expr(module, target, self.graph.enclosing(cls))
        return resolved is not None and resolved.qualname.rsplit(".", 1)[-1] == "cbv"

    # -- questions other rules ask ------------------------------------------------------------

    def requires_admin(self, module: ModuleInfo, function: FunctionNode) -> bool:
        """True for an endpoint that is admin-only on every mounted path, or a function whose
        own parameters depend (transitively) on an admin dependency."""
        endpoint = self.endpoint_for(function)
        if endpoint is not None and endpoint.admin_on_every_path:
            return True
        return self.parameters_auth(module, function).admin

    def parameters_auth(self, module: ModuleInfo, function: FunctionNode) -> AuthFacts:
        """What a function's own parameters (``Depends``, ``Annotated`` aliases) contribute."""
        key = id(function)
        facts = self._signature.get(key)
        if facts is None:
            facts = self.dependencies.signature(module, function)
            self._signature[key] = facts
        return facts

    def dependency_functions(self, endpoint: Endpoint, route: MountedRoute | None = None) -> list[Runnable]:
        """Functions and classes the endpoint's dependencies run (handler, decorator, routers,
        includes, app), transitively: through one mount chain, or through all of them."""
        key = (id(endpoint.function), id(route) if route is not None else 0)
        found = self._reached.get(key)
        if found is None:
            refs = list(endpoint.handler_dependencies)
            for each in [route] if route is not None else endpoint.routes:
                refs.extend(each.decorator_dependencies)
                for level in each.levels:
                    refs.extend(level.dependencies)
            found = self._reached[key] = self._reach.reached(refs)
        return found

    def admin_checked(self, endpoint: Endpoint, route: MountedRoute) -> bool:
        """Admin-only through one mount chain: an ``admin-dependencies`` dependency, a dependency
        whose name says admin/superuser, or one (or the handler itself) that exits unless the
        caller is an admin (``if not user.is_superuser: raise ...``)."""
        if route.auth.admin:
            return True
        runnables: list[Runnable] = [(endpoint.module, endpoint.function), *self.dependency_functions(endpoint, route)]
        return any(checks_admin(self.project.config, node, named=node is not endpoint.function) for _, node in runnables)


__all__ = ["AuthFacts", "AuthLevel", "Endpoint", "FastAPIIndex", "MountedRoute"]
