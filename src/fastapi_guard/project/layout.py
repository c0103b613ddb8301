"""Where the seed guide's domain folders are: the routes package, its features, the app module.

A feature is a folder under the routes package (``routes/jobs``), directly or
nested (``routes/profile/experiences``); its depth is how far below the routes
package it sits (1 for a top-level feature, 2 and more for child features).
A feature's own ``schemas/`` or ``router/`` package, a test folder and a
private folder (``_shared/``) are not features: their files belong to the
feature around them (or to none).
The app module is the one creating the ``FastAPI()`` application.

``features`` (files, router), ``mounts`` (which routers an application
reaches) and ``tests`` (what the test suite imports and requests) are built
lazily in their own modules.
"""

from __future__ import annotations

import ast
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi_guard.project import root_package
from fastapi_guard.project.symbols import ModuleInfo

if TYPE_CHECKING:
    from fastapi_guard.project import Project
    from fastapi_guard.project.features import Feature, Mounts
    from fastapi_guard.project.pydantic import SchemaClass
    from fastapi_guard.project.testsuite import TestSuite

FASTAPI = "fastapi.FastAPI"
TEST_FOLDERS = frozenset({"test", "tests", "testing"})
# Folders below the routes package that are parts of a feature, not features.
FEATURE_PARTS = frozenset({"schemas", "router"})
SCHEMAS = "schemas"


def _dotted_entry(entry: str) -> str:
    """A ``shared-schemas`` entry as a dotted name (paths and ``.py`` files allowed)."""
    entry = entry.strip()
    if "/" in entry or entry.endswith(".py"):
        entry = entry.removesuffix(".py").strip("/").replace("/", ".")
    return entry


class Layout:
    def __init__(self, project: Project) -> None:
        self.project = project

    @cached_property
    def routes_package(self) -> str | None:
        """Dotted name of the routes package (``app.routes``), or None when the project has none.

        ``routes-package`` is a folder name found anywhere (``routes``) or a path
        from the project root (``app/routes``); the shallowest match wins.
        """
        wanted = self.project.config.routes_package.strip("/").replace("/", ".")
        wanted_parts = wanted.split(".")
        best: tuple[int, str] | None = None
        for name in self.project.modules:
            parts = name.split(".")
            for end in range(len(wanted_parts), len(parts)):
                if parts[end - len(wanted_parts):end] != wanted_parts:
                    continue
                if "/" in self.project.config.routes_package and end != len(wanted_parts):
                    continue
                candidate = (end, ".".join(parts[:end]))
                if best is None or candidate < best:
                    best = candidate
                break
        return best[1] if best else None

    def feature_parts(self, module_name: str) -> tuple[str, ...] | None:
        """Path of a module inside the routes package (``("profile", "experiences", "router")``)."""
        package = self.routes_package
        if package is None or not module_name.startswith(package + "."):
            return None
        return tuple(module_name[len(package) + 1:].split("."))

    def in_feature_schemas(self, module_name: str) -> bool:
        """``<routes>/**/schemas.py``, or a module of a feature's own ``schemas/`` package."""
        parts = self.feature_parts(module_name)
        if parts is None:
            return False
        return parts[-1] == SCHEMAS or (len(parts) >= 3 and parts[-2] == SCHEMAS)

    def is_shared_schema(self, schema: SchemaClass) -> bool:
        """Whether ``shared-schemas`` lists the class (by name or qualified name) or its module."""
        module = schema.module.name
        for entry in map(_dotted_entry, self.project.config.shared_schemas):
            if not entry:
                continue
            if "." not in entry and entry == schema.name:
                return True
            for name in (schema.qualname, module):
                # Suffixes, so that ``schemas.base.ORMModel`` matches ``app.schemas.base.ORMModel``.
                if name == entry or name.endswith("." + entry):
                    return True
        return False

    @cached_property
    def routes_folder(self) -> str | None:
        """The routes package as a path from the project root (``app/routes``), for messages."""
        package = self.routes_package
        if package is None:
            return None
        # A project root inside a package prefixes its module names with that package.
        outer = ".".join(root_package(self.project.root))
        if outer and package.startswith(outer + "."):
            package = package[len(outer) + 1:]
        return package.replace(".", "/")

    @cached_property
    def feature_folders(self) -> frozenset[str]:
        """Dotted names of the feature folders below the routes package, at any depth
        (not the ``schemas/``, ``router/``, test and ``_private`` folders)."""
        package = self.routes_package
        if package is None:
            return frozenset()
        folders: set[str] = set()
        for name, module in self.project.modules.items():
            parts = self.feature_parts(name)
            if parts is None:
                continue
            # A module file names its folder; a package (``__init__.py``) is a folder itself.
            depth = len(parts) if module.is_package else len(parts) - 1
            for end in range(1, depth + 1):
                if not _is_feature_name(parts[end - 1]):
                    break
                folders.add(".".join([package, *parts[:end]]))
        return frozenset(folders)

    @cached_property
    def features(self) -> dict[str, Feature]:
        """Every feature folder with its files and router, by dotted name."""
        from fastapi_guard.project.features import collect_features

        return collect_features(self.project, self)

    @cached_property
    def mounts(self) -> Mounts:
        from fastapi_guard.project.features import Mounts

        return Mounts(self.project)

    @cached_property
    def tests(self) -> TestSuite:
        from fastapi_guard.project.testsuite import TestSuite

        return TestSuite(self.project)

    def feature_of(self, module_name: str) -> str | None:
        """The innermost feature folder holding ``module_name`` (or that it names)."""
        name = module_name
        while name:
            if name in self.feature_folders:
                return name
            name = name.rpartition(".")[0]
        return None

    def feature_depth(self, module_name: str) -> int | None:
        """1 inside a top-level feature, 2+ inside a nested child feature, None outside the features."""
        feature = self.feature_of(module_name)
        if feature is None or self.routes_package is None:
            return None
        return feature.count(".") - self.routes_package.count(".")

    def relative_path(self, module: ModuleInfo) -> str:
        """The module's file relative to the project root, ``/``-separated."""
        path = Path(module.path)
        try:
            return path.relative_to(self.project.root).as_posix()
        except ValueError:
            return path.name

    @cached_property
    def app_module(self) -> ModuleInfo | None:
        """The module that creates the application: ``app-module`` when configured, else found.

        Found means: a module calling ``fastapi.FastAPI(...)`` (at module level or
        in an app factory). Among several, one outside the routes package and
        outside tests wins, then the one with the most ``include_router`` calls,
        then the shallowest, then by name.
        """
        configured = self.project.config.app_module
        if configured:
            return self._configured_app_module(configured)
        candidates = [module for module in self.project.modules.values() if self._creates_app(module)]
        if not candidates:
            return None
        return min(candidates, key=self._app_preference)

    def _configured_app_module(self, configured: str) -> ModuleInfo | None:
        dotted = configured.strip()
        if "/" in dotted or dotted.endswith(".py"):
            dotted = dotted.removesuffix(".py").strip("/").replace("/", ".").removesuffix(".__init__")
        return self.project.modules.get(dotted) or self.project.names.find_module(dotted)

    def _creates_app(self, module: ModuleInfo) -> bool:
        if not any("FastAPI" in line for line in module.lines):
            return False
        names = self.project.names
        return any(
            isinstance(node, ast.Call) and names.qualname(module, node.func, scopes) == FASTAPI
            for node, scopes in module.scoped_nodes
        )

    def _app_preference(self, module: ModuleInfo) -> tuple[bool, bool, int, int, str]:
        includes = sum(
            1 for node in ast.walk(module.tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "include_router"
        )
        under_routes = self.feature_parts(module.name) is not None
        return under_routes, is_test_module(module.name), -includes, module.name.count("."), module.name


def _is_feature_name(folder: str) -> bool:
    return folder not in FEATURE_PARTS and folder not in TEST_FOLDERS and not folder.startswith("_")


def is_test_module(module_name: str) -> bool:
    """A module of a test suite (``tests/...``, ``test_*.py``, ``*_test.py``, ``conftest.py``)."""
    parts = module_name.split(".")
    last = parts[-1]
    return (
        any(part in TEST_FOLDERS for part in parts)
        or last.startswith("test_") or last.endswith("_test") or last == "conftest"
    )
