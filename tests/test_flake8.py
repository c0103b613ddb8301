"""The flake8 plugin through the real ``flake8`` command: the same findings as
``check --format concise``, flake8's own selection and noqa, editor buffers on stdin."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import FIXTURES, write_project

pytestmark = pytest.mark.integration

PROJECTS = FIXTURES / "projects"
LINE = re.compile(r"^(?:\./)?(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$")
Reported = tuple[str, int, int, str, str]
# Tests on one scenario select the rules it is about: other rules have their own tests.
FOCUS = ("FG101", "FG103")

UNPROTECTED_ROUTER = """\
from fastapi import APIRouter

router = APIRouter(prefix="/items")


@router.get("")
def list_items() -> list[dict]:
    return []


@router.delete("/{item_id}")
def delete_item(item_id: int) -> None:  # noqa: FG101
    return None
"""


def tool(name: str) -> str:
    executable = shutil.which(name, path=str(Path(sys.executable).parent))
    if executable is None:
        pytest.fail(f"{name} is missing: install the test extra (pip install -e '.[test]')")
    return executable


def run(command: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, input=stdin, capture_output=True, text=True, check=False)


def parse(output: str) -> set[Reported]:
    """Findings of a flake8-shaped report; every line must be one."""
    reported: set[Reported] = set()
    for text in output.splitlines():
        match = LINE.match(text)
        assert match, f"not a finding line: {text!r}"
        reported.add((match["path"], int(match["line"]), int(match["column"]), match["code"], match["message"]))
    return reported


def flake8(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    # --isolated: no flake8 config of the machine or of a parent folder applies.
    return run([tool("flake8"), "--isolated", *args], cwd, stdin)


def concise(cwd: Path, *paths: str) -> set[Reported]:
    completed = run([tool("fastapi-guard"), "check", "--format", "concise", "--quiet", *paths], cwd)
    assert completed.returncode in (0, 1), completed.stderr
    return parse(completed.stdout)


def assert_same_as_check(cwd: Path, flake8_output: str, *paths: str) -> None:
    """flake8 reports what ``check`` reports. flake8 runs no plugin on a file that its
    interpreter cannot parse and reports its own E999 there instead: on the line of
    our FG001, and on files using syntax newer than that interpreter (PEP 695 below
    Python 3.12), which our engine parses."""
    expected = concise(cwd, *paths)
    reported = parse(flake8_output)
    e999 = {(path, line) for path, line, _, code, _ in reported if code == "E999"}
    syntax_errors = {(path, line) for path, line, _, code, _ in expected if code == "FG001"}
    assert syntax_errors <= e999
    assert not e999 - syntax_errors or sys.version_info < (3, 12), e999 - syntax_errors
    unparsed = {path for path, _ in e999}
    assert {r for r in reported if r[3].startswith("FG")} == {
        e for e in expected if e[3] != "FG001" and e[0] not in unparsed
    }


@pytest.mark.parametrize("project", ["sync_app", "async_app"])
def test_flake8_reports_the_findings_of_check_in_worker_processes(project: str) -> None:
    completed = flake8(PROJECTS / project, "--select", "FG,E999", "-j", "2", ".")
    assert completed.returncode == 1 and "Traceback" not in completed.stderr, completed.stderr
    assert_same_as_check(PROJECTS / project, completed.stdout)
    codes = {code for _, _, _, code, _ in parse(completed.stdout)}
    assert {"FG101", "FG103", "FG201", "FG501"} <= codes  # file and project-wide rules alike


def test_one_flake8_process_over_two_projects_checks_each_on_its_own_terms() -> None:
    completed = flake8(PROJECTS, "--select", "FG,E999", "-j", "1", "sync_app", "async_app")
    assert_same_as_check(PROJECTS, completed.stdout, "sync_app", "async_app")
    paths = {path for path, *_ in parse(completed.stdout)}
    # async_app's own config (routes-package = "features") applies to its files.
    assert "async_app/app/features/search/router.py" in paths and "sync_app/app/routes/tags/router.py" in paths


def test_flake8_on_one_file_still_sees_its_whole_project() -> None:
    completed = flake8(PROJECTS / "sync_app", "--select", "FG", "app/routes/tags/router.py")
    assert parse(completed.stdout) == concise(PROJECTS / "sync_app", "app/routes/tags/router.py")
    assert completed.stdout
    # The mounted path comes from app/main.py, which flake8 was not asked about.
    assert "`GET /api/v1/tags/suggestions`" in completed.stdout


def test_stdin_buffer_replaces_the_file_on_disk() -> None:
    project = PROJECTS / "sync_app"
    relative = "app/routes/tags/router.py"
    on_disk = (project / relative).read_text()
    before = sorted((line, column, code) for _, line, column, code, _ in concise(project, relative) if code in FOCUS)
    assert [code for *_, code in before] == ["FG101", "FG103"]
    buffer = "# two unsaved lines\n\n" + on_disk.replace('prefix="/tags"', 'prefix="/labels"')
    completed = flake8(project, "--select", ",".join(FOCUS), "--stdin-display-name", relative, "-", stdin=buffer)
    assert completed.returncode == 1, completed.stderr
    reported = parse(completed.stdout)
    assert sorted((line, column, code) for _, line, column, code, _ in reported) == [
        (line + 2, column, code) for line, column, code in before
    ]
    assert "FG101 endpoint `GET /api/v1/labels/suggestions`" in completed.stdout  # mounted by app/main.py
    assert (project / relative).read_text() == on_disk


def test_stdin_buffer_of_a_file_not_saved_yet_is_part_of_the_project() -> None:
    project = PROJECTS / "sync_app"
    relative = "app/routes/drafts/router.py"
    assert not (project / relative).exists()
    completed = flake8(project, "--select", "FG101", "--stdin-display-name", relative, "-", stdin=UNPROTECTED_ROUTER)
    assert parse(completed.stdout) == {
        (relative, 7, 1, "FG101", "endpoint `GET /items` has no authentication dependency"),
    }


def test_a_fixed_buffer_clears_the_finding(tmp_path: Path) -> None:
    write_project(tmp_path, {"app/routes/items/router.py": UNPROTECTED_ROUTER,
                             "app/auth.py": "def get_current_user() -> dict:\n    return {}\n"})
    fixed = UNPROTECTED_ROUTER.replace("from fastapi import APIRouter", (
        "from fastapi import APIRouter, Depends\n\nfrom app.auth import get_current_user"
    )).replace('APIRouter(prefix="/items")', 'APIRouter(prefix="/items", dependencies=[Depends(get_current_user)])')
    completed = flake8(tmp_path, "--select", "FG101", "--disable-noqa", "--stdin-display-name",
                       "app/routes/items/router.py", "-", stdin=fixed)
    assert completed.returncode == 0 and completed.stdout == ""
    assert flake8(tmp_path, "--select", "FG101", "app/routes/items/router.py").returncode == 1


def test_noqa_is_flake8s_and_the_project_config_still_chooses_the_rules(tmp_path: Path) -> None:
    write_project(tmp_path, {"app/routes/items/router.py": UNPROTECTED_ROUTER})
    reported = parse(flake8(tmp_path, "--select", "FG101", ".").stdout)
    assert {(line, code) for _, line, _, code, _ in reported} == {(7, "FG101")}
    unsuppressed = parse(flake8(tmp_path, "--select", "FG101", "--disable-noqa", ".").stdout)
    assert {(line, code) for _, line, _, code, _ in unsuppressed} == {(7, "FG101"), (12, "FG101")}
    (tmp_path / "pyproject.toml").write_text("[tool.fastapi-guard]\nignore = ['FG101']\n")
    assert flake8(tmp_path, "--select", "FG101", "--disable-noqa", ".").stdout == ""
    # flake8's own ignore list drops our codes like any other plugin's.
    (tmp_path / "pyproject.toml").write_text("[tool.fastapi-guard]\n")
    assert flake8(tmp_path, "--select", "FG101,FG103", "--extend-ignore", "FG101", ".").stdout == ""


def test_a_broken_project_config_is_one_violation_per_file_not_a_crash(tmp_path: Path) -> None:
    write_project(tmp_path, {"app/a.py": "x = 1\n", "app/b.py": "y = 2\n"}, config="selec = ['FG1']\n")
    completed = flake8(tmp_path, "--select", "FG", ".")
    assert completed.returncode == 1 and "Traceback" not in completed.stdout + completed.stderr
    lines = sorted(completed.stdout.splitlines())
    assert len(lines) == 2 and all(":1:1: FG000 fastapi-guard cannot check this project:" in line for line in lines)
    assert all("unknown option `selec`" in line for line in lines)


def test_a_long_lived_process_sees_each_runs_files_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Editor integrations run flake8 in-process, over and over, in one process.
    from flake8.main.cli import main as flake8_main

    write_project(tmp_path, {"app/routes/items/router.py": UNPROTECTED_ROUTER,
                             "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n"})
    monkeypatch.chdir(tmp_path)
    arguments = ["--isolated", "--select", "FG101", "-j", "1", "app/routes/items/router.py"]
    assert flake8_main(arguments) == 1
    assert "FG101 endpoint `GET /items` has no authentication dependency" in capsys.readouterr().out
    # Only another file changes: the checked file's text is what it was.
    (tmp_path / "app/main.py").write_text(
        "from fastapi import FastAPI\n\nfrom app.routes.items.router import router\n\n"
        "app = FastAPI()\napp.include_router(router, prefix='/api')\n"
    )
    assert flake8_main(arguments) == 1
    assert "FG101 endpoint `GET /api/items` has no authentication dependency" in capsys.readouterr().out


def test_a_buffer_without_a_display_name_belongs_to_no_file() -> None:
    completed = flake8(PROJECTS / "sync_app", "--select", "FG", "-", stdin=UNPROTECTED_ROUTER)
    assert completed.returncode == 0 and completed.stdout == ""


def test_a_folder_without_config_is_one_project_as_for_check(tmp_path: Path) -> None:
    # No pyproject.toml and no .git: `check FOLDER` makes the named folder the project root.
    for relative, source in {
        "app/routes/items/router.py": UNPROTECTED_ROUTER,
        "app/main.py": "from fastapi import FastAPI\n\nfrom app.routes.items.router import router\n\n"
                       "app = FastAPI()\napp.include_router(router, prefix='/api')\n",
    }.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(source)
    completed = flake8(tmp_path, "--select", "FG,E999", ".")
    assert_same_as_check(tmp_path, completed.stdout, ".")
    assert "FG101 endpoint `GET /api/items` has no authentication dependency" in completed.stdout
