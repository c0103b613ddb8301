"""The package's own layering (cli -> engine -> plugins -> rules -> rule -> project -> ...) holds."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contract_is_kept() -> None:
    executable = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if executable is None:
        pytest.fail("lint-imports is missing: install the test extra (pip install -e '.[test]')")
    completed = subprocess.run([executable], cwd=ROOT, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_rules_do_not_import_each_other() -> None:
    """Shared knowledge lives in the index (project/), never in another rule's module."""
    offenders = [
        path.name
        for path in sorted((ROOT / "src" / "fastapi_guard" / "rules").glob("fg*.py"))
        if "from fastapi_guard.rules.fg" in path.read_text(encoding="utf-8")
        or "import fastapi_guard.rules.fg" in path.read_text(encoding="utf-8")
    ]
    assert not offenders


def test_source_and_tests_pass_pyflakes() -> None:
    """No unused imports, undefined names or shadowing in our own code (fixtures are data)."""
    executable = shutil.which("flake8", path=str(Path(sys.executable).parent))
    if executable is None:
        pytest.fail("flake8 is missing: install the test extra (pip install -e '.[test]')")
    completed = subprocess.run(
        # pyflakes' F4xx-F9xx only: our own plugin's FG codes share the letter.
        [executable, "--select", "F4,F5,F6,F7,F8,F9", "--exclude", "tests/fixtures",
         "src", "tests", "benchmarks", "scripts"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
