"""Every rule's docstring examples run through the real engine with only that rule selected."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import actual_findings, expected_markers, write_project

from fastapi_guard.explain import SECTION_ORDER, rule_doc
from fastapi_guard.plugins import registered_rules

RULES = sorted(registered_rules().values(), key=lambda rule: rule.code)
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_docstring_has_the_sections(rule) -> None:
    doc = rule_doc(rule)
    assert doc.summary and not doc.summary.endswith(":")
    missing = [title for title in REQUIRED_SECTIONS if title not in doc.sections]
    assert not missing, f"{rule.code} docstring lacks {missing}"
    assert set(doc.sections) <= set(SECTION_ORDER), f"{rule.code}: unknown section titles {set(doc.sections) - set(SECTION_ORDER)}"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_bad_example_is_reported_where_marked(rule, tmp_path: Path) -> None:
    files = rule_doc(rule).examples("Example")
    assert files, f"{rule.code} has no python example"
    root = write_project(tmp_path, files, config=getattr(rule, "example_config", ""))
    expected = expected_markers(root, {rule.code})
    assert expected, f"{rule.code}'s example marks no line with # [{rule.code}]"
    assert actual_findings(root, select=(rule.code,)) == expected


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_good_example_is_clean(rule, tmp_path: Path) -> None:
    files = rule_doc(rule).examples("Use instead")
    assert files, f"{rule.code} has no 'Use instead' example"
    root = write_project(tmp_path, files, config=getattr(rule, "example_config", ""))
    assert expected_markers(root) == {}
    assert actual_findings(root, select=(rule.code,)) == {}
