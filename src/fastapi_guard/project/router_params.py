"""Router parameters: instantiating edge and route templates at every call site of a helper.

A router passed to a helper (``def init_views(app): app.include_router(...)``)
is a :class:`~fastapi_guard.project.router_model.ParamSlot`; the edges and
registrations found inside the helper are templates. Once the whole graph has
been collected, each slot is expanded to the routers passed at the helper's
call sites (recursively, through helpers calling helpers) and every template is
instantiated once per concrete router.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

from fastapi_guard.project.fastapi_walk import Collected, Scopes, argument_for
from fastapi_guard.project.router_model import MAX_DEPTH, Edge, ParamSlot, Registration, RouterRef
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo

# ``RouterGraph._function``: the project function an expression names.
FunctionLookup = Callable[[ModuleInfo, ast.expr, Scopes], tuple[ModuleInfo, FunctionNode] | None]
# ``RouterGraph.routers_of``: the routers (or router parameters) an expression denotes.
RoutersOf = Callable[[ModuleInfo, ast.expr, Scopes], list[RouterRef]]


class RouterParameters:
    """Expands router parameters to concrete routers, memoised per slot."""

    def __init__(self, found: Collected, function: FunctionLookup, routers_of: RoutersOf) -> None:
        self.found = found
        self._function = function
        self.routers_of = routers_of
        self._expanded: dict[ParamSlot, list[str]] = {}

    def expand(self, ref: RouterRef, depth: int = 0) -> list[str]:
        if isinstance(ref, str):
            return [ref]
        if ref in self._expanded:
            return self._expanded[ref]
        self._expanded[ref] = []
        function = self.found.functions[ref.function][1]
        result: list[str] = []
        if depth <= MAX_DEPTH:
            for site in self.found.calls_by_name.get(function.name, ()):
                call = site.node
                assert isinstance(call, ast.Call)
                target = self._function(site.module, call.func, site.scopes)
                if target is None or target[1] is not function:
                    continue
                argument = argument_for(function, call, ast.Name(ref.name))
                if argument is None:
                    continue
                for found in self.routers_of(site.module, argument, site.scopes):
                    result.extend(name for name in self.expand(found, depth + 1) if name not in result)
        self._expanded[ref] = result
        return result

    def instantiate_edge(self, edge: Edge) -> Iterator[Edge]:
        for parent in self.expand(edge.parent):
            for child in self.expand(edge.child):
                if parent != child:
                    yield Edge(parent, child, edge.kind, edge.prefix, edge.dependencies, edge.module, edge.node)

    def instantiate_route(self, registration: Registration) -> Iterator[Registration]:
        for router in self.expand(registration.router):
            yield Registration(router, registration.module, registration.function, registration.methods,
                               registration.path, registration.dependencies, registration.node)
