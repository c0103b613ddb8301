"""Realistic fixture projects checked whole with all rules on: exact findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import FIXTURES, actual_findings, expected_markers

PROJECTS = sorted(path for path in (FIXTURES / "projects").iterdir() if path.is_dir())


@pytest.mark.parametrize("project", PROJECTS, ids=lambda path: path.name)
def test_project_findings_match_markers(project: Path) -> None:
    expected = expected_markers(project)
    actual = actual_findings(project)
    missing = expected - actual
    unexpected = actual - expected
    assert not missing and not unexpected, f"missing (recall): {sorted(missing)}\nunexpected (precision): {sorted(unexpected)}"
