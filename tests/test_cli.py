"""The command line through click's runner: exit codes, errors, formats, determinism."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import write_project

from fastapi_guard.cli import main

BROKEN = "def create(:\n    pass\n"


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, root: Path, *args: str):
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(cwd)


def test_clean_project_exits_zero(runner: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"app/ok.py": "x = 1\n"})
    result = invoke(runner, tmp_path, "check", ".")
    assert result.exit_code == 0
    assert "All checks passed (1 files)." in result.output


def test_findings_exit_one_and_exit_zero_overrides(runner: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"app/bad.py": BROKEN})
    assert invoke(runner, tmp_path, "check").exit_code == 1
    assert invoke(runner, tmp_path, "check", "--exit-zero").exit_code == 0


def test_syntax_error_is_reported_and_the_run_goes_on(runner: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"app/bad.py": BROKEN, "app/worse.py": "class (\n", "app/fine.py": "y = 2\n"})
    result = invoke(runner, tmp_path, "check", "--format", "concise")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "app/bad.py:1:12: FG001 cannot parse file: invalid syntax",
        "app/worse.py:1:7: FG001 cannot parse file: invalid syntax",
    ]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("selec = ['FG1']", "unknown option `selec`"),
        ("select = 'FG1", "invalid TOML"),
        ("select = [1]", "`select` must be a list of strings"),
        ("select = ['FG9']", "`select` names unknown rule code `FG9`"),
        ("soft-delete = 'some'", "`soft-delete` must be one of"),
        ("per-file-ignores = ['x']", "`per-file-ignores` must be a table"),
    ],
)
def test_config_errors_are_one_line_exit_two(runner: CliRunner, tmp_path: Path, config: str, expected: str) -> None:
    write_project(tmp_path, {"app/ok.py": "x = 1\n"}, config=config + "\n")
    result = invoke(runner, tmp_path, "check")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "pyproject.toml" in lines[0]


def test_unknown_code_on_command_line(runner: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"app/ok.py": "x = 1\n"})
    result = invoke(runner, tmp_path, "check", "--select", "FG999")
    assert result.exit_code == 2
    assert "`--select` names unknown rule code `FG999`" in result.output


def test_missing_path_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"app/ok.py": "x = 1\n"})
    result = invoke(runner, tmp_path, "check", "nowhere")
    assert result.exit_code == 2
    assert "nowhere: no such file or directory" in result.output


def test_explicit_config_file_applies_to_every_project(runner: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"app/bad.py": BROKEN})
    (tmp_path / "strict.toml").write_text("ignore = ['FG001']\n")
    assert invoke(runner, tmp_path, "check", "--config", "strict.toml").exit_code == 0
    (tmp_path / "nested.toml").write_text("[tool.fastapi-guard]\nignore = ['FG0']\n")
    assert invoke(runner, tmp_path, "check", "--config", "nested.toml").exit_code == 0


def test_noqa_and_per_file_ignores(runner: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"app/a.py": "def f(:  # noqa: FG001\n", "app/b.py": "def f(:  # noqa\n",
                             "app/c.py": "def f(:  # noqa: FG101\n", "app/d.py": BROKEN},
                  config="per-file-ignores = { 'app/d.py' = ['FG0'] }\n")
    result = invoke(runner, tmp_path, "check", "--format", "concise")
    assert result.output.splitlines() == ["app/c.py:1:7: FG001 cannot parse file: invalid syntax"]


def test_json_report_fields(runner: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"app/bad.py": BROKEN})
    payload = json.loads(invoke(runner, tmp_path, "check", "--format", "json").output)
    assert payload == [{
        "code": "FG001", "name": "syntax-error", "message": "cannot parse file: invalid syntax",
        "path": "app/bad.py", "line": 1, "column": 12, "end_line": 1, "end_column": 12,
        "severity": "error", "fix": None,
        "url": "https://github.com/fastapi-guard/fastapi-guard/blob/main/rules/FG001.md",
    }]


def test_text_report_shows_source_and_caret_without_colour(runner: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"app/bad.py": BROKEN})
    output = invoke(runner, tmp_path, "check").output
    assert "\x1b[" not in output
    assert output.splitlines()[:4] == [
        "app/bad.py",
        "1:12: FG001 cannot parse file: invalid syntax",
        "  1 | def create(:",
        "    |            ^",
    ]


def test_output_file_and_statistics(runner: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"app/a.py": BROKEN, "app/b.py": BROKEN})
    result = invoke(runner, tmp_path, "check", "--format", "concise", "--output-file", "out.txt", "--statistics")
    assert result.output == ""
    lines = (tmp_path / "out.txt").read_text().splitlines()
    assert lines[-1] == "2  FG001  syntax-error"


def test_verbose_progress_goes_to_stderr(tmp_path: Path) -> None:
    write_project(tmp_path, {"app/a.py": "x = 1\n"})
    runner = CliRunner()
    result = invoke(runner, tmp_path, "check", "-v")
    assert "checked " in result.stderr and "files, 0 findings in" in result.stderr
    assert "checked " not in result.stdout


def test_output_is_byte_identical_across_runs_and_jobs(runner: CliRunner, tmp_path: Path) -> None:
    for service in ("billing", "orders", "users"):
        write_project(tmp_path / service, {"app/bad.py": BROKEN, "app/other.py": "class (\n"})
    first = invoke(runner, tmp_path, "check", "--format", "json", "-j", "1").output
    second = invoke(runner, tmp_path, "check", "--format", "json", "-j", "3").output
    assert first == second and first.count('"FG001"') == 6


def test_rule_and_rules_commands(runner: CliRunner) -> None:
    shown = runner.invoke(main, ["rule", "FG001"])
    assert shown.exit_code == 0 and shown.output.startswith("FG001 (syntax-error)")
    assert runner.invoke(main, ["rule", "syntax-error"]).output == shown.output
    unknown = runner.invoke(main, ["rule", "FG999"])
    assert unknown.exit_code == 2 and "unknown rule `FG999`" in unknown.output
    listed = json.loads(runner.invoke(main, ["rules", "--format", "json"]).output)
    assert {"code": "FG001", "name": "syntax-error", "default": True, "fixable": False,
            "summary": "A file that cannot be read or parsed."} in listed


def test_fixture_projects_report_identically_whatever_the_jobs(runner: CliRunner) -> None:
    projects = Path(__file__).parent / "fixtures" / "projects"
    serial = runner.invoke(main, ["check", str(projects), "--format", "json", "-j", "1"])
    parallel = runner.invoke(main, ["check", str(projects), "--format", "json", "-j", "2"])
    assert serial.exit_code == parallel.exit_code == 1
    assert serial.output == parallel.output
    codes = {finding["code"] for finding in json.loads(serial.output)}
    assert {"FG101", "FG103", "FG201", "FG501"} <= codes


def test_form_feeds_do_not_shift_reported_lines(runner: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"app/bad.py": "x = 1\x0c\ny = '\u2028'\ndef create(:\n"})
    result = invoke(runner, tmp_path, "check", "--format", "json")
    (finding,) = json.loads(result.output)
    assert finding["line"] == 3
    text = invoke(runner, tmp_path, "check").output
    assert "  3 | def create(:" in text


def test_unwritable_output_file_is_a_one_line_error(runner: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"app/ok.py": "x = 1\n"})
    result = invoke(runner, tmp_path, "check", "--output-file", "missing/folder/report.txt")
    assert result.exit_code == 2
    assert result.output.startswith("fastapi-guard: error: missing/folder/report.txt: cannot write report:")
