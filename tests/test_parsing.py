"""Parsing never crashes the run, and newer syntax parses on any supported Python."""

from __future__ import annotations

import ast

import pytest

from fastapi_guard.parsing import ParseError, ParsedSource, parse_source

NEWER_SYNTAX = '''\
type UserId = int
type Pair[T] = tuple[T, T]


def first[T](items: list[T]) -> T:
    return items[0]


class Box[T: int = int](Base):
    pass


def handler(name: str) -> None:
    try:
        pass
    except ValueError, TypeError:
        pass
    greeting = t"hello {name}"
    nested = f"{"inner"} {name!r}"
'''


def test_newer_syntax_parses_with_the_same_lines() -> None:
    parsed = parse_source(NEWER_SYNTAX.encode())
    assert isinstance(parsed, ParsedSource)
    functions = {node.name: node.lineno for node in ast.walk(parsed.tree) if isinstance(node, ast.FunctionDef)}
    assert functions == {"first": 5, "handler": 13}
    classes = [node.lineno for node in ast.walk(parsed.tree) if isinstance(node, ast.ClassDef)]
    assert classes == [9]
    aliases = [node.targets[0].id for node in parsed.tree.body[:2] if isinstance(node, ast.Assign)] or [
        node.name.id for node in parsed.tree.body[:2]
    ]
    assert aliases == ["UserId", "Pair"]


@pytest.mark.parametrize(
    ("source", "line", "fragment"),
    [
        (b"def f(:\n    pass\n", 1, "invalid syntax"),
        (b"x = 1\ny = (\n", 2, ""),
        (b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n", 1, "too many nested"),
        (b"x = 1\x00\n", 1, "NUL byte"),
        (b"x = '\xff\xfe'\n", 1, "cannot decode"),
        (b"# -*- coding: klingon -*-\nx = 1\n", 1, "cannot decode"),
        (b"x = " + b"-" * 100000 + b"1\n", 1, ""),
    ],
)
def test_bad_input_gives_a_parse_error(source: bytes, line: int, fragment: str) -> None:
    parsed = parse_source(source)
    assert isinstance(parsed, ParseError)
    assert parsed.line == line and fragment in parsed.message


def test_encoding_cookie_and_bom_are_honoured() -> None:
    latin = parse_source("# -*- coding: latin-1 -*-\nname = 'café'\n".encode("latin-1"))
    assert isinstance(latin, ParsedSource) and "café" in latin.text
    bom = parse_source("\ufeffx = 1\n".encode("utf-8"))
    assert isinstance(bom, ParsedSource) and bom.text.startswith("x")


def test_deeply_nested_brackets_within_cpython_limits_parse() -> None:
    parsed = parse_source(b"x = " + b"[" * 150 + b"1" + b"]" * 150 + b"\n")
    assert isinstance(parsed, ParsedSource)


def test_source_lines_break_where_the_parser_does() -> None:
    from fastapi_guard.parsing import source_lines

    assert source_lines("a = 1\x0c\nb = '\u2028'\r\nc = 3\rd = 4\n") == ["a = 1\x0c", "b = '\u2028'", "c = 3", "d = 4"]
    assert source_lines("") == [] and source_lines("x\n\n") == ["x", ""]


def _hostile(expression: str) -> bytes:
    # Line 1 uses syntax this interpreter's ``ast`` may reject (a t-string before
    # 3.14), so the file is handed to libcst, whose native parser has no depth limit.
    return ('a = t"x"\n' + expression + "\n").encode()


def test_nesting_hidden_in_an_fstring_cannot_crash_the_process() -> None:
    import subprocess
    import sys

    # The brackets sit inside an f-string field, where a quote-aware bracket count
    # does not look; libcst's parser used to overflow its stack here (SIGSEGV).
    source = _hostile('y = f"{' + "(" * 5000 + "1" + ")" * 5000 + '}"')
    script = (
        "import sys; from fastapi_guard.parsing import parse_source; "
        "print(type(parse_source(sys.stdin.buffer.read())).__name__)"
    )
    child = subprocess.run([sys.executable, "-c", script], input=source, capture_output=True, timeout=120)
    assert child.returncode == 0, child.stderr.decode(errors="replace")
    assert child.stdout.decode().strip() == "ParseError"


def test_a_parse_that_runs_over_its_time_budget_is_a_parse_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import time

    from fastapi_guard import parsing

    if sys.version_info >= (3, 14):
        pytest.skip("t-strings parse natively")
    monkeypatch.setattr(parsing, "LIBCST_BASE_SECONDS", 1.0)
    monkeypatch.setattr(parsing, "LIBCST_SECONDS_PER_MB", 0.0)
    started = time.monotonic()
    # libcst needs minutes for a 30,000-term sum (and segfaults on some sizes).
    parsed = parse_source(_hostile("x = " + "+".join(["a"] * 30000)))
    assert isinstance(parsed, ParseError) and parsed.line == 1
    assert time.monotonic() - started < 30
