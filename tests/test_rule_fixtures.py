"""Near-miss and firing cases per rule: tests/fixtures/rules/<CODE>/<case>/.

Each case is a small project checked whole with its rule selected (plus any
other code its markers name); the findings must be exactly its ``# [CODE]``
markers (a case without markers stays clean). Every rule running against every
other rule's code is the job of the realistic projects (test_projects.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import FIXTURES, actual_findings, expected_markers

CASES = sorted(path for path in (FIXTURES / "rules").glob("FG*/*") if path.is_dir())


@pytest.mark.parametrize("case", CASES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_case_reports_exactly_its_markers(case: Path) -> None:
    expected = expected_markers(case)
    if case.name.startswith("fire"):
        assert expected, f"{case.name} is a firing case without markers"
    else:
        assert not expected, f"{case.name} is a near miss but carries markers"
    codes = {case.parent.name} | {code for _, _, code in expected}
    assert actual_findings(case, select=tuple(sorted(codes))) == expected
