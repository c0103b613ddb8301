"""What the project's test suite touches: the project modules it imports and the URL paths it requests.

Test modules are those of ``is_test_module`` (``tests/``, ``test_*.py``,
``*_test.py``, ``conftest.py``). A request is a call of a test client method
(``client.get(url)``, ``.post``, ... ``.websocket_connect``, or
``client.request(method, url)``) on any object: a fixture parameter has no
type to resolve, and a look-alike call (``dict.get("key")``) does not give a
URL path. The URL is read as far as it can be statically (literals, f-strings,
constants); a part that cannot be read matches any one path segment, and a URL
that starts with one (``f"{base}/jobs"``) may start anywhere in a path.

Tests also reach URLs through helpers of their own (``api_get(client,
"/jobs")``, a ``parametrize`` list of paths), so any string literal of a test
module that looks like a URL path (``/`` and no white space) counts as
requested too.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cached_property
from typing import TYPE_CHECKING

from fastapi_guard.project.layout import is_test_module
from fastapi_guard.project.pathglob import StringEvaluator, split_path
from fastapi_guard.project.symbols import ModuleInfo, ScopeNode, absolute_module

if TYPE_CHECKING:
    from fastapi_guard.project import Project

URL_FIRST = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "websocket_connect"})
URL_SECOND = frozenset({"request", "stream"})
SCHEME_AND_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]*", re.IGNORECASE)
URL_PATH = re.compile(r"^/[^\s]*$")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class RequestedPath:
    """The segments of a requested URL path; ``floating``: an unknown base came before them."""

    segments: tuple[str, ...]
    floating: bool

    def under(self, prefix: str) -> bool:
        """Whether this request may address ``prefix`` or a path below it."""
        wanted = split_path(prefix)
        if not wanted:
            return False
        starts = range(len(wanted)) if self.floating else range(1)
        for start in starts:
            tail = wanted[start:]
            if len(self.segments) >= len(tail) and all(map(_segment_matches, self.segments, tail)):
                return True
        return False


@dataclass(frozen=True)
class TestModule:
    __test__ = False  # not a pytest test class

    module: ModuleInfo
    # Project modules it imports, and the modules defining the objects it imports.
    imported: frozenset[str]
    requested: tuple[RequestedPath, ...]


class TestSuite:
    __test__ = False  # not a pytest test class

    def __init__(self, project: Project) -> None:
        self.project = project
        self.names = project.names
        self.strings = StringEvaluator(project)

    @cached_property
    def modules(self) -> list[TestModule]:
        return [self._facts(module) for name, module in sorted(self.project.modules.items()) if is_test_module(name)]

    def imports_from(self, package: str) -> bool:
        """Whether a test module imports ``package`` or something defined in or below it."""
        below = package + "."
        return any(name == package or name.startswith(below) for test in self.modules for name in test.imported)

    def requests_under(self, prefix: str) -> bool:
        return any(path.under(prefix) for test in self.modules for path in test.requested)

    def _facts(self, module: ModuleInfo) -> TestModule:
        imported: set[str] = set()
        requested: list[RequestedPath] = []
        for node, scopes in module.scoped_nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imported.update(self._imported(module, node))
            elif isinstance(node, ast.Call):
                path = self._requested(module, node, scopes)
                if path is not None:
                    requested.append(path)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and URL_PATH.match(node.value):
                requested.append(RequestedPath(split_path(_path_only(node.value)), floating=False))
        return TestModule(module, frozenset(imported), tuple(requested))

    def _imported(self, module: ModuleInfo, node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            found = [self.names.find_module(alias.name, module.name) for alias in node.names]
            return [target.name for target in found if target is not None]
        source_name = absolute_module(module.name, module.is_package, node.level, node.module)
        if not source_name:
            return []
        source = self.names.find_module(source_name, module.name)
        names = [source.name] if source is not None else []
        for alias in node.names:
            if alias.name == "*":
                continue
            if source is not None:
                resolved = self.names.resolve_name(source, alias.name)
                target = resolved.module
            else:  # a submodule of a folder without ``__init__.py``
                target = self.names.find_module(f"{source_name}.{alias.name}", module.name)
            if target is not None:
                names.append(target.name)
        return names

    def _requested(self, module: ModuleInfo, call: ast.Call, scopes: tuple[ScopeNode, ...]) -> RequestedPath | None:
        if not isinstance(call.func, ast.Attribute):
            return None
        method = call.func.attr
        position = 0 if method in URL_FIRST else 1 if method in URL_SECOND else None
        if position is None:
            return None
        url = call.args[position] if len(call.args) > position else None
        url = url if url is not None else next((item.value for item in call.keywords if item.arg == "url"), None)
        if url is None or isinstance(url, ast.Starred):
            return None
        text = _path_only(PLACEHOLDER.sub("{}", SCHEME_AND_HOST.sub("", self.strings.value(module, url, scopes))))
        if text.startswith("/"):
            return RequestedPath(split_path(text), floating=False)
        if text.startswith("{}"):
            return RequestedPath(split_path(text)[1:], floating=True)
        return None


def _path_only(url: str) -> str:
    return url.partition("?")[0].partition("#")[0]


def _segment_matches(requested: str, wanted: str) -> bool:
    """Segments match when equal; a placeholder (``{}`` or ``{project_id}``) on either side matches anything."""
    if "{" not in requested and "{" not in wanted:
        return requested == wanted
    return fnmatchcase(wanted, PLACEHOLDER.sub("*", requested)) or fnmatchcase(requested, PLACEHOLDER.sub("*", wanted))
