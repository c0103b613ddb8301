"""astroid inference, for the few values the index cannot settle from names alone.

The index resolves names statically. Some values it meets are computed, e.g.
a router prefix read from a settings object (``prefix=settings.API_V1_STR``,
where ``API_V1_STR: str = "/api/v1"`` is a field default) or assembled from
constants. For those, and only those, astroid builds the project modules it
needs, lazily, from the source already read by the engine (never importing or
running anything) and infers the value.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Protocol


class ModuleInfo(Protocol):
    """What inference needs of a project module (the index's ModuleInfo has it)."""

    name: str
    path: str
    lines: list[str]

# Inference cost grows quickly with branching values; a prefix that needs more
# than a handful of candidates is not a constant anyway.
MAX_CANDIDATES = 4


_active: Inference | None = None
_hook_registered = False


def _register_hook(manager) -> None:
    """One process-wide hook that builds missing modules from the active project's sources."""
    global _hook_registered

    def build_missing(name: str):
        from astroid.exceptions import AstroidBuildingError

        if _active is None:
            raise AstroidBuildingError(modname=name)
        return _active.build_by_name(name)

    manager.register_failed_import_hook(build_missing)
    _hook_registered = True


class Inference:
    """Infers constant strings in the modules of one project."""

    def __init__(self, modules: dict[str, ModuleInfo], find_module: Callable[[str], ModuleInfo | None]) -> None:
        self.modules = modules
        self.find_module = find_module
        self._built: dict[str, object] = {}

    def _manager(self):
        from astroid import MANAGER

        global _active
        if _active is not self:
            # astroid's manager is process-wide: forget the modules the previous
            # project built, since another project may reuse their names.
            previous = _active._built if _active is not None else {}
            for name in [*previous, *self.modules]:
                MANAGER.astroid_cache.pop(name, None)
            self._built.clear()
            _active = self
        if not _hook_registered:
            _register_hook(MANAGER)
        return MANAGER

    def build_by_name(self, name: str):
        from astroid.exceptions import AstroidBuildingError

        module = self.find_module(name)
        if module is None:
            raise AstroidBuildingError(modname=name)
        return self._build(module, name)

    def _build(self, module: ModuleInfo, name: str | None = None):
        key = name or module.name
        built = self._built.get(key)
        if built is None:
            from astroid.builder import AstroidBuilder

            built = AstroidBuilder(self._manager()).string_build("\n".join(module.lines) + "\n", key, module.path)
            self._built[key] = built
        return built

    def constant_string(self, module: ModuleInfo, expr: ast.expr) -> str | None:
        """The single string value ``expr`` always has, or None when it cannot be inferred."""
        from astroid import nodes
        from astroid.exceptions import AstroidError

        self._manager()
        try:
            tree = self._build(module)
            target = next(
                (
                    node for node in tree.nodes_of_class(nodes.NodeNG)
                    if node.lineno == expr.lineno and node.col_offset == expr.col_offset
                    and type(node).__name__ == type(expr).__name__
                ),
                None,
            )
            if target is None:
                return None
            values = set()
            for index, value in enumerate(target.infer()):
                if index >= MAX_CANDIDATES or not isinstance(value, nodes.Const) or not isinstance(value.value, str):
                    return None
                values.add(value.value)
        except (AstroidError, RecursionError, StopIteration):
            return None
        return values.pop() if len(values) == 1 else None
