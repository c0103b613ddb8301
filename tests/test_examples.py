"""The bundled example service reports exactly the findings its EXPECTED.md lists."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from support import actual_findings

from fastapi_guard.plugins import registered_rules

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ROW = re.compile(r"^\| (\S+) \| (\d+) \| (FG\d{3}) \|", re.MULTILINE)


def test_examples_match_expected_table() -> None:
    table = (EXAMPLES / "EXPECTED.md").read_text(encoding="utf-8")
    expected = Counter((path, int(line), code) for path, line, code in ROW.findall(table))
    assert expected, "EXPECTED.md lists no findings"
    listed_codes = tuple(sorted({code for _, _, code in expected}))
    assert set(listed_codes) <= set(registered_rules()), "EXPECTED.md lists a code no rule has"
    actual = actual_findings(EXAMPLES, select=listed_codes)
    assert actual == expected, f"missing: {sorted(expected - actual)}\nunexpected: {sorted(actual - expected)}"
