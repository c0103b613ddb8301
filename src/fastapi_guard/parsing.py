"""Read and parse one file, never letting bad input stop the run.

The stdlib ``ast`` parser is used wherever the running interpreter accepts the
file: it is an order of magnitude cheaper than libcst (see docs/architecture.md).
Only when ``ast`` rejects a file that may use newer syntax than the interpreter
knows (PEP 695, PEP 758, t-strings, PEP 701 f-strings) does libcst's native
parser read it, and ``downlevel`` rewrites those constructs into older,
line-preserving equivalents that ``ast`` accepts. One tree format, one set of
rules.

libcst's native parser has no depth limit of its own: a few thousand nested
brackets, ``not``s, lambdas or unary minuses overflow its stack (a segfault no
``try`` can catch), and some shapes take minutes and gigabytes (5,000 chained
``a if b else`` took 10 s and 4 GB). Nesting can hide where no cheap scan looks
(inside PEP 701 f-string fields, behind a quote in a comment), so libcst runs
in a child process with a time and memory budget: one hostile file costs
FG001, never the run. Only files ``ast`` rejects pay the child's start-up.
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

# CPython's tokenizer refuses more than 200 nested brackets on every version, so
# deeper input is not Python at all and is not worth starting libcst for.
MAX_NESTING_FOR_LIBCST = 200
# The child's time budget grows with the file: libcst reads a real module at
# about 10 s per MB here, so this leaves room for a slower machine, while
# hostile nesting (minutes for 60 kB) is cut off within seconds.
LIBCST_BASE_SECONDS = 10.0
LIBCST_SECONDS_PER_MB = 30.0
_CHILD = "import sys; sys.path.insert(0, sys.argv[1]); from fastapi_guard.downlevel import main; main()"


@dataclass(frozen=True)
class ParseError:
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class ParsedSource:
    text: str
    tree: ast.Module
    downleveled: bool = False


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def source_lines(text: str) -> list[str]:
    """Split lines where Python's parser does (``str.splitlines`` also breaks on
    form feeds and Unicode separators, which would shift every later line)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def decode(data: bytes) -> str:
    """Decode source bytes honouring a PEP 263 cookie and a BOM."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def display_text(data: bytes) -> str:
    """The text of a file that failed to parse, for its excerpt and ``# noqa``:
    decoded as Python would (the columns of a parse error count its characters),
    else as UTF-8 with replacement characters."""
    try:
        return decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return data.decode("utf-8", errors="replace")


def bracket_depth(text: str) -> int:
    """The deepest bracket nesting, ignoring brackets inside quotes (roughly)."""
    depth = deepest = 0
    quote = ""
    for char in text:
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


def _error_from_syntax(error: SyntaxError) -> ParseError:
    line = error.lineno or 1
    column = error.offset or 1
    return ParseError(line, max(column, 1), error.msg or "invalid syntax")


def _could_be_newer_syntax(error: SyntaxError) -> bool:
    return "too many nested" not in (error.msg or "") and sys.version_info < (3, 15)


def parse_source(data: bytes) -> ParsedSource | ParseError:
    """Parse file contents into an ``ast.Module`` or say where and why it failed."""
    try:
        text = decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        return ParseError(1, 1, f"cannot decode source: {error}")
    if "\x00" in text:
        before = text[: text.index("\x00")]
        return ParseError(before.count("\n") + 1, len(before) - before.rfind("\n"), "source contains a NUL byte")
    try:
        return ParsedSource(text, ast.parse(text))
    except SyntaxError as error:
        first_error = error
    except (RecursionError, MemoryError, ValueError) as error:
        return ParseError(1, 1, f"source is too deeply nested to parse ({type(error).__name__})")
    if not _could_be_newer_syntax(first_error) or bracket_depth(text) > MAX_NESTING_FOR_LIBCST:
        return _error_from_syntax(first_error)
    older = _downlevel_isolated(text)
    if older is None:
        return _error_from_syntax(first_error)
    try:
        return ParsedSource(text, ast.parse(older), downleveled=True)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return _error_from_syntax(first_error)


def _downlevel_isolated(text: str) -> str | None:
    """``downlevel(text)`` computed in a child process; None when libcst cannot
    parse the text, crashes, or runs out of its time or memory budget."""
    package_root = str(Path(__file__).resolve().parent.parent)
    data = text.encode("utf-8", errors="surrogatepass")
    try:
        child = subprocess.run(
            [sys.executable, "-c", _CHILD, package_root],
            input=data,
            capture_output=True,
            timeout=LIBCST_BASE_SECONDS + LIBCST_SECONDS_PER_MB * len(data) / 2**20,
            check=False,
        )
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    if child.returncode != 0:
        return None
    return child.stdout.decode("utf-8", errors="surrogatepass")
