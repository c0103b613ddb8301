"""Rewrite syntax newer than the running interpreter into equivalent older syntax.

Only used for the rare file that ``ast`` rejects. Each rewrite keeps every
statement on its line, so findings in the rewritten tree point at the original
lines (columns may move on the rewritten line only).
"""

from __future__ import annotations

import re
import sys

import libcst as cst

# Address space the child parser may use (see ``parsing``): libcst needs about
# 0.5 GB per MB of real source; hostile nesting would take all the machine has.
CHILD_MIN_MEMORY = 2 * 1024**3
CHILD_MEMORY_PER_SOURCE_BYTE = 1536


class _Downleveler(cst.CSTTransformer):
    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        return updated.with_changes(type_parameters=None) if updated.type_parameters else updated

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        return updated.with_changes(type_parameters=None) if updated.type_parameters else updated

    def leave_TypeAlias(self, original: cst.TypeAlias, updated: cst.TypeAlias) -> cst.Assign:
        return cst.Assign(targets=[cst.AssignTarget(updated.name)], value=updated.value)

    def _parenthesize(self, handler: cst.ExceptHandler | cst.ExceptStarHandler):
        kind = handler.type
        if isinstance(kind, cst.Tuple) and not kind.lpar:
            return handler.with_changes(type=kind.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]))
        return handler

    def leave_ExceptHandler(self, original: cst.ExceptHandler, updated: cst.ExceptHandler) -> cst.ExceptHandler:
        return self._parenthesize(updated)

    def leave_ExceptStarHandler(
        self, original: cst.ExceptStarHandler, updated: cst.ExceptStarHandler
    ) -> cst.ExceptStarHandler:
        return self._parenthesize(updated)

    def leave_TemplatedString(self, original: cst.TemplatedString, updated: cst.TemplatedString) -> cst.FormattedString:
        parts = []
        for part in updated.parts:
            if isinstance(part, cst.TemplatedStringText):
                parts.append(cst.FormattedStringText(part.value))
            else:
                parts.append(
                    cst.FormattedStringExpression(
                        expression=part.expression, conversion=part.conversion, format_spec=None
                    )
                )
        return cst.FormattedString(parts=parts, start="f" + re.sub("[tT]", "", updated.start, count=1), end=updated.end)

    def leave_FormattedString(self, original: cst.FormattedString, updated: cst.FormattedString) -> cst.FormattedString:
        # PEP 701 allows the outer quote inside replacement fields; older parsers do not.
        outer = updated.end[0]
        other = "'" if outer == '"' else '"'
        swapper = _QuoteSwapper(outer, other)
        return updated.with_changes(
            parts=[part.visit(swapper) if isinstance(part, cst.FormattedStringExpression) else part
                   for part in updated.parts]
        )


class _QuoteSwapper(cst.CSTTransformer):
    def __init__(self, outer: str, other: str) -> None:
        super().__init__()
        self.outer, self.other = outer, other

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.SimpleString:
        prefix = updated.prefix
        body = updated.value[len(prefix):]
        if body.startswith(self.outer) and self.other not in body[1:-1] and len(body) >= 2:
            return updated.with_changes(value=f"{prefix}{self.other}{body[1:-1]}{self.other}")
        return updated


def downlevel(text: str) -> str | None:
    """Older-syntax source with the same lines, or None when libcst cannot parse it."""
    try:
        module = cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, MemoryError, ValueError, TypeError):
        return None
    return module.visit(_Downleveler()).code


def _limit_memory(source_size: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: only the parent's time limit applies
        return
    wanted = max(CHILD_MIN_MEMORY, CHILD_MEMORY_PER_SOURCE_BYTE * source_size)
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # e.g. macOS, which does not enforce RLIMIT_AS
        return


def main() -> None:
    """The child process ``parsing`` starts: source on stdin, older source on stdout.

    Exit status 1 when libcst rejects the source; a crash or a memory error is
    any other non-zero status, which the parent treats the same way.
    """
    data = sys.stdin.buffer.read()
    _limit_memory(len(data))
    text = data.decode("utf-8", errors="surrogatepass")
    older = downlevel(text)
    if older is None:
        sys.exit(1)
    sys.stdout.buffer.write(older.encode("utf-8", errors="surrogatepass"))
