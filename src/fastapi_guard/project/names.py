"""Resolve dotted names and expressions to qualified names across modules."""

from __future__ import annotations

import ast
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi_guard.project.symbols import Binding, ModuleInfo, ScopeNode, dotted_name, fold_external

MAX_HOPS = 32
# Top-level names that always denote the library, never a same-named project
# module found deeper in the tree (``prefect/_internal/pydantic.py``).
NEVER_PROJECT_MODULES = frozenset(sys.stdlib_module_names) | {
    "fastapi", "starlette", "pydantic", "pydantic_settings", "sqlalchemy", "sqlmodel", "alembic",
    "jose", "jwt", "passlib", "structlog", "httpx", "requests", "fastapi_users", "fastapi_utils",
}


@dataclass(frozen=True)
class Resolved:
    """A qualified name and, when the project defines it, its module and binding."""

    qualname: str
    module: ModuleInfo | None = None
    binding: Binding | None = None

    @property
    def node(self) -> ast.AST | None:
        return self.binding.node if self.binding else None


class NameResolver:
    """Answers "which object does this name denote?" for one project."""

    def __init__(self, modules: dict[str, ModuleInfo]) -> None:
        self.modules = modules
        self._walked: dict[tuple[str, tuple[str, ...]], Resolved] = {}
        self._by_suffix: dict[str, list[str]] = {}
        for name in sorted(modules):
            parts = name.split(".")
            for start in range(len(parts)):
                self._by_suffix.setdefault(".".join(parts[start:]), []).append(name)

    def find_module(self, dotted: str, near: str | None = None) -> ModuleInfo | None:
        """The project module an import of ``dotted`` loads.

        Projects are imported from different roots (``app.routes.jobs`` or
        ``routes.jobs`` when ``app/`` is on the path), so a suffix of a module's
        path matches too; among several, the one closest to ``near`` wins.
        """
        exact = self.modules.get(dotted)
        if exact is not None:
            return exact
        if dotted.partition(".")[0] in NEVER_PROJECT_MODULES:
            return None
        candidates = [name for name in self._by_suffix.get(dotted, ()) if self._is_source_root(name, dotted, near)]
        if not candidates:
            return None
        if len(candidates) > 1 and near:
            candidates = sorted(candidates, key=lambda name: (-_shared_prefix(name, near), len(name), name))
        return self.modules[candidates[0]]

    def _is_source_root(self, name: str, suffix: str, near: str | None) -> bool:
        """Whether the folder left after stripping ``suffix`` off ``name`` can be an import root.

        A folder inside a regular package (one with ``__init__.py``) is on
        ``sys.path`` only when the app is started from it, so it counts only
        for modules inside it (``app/main.py`` importing ``routes.jobs``), and
        for names given without an importing module (configuration).
        """
        stripped = name[: len(name) - len(suffix)].rstrip(".")
        if near is None or near.startswith(stripped + "."):
            return True
        parts = stripped.split(".")
        for end in range(1, len(parts) + 1):
            package = self.modules.get(".".join(parts[:end]))
            if package is not None and package.is_package:
                return False
        return True

    def resolve_dotted(self, dotted: str, near: str | None = None) -> Resolved:
        parts = dotted.split(".")
        for length in range(len(parts), 0, -1):
            module = self.modules.get(".".join(parts[:length]))
            if module is not None:
                return self._walk(module, parts[length:], 0)
        for length in range(1, len(parts) + 1):
            module = self.find_module(".".join(parts[:length]), near)
            if module is not None:
                return self._walk(module, parts[length:], 0)
        return Resolved(fold_external(dotted))

    def _walk(self, module: ModuleInfo, rest: Sequence[str], hops: int) -> Resolved:
        if hops:
            return self._walk_uncached(module, rest, hops)
        # Rules ask about the same module-level names over and over; the answer never changes.
        key = (module.name, tuple(rest))
        resolved = self._walked.get(key)
        if resolved is None:
            resolved = self._walked[key] = self._walk_uncached(module, rest, 0)
        return resolved

    def _walk_uncached(self, module: ModuleInfo, rest: Sequence[str], hops: int) -> Resolved:
        if not rest:
            return Resolved(module.name, module)
        if hops > MAX_HOPS:
            return Resolved(".".join([module.name, *rest]))
        head, tail = rest[0], rest[1:]
        binding = module.bindings.get(head)
        if binding is None:
            submodule = self.modules.get(f"{module.name}.{head}")
            if submodule is not None:
                return self._walk(submodule, tail, hops + 1)
            for source in module.star_imports:
                origin = self.find_module(source, module.name)
                if origin is not None and (head in origin.bindings or f"{origin.name}.{head}" in self.modules):
                    return self._walk(origin, rest, hops + 1)
            return Resolved(".".join([module.name, *rest]))
        if binding.kind == "import":
            return self._follow_import(module, binding, tail, hops)
        qualname = ".".join([binding.qualname, *tail])
        return Resolved(qualname, module, binding if not tail else None)

    def _follow_import(self, module: ModuleInfo, binding: Binding, tail: Sequence[str], hops: int) -> Resolved:
        if binding.attribute is not None:
            source = self.find_module(binding.target, module.name)
            if source is None:  # `from app.routes import jobs` where app/routes has no __init__.py
                submodule = self.find_module(f"{binding.target}.{binding.attribute}", module.name)
                if submodule is not None:
                    return self._walk(submodule, tail, hops + 1)
                return Resolved(fold_external(".".join([binding.target, binding.attribute, *tail])))
            if source is module:  # `from . import x` in a package's __init__: x is a submodule
                submodule = self.modules.get(f"{module.name}.{binding.attribute}")
                if submodule is not None:
                    return self._walk(submodule, tail, hops + 1)
            return self._walk(source, [binding.attribute, *tail], hops + 1)
        target = self.find_module(binding.target, module.name)
        if target is not None:
            return self._walk(target, tail, hops + 1)
        resolved = self.resolve_dotted(binding.target, module.name) if "." in binding.target else None
        if resolved is not None and resolved.module is not None:
            return self._walk(resolved.module, tail, hops + 1) if resolved.binding is None else resolved
        return Resolved(fold_external(".".join([binding.target, *tail])))

    def resolve_name(self, module: ModuleInfo, name: str, scopes: Sequence[ScopeNode] = ()) -> Resolved:
        """Resolve a bare name seen in ``module`` inside the given function scopes (outermost first)."""
        for scope in reversed(scopes):
            binding = module.function_bindings(scope).get(name)
            if binding is not None:
                if binding.kind == "import":
                    return self._follow_import(module, binding, (), 0)
                return Resolved(binding.qualname, module, binding)
        return self._walk(module, [name], 0)

    def resolve_expr(self, module: ModuleInfo, expr: ast.expr, scopes: Sequence[ScopeNode] = ()) -> Resolved | None:
        """The object a ``Name`` or attribute chain denotes, or None for other expressions."""
        dotted = dotted_name(expr)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        resolved = self.resolve_name(module, head, scopes)
        if not rest:
            return resolved
        if resolved.module is not None and resolved.binding is None and resolved.qualname == resolved.module.name:
            return self._walk(resolved.module, rest.split("."), 0)
        if resolved.module is None:
            return Resolved(fold_external(f"{resolved.qualname}.{rest}"))
        return Resolved(f"{resolved.qualname}.{rest}", resolved.module)

    def qualname(self, module: ModuleInfo, expr: ast.expr, scopes: Sequence[ScopeNode] = ()) -> str | None:
        resolved = self.resolve_expr(module, expr, scopes)
        return resolved.qualname if resolved else None

    def definition(self, qualname: str) -> Resolved | None:
        """The project binding behind a qualified name, or None when it is external."""
        resolved = self.resolve_dotted(qualname)
        return resolved if resolved.binding is not None else None


def _shared_prefix(left: str, right: str) -> int:
    count = 0
    for a, b in zip(left.split("."), right.split(".")):
        if a != b:
            break
        count += 1
    return count
