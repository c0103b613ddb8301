"""JUnit XML for CI test dashboards (Jenkins, GitLab, Azure): a testcase per file.

A file with findings is a failed testcase with one ``<failure>`` per finding
(``type`` is the code, the text ``path:line:col: CODE message``); a clean file
is a passing one. Some dashboards show only a testcase's first failure; the
suite's counts still say how many files failed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from itertools import groupby

from fastapi_guard.findings import Finding, display_path
from fastapi_guard.report import ReportContext, ordered

SUITE = "fastapi-guard"
# Characters XML 1.0 cannot carry even escaped (a message may quote a broken file).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)


def _testcase(suite: ET.Element, path: str, findings: list[Finding]) -> None:
    dotted = path.removesuffix(".py").replace("/", ".").lstrip(".")
    case = ET.SubElement(suite, "testcase", name=_clean(path), classname=_clean(dotted), file=_clean(path))
    if not findings:
        return
    for finding in findings:
        failure = ET.SubElement(case, "failure", message=_clean(f"{finding.code} {finding.message}"), type=finding.code)
        failure.text = _clean(f"{path}:{finding.line}:{finding.column}: {finding.code} {finding.message}\n")


def render(findings: Sequence[Finding], context: ReportContext) -> str:
    by_path = {path: list(group) for path, group in groupby(ordered(findings), key=lambda f: f.display_path)}
    paths = sorted(set(by_path) | {display_path(path) for path in context.files})
    counts = {"name": SUITE, "tests": str(len(paths)), "failures": str(len(by_path)), "errors": "0"}
    root = ET.Element("testsuites", counts)
    suite = ET.SubElement(root, "testsuite", {**counts, "skipped": "0"})
    for path in paths:
        _testcase(suite, path, by_path.get(path, []))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
