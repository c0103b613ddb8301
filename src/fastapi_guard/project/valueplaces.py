"""Where a value is read, and what its names were assigned there: the ground the value readers stand on.

A ``Place`` is a module, the function scopes around an expression, the node
it is read at and the names already known there. A ``PlaceReader`` looks
names up from a place (the local writes that reach it, module constants
reached through imports, builtins), moves to an earlier write, and tells a
project helper from a library call. ``safevalues`` (is a value safe?) and
``sqltext`` (what SQL text is it?) build on it.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TypeVar

from fastapi_guard.project import Project
from fastapi_guard.project.localwrites import Blocks, Write, WriteIndex, position, self_name
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo, ScopeNode

MAX_DEPTH = 12
# How many expression levels one read may descend (summed over the places it moves to) before
# giving up: far beyond real code, well within Python's recursion limit for generated code
# such as ``"a" if c else "a" if c else ...`` or ``x[0][0]...`` a thousand deep.
MAX_NESTING = 100
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)

Reader = TypeVar("Reader", bound="PlaceReader")


@dataclass(frozen=True)
class Place:
    """Where an expression is read: its module, enclosing function scopes (outermost first),
    the node it is read at (only earlier writes count) and the conditional blocks around it,
    the class and method it is in, and the names whose safety is already known there
    (comprehension variables, or a name being followed through its own reassignments)."""

    module: ModuleInfo
    scopes: tuple[ScopeNode, ...] = ()
    at: ast.AST | None = None
    at_blocks: Blocks = ()
    owner: ast.ClassDef | None = None
    method: FunctionNode | None = None
    bound: Mapping[str, bool] = field(default_factory=dict)

    @property
    def instance(self) -> str | None:
        """The ``self``/``cls`` parameter name, when reading inside a method."""
        return self_name(self.method) if self.method is not None and self.method in self.scopes else None


class PlaceReader:
    """Looks names up as seen from one place of one module."""

    def __init__(self, project: Project, writes: WriteIndex, place: Place, depth: int = 0) -> None:
        self.project = project
        self.writes = writes
        self.place = place
        self.module = place.module
        self.depth = depth
        self.nesting = 0  # expression levels being read right now, see ``MAX_NESTING``

    def _at(self: Reader, place: Place) -> Reader:
        reader = type(self)(self.project, self.writes, place, self.depth + 1)
        reader.nesting = self.nesting
        return reader

    def _moved(self: Reader, write: Write, bound: Mapping[str, bool] | None = None) -> Reader:
        """The same scopes, read at an earlier write; ``bound`` pins what is already known of a name
        (so that ``sql = sql + ...`` chains are followed iteratively, not recursively)."""
        return self._at(replace(self.place, at=write.node, at_blocks=write.blocks, bound=bound or {}))

    def kills(self, write: Write) -> bool:
        """Whether a write surely runs before this place (it replaces what the name held), rather
        than in a branch or loop that may not run (the name may still hold its earlier value)."""
        if self.place.scopes and write.scope is self.place.scopes[-1]:
            return write.blocks == self.place.at_blocks[:len(write.blocks)]
        return not write.blocks

    def qualname(self, expr: ast.expr) -> str | None:
        return self.project.names.qualname(self.module, expr, self.place.scopes)

    def _local_writes(self, name: str) -> list[Write] | None:
        """Writes of ``name`` in the innermost enclosing scope that binds it; None when no scope does."""
        for index, scope in enumerate(reversed(self.place.scopes)):
            writes = self.writes.of(scope).get(name)
            if writes is None:
                continue
            if index == 0 and self.place.at is not None:
                limit = position(self.place.at)
                return [write for write in writes if write.end <= limit]
            return writes
        return None

    def _global_value(self: Reader, expr: ast.expr) -> tuple[Reader, ast.expr] | None:
        """A module-level assigned value, in this module or reached through imports."""
        head = expr
        while isinstance(head, ast.Attribute):
            head = head.value
        if not isinstance(head, ast.Name) or head.id in self.place.bound or self._local_writes(head.id) is not None:
            return None
        resolved = self.project.names.resolve_expr(self.module, expr, ())
        if resolved is None or resolved.module is None or resolved.binding is None:
            return None
        if resolved.binding.kind != "value" or not isinstance(resolved.binding.node, ast.expr):
            return None
        return self._at(Place(resolved.module)), resolved.binding.node

    def _builtin(self, name: str) -> bool:
        return self._local_writes(name) is None and name not in self.module.bindings

    def _helper_kind(self, func: ast.expr, bound: Mapping[str, bool]) -> str | None:
        """``project`` for a function, class or ``self`` method the project defines, ``external``
        for a library function or builtin, None for a method of some object (``request.args.get``)."""
        chain = attribute_chain(func)
        if not chain or chain[0] in bound:
            return None
        if len(chain) == 2 and chain[0] == self.place.instance:
            return "project"
        local = self._local_writes(chain[0])
        if local is not None:
            kinds = {type(write.node) for write in local}
            if local and kinds <= {ast.FunctionDef, ast.AsyncFunctionDef} and len(chain) == 1:
                return "project"
            return "external" if local and kinds <= {ast.Import, ast.ImportFrom} else None
        binding = self.module.bindings.get(chain[0])
        if binding is None:
            return "external"  # a builtin
        if binding.kind in ("def", "class"):
            return "project"
        if binding.kind != "import":
            return None  # a method of a module-level object
        resolved = self.project.names.resolve_expr(self.module, func, ())
        if resolved is None or resolved.module is None:
            return "external"
        return "project" if resolved.binding is not None and resolved.binding.kind in ("def", "class") else None


def operands(expr: ast.BinOp) -> list[ast.expr]:
    """The operands of a chain of the same operator (``a + b + c``), left to right, without
    recursion: generated SQL can concatenate hundreds of literals."""
    found: list[ast.expr] = []
    stack: list[ast.expr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BinOp) and type(node.op) is type(expr.op):
            stack.extend((node.right, node.left))
        else:
            found.append(node)
    return found


def attribute_chain(expr: ast.expr) -> list[str]:
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return []
    parts.append(expr.id)
    return list(reversed(parts))

