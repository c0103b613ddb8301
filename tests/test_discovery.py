"""File discovery: projects, excludes, symbolic links, explicit files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import actual_findings, write_project

from fastapi_guard.config import Config, ConfigError
from fastapi_guard.discovery import ProjectFinder, group_targets, is_excluded, walk_python_files
from fastapi_guard.engine import RunOptions, run

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


def test_a_path_through_dotdot_belongs_to_the_project_it_names(tmp_path: Path) -> None:
    # ``svc/../lib/m.py``: walking up ``.parent`` lexically would climb back into
    # ``svc`` (a project of its own) and check nothing at all.
    write_project(tmp_path / "svc", {"s.py": "x = 1\n"})
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "m.py").write_text(BROKEN)
    dotted = tmp_path / "svc" / ".." / "lib" / "m.py"
    targets = group_targets([dotted], ProjectFinder())
    assert list(targets) == [tmp_path / "lib"]
    assert set(actual_findings(tmp_path, paths=[dotted])) == {("lib/m.py", 1, "FG001")}


def test_a_named_path_that_is_no_file_or_folder_is_a_one_line_error(tmp_path: Path) -> None:
    os.symlink(tmp_path / "nowhere.py", tmp_path / "broken.py")
    os.mkfifo(tmp_path / "pipe.py")
    with pytest.raises(ConfigError, match="broken.py: broken symbolic link"):
        group_targets([tmp_path / "broken.py"], ProjectFinder())
    with pytest.raises(ConfigError, match="pipe.py: not a regular file or directory"):
        group_targets([tmp_path / "pipe.py"], ProjectFinder())


def test_an_unreadable_folder_is_skipped_with_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_project(tmp_path, {"app/a.py": BROKEN, "data/db/x.py": BROKEN})
    real_scandir = os.scandir

    def scandir(folder: object) -> object:
        if Path(str(folder)).name == "db":
            raise PermissionError(13, "Permission denied")
        return real_scandir(folder)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    result = run([root], RunOptions())
    assert [Path(f.path).name for f in result.findings] == ["a.py"]
    [note] = [note for project in result.projects for note in project.notes if "cannot read folder" in note]
    assert note.startswith(str(root / "data" / "db")) and "Permission denied" in note
