"""The default text report: the source line and a caret under the reported span."""

from __future__ import annotations

from fastapi_guard.findings import Finding
from fastapi_guard.report import ReportContext, renderer
from fastapi_guard.report.text import render


def excerpt(source: str, column: int, end_column: int) -> list[str]:
    finding = Finding("FG403", "non-structlog-logging", "m", "/abs/app/a.py", 2, column, 2, end_column, source=source)
    lines = render([finding], ReportContext(files_checked=1, summary=False)).splitlines()
    return lines[2:4]


def test_caret_spans_the_node_on_a_space_indented_line() -> None:
    assert excerpt('    print("ü")', 5, 15) == ['  2 | print("ü")', "    | ^^^^^^^^^^"]


def test_caret_spans_the_node_on_a_tab_indented_line() -> None:
    # Columns count a tab as one character; the caret used to be measured on the
    # tab-expanded line and came out three characters short per tab.
    assert excerpt('\tprint("ü")', 2, 12) == ['  2 | print("ü")', "    | ^^^^^^^^^^"]


def test_caret_moves_past_a_tab_inside_the_line() -> None:
    assert excerpt("x =\tprint(1)", 5, 13) == ["  2 | x =    print(1)", "    |        ^^^^^^^^"]


def test_control_characters_from_the_checked_code_cannot_drive_the_terminal() -> None:
    # An OSC sequence in a route path or a source line used to reach the terminal raw.
    message = "endpoint `GET /x\x1b]0;pwned\x07` has no authentication dependency"
    finding = Finding("FG101", "route-missing-auth", message, "/abs/app/a\x1b[2J.py", 1, 5, 1, 8, source="x = \x1b[2Jy")
    for fmt in ("text", "concise"):
        output = renderer(fmt)([finding], ReportContext(files_checked=1))
        assert "\x1b" not in output and "\x07" not in output
        assert "/x\u241b]0;pwned\u2407`" in output
    text = renderer("text")([finding], ReportContext(files_checked=1)).splitlines()
    assert text[2:4] == ["  1 | x = \u241b[2Jy", "    |     ^^^"]
