"""Reporters: one module per output format, each a ``render(findings, context) -> str``.

Reporters know only findings (and the run's totals), never the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fastapi_guard.findings import Finding


@dataclass(frozen=True)
class ReportContext:
    files_checked: int
    color: bool = False
    summary: bool = True


Renderer = Callable[[Sequence[Finding], ReportContext], str]


def renderer(name: str) -> Renderer:
    if name == "text":
        from fastapi_guard.report.text import render
    elif name == "concise":
        from fastapi_guard.report.concise import render
    elif name == "json":
        from fastapi_guard.report.json import render
    else:
        raise ValueError(f"unknown format {name!r}")
    return render


FORMATS = ("text", "concise", "json")


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Findings in report order: display path, line, column, code."""
    return sorted(findings, key=lambda f: (f.display_path, f.line, f.column, f.code, f.message))


def statistics(findings: Sequence[Finding]) -> str:
    counts: dict[tuple[str, str], int] = {}
    for finding in findings:
        counts[(finding.code, finding.name)] = counts.get((finding.code, finding.name), 0) + 1
    width = max((len(str(count)) for count in counts.values()), default=1)
    return "".join(f"{count:>{width}}  {code}  {name}\n" for (code, name), count in sorted(counts.items()))
