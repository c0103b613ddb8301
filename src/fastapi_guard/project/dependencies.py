"""The FastAPI dependency graph and which of its nodes authenticate.

A dependency authenticates when its resolved function name is listed in
``auth-dependencies`` (and it is not itself an endpoint), when it reaches such
a dependency through its own parameters, or when it is a ``fastapi.security``
scheme that rejects anonymous requests. Optional authentication never counts:
a scheme created with ``auto_error=False``, a factory called with
``required=False``/``optional=True``, a dependency whose name says
``optional``. Everything is resolved through the project's name index and
memoised per definition; cycles resolve to "not authenticating".

This module resolves the callables a dependency names (functions, classes,
schemes, factories, methods); reading the slots that declare them and the
``AuthFacts`` value type live in :mod:`dependency_slots`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi_guard.project.dependency_slots import DEPENDS, NO_AUTH, AuthFacts, DependencySlots
from fastapi_guard.project.fastapi_walk import (
    MAX_DEPTH, DependencyRef, Scopes, find_method, keyword, own_nodes, returned_values, strip_generic,
)
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo

if TYPE_CHECKING:
    from fastapi_guard.project import Project


SECURITY_SCHEMES = frozenset(
    f"fastapi.security.{name}"
    for name in (
        "OAuth2", "OAuth2PasswordBearer", "OAuth2AuthorizationCodeBearer", "OpenIdConnect",
        "HTTPBase", "HTTPBearer", "HTTPBasic", "HTTPDigest",
        "APIKeyBase", "APIKeyHeader", "APIKeyQuery", "APIKeyCookie", "SecurityBase",
    )
)
# ``FastAPIUsers(...).current_user(...)`` and fief's ``FiefAuth(...).current_user()``
# build the dependency; these libraries are the only owners we trust by name.
USER_FACTORY_OWNERS = ("fastapi_users.", "fief_client.")
USER_FACTORY_METHODS = frozenset({"current_user", "current_user_token", "authenticated"})
# Keyword values that turn a scheme or factory into optional authentication.
OPTIONAL_KEYWORDS = (("auto_error", False), ("required", False), ("optional", True))


def is_optional_call(call: ast.Call) -> bool:
    for name, value in OPTIONAL_KEYWORDS:
        given = keyword(call, name)
        if isinstance(given, ast.Constant) and given.value is value:
            return True
    return False


class DependencyGraph(DependencySlots):
    """Auth classification of dependency expressions, functions and classes of one project."""

    def __init__(
        self,
        project: Project,
        enclosing: Callable[[ast.AST], Scopes],
        is_endpoint: Callable[[FunctionNode], bool],
    ) -> None:
        self.names = project.names
        self.enclosing = enclosing
        self.is_endpoint = is_endpoint
        self.admin_names = frozenset(project.config.admin_dependencies)
        self.auth_names = frozenset(project.config.auth_dependencies) | self.admin_names
        self._cache: dict[tuple[str, int], AuthFacts] = {}
        self._active: set[tuple[str, int]] = set()

    # -- helpers -----------------------------------------------------------------------------

    def _memo(self, tag: str, node: ast.AST, compute: Callable[[], AuthFacts]) -> AuthFacts:
        key = (tag, id(node))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if key in self._active:
            return NO_AUTH
        self._active.add(key)
        try:
            result = compute()
        finally:
            self._active.discard(key)
        self._cache[key] = result
        return result

    def by_name(self, name: str) -> AuthFacts | None:
        """The verdict a name alone gives: auth/admin when configured, no auth when it says optional."""
        if "optional" in name.lower():
            return NO_AUTH
        if name in self.admin_names:
            return AuthFacts(True, True, frozenset({name}))
        if name in self.auth_names:
            return AuthFacts(True, False, frozenset({name}))
        return None

    # -- dependency callables ------------------------------------------------------------------

    def callable(self, module: ModuleInfo, expr: ast.expr, scopes: Scopes, depth: int = 0) -> AuthFacts:
        """What ``Depends(expr)`` contributes."""
        if depth > MAX_DEPTH:
            return NO_AUTH
        if isinstance(expr, ast.Call):
            return self.call(module, expr, scopes, depth)
        resolved = self.resolve(module, expr, scopes)
        if resolved is None:
            return NO_AUTH
        binding = resolved.binding
        if binding is None:
            if resolved.module is None:
                return self._external(resolved.qualname)
            return self._member(module, strip_generic(expr), scopes, depth)
        target_module = resolved.module or module
        if binding.kind == "def":
            assert isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef))
            return self.function(target_module, binding.node)
        if binding.kind == "class":
            assert isinstance(binding.node, ast.ClassDef)
            return self.klass(target_module, binding.node)
        aliased = isinstance(binding.node, (ast.Call, ast.Name, ast.Attribute)) and binding.node is not expr
        if binding.kind == "value" and aliased:
            return self.callable(target_module, binding.node, self.binding_scopes(resolved, scopes), depth + 1)
        return NO_AUTH

    def _external(self, qualname: str) -> AuthFacts:
        name = qualname.rsplit(".", 1)[-1]
        if qualname in SECURITY_SCHEMES:
            return AuthFacts(True, False, frozenset({name}))
        return self.by_name(name) or NO_AUTH

    def _member(self, module: ModuleInfo, expr: ast.expr, scopes: Scopes, depth: int) -> AuthFacts:
        """``obj.method`` where ``obj`` is a project object: the method of its class, else the name."""
        if not isinstance(expr, ast.Attribute):
            return NO_AUTH
        method = self.method_of(module, expr, scopes)
        if method is not None:
            return self.function(*method)
        return self.by_name(expr.attr) or NO_AUTH

    def _owner_class(
        self, module: ModuleInfo, owner: ast.expr, scopes: Scopes
    ) -> tuple[str, ModuleInfo | None, ast.ClassDef | None] | None:
        """The class of ``owner`` when it is a class or an instance created by a visible call."""
        resolved = self.resolve(module, owner, scopes)
        binding = resolved.binding if resolved else None
        if resolved is None or binding is None:
            return None
        if binding.kind == "class":
            assert isinstance(binding.node, ast.ClassDef)
            return resolved.qualname, resolved.module, binding.node
        if binding.kind == "value" and isinstance(binding.node, ast.Call) and resolved.module is not None:
            created = self.resolve(resolved.module, binding.node.func, self.binding_scopes(resolved, scopes))
            if created is None:
                return None
            created_binding = created.binding
            if created_binding is not None and created_binding.kind == "class":
                assert isinstance(created_binding.node, ast.ClassDef)
                return created.qualname, created.module, created_binding.node
            if created.module is None:
                return created.qualname, None, None
        return None

    def method_of(
        self, module: ModuleInfo, expr: ast.Attribute, scopes: Scopes
    ) -> tuple[ModuleInfo, FunctionNode] | None:
        owner = self._owner_class(module, expr.value, scopes)
        if owner is None or owner[1] is None or owner[2] is None:
            return None
        method = find_method(owner[2], expr.attr)
        return (owner[1], method) if method is not None else None

    def call(self, module: ModuleInfo, call: ast.Call, scopes: Scopes, depth: int = 0) -> AuthFacts:
        """What ``Depends(factory(...))`` or ``Depends(Scheme(...))`` contributes."""

        def compute() -> AuthFacts:
            if is_optional_call(call):
                return NO_AUTH
            func = strip_generic(call.func)
            resolved = self.resolve(module, func, scopes)
            if resolved is None:
                return NO_AUTH
            binding = resolved.binding
            if binding is None and resolved.module is None:
                return self._external(resolved.qualname)
            if binding is None:
                return self._member_call(module, func, scopes)
            target_module = resolved.module or module
            if binding.kind == "class":
                assert isinstance(binding.node, ast.ClassDef)
                return self.klass(target_module, binding.node)
            if binding.kind == "def":
                assert isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef))
                return self.factory(target_module, binding.node, depth)
            return NO_AUTH

        return self._memo("call", call, compute)

    def _member_call(self, module: ModuleInfo, func: ast.expr, scopes: Scopes) -> AuthFacts:
        if not isinstance(func, ast.Attribute):
            return NO_AUTH
        owner = self._owner_class(module, func.value, scopes)
        if owner is not None and owner[1] is None:
            if owner[0].startswith(USER_FACTORY_OWNERS) and func.attr in USER_FACTORY_METHODS:
                return AuthFacts(True, False, frozenset({func.attr}))
        method = self.method_of(module, func, scopes)
        if method is not None:
            return self.factory(*method)
        return self.by_name(func.attr) or NO_AUTH

    def factory(self, module: ModuleInfo, function: FunctionNode, depth: int = 0) -> AuthFacts:
        """A function called to build the dependency: its name, else what it returns."""

        def compute() -> AuthFacts:
            named = None if self.is_endpoint(function) else self.by_name(function.name)
            if named is not None:
                return named
            scopes = self.function_scopes(function)
            result = NO_AUTH
            for value in returned_values(function):
                if isinstance(value, ast.Call) and self.is_depends(module, value, scopes):
                    result |= self.slot(DependencyRef(module, value, scopes), depth + 1)
                else:
                    result |= self.callable(module, value, scopes, depth + 1)
            return result

        return self._memo("factory", function, compute)

    def is_depends(self, module: ModuleInfo, call: ast.Call, scopes: Scopes) -> bool:
        resolved = self.resolve(module, call.func, scopes)
        return resolved is not None and resolved.qualname in DEPENDS

    def function(self, module: ModuleInfo, function: FunctionNode) -> AuthFacts:
        """A function used as a dependency: its name, its parameters, auth calls in its body."""

        def compute() -> AuthFacts:
            named = None if self.is_endpoint(function) else self.by_name(function.name)
            if named is not None:
                return named
            return self.signature(module, function) | self.body_calls(module, function)

        return self._memo("function", function, compute)

    def signature(self, module: ModuleInfo, function: FunctionNode) -> AuthFacts:
        return self.slots(self.parameter_refs(module, function))

    def klass(self, module: ModuleInfo, cls: ast.ClassDef) -> AuthFacts:
        """A class used as a dependency: a security scheme subclass, or ``__init__``/``__call__`` reaching auth."""

        def compute() -> AuthFacts:
            named = self.by_name(cls.name)
            if named is not None:
                return named
            result = NO_AUTH
            scopes = self.enclosing(cls)
            for base in cls.bases:
                resolved = self.resolve(module, base, scopes)
                if resolved is None:
                    continue
                if resolved.qualname in SECURITY_SCHEMES:
                    result |= AuthFacts(True, False, frozenset({cls.name}))
                elif resolved.binding is not None and resolved.binding.kind == "class":
                    assert isinstance(resolved.binding.node, ast.ClassDef)
                    result |= self.klass(resolved.module or module, resolved.binding.node)
            for name in ("__init__", "__call__"):
                method = find_method(cls, name)
                if method is not None:
                    result |= self.signature(module, method) | self.body_calls(module, method)
            return result

        return self._memo("class", cls, compute)

    def body_calls(self, module: ModuleInfo, function: FunctionNode) -> AuthFacts:
        """Auth dependencies called imperatively in the body (``await get_current_user(token, db)``)."""
        source = "\n".join(module.lines[function.lineno - 1:function.end_lineno or function.lineno])
        if not any(name in source for name in self.auth_names):
            return NO_AUTH
        scopes = self.function_scopes(function)
        result = NO_AUTH
        for node in own_nodes(function):
            if not isinstance(node, ast.Call) or not isinstance(node.func, (ast.Name, ast.Attribute)):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            if name not in self.auth_names:
                continue
            resolved = self.resolve(module, node.func, scopes)
            if resolved is None:
                continue
            binding = resolved.binding
            if binding is not None and binding.kind == "def":
                assert isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef))
                if self.is_endpoint(binding.node):
                    continue
                name = binding.node.name
            result |= self.by_name(name) or NO_AUTH
        return result
