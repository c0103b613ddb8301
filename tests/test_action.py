"""The GitHub Action (action.yml): its inputs, and its two bash steps run here with stand-ins."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import write_project

ROOT = Path(__file__).resolve().parent.parent
RAW_SQL = 'from sqlalchemy import text\n\n\ndef count(db):\n    return db.execute(text("SELECT 1")).scalar()\n'
BASH = shutil.which("bash")


def action() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def step(step_id: str) -> dict[str, Any]:
    return next(s for s in action()["runs"]["steps"] if s.get("id") == step_id)


def test_inputs_outputs_and_steps() -> None:
    spec = action()
    inputs = {name: value.get("default") for name, value in spec["inputs"].items()}
    assert inputs == {"paths": ".", "version": "", "args": "", "sarif": "false"}
    assert all(value.get("description") and value.get("required") is False for value in spec["inputs"].values())
    assert spec["outputs"]["sarif-file"]["value"] == "${{ steps.check.outputs.sarif-file }}"
    assert spec["runs"]["using"] == "composite"
    steps = spec["runs"]["steps"]
    assert all(s["shell"] == "bash" for s in steps)
    # Inputs are passed through env:, never pasted into a script (shell injection).
    assert not any("${{" in s["run"] for s in steps)
    assert '"$GITHUB_ACTION_PATH"' in step("install")["run"]
    assert '"$FG_BIN/fastapi-guard" check --format github' in step("check")["run"]


def run_step(step_id: str, cwd: Path, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    output = tmp_path / "github_output"
    output.touch()
    environment = {**os.environ, "GITHUB_OUTPUT": str(output), "RUNNER_TEMP": str(tmp_path), **env}
    return subprocess.run([BASH, "--noprofile", "--norc", "-eo", "pipefail", "-c", step(step_id)["run"]],
                          cwd=cwd, env=environment, capture_output=True, text=True, check=False)


@pytest.mark.skipif(BASH is None, reason="needs bash")
def test_check_step_annotates_and_writes_sarif(tmp_path: Path) -> None:
    scripts = Path(sys.executable).parent
    if not (scripts / "fastapi-guard").exists():
        pytest.skip("the fastapi-guard console script is not installed next to this interpreter")
    project = write_project(tmp_path / "repo", {"app/repo.py": RAW_SQL, "app/bad.py": "class (\n"})
    env = {"FG_BIN": str(scripts), "FG_PATHS": "app", "FG_ARGS": "--select FG105", "FG_SARIF": "true"}
    completed = run_step("check", project, env, tmp_path)
    assert completed.returncode == 1, completed.stderr
    assert completed.stdout.splitlines() == [
        "::error file=app/repo.py,line=5,col=23,endLine=5,endColumn=39,title=FG105 raw-sql"
        "::raw SQL string passed to `text()`"
    ]
    sarif = json.loads((project / "fastapi-guard.sarif").read_text())
    assert [result["ruleId"] for result in sarif["runs"][0]["results"]] == ["FG105"]
    assert "sarif-file=fastapi-guard.sarif" in (tmp_path / "github_output").read_text()

    clean = run_step("check", project, {**env, "FG_ARGS": "--select FG2", "FG_SARIF": "false"}, tmp_path)
    assert clean.returncode == 0 and clean.stdout == ""
    broken = run_step("check", project, {**env, "FG_ARGS": "--select FG999"}, tmp_path)
    assert broken.returncode == 2 and "unknown rule code `FG999`" in broken.stderr


@pytest.mark.skipif(BASH is None, reason="needs bash")
@pytest.mark.parametrize(
    ("version", "requirement"),
    [("", "/the/action"), ("0.1.0", "fastapi-guard-lint==0.1.0"), (">=0.1,<0.2", "fastapi-guard-lint>=0.1,<0.2")],
)
def test_install_step_picks_the_requirement(tmp_path: Path, version: str, requirement: str) -> None:
    # A stand-in python3 whose "venv" records the pip command instead of installing.
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "python3").write_text(
        '#!/bin/sh\nmkdir -p "$3/bin"\n'
        'printf \'#!/bin/sh\\necho "$@" > "%s"\\n\' "$3/pip-args" > "$3/bin/python"\n'
        'chmod +x "$3/bin/python"\n'
    )
    (fake / "python3").chmod(0o755)
    env = {"FG_VERSION": version, "GITHUB_ACTION_PATH": "/the/action", "PATH": f"{fake}{os.pathsep}/usr/bin:/bin"}
    completed = run_step("install", tmp_path, env, tmp_path)
    assert completed.returncode == 0, completed.stderr
    venv = tmp_path / "fastapi-guard-venv"
    assert (venv / "pip-args").read_text().split() == [
        "-m", "pip", "install", "--quiet", "--disable-pip-version-check", requirement,
    ]
    assert f"bin={venv}/bin" in (tmp_path / "github_output").read_text()
