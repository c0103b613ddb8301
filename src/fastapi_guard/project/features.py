"""Feature folders of the routes package: their files, their router, and how it is mounted.

A feature is a folder below the routes package (see ``Layout.feature_folders``).
Its own modules are the files directly in it, plus those of its ``router/`` or
``schemas/`` package; a nested folder is a child feature with modules of its
own. Its router is the ``APIRouter`` its ``router.py`` creates (the one bound to
``router`` when there are several).

Mount facts answer "can a request reach this router?": a router is registered
when a mount chain from an application (not one that a test module builds)
reaches it. Include calls that cannot be read statically (a router taken from a
loop over a parameter, ``importlib``, plugins) may include any router, so they
are recorded too, and rules give those routers the benefit of the doubt.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi_guard.project.fastapi_walk import Scopes, Site
from fastapi_guard.project.layout import is_test_module
from fastapi_guard.project.router_model import Chain, Edge, Router
from fastapi_guard.project.symbols import Binding, ModuleInfo

if TYPE_CHECKING:
    from fastapi_guard.project import Project
    from fastapi_guard.project.layout import Layout

ROUTER = "router"
SCHEMAS = "schemas"
# Include/mount calls and their child routers are followed this many wrapping expressions deep.
MAX_DEPTH = 8
# Calls that load a module by name: what they return may hold any router of the project.
MODULE_LOADERS = frozenset({
    "importlib.import_module", "importlib.util.module_from_spec", "werkzeug.utils.import_string",
})


@dataclass(eq=False)
class Feature:
    """One folder below the routes package."""

    name: str
    depth: int
    folder: Path
    relative: str
    modules: tuple[ModuleInfo, ...]
    package: ModuleInfo | None
    router_module: ModuleInfo | None
    schemas_modules: tuple[ModuleInfo, ...]
    routers: tuple[Router, ...]
    router: Router | None

    @property
    def basename(self) -> str:
        return self.name.rpartition(".")[2]

    @property
    def parent(self) -> str | None:
        """The enclosing feature of a child feature."""
        return self.name.rpartition(".")[0] if self.depth > 1 else None

    @property
    def router_in_router_module(self) -> bool:
        return self.router is not None and self.router.module is self.router_module

    @cached_property
    def module_names(self) -> frozenset[str]:
        return frozenset(module.name for module in self.modules)

    def owns(self, module_name: str) -> bool:
        return module_name in self.module_names


def collect_features(project: Project, layout: Layout) -> dict[str, Feature]:
    """Every feature folder of the project, by dotted name, in name order."""
    package = layout.routes_package
    if package is None:
        return {}
    owned: dict[str, list[ModuleInfo]] = {name: [] for name in layout.feature_folders}
    for module in project.modules.values():
        feature = layout.feature_of(module.name)
        if feature is not None:
            owned[feature].append(module)
    routers_by_module: dict[str, list[Router]] = {}
    for router in project.fastapi.routers.values():
        if router.kind == "router":
            routers_by_module.setdefault(router.module.name, []).append(router)
    features: dict[str, Feature] = {}
    for name in sorted(owned):
        modules = tuple(sorted(owned[name], key=lambda module: module.name))
        package_module = next((module for module in modules if module.name == name), None)
        router_module = next((module for module in modules if module.name == f"{name}.{ROUTER}"), None)
        schemas = tuple(module for module in modules if _is_schemas_module(name, module.name))
        routers = tuple(router for module in modules for router in routers_by_module.get(module.name, ()))
        folder = _folder(project, name, modules)
        features[name] = Feature(
            name=name,
            depth=name.count(".") - package.count("."),
            folder=folder,
            relative=_relative(project, folder, name),
            modules=modules,
            package=package_module,
            router_module=router_module,
            schemas_modules=schemas,
            routers=routers,
            router=_feature_router(routers, router_module, package_module),
        )
    return features


def _is_schemas_module(feature: str, module_name: str) -> bool:
    """``<feature>/schemas.py`` or a module of ``<feature>/schemas/``."""
    rest = module_name[len(feature) + 1:].split(".") if module_name.startswith(feature + ".") else []
    return bool(rest) and rest[0] == SCHEMAS


def _folder(project: Project, name: str, modules: tuple[ModuleInfo, ...]) -> Path:
    """The folder on disk: from one of its files when it has any, else from the module name."""
    for module in modules:
        path = Path(module.path)
        depth = module.name.count(".") - name.count(".")
        # ``name/__init__.py`` and ``name/x.py`` sit in the folder; ``name/router/__init__.py`` one deeper.
        levels = depth + (1 if module.is_package else 0)
        for _ in range(levels):
            path = path.parent
        return path
    return project.root.joinpath(*name.split("."))


def _relative(project: Project, folder: Path, name: str) -> str:
    try:
        return folder.relative_to(project.root).as_posix()
    except ValueError:
        return name.replace(".", "/")


def _feature_router(
    routers: tuple[Router, ...], router_module: ModuleInfo | None, package: ModuleInfo | None
) -> Router | None:
    """The router of ``router.py``; else of the package ``__init__.py``; else of any own module.

    Within each place a router bound to ``router`` wins, then a router that is alone there.
    """
    places = [
        [router for router in routers if router.module is router_module],
        [router for router in routers if router.module is package],
        list(routers),
    ]
    for candidates in places:
        named = [router for router in candidates if router.qualname.rpartition(".")[2] == ROUTER]
        if len(named) == 1:
            return named[0]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            return None
    return None


class Mounts:
    """Which routers an application reaches, and which include calls cannot be read."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.fastapi = project.fastapi

    def creating_call(self, router: Router) -> ast.Call | None:
        """The ``APIRouter(...)`` call of a router's assignment (also when a helper call wraps it)."""
        by_call = self.fastapi.graph.by_call
        value = getattr(router.node, "value", None)
        pending: list[ast.expr] = [value] if isinstance(value, ast.expr) else []
        while pending:
            node = pending.pop()
            if isinstance(node, ast.Call):
                if by_call.get(id(node)) == router.qualname:
                    return node
                pending.extend([*node.args, *(item.value for item in node.keywords)])
        return None

    @cached_property
    def has_app(self) -> bool:
        """Whether the project creates an application outside its tests."""
        return any(not is_test_module(app.module.name) for app in self.fastapi.apps)

    def app_chains(self, qualname: str) -> list[Chain]:
        """Mount chains from an application (outside the tests) down to the router."""
        routers = self.fastapi.routers
        return [
            chain for chain in self.fastapi.chains(qualname)
            if chain[0].kind == "app" and not is_test_module(routers[chain[0].name].module.name)
        ]

    def registered(self, qualname: str) -> bool:
        """Reached from an application, or possibly so through an include that cannot be read."""
        if self.opaque_everything:
            return True
        roots = {chain[0].name for chain in self.fastapi.chains(qualname)}
        return bool(self.app_chains(qualname)) or bool(roots & self.opaque_children)

    def mounted_prefixes(self, qualname: str) -> list[str]:
        """The full prefixes the router is served under: every app chain's prefixes joined."""
        return list(dict.fromkeys("".join(level.prefix for level in chain) for chain in self.app_chains(qualname)))

    def addresses(self, router: Router) -> list[str]:
        """The paths a request reaches this router by: its full mounted prefixes and its own prefix.

        A router without a prefix of its own is addressed by its routes' paths
        instead (mounted and bare): the mount prefix alone (``/api/v1``) is shared
        with every other router.
        """
        if router.prefix:
            return list(dict.fromkeys([*self.mounted_prefixes(router.qualname), router.prefix]))
        paths = [registration.path for registration in self.fastapi.graph.registrations
                 if registration.router == router.qualname and registration.path.strip("/")]
        mounted = self.mounted_prefixes(router.qualname)
        return list(dict.fromkeys([*(prefix + path for prefix in mounted for path in paths), *paths]))

    def includes_into(self, parents: set[str], child: str, modules: tuple[ModuleInfo, ...]) -> list[Edge]:
        """``include_router`` edges from one of ``parents`` to ``child`` made in one of ``modules``."""
        return [
            edge for edge in self.fastapi.graph.edges
            if edge.kind == "include" and edge.child == child and edge.parent in parents
            and any(edge.module is module for module in modules)
        ]

    def unread_includes(self, modules: tuple[ModuleInfo, ...]) -> bool:
        """Whether one of ``modules`` has an include call whose router could not be read."""
        return any(any(site.module is module for module in modules) for site, _ in self._unread)

    @cached_property
    def opaque_everything(self) -> bool:
        """An unreadable include that may name any router of the project (outside the tests)."""
        return any(children is None and not is_test_module(site.module.name) for site, children in self._unread)

    @cached_property
    def opaque_children(self) -> frozenset[str]:
        """Routers included by a call whose receiver could not be read (a parameter never bound)."""
        return frozenset(
            child for site, children in self._unread
            if children is not None and not is_test_module(site.module.name)
            for child in children
        )

    @cached_property
    def _unread(self) -> list[tuple[Site, frozenset[str] | None]]:
        """Include calls that produced no edge, with the routers they name (None: unknown)."""
        graph = self.fastapi.graph
        read = {id(edge.node) for edge in graph.edges}
        unread: list[tuple[Site, frozenset[str] | None]] = []
        for site in graph.found.edge_calls:
            call = site.node
            assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            if id(call) in read or call.func.attr == "mount":
                continue
            arguments = list(call.args) if call.func.attr != "include_router" else call.args[:1]
            arguments += [item.value for item in call.keywords if item.arg == "router"]
            named: set[str] = set()
            unknown = False
            for argument in arguments:
                found = [ref for ref in graph.routers_of(site.module, argument, site.scopes) if isinstance(ref, str)]
                named.update(found)
                if not found and not self._external(site.module, argument, site.scopes):
                    unknown = True
            unread.append((site, None if unknown else frozenset(named)))
        return unread

    def _external(self, module: ModuleInfo, expr: ast.expr, scopes: Scopes, depth: int = 0) -> bool:
        """An object of another package (``fastapi_users.get_auth_router(...)``): never a project router.

        A module loaded by name (``importlib.import_module(...).router``) is the opposite: any router.
        """
        chain = _chain(expr)
        head = chain[-1] if chain and isinstance(chain[-1], ast.Name) else None
        if head is None or depth > MAX_DEPTH or any(
            isinstance(node, ast.Call) and self.project.names.qualname(module, node.func, scopes) in MODULE_LOADERS
            for node in chain
        ):
            return False
        resolved = self.project.names.resolve_name(module, head.id, scopes)
        binding = resolved.binding
        if resolved.module is None:
            return any(bound.kind == "import" for bound in _bindings_named(module, head.id, scopes))
        if binding is not None and binding.kind == "value" and isinstance(binding.node, ast.Call):
            local = "<locals>" in binding.qualname
            return self._external(resolved.module, binding.node, scopes if local else (), depth + 1)
        return False


def _chain(expr: ast.expr) -> list[ast.expr]:
    """An attribute chain, subscript or call and what it is built on, down to the name it starts from."""
    chain = [expr]
    while len(chain) < MAX_DEPTH * 4:
        if isinstance(expr, (ast.Attribute, ast.Subscript, ast.Starred)):
            expr = expr.value
        elif isinstance(expr, ast.Call):
            expr = expr.func
        else:
            break
        chain.append(expr)
    return chain


def _bindings_named(module: ModuleInfo, name: str, scopes: Scopes) -> Iterator[Binding]:
    for scope in reversed(scopes):
        binding = module.function_bindings(scope).get(name)
        if binding is not None:
            yield binding
            return
    binding = module.bindings.get(name)
    if binding is not None:
        yield binding
