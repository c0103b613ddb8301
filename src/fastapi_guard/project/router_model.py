"""The data model of the router graph: routers, mount edges, route registrations, chains.

Plain records shared by the graph builder (:mod:`routers`), the expansion of
router parameters (:mod:`router_params`) and the modules reading the graph
(``fastapi``, ``features``, ``contracts``, rules). They live apart from the
builder so that readers of the graph need not import its resolution logic.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from fastapi_guard.project.fastapi_walk import DependencyRef
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo

# How deep router expressions, element lists and helper call chains are followed.
MAX_DEPTH = 8


@dataclass(frozen=True)
class ParamSlot:
    """A router that is a parameter of a helper function, known only at its call sites."""

    function: int
    name: str


RouterRef = str | ParamSlot
# "app" or "router", and the dependencies an APIRouter subclass adds in ``__init__``.
RouterKind = tuple[str, list[DependencyRef]]


@dataclass(eq=False)
class Router:
    qualname: str
    kind: str  # "app" or "router"
    module: ModuleInfo
    node: ast.stmt
    prefix: str
    dependencies: list[DependencyRef]


@dataclass(eq=False)
class Edge:
    """``parent.include_router(child, ...)`` or ``parent.mount(prefix, child)``."""

    parent: RouterRef
    child: RouterRef
    kind: str
    prefix: str
    dependencies: list[DependencyRef]
    module: ModuleInfo
    node: ast.Call


@dataclass(eq=False)
class Registration:
    """One route registration of a handler: a decorator or an imperative call."""

    router: RouterRef
    module: ModuleInfo
    function: FunctionNode
    methods: tuple[str, ...]
    path: str
    dependencies: list[DependencyRef]
    node: ast.AST


@dataclass(frozen=True, eq=False)
class Level:
    """One step of a mount chain: an app/router itself, or the include/mount edge into it."""

    kind: str  # "app", "router", "include", "mount"
    name: str
    prefix: str
    dependencies: tuple[DependencyRef, ...]


Chain = tuple[Level, ...]
