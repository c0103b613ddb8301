"""What an endpoint runs and reads beyond its own body.

* The functions its dependencies run: every ``Depends(...)``/``Security(...)``
  slot of the handler, its decorator, its router, the include/mount chain above
  it and the app, followed through module constants, factories
  (``require_role("admin")`` runs what it returns), class-based dependencies
  (``__init__``/``__call__``, inherited ones too) and, transitively, the
  dependencies of those functions' own parameters.
* Whether a mount chain makes it admin-only beyond ``admin-dependencies``.

Everything is resolved through the name index; what cannot be resolved (a
library dependency, a dynamic value) is simply not listed. (How each handler
parameter is filled, from the body or injected, is the contracts facet's
business: ``project.schemas.contracts``.)
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from fastapi_guard.config import Config
from fastapi_guard.project.dependencies import DependencyGraph
from fastapi_guard.project.dependency_slots import DEPENDS
from fastapi_guard.project.fastapi_walk import (
    MAX_DEPTH, DependencyRef, Scopes, find_method, keyword, returned_values, strip_generic,
)
from fastapi_guard.project.guards import AdminGuards
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo

# A function or class a dependency slot runs (a class: its ``__init__``/``__call__`` are listed too).
Runnable = tuple[ModuleInfo, FunctionNode | ast.ClassDef]

ADMIN_WORDS = frozenset({"admin", "admins", "superuser", "superadmin", "sysadmin"})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def name_words(name: str) -> list[str]:
    """``verify_XHubSignature256`` -> ``["verify", "x", "hub", "signature"]``: lower-case words, digits dropped."""
    return [word.lower() for word in _WORD.findall(name) if not word.isdigit()]


def checks_admin(config: Config, node: FunctionNode | ast.ClassDef, named: bool = True) -> bool:
    """Whether running ``node`` means the caller is an admin: its name says so (``get_admin_user``,
    ``get_current_active_superuser``; not ``*optional*``), or its body exits unless the caller is one."""
    words = name_words(node.name)
    if named and "optional" not in words and ADMIN_WORDS.intersection(words):
        return True
    if isinstance(node, ast.ClassDef) or not node.body:
        return False
    guards = AdminGuards(config, {id(statement): node for statement in node.body}, node)
    return guards.guarded(node.body[-1])


class DependencyFunctions:
    """The functions and classes that dependency slots run, transitively."""

    def __init__(self, graph: DependencyGraph) -> None:
        self.graph = graph

    def reached(self, refs: Iterable[DependencyRef]) -> list[Runnable]:
        seen: dict[int, Runnable] = {}
        pending = list(refs)
        while pending:
            ref = pending.pop()
            for module, node in self.slot(ref, 0):
                if id(node) in seen:
                    continue
                seen[id(node)] = (module, node)
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    pending.extend(self.graph.parameter_refs(module, node))
        return list(seen.values())

    def slot(self, ref: DependencyRef, depth: int) -> list[Runnable]:
        """What one slot (``Depends(x)``, a constant holding one, a factory returning one) runs."""
        if depth > MAX_DEPTH:
            return []
        expr = ref.expr
        resolved = self.graph.resolve(ref.module, expr.func if isinstance(expr, ast.Call) else expr, ref.scopes)
        if resolved is None:
            return []
        binding = resolved.binding
        if isinstance(expr, ast.Call):
            if resolved.qualname in DEPENDS:
                target = expr.args[0] if expr.args else keyword(expr, "dependency")
                target = target if target is not None else ref.annotation
                if target is None or isinstance(target, ast.Constant):
                    return []
                return self.callable(ref.module, target, ref.scopes, depth + 1)
            if binding is not None and binding.kind == "def" and resolved.module is not None:
                assert isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef))
                inner = self.graph.function_scopes(binding.node)
                return [
                    found
                    for value in returned_values(binding.node) if isinstance(value, ast.Call)
                    for found in self.slot(DependencyRef(resolved.module, value, inner, ref.annotation), depth + 1)
                ]
            return []
        if resolved.module is None or binding is None or binding.kind != "value":
            return []
        if binding.node is None or binding.node is expr or not isinstance(binding.node, ast.expr):
            return []
        scopes = self.graph.binding_scopes(resolved, ref.scopes)
        return self.slot(DependencyRef(resolved.module, binding.node, scopes, ref.annotation), depth + 1)

    def callable(self, module: ModuleInfo, expr: ast.expr, scopes: Scopes, depth: int) -> list[Runnable]:
        """What ``Depends(expr)`` runs."""
        if depth > MAX_DEPTH:
            return []
        target = strip_generic(expr.func if isinstance(expr, ast.Call) else expr)
        resolved = self.graph.resolve(module, target, scopes)
        if resolved is None:
            return []
        binding = resolved.binding
        if binding is None:
            method = self.graph.method_of(module, target, scopes) if isinstance(target, ast.Attribute) else None
            if method is None:
                return []
            return self._factory(*method, depth) if isinstance(expr, ast.Call) else [method]
        owner = resolved.module or module
        if binding.kind == "class":
            assert isinstance(binding.node, ast.ClassDef)
            return self._class(owner, binding.node, depth)
        if binding.kind == "def":
            assert isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(expr, ast.Call):
                return self._factory(owner, binding.node, depth)
            return [(owner, binding.node)]
        if binding.kind == "value" and isinstance(binding.node, (ast.Call, ast.Name, ast.Attribute)):
            if binding.node is not expr:
                return self.callable(owner, binding.node, self.graph.binding_scopes(resolved, scopes), depth + 1)
        return []

    def _factory(self, module: ModuleInfo, function: FunctionNode, depth: int) -> list[Runnable]:
        """A factory called in the slot: itself (its name says what it checks) and what it returns."""
        found: list[Runnable] = [(module, function)]
        scopes = self.graph.function_scopes(function)
        for value in returned_values(function):
            if isinstance(value, ast.Call) and self.graph.is_depends(module, value, scopes):
                found.extend(self.slot(DependencyRef(module, value, scopes), depth + 1))
            else:
                found.extend(self.callable(module, value, scopes, depth + 1))
        return found

    def _class(self, module: ModuleInfo, cls: ast.ClassDef, depth: int) -> list[Runnable]:
        """A class used as a dependency: the class, its ``__init__``/``__call__`` and those of its project bases."""
        found: list[Runnable] = [(module, cls)]
        for name in ("__init__", "__call__"):
            method = find_method(cls, name)
            if method is not None:
                found.append((module, method))
        if depth <= MAX_DEPTH:
            for base in cls.bases:
                resolved = self.graph.resolve(module, base, self.graph.enclosing(cls))
                binding = resolved.binding if resolved else None
                if resolved is not None and binding is not None and binding.kind == "class":
                    assert isinstance(binding.node, ast.ClassDef)
                    found.extend(self._class(resolved.module or module, binding.node, depth + 1))
        return found
