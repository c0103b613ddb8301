"""GitLab Code Quality: the JSON array a ``codequality`` report artifact holds.

GitLab matches issues between the base and the merge request branch by
``fingerprint``, so it must survive unrelated edits: it is the shared finding
key (path, code, text of the reported line, occurrence), never the line number.
Our findings are errors that a reviewer should act on, but they are lint, not an
outage: ``error`` maps to GitLab's ``major`` and leaves ``critical`` and
``blocker`` to tools that measure running systems.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fastapi_guard.findings import Finding, finding_keys, key_digest
from fastapi_guard.report import ReportContext, ordered

SEVERITIES = {"error": "major", "warning": "minor"}


def issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": finding.code,
        "description": f"{finding.code} {finding.message}",
        "severity": SEVERITIES.get(finding.severity, "info"),
        "fingerprint": fingerprint,
        "location": {"path": finding.display_path, "lines": {"begin": finding.line, "end": finding.end_line}},
    }


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    findings = ordered(findings)
    keys = finding_keys(findings, lambda finding: finding.display_path)
    issues = [issue(finding, key_digest(key)) for finding, key in zip(findings, keys)]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
