"""Dependency slots: where a dependency is declared, and what ``AuthFacts`` are.

A slot is a parameter default (``user = Depends(get_user)``), an
``Annotated[T, Depends(...)]`` extra (also through type aliases), or an item of
a ``dependencies=[...]`` list. This module reads slots down to the callable they
name; classifying that callable (function, class, scheme, factory) is the job of
:class:`~fastapi_guard.project.dependencies.DependencyGraph`, which extends
:class:`DependencySlots`. Kept apart so that parsing declarations and resolving
callables can each be read on their own.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from fastapi_guard.project.fastapi_walk import (
    MAX_DEPTH, DependencyRef, Scopes, keyword, parameter_slots, returned_values, strip_generic,
)
from fastapi_guard.project.names import NameResolver, Resolved
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo

DEPENDS = frozenset({"fastapi.Depends", "fastapi.Security"})
ANNOTATED = frozenset({"typing.Annotated"})


@dataclass(frozen=True)
class AuthFacts:
    """What one dependency (or a set of them) contributes: auth, admin, and the names that gave it."""

    auth: bool = False
    admin: bool = False
    names: frozenset[str] = frozenset()

    def __or__(self, other: AuthFacts) -> AuthFacts:
        if not other.auth:
            return self
        if not self.auth:
            return other
        return AuthFacts(True, self.admin or other.admin, self.names | other.names)


NO_AUTH = AuthFacts()


class DependencySlots:
    """Reading dependency slots down to ``Depends`` targets; the base of ``DependencyGraph``."""

    names: NameResolver
    enclosing: Callable[[ast.AST], Scopes]

    def callable(self, module: ModuleInfo, expr: ast.expr, scopes: Scopes, depth: int = 0) -> AuthFacts:
        """What ``Depends(expr)`` contributes: implemented by ``DependencyGraph``."""
        raise NotImplementedError

    # -- resolution helpers --------------------------------------------------------------------

    def resolve(self, module: ModuleInfo, expr: ast.expr, scopes: Scopes) -> Resolved | None:
        return self.names.resolve_expr(module, strip_generic(expr), scopes)

    def binding_scopes(self, resolved: Resolved, scopes: Scopes) -> Scopes:
        """Scopes for reading a binding's value: a local binding lives in the current scopes."""
        binding = resolved.binding
        return scopes if binding is not None and "<locals>" in binding.qualname else ()

    def function_scopes(self, function: FunctionNode) -> Scopes:
        return (*self.enclosing(function), function)
    # -- dependency slots ----------------------------------------------------------------------

    def parameter_refs(self, module: ModuleInfo, function: FunctionNode) -> list[DependencyRef]:
        """The dependency slots of a function's parameters: defaults and ``Annotated`` extras."""
        scopes = self.enclosing(function)
        refs: list[DependencyRef] = []
        for argument, default in parameter_slots(function):
            annotation = argument.annotation
            annotated = self.annotated_refs(module, annotation, scopes, 0) if annotation is not None else None
            if annotated is not None:
                refs.extend(annotated)
            if default is not None:
                declared = annotation
                if annotated:
                    declared = annotated[0].annotation
                refs.append(DependencyRef(module, default, scopes, declared))
        return refs

    def annotated_refs(
        self, module: ModuleInfo, annotation: ast.expr, scopes: Scopes, depth: int
    ) -> list[DependencyRef] | None:
        """Refs of the extras of an ``Annotated[T, ...]`` annotation (through aliases); None when not Annotated."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value.strip(), mode="eval").body
            except SyntaxError:
                return None
        if isinstance(annotation, ast.Subscript):
            resolved = self.resolve(module, annotation.value, scopes)
            if resolved is None or resolved.qualname not in ANNOTATED:
                return None
            items = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
            declared = items[0] if items else None
            return [DependencyRef(module, item, scopes, declared) for item in items[1:]]
        if isinstance(annotation, (ast.Name, ast.Attribute)):
            resolved = self.resolve(module, annotation, scopes)
            binding = resolved.binding if resolved else None
            if resolved is None or resolved.module is None or binding is None or binding.kind != "value":
                return None
            if not isinstance(binding.node, (ast.Subscript, ast.Name, ast.Attribute, ast.Constant)):
                return None
            return self.annotated_refs(resolved.module, binding.node, self.binding_scopes(resolved, scopes), depth + 1)
        return None

    def slot(self, ref: DependencyRef, depth: int = 0) -> AuthFacts:
        """What a dependency slot contributes (``Depends(x)``, a constant holding one, a factory returning one)."""
        if depth > MAX_DEPTH:
            return NO_AUTH
        expr = ref.expr
        if isinstance(expr, ast.Call):
            resolved = self.resolve(ref.module, expr.func, ref.scopes)
            if resolved is None:
                return NO_AUTH
            if resolved.qualname in DEPENDS:
                target = expr.args[0] if expr.args else keyword(expr, "dependency")
                target = target if target is not None else ref.annotation
                if target is None or (isinstance(target, ast.Constant) and target.value is None):
                    return NO_AUTH
                return self.callable(ref.module, target, ref.scopes, depth + 1)
            binding = resolved.binding
            if binding is not None and binding.kind == "def" and resolved.module is not None:
                function = binding.node
                assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
                inner = self.function_scopes(function)
                result = NO_AUTH
                for value in returned_values(function):
                    if isinstance(value, ast.Call):
                        result |= self.slot(DependencyRef(resolved.module, value, inner, ref.annotation), depth + 1)
                return result
            return NO_AUTH
        if isinstance(expr, (ast.Name, ast.Attribute)):
            resolved = self.resolve(ref.module, expr, ref.scopes)
            binding = resolved.binding if resolved else None
            if resolved is None or resolved.module is None or binding is None or binding.kind != "value":
                return NO_AUTH
            if binding.node is None or binding.node is expr:
                return NO_AUTH
            scopes = self.binding_scopes(resolved, ref.scopes)
            return self.slot(DependencyRef(resolved.module, binding.node, scopes, ref.annotation), depth + 1)
        return NO_AUTH

    def slots(self, refs: list[DependencyRef]) -> AuthFacts:
        result = NO_AUTH
        for ref in refs:
            result |= self.slot(ref)
        return result
