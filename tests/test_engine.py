"""The engine: every discovered file is checked, and reported with its own text."""

from __future__ import annotations

from pathlib import Path

from support import actual_findings, write_project

from fastapi_guard.discovery import ProjectFinder
from fastapi_guard.engine import RunOptions, load_project, run


def test_a_module_shadowed_by_a_same_named_package_is_still_checked(tmp_path: Path) -> None:
    # ``foo.py`` beside ``foo/__init__.py``: both claim the module name ``app.foo``;
    # one of the two files used to be dropped from the run without a word.
    files = {"app/__init__.py": "", "app/foo.py": "print(1)\n", "app/foo/__init__.py": "print(2)\n"}
    root = write_project(tmp_path, files)
    found = set(actual_findings(root, select=("FG403",)))
    assert found == {("app/foo.py", 1, "FG403"), ("app/foo/__init__.py", 1, "FG403")}


def test_the_package_wins_the_module_name_as_in_python(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"app/foo.py": "A = 1\n", "app/foo/__init__.py": "B = 2\n"})
    project, _, _ = load_project(ProjectFinder().project_for(root, fallback=root))
    assert project.modules["app.foo"].is_package and len(project.by_path) == 2


def test_an_unparsable_file_is_shown_in_its_declared_encoding(tmp_path: Path) -> None:
    root = write_project(tmp_path, {})
    (root / "bad.py").write_bytes('# -*- coding: latin-1 -*-\ns = "café" +\n'.encode("latin-1"))
    [finding] = run([root], RunOptions(select=("FG001",))).findings
    assert finding.source == 's = "café" +' and finding.column == len(finding.source) + 1
