"""The default human report: grouped by file, the source line, a caret, the hint."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from fastapi_guard.findings import Finding
from fastapi_guard.report import ReportContext, ordered, visible

STYLES = {"path": "1", "code": "1;31", "gutter": "34", "caret": "31", "hint": "36", "summary": "1"}


class _Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        return f"\x1b[{STYLES[style]}m{text}\x1b[0m" if self.enabled else text


def _shown(text: str) -> str:
    return visible(text).replace("\t", "    ")


def _excerpt(finding: Finding, paint: _Painter) -> list[str]:
    # Columns count characters of the raw line (a tab is one), so the caret is
    # placed on the raw text first and only then are tabs widened for display.
    source = finding.source.rstrip()
    if not source:
        return []
    number = str(finding.line)
    pad = " " * len(number)
    stripped = source.lstrip()
    indent = len(source) - len(stripped)
    start = max(finding.column - 1 - indent, 0)
    end = finding.end_column - 1 - indent if finding.end_line == finding.line else len(stripped)
    end = max(min(end, len(stripped)), start + 1)
    shown_start = len(_shown(stripped[:start]))
    width = max(len(_shown(stripped[start:end])), 1)
    return [
        f"  {paint(number, 'gutter')} {paint('|', 'gutter')} {_shown(stripped)}",
        f"  {pad} {paint('|', 'gutter')} {' ' * shown_start}{paint('^' * width, 'caret')}",
    ]


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    paint = _Painter(context.color)
    lines: list[str] = []
    findings = ordered(findings)
    for path, group in groupby(findings, key=lambda f: f.display_path):
        lines.append(paint(visible(path), "path"))
        for finding in group:
            lines.append(f"{finding.line}:{finding.column}: {paint(finding.code, 'code')} {visible(finding.message)}")
            lines.extend(_excerpt(finding, paint))
            if finding.hint:
                lines.append(f"  {paint('help:', 'hint')} {visible(finding.hint)}")
        lines.append("")
    if not context.summary:
        return "\n".join(lines) + ("\n" if lines else "")
    files = len({f.path for f in findings})
    if findings:
        noun = "finding" if len(findings) == 1 else "findings"
        summary = f"Found {len(findings)} {noun} in {files} of {context.files_checked} files."
    else:
        summary = f"All checks passed ({context.files_checked} files)."
    lines.append(paint(summary, "summary"))
    return "\n".join(lines) + "\n"
