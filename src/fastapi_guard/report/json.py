"""A JSON array of findings with the fields the interface contract fixes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fastapi_guard.findings import Finding, Fix
from fastapi_guard.report import ReportContext, ordered


def fix_payload(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "applicability": fix.applicability,
        "edits": [
            {"line": e.line, "column": e.column, "end_line": e.end_line, "end_column": e.end_column, "content": e.content}
            for e in fix.edits
        ],
    }


def finding_payload(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "name": finding.name,
        "message": finding.message,
        "path": finding.display_path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "severity": finding.severity,
        "fix": fix_payload(finding.fix),
        "url": finding.url,
    }


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return json.dumps([finding_payload(f) for f in ordered(findings)], indent=2, ensure_ascii=False) + "\n"
