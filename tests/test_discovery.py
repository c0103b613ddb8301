"""File discovery: projects, excludes, symbolic links, explicit files."""

from __future__ import annotations

import os
from pathlib import Path

from support import actual_findings, write_project

from fastapi_guard.config import Config
from fastapi_guard.discovery import ProjectFinder, group_targets, is_excluded, walk_python_files

BROKEN = "def f(:\n"


def test_exclude_patterns() -> None:
    assert is_excluded("app/migrations/versions/x.py", ("migrations",))
    assert is_excluded("scripts/seed.py", ("scripts/",))
    assert is_excluded("tests/fixtures/a/b.py", ("tests/fixtures",))
    assert is_excluded("app/gen_models.py", ("gen_*.py",))
    assert not is_excluded("app/routes/jobs.py", ("tests/fixtures", "migrations"))


def test_default_and_extended_excludes(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {"app/a.py": BROKEN, "alembic/versions/1.py": BROKEN, ".venv/lib/x.py": BROKEN, "scripts/seed.py": BROKEN},
        config="extend-exclude = ['scripts']\n",
    )
    assert set(actual_findings(root)) == {("app/a.py", 1, "FG001")}


def test_monorepo_services_are_separate_projects(tmp_path: Path) -> None:
    write_project(tmp_path / "billing", {"app/a.py": BROKEN}, config="ignore = ['FG001']\n")
    write_project(tmp_path / "orders", {"app/a.py": BROKEN})
    targets = group_targets([tmp_path], ProjectFinder())
    assert sorted(root.name for root in targets) == ["billing", "orders", tmp_path.name]
    assert set(actual_findings(tmp_path)) == {("orders/app/a.py", 1, "FG001")}


def test_symlinks_never_leave_the_tree_or_loop(tmp_path: Path) -> None:
    outside = write_project(tmp_path / "outside", {"evil.py": BROKEN})
    root = write_project(tmp_path / "proj", {"app/a.py": "x = 1\n"})
    os.symlink(outside, root / "app" / "linked_out")
    os.symlink(root / "app", root / "app" / "loop")
    files = walk_python_files(root, Config(), ProjectFinder())
    assert [path.relative_to(root).as_posix() for path in files] == ["app/a.py"]


def test_explicit_file_reports_only_that_file(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"app/a.py": BROKEN, "app/b.py": BROKEN})
    found = actual_findings(root, paths=[root / "app" / "b.py"])
    assert set(found) == {("app/b.py", 1, "FG001")}


def test_subfolder_of_a_project_reports_only_below_it(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"app/x/a.py": BROKEN, "app/y/b.py": BROKEN})
    assert set(actual_findings(root, paths=[root / "app" / "y"])) == {("app/y/b.py", 1, "FG001")}


def test_naming_an_excluded_folder_checks_the_projects_inside_it(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"app/a.py": "x = 1\n"}, config="extend-exclude = ['fixtures']\n")
    write_project(root / "fixtures" / "svc", {"app/bad.py": BROKEN})
    assert actual_findings(root) == {}
    found = actual_findings(root, paths=[root / "fixtures"])
    assert set(found) == {("fixtures/svc/app/bad.py", 1, "FG001")}
