"""The pre-commit hook: ``check FILE...`` reports what lies in those files (seeing the
whole project), and the hook manifest of this checkout blocks a bad change."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from support import FIXTURES

from fastapi_guard.cli import main

ROOT = Path(__file__).resolve().parent.parent
# What pip needs to build the package, plus the hook manifest.
HOOK_REPO_FILES = (".pre-commit-hooks.yaml", "pyproject.toml", "README.md", "src")
CLEAN_PROJECT = FIXTURES / "rules" / "FG101" / "nofire_param_depends"
ROUTER = "app/routes/items/router.py"
UNAUTHENTICATED_ROUTE = """

@router.delete("/{item_id}")
async def delete_item(item_id: int) -> None:
    return None
"""


def test_manifest_declares_the_hook() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in hooks] == ["fastapi-guard"]
    hook = hooks[0]
    assert hook["entry"] == "fastapi-guard check" and hook["language"] == "python"
    assert hook["types"] == ["python"] and hook["require_serial"] is True


def test_check_of_some_files_reports_only_theirs_with_the_whole_project_in_view() -> None:
    project = FIXTURES / "projects" / "sync_app"
    cwd = os.getcwd()
    os.chdir(project)
    try:
        focus = ["--select", "FG101,FG103,FG501,FG502", "--format", "concise", "-q"]
        result = CliRunner().invoke(main, ["check", *focus, "app/routes/tags/router.py"])
        whole = CliRunner().invoke(main, ["check", *focus])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1
    in_file = [line for line in whole.output.splitlines() if line.startswith("app/routes/tags/router.py:")]
    assert result.output.splitlines() == in_file
    # The mounted path joins the prefix of app/main.py (cross-file); the
    # project-wide findings located in other files (FG501 in app/schemas/,
    # FG502 in app/main.py) are left to those files' own checks.
    assert "FG101 endpoint `GET /api/v1/tags/suggestions`" in result.output and " FG103 " in result.output
    assert any(line.startswith("app/schemas/legacy.py:") and " FG501 " in line for line in whole.output.splitlines())
    assert any(line.startswith("app/main.py:") and " FG502 " in line for line in whole.output.splitlines())


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


def _commit_all(repo: Path) -> None:
    _git(repo, "init", "--quiet")
    _git(repo, "add", "--all")
    _git(repo, "-c", "user.name=fastapi-guard tests", "-c", "user.email=tests@example.invalid",
         "-c", "commit.gpgsign=false", "commit", "--quiet", "--message", "snapshot")


def _hook_repo(destination: Path) -> Path:
    """This checkout's hook, committed into a throwaway repository.

    ``try-repo`` on the checkout itself would install HEAD plus the changes to
    tracked files, leaving out files not committed yet: the snapshot makes the
    test check the working tree as it is, in a clean clone (CI) or mid-change.
    """
    destination.mkdir()
    for name in HOOK_REPO_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, destination / name)
    _commit_all(destination)
    return destination


@pytest.mark.integration
def test_hook_blocks_an_unauthenticated_route_and_passes_once_it_is_fixed(tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if pre_commit is None:
        pytest.fail("pre-commit is missing: install the test extra (pip install -e '.[test]')")
    hook_repo = _hook_repo(tmp_path / "hook")
    project = tmp_path / "service"
    shutil.copytree(CLEAN_PROJECT, project)
    # The project's own config picks the rule this scenario is about.
    (project / "pyproject.toml").write_text('[tool.fastapi-guard]\nselect = ["FG101"]\n')
    _commit_all(project)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}

    def try_repo() -> subprocess.CompletedProcess[str]:
        # try-repo installs the hook into a fresh virtualenv each time (pip, from PyPI).
        return subprocess.run(
            [pre_commit, "try-repo", str(hook_repo), "fastapi-guard", "--files", ROUTER, "--color", "never"],
            cwd=project, env=env, capture_output=True, text=True, check=False, timeout=600,
        )

    router = project / ROUTER
    router.write_text(router.read_text() + UNAUTHENTICATED_ROUTE)
    blocked = try_repo()
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "fastapi-guard" in blocked.stdout and "Failed" in blocked.stdout
    assert "FG101 endpoint `DELETE /api/v1/items/{item_id}` has no authentication dependency" in blocked.stdout

    fixed = router.read_text().replace(
        "async def delete_item(item_id: int) -> None:",
        "async def delete_item(item_id: int, current_user: dict = Depends(get_current_user)) -> None:",
    )
    router.write_text(fixed)
    passed = try_repo()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
