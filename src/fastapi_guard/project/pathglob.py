"""Route paths: match ``public-paths`` / ``admin-paths`` patterns against full
mounted paths, and read the text of a path or prefix expression.

A pattern is a ``/``-separated glob: ``*`` (and ``?``, ``[...]``) match inside
one segment, ``**`` matches zero or more whole segments. An optional leading
HTTP method (``DELETE **/users/**``, or several joined by ``|``) restricts the
match to those methods. Empty segments are ignored on both sides, so
``/auth/login/`` and ``auth/login`` are the same path.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import TYPE_CHECKING

from fastapi_guard.project.symbols import ModuleInfo, ScopeNode, source_text

if TYPE_CHECKING:
    from fastapi_guard.project import Project
    from fastapi_guard.project.fastapi_walk import Environment

Scopes = tuple[ScopeNode, ...]
MAX_DEPTH = 16


def split_path(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.split("/") if part)


@dataclass(frozen=True)
class PathPattern:
    """One compiled pattern: the methods it is limited to (None: any) and its segments."""

    text: str
    methods: frozenset[str] | None
    segments: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> PathPattern:
        head, _, rest = text.strip().partition(" ")
        methods: frozenset[str] | None = None
        glob = text.strip()
        if rest and "/" not in head and "*" not in head and head.replace("|", "").isalpha():
            methods = frozenset(method.upper() for method in head.split("|") if method)
            glob = rest.strip()
        return cls(text, methods, split_path(glob))

    def matches(self, path: str, method: str | None = None) -> bool:
        """Whether ``path`` (and ``method``, when the pattern names methods) match."""
        if self.methods is not None and (method is None or method.upper() not in self.methods):
            return False
        return _match_segments(self.segments, split_path(path))


@lru_cache(maxsize=4096)
def _match_segments(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    # Positions in the path that the pattern prefix matched so far; ``**`` widens the set.
    positions = {0}
    for segment in pattern:
        if not positions:
            return False
        if segment == "**":
            start = min(positions)
            positions = set(range(start, len(path) + 1))
            continue
        positions = {index + 1 for index in positions if index < len(path) and fnmatchcase(path[index], segment)}
    return len(path) in positions


class PathPatterns:
    """A list of patterns; a path matches when any of them does."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(PathPattern.parse(pattern) for pattern in patterns if pattern.strip())

    def match(self, path: str, method: str | None = None) -> PathPattern | None:
        for pattern in self.patterns:
            if pattern.matches(path, method):
                return pattern
        return None

    def __contains__(self, item: tuple[str | None, str]) -> bool:
        method, path = item
        return self.match(path, method) is not None


INFERABLE = (ast.Name, ast.Attribute, ast.Call, ast.Subscript)


class StringEvaluator:
    """The text of a path or prefix expression, as far as it can be read statically.

    Literals, f-strings and ``+`` of them, module constants (``API_PREFIX``) and
    class-level defaults read through an instance (``settings.API_V1_STR``) are
    followed; anything else becomes a ``{placeholder}`` segment, which only ``**``
    and ``*`` match.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self.names = project.names

    def value(
        self, module: ModuleInfo, expr: ast.expr, scopes: Scopes = (),
        environment: Environment | None = None, depth: int = 0,
    ) -> str:
        text = self._text(module, expr, scopes, environment, depth)
        if text is None and isinstance(expr, INFERABLE):
            # What names alone cannot settle (``settings = get_settings()``), astroid may.
            text = self.project.inference.constant_string(module, expr)
        return text if text is not None else "{" + source_text(expr) + "}"

    def _text(
        self, module: ModuleInfo, expr: ast.expr, scopes: Scopes, environment: Environment | None, depth: int
    ) -> str | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Constant):
            if expr.value is None:
                return ""
            return expr.value if isinstance(expr.value, str) else None
        if environment and isinstance(expr, ast.Name) and expr.id in environment:
            bound = environment[expr.id]
            return self._text(bound.module, bound.expr, bound.scopes, None, depth + 1)
        if isinstance(expr, ast.JoinedStr):
            parts = [part.value if isinstance(part, ast.FormattedValue) else part for part in expr.values]
            return "".join(self.value(module, part, scopes, environment, depth + 1) for part in parts)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left = self._text(module, expr.left, scopes, environment, depth + 1)
            right = self._text(module, expr.right, scopes, environment, depth + 1)
            return left + right if left is not None and right is not None else None
        if not isinstance(expr, (ast.Name, ast.Attribute)):
            return None
        resolved = self.names.resolve_expr(module, expr, scopes)
        if resolved is None:
            return None
        binding = resolved.binding
        if binding is not None and binding.kind == "value" and binding.node is not None and binding.node is not expr:
            local = "<locals>" in binding.qualname
            return self._text(resolved.module or module, binding.node, scopes if local else (), None, depth + 1)
        if binding is None and isinstance(expr, ast.Attribute):
            return self._class_default(module, expr, scopes, depth)
        return None

    def _class_default(self, module: ModuleInfo, expr: ast.Attribute, scopes: Scopes, depth: int) -> str | None:
        """``settings.API_V1_STR`` where ``settings = Settings()`` and the class gives a literal default."""
        owner = self.names.resolve_expr(module, expr.value, scopes)
        binding = owner.binding if owner else None
        if owner is None or binding is None or binding.kind != "value" or not isinstance(binding.node, ast.Call):
            return None
        created = self.names.resolve_expr(owner.module or module, binding.node.func, ())
        cls = created.binding.node if created and created.binding and created.binding.kind == "class" else None
        if not isinstance(cls, ast.ClassDef) or created is None:
            return None
        for statement in cls.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                if statement.target.id == expr.attr and statement.value is not None:
                    return self._text(created.module or module, statement.value, (), None, depth + 1)
            elif isinstance(statement, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == expr.attr for target in statement.targets
            ):
                return self._text(created.module or module, statement.value, (), None, depth + 1)
        return None
