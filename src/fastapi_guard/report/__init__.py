"""Reporters: one module per output format, each a ``render(findings, context) -> str``.

Reporters know only findings (and the run's totals), never the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module

from fastapi_guard.findings import Finding


@dataclass(frozen=True)
class RuleInfo:
    """What a report says about a rule beyond its findings (reporters never import rules)."""

    name: str
    summary: str
    description: str
    help_text: str
    help_markdown: str


@dataclass(frozen=True)
class ReportContext:
    files_checked: int
    color: bool = False
    summary: bool = True
    # Every checked file, for formats that list clean files too (junit).
    files: tuple[str, ...] = ()
    # Documentation of the rules by code, for formats that describe rules (sarif).
    rules: Mapping[str, RuleInfo] = field(default_factory=dict)


Renderer = Callable[[Sequence[Finding], ReportContext], str]


FORMATS = ("text", "concise", "json", "github", "gitlab", "sarif", "junit")


def renderer(name: str) -> Renderer:
    """The ``render`` of ``fastapi_guard.report.<name>``, imported only when asked for."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    render: Renderer = import_module(f"fastapi_guard.report.{name}").render
    return render


# Text from the checked files (a path, a string a message quotes, the source
# line) goes to the reader's terminal; raw, an escape sequence in it would drive
# that terminal (set its title, write the clipboard with OSC 52). Each control
# character becomes one visible character, so columns and carets stay aligned.
_CONTROL_PICTURES = {
    **{code: 0x2400 + code for code in range(0x20) if code != 0x09},
    0x7F: 0x2421,
    **dict.fromkeys(range(0x80, 0xA0), 0xFFFD),
}


def visible(text: str) -> str:
    """``text`` with its control characters (all but tab) shown as symbols."""
    return text.translate(_CONTROL_PICTURES)


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Findings in report order: display path, line, column, code."""
    return sorted(findings, key=lambda f: (f.display_path, f.line, f.column, f.code, f.message))


def statistics(findings: Sequence[Finding]) -> str:
    counts: dict[tuple[str, str], int] = {}
    for finding in findings:
        counts[(finding.code, finding.name)] = counts.get((finding.code, finding.name), 0) + 1
    width = max((len(str(count)) for count in counts.values()), default=1)
    return "".join(f"{count:>{width}}  {code}  {name}\n" for (code, name), count in sorted(counts.items()))
