"""Type expressions read through the index: which types an annotation names.

An annotation (a parameter's, a return's, a field's, a ``response_model=``
value) is unwrapped into its leaves: ``Optional[list[Item]]`` names ``Item``
(inside a list) and ``None``. Names resolve through the project index,
type aliases (``JSONDict = dict[str, Any]``, ``type UserId = int``) and
string annotations are followed, ``Annotated[T, ...]`` keeps its metadata on
the leaf, and builtins become ``builtins.<name>``. Rules then ask simple
questions of the leaves: does it name a schema, is it an open ``dict``/``Any``,
is it a plain ``str``.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi_guard.project.names import NameResolver
from fastapi_guard.project.symbols import ModuleInfo, ScopeNode

MAX_DEPTH = 16
NONE = "None"
UNKNOWN = "?"

ANNOTATED = frozenset({"typing.Annotated"})
UNIONS = frozenset({"typing.Optional", "typing.Union"})
LITERALS = frozenset({"typing.Literal"})
SEQUENCES = frozenset({
    "builtins.list", "builtins.set", "builtins.frozenset", "builtins.tuple",
    "typing.List", "typing.Set", "typing.FrozenSet", "typing.Tuple", "typing.Sequence", "typing.MutableSequence",
    "typing.Iterable", "typing.Collection", "typing.AbstractSet", "typing.MutableSet",
    "collections.abc.Sequence", "collections.abc.MutableSequence", "collections.abc.Iterable",
    "collections.abc.Collection", "collections.abc.Set", "collections.abc.MutableSet", "collections.deque",
    "typing.Deque",
})
MAPPINGS = frozenset({
    "builtins.dict", "typing.Dict", "typing.Mapping", "typing.MutableMapping", "typing.DefaultDict",
    "typing.OrderedDict", "collections.abc.Mapping", "collections.abc.MutableMapping", "collections.defaultdict",
    "collections.OrderedDict",
})
# Types that say nothing about the data they hold.
OPEN = frozenset({"typing.Any", "builtins.object"})
# Value bindings that define a type alias rather than a value.
ALIAS_NODES = (ast.Subscript, ast.Name, ast.Attribute, ast.BinOp)


@dataclass(frozen=True)
class Leaf:
    """One type an annotation names.

    ``extras`` is the ``Annotated`` metadata around it; ``bare`` marks a
    container named without parameters (``dict``, ``list``); ``node`` is where
    it is spelled (a ``constr(...)`` call for a constrained type), resolving in
    ``module`` with ``scopes``.
    """

    qualname: str
    node: ast.expr
    module: ModuleInfo
    scopes: tuple[ScopeNode, ...] = ()
    extras: tuple[ast.expr, ...] = ()
    bare: bool = False

    @property
    def is_open(self) -> bool:
        return self.qualname in OPEN or (self.bare and self.qualname in SEQUENCES | MAPPINGS)

    @property
    def is_none(self) -> bool:
        return self.qualname == NONE

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


def _normal(qualname: str) -> str:
    if qualname.startswith("typing_extensions."):
        return "typing." + qualname[len("typing_extensions."):]
    return qualname


def parse_annotation(text: str) -> ast.expr | None:
    """The expression of a string annotation (``"Item"``, ``"list[Item]"``), or None."""
    try:
        return ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        return None


class TypeReader:
    """Unwraps annotations into leaves for one project."""

    def __init__(self, names: NameResolver) -> None:
        self.names = names

    def qualname(self, module: ModuleInfo, expr: ast.expr, scopes: Sequence[ScopeNode] = ()) -> str:
        """The qualified name a type name denotes; builtins become ``builtins.<name>``."""
        resolved = self.names.resolve_expr(module, expr, scopes)
        if resolved is None:
            return UNKNOWN
        # An unbound name resolves to ``<module>.<name>`` with no binding: a builtin when one is so named.
        if isinstance(expr, ast.Name) and resolved.binding is None and hasattr(builtins, expr.id) \
                and resolved.qualname == f"{module.name}.{expr.id}":
            return f"builtins.{expr.id}"
        return _normal(resolved.qualname)

    def leaves(
        self, module: ModuleInfo, expr: ast.expr | None, scopes: Sequence[ScopeNode] = (), *, containers: bool = True
    ) -> list[Leaf]:
        """The types ``expr`` names. With ``containers=False`` a container is a leaf itself
        (``list[str]`` is a list, not a ``str``); only unions and ``Annotated`` are unwrapped."""
        found: list[Leaf] = []
        if expr is not None:
            self._walk(found, module, expr, tuple(scopes), (), containers, 0)
        return found

    def _walk(
        self, found: list[Leaf], module: ModuleInfo, expr: ast.expr, scopes: tuple[ScopeNode, ...],
        extras: tuple[ast.expr, ...], containers: bool, depth: int,
    ) -> None:
        if depth > MAX_DEPTH:
            return

        def walk(inner: ast.expr, more: tuple[ast.expr, ...] = ()) -> None:
            self._walk(found, module, inner, scopes, extras + more, containers, depth + 1)

        if isinstance(expr, ast.Constant):
            if expr.value is None:
                found.append(Leaf(NONE, expr, module, scopes, extras))
            elif isinstance(expr.value, str):
                parsed = parse_annotation(expr.value)
                if parsed is not None:
                    walk(parsed)
            return
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
            walk(expr.left)
            walk(expr.right)
            return
        if isinstance(expr, ast.Subscript):
            self._subscript(found, module, expr, scopes, extras, containers, depth)
            return
        if isinstance(expr, (ast.Name, ast.Attribute)):
            qualname = self.qualname(module, expr, scopes)
            aliased = self._alias(module, expr, scopes)
            if aliased is not None:
                target_module, value, target_scopes = aliased
                self._walk(found, target_module, value, target_scopes, extras, containers, depth + 1)
                return
            bare = qualname in SEQUENCES | MAPPINGS
            found.append(Leaf(qualname, expr, module, scopes, extras, bare))
            return
        if isinstance(expr, ast.Call):  # ``constr(max_length=10)`` spelled inline
            found.append(Leaf(self.qualname(module, expr.func, scopes), expr, module, scopes, extras))
            return
        found.append(Leaf(UNKNOWN, expr, module, scopes, extras))

    def _subscript(
        self, found: list[Leaf], module: ModuleInfo, expr: ast.Subscript, scopes: tuple[ScopeNode, ...],
        extras: tuple[ast.expr, ...], containers: bool, depth: int,
    ) -> None:
        head = self.qualname(module, expr.value, scopes)
        items = list(expr.slice.elts) if isinstance(expr.slice, ast.Tuple) else [expr.slice]

        def walk(inner: ast.expr, more: tuple[ast.expr, ...] = ()) -> None:
            self._walk(found, module, inner, scopes, extras + more, containers, depth + 1)

        if head in ANNOTATED and items:
            walk(items[0], tuple(items[1:]))
        elif head in UNIONS:
            for item in items:
                walk(item)
            if head == "typing.Optional":
                found.append(Leaf(NONE, expr, module, scopes, extras))
        elif head in LITERALS or not containers:
            found.append(Leaf(head, expr, module, scopes, extras))
        elif head in MAPPINGS:
            walk(items[-1])
        elif head in SEQUENCES:
            for item in items:
                if not (isinstance(item, ast.Constant) and item.value is Ellipsis):
                    walk(item)
        else:  # a generic class: ``Page[Item]`` names both
            found.append(Leaf(head, expr.value, module, scopes, extras))
            for item in items:
                walk(item)

    def _alias(
        self, module: ModuleInfo, expr: ast.expr, scopes: tuple[ScopeNode, ...]
    ) -> tuple[ModuleInfo, ast.expr, tuple[ScopeNode, ...]] | None:
        """The value of a type alias (``JSONDict = dict[str, Any]``, ``type Tags = list[str]``,
        ``ShortStr = constr(max_length=20)``), or None when ``expr`` is no alias."""
        resolved = self.names.resolve_expr(module, expr, scopes)
        binding = resolved.binding if resolved else None
        if resolved is None or binding is None or binding.kind != "value" or resolved.module is None:
            return None
        value = binding.node
        local = scopes if "<locals>" in binding.qualname else ()
        if isinstance(value, ast.Call):
            called = self.qualname(resolved.module, value.func, local)
            if called == "typing.NewType" and len(value.args) == 2:
                return resolved.module, value.args[1], local
            bound = next((item.value for item in value.keywords if item.arg == "bound"), None)
            if called == "typing.TypeVar" and bound is not None:
                return resolved.module, bound, local
            # A constrained type made by a call: its leaf is the call.
            return (resolved.module, value, local) if called.startswith("pydantic.") else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return None  # a plain string constant, not a forward reference
        if isinstance(value, ALIAS_NODES) and value is not expr:
            return resolved.module, value, local
        return None


def is_given(value: ast.expr | None) -> bool:
    """A keyword that is present and not ``None``."""
    return value is not None and not (isinstance(value, ast.Constant) and value.value is None)


def all_open(leaves: list[Leaf]) -> bool:
    """The types describe no data: every one (``None`` aside) is ``dict``, ``Any``, a bare ``list``, ..."""
    named = [leaf for leaf in leaves if not leaf.is_none]
    return bool(named) and all(leaf.is_open for leaf in named)
