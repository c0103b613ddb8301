"""``path:line:col: CODE message``, one finding a line (the flake8 shape)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi_guard.findings import Finding
from fastapi_guard.report import ReportContext, ordered, visible


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return "".join(
        visible(f"{finding.display_path}:{finding.line}:{finding.column}: {finding.code} {finding.message}") + "\n"
        for finding in ordered(findings)
    )
