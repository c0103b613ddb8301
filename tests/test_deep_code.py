"""Valid but very deeply nested code (generated SQL, long concatenations) through the real CLI.

Readers that recurse once per expression level (FG104/FG105's SQL reader and
safety check, FG404's text test) must give up gracefully past a depth bound
instead of failing the file with "internal error ... RecursionError"; findings
on the ordinary code next to it must not change.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from support import write_project

DEPTH = 1900


def _source() -> str:
    concat = " + ".join(['"a"'] * DEPTH)
    if_chain = '"a" if c else ' * DEPTH + '"b"'
    percent = '"%s" % ' * DEPTH + "x"
    subscripts = "rows" + "[0]" * DEPTH
    return f'''import structlog
from fastapi import FastAPI
from sqlalchemy import text

app = FastAPI()
logger = structlog.get_logger()


def concat(db, x: str):
    q = {concat}
    logger.info({concat})
    db.execute(text(q))


def if_chain(db, c: bool, x: str):
    q = {if_chain}
    db.execute(text(q + x))


def percent(db, x: str):
    db.execute(text({percent}))


def subscripts(db, rows):
    db.execute(text(f"SELECT {{ {subscripts} }}"))


def ordinary(db, name: str):
    db.execute(text(f"SELECT * FROM users WHERE name = '{{name}}'"))
'''


def test_deep_expressions_are_no_internal_errors(tmp_path: Path) -> None:
    write_project(tmp_path, {"app/deep.py": _source()})
    result = subprocess.run(
        [sys.executable, "-m", "fastapi_guard", "check", str(tmp_path), "-v", "--select", "FG104,FG105,FG404"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert "internal error" not in result.stderr
    assert "RecursionError" not in result.stderr + result.stdout
    assert result.returncode == 1
    findings = re.findall(r"^(\d+):\d+: (FG\d+) ", result.stdout, re.MULTILINE)
    assert findings == [
        ("11", "FG404"),  # a concatenation as the event, however long
        ("25", "FG105"),  # deep subscripts inside an f-string: given the benefit of the doubt, raw SQL only
        ("29", "FG104"),  # the ordinary injection next to them is still found
    ], result.stdout
