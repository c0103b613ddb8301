"""SARIF 2.1.0, the format GitHub code scanning (and other dashboards) import.

One run; ``tool.driver.rules`` describes the codes that occur in the results,
in code order, so the same findings always give the same document. Rule texts
come from the rules' own documentation through the report context.
Columns are counted in characters (``columnKind``), as every finding's are.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi_guard import __version__
from fastapi_guard.findings import Finding, finding_keys, key_digest
from fastapi_guard.report import ReportContext, RuleInfo, ordered

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/fastapi-guard/fastapi-guard"
LEVELS = {"error": "error", "warning": "warning"}
# A versioned name of our own: GitHub computes its primaryLocationLineHash itself.
FINGERPRINT = "fastapiGuardFinding/v1"


def artifact_uri(display_path: str) -> str:
    """Relative paths stay relative (to the checkout, where GitHub resolves them)."""
    path = Path(display_path)
    return path.as_uri() if path.is_absolute() else quote(display_path)


def region(finding: Finding) -> dict[str, int]:
    start_line = max(finding.line, 1)
    start_column = max(finding.column, 1)
    end_line = max(finding.end_line, start_line)
    span = {"startLine": start_line, "startColumn": start_column, "endLine": end_line}
    # An empty span (a parse error's position) is left open rather than zero wide.
    if end_line > start_line or finding.end_column > start_column:
        span["endColumn"] = finding.end_column
    return span


def rule_descriptor(code: str, sample: Finding, info: RuleInfo | None) -> dict[str, Any]:
    summary = info.summary if info and info.summary else sample.name
    descriptor: dict[str, Any] = {
        "id": code,
        "name": info.name if info else sample.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": info.description if info and info.description else summary},
        "helpUri": sample.url,
        "defaultConfiguration": {"level": LEVELS.get(sample.severity, "note")},
    }
    if info and info.help_text:
        descriptor["help"] = {"text": info.help_text, "markdown": info.help_markdown or info.help_text}
    return descriptor


def result(finding: Finding, rule_index: int, fingerprint: str) -> dict[str, Any]:
    return {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS.get(finding.severity, "note"),
        "message": {"text": finding.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": artifact_uri(finding.display_path)},
                "region": region(finding),
            }
        }],
        "partialFingerprints": {FINGERPRINT: fingerprint},
    }


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    findings = ordered(findings)
    samples: dict[str, Finding] = {}
    for finding in findings:
        samples.setdefault(finding.code, finding)
    codes = sorted(samples)
    index_of = {code: index for index, code in enumerate(codes)}
    keys = finding_keys(findings, lambda finding: finding.display_path)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "fastapi-guard",
                    "version": __version__,
                    "informationUri": INFORMATION_URI,
                    "rules": [rule_descriptor(code, samples[code], context.rules.get(code)) for code in codes],
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": [
                result(finding, index_of[finding.code], key_digest(key)) for finding, key in zip(findings, keys)
            ],
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
