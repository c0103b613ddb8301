"""GitHub Actions workflow commands: one ``::error`` annotation per finding.

GitHub shows them on the pull request's changed lines and in the job summary.
Data and property values are percent-escaped as the runner expects, so a
message or path containing ``%``, a newline, ``:`` or ``,`` cannot end the
command early or forge another one.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi_guard.findings import Finding
from fastapi_guard.report import ReportContext, ordered

COMMANDS = {"error": "error", "warning": "warning"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(finding: Finding) -> str:
    properties = {
        "file": finding.display_path,
        "line": finding.line,
        "col": finding.column,
        "endLine": finding.end_line,
        "endColumn": finding.end_column,
        "title": f"{finding.code} {finding.name}",
    }
    joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{COMMANDS.get(finding.severity, 'notice')} {joined}::{escape_data(finding.message)}"


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    return "".join(command(finding) + "\n" for finding in ordered(findings))
