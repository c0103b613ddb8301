"""`check --write-baseline` / `--baseline`: keyed by path, code and line text, never the line number."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support import write_project

from fastapi_guard import baseline
from fastapi_guard.findings import Finding, finding_keys

QUERY = 'def {name}(db):\n    return db.execute(text("SELECT count(*) FROM notes")).scalar()\n'
REPO = "from sqlalchemy import text\n\n\n" + QUERY.format(name="count") + "\n\n" + QUERY.format(name="total")


def invoke(root: Path, *args: str) -> Result:
    from fastapi_guard.cli import main

    cwd = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(cwd)


def concise(root: Path, *args: str) -> list[str]:
    return invoke(root, "check", "--format", "concise", *args).output.splitlines()


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    write_project(tmp_path, {"app/repo.py": REPO, "app/bad.py": "class (\n", "app/ok.py": "x = 1\n"})
    written = invoke(tmp_path, "check", "--write-baseline", "baseline.json")
    assert written.exit_code == 0 and written.stdout == ""
    assert "recorded 3 findings in baseline.json" in written.stderr
    return tmp_path


def test_the_file_records_each_finding_without_line_numbers(project: Path) -> None:
    payload = json.loads((project / "baseline.json").read_text())
    assert payload["version"] == baseline.FORMAT_VERSION
    entries = [(e["path"], e["code"], e["occurrence"]) for e in payload["findings"]]
    assert sorted(entries) == [("app/bad.py", "FG001", 0), ("app/repo.py", "FG105", 0), ("app/repo.py", "FG105", 1)]
    assert all(set(e) == {"path", "code", "fingerprint", "occurrence", "message"} for e in payload["findings"])


def test_recorded_findings_are_hidden(project: Path) -> None:
    result = invoke(project, "check", "--baseline", "baseline.json")
    assert result.exit_code == 0 and "All checks passed" in result.output
    verbose = invoke(project, "check", "--baseline", "baseline.json", "-v")
    assert "baseline: 3 findings hidden, 0 entries matched none" in verbose.stderr


def test_inserting_lines_above_and_reindenting_keep_them_hidden(project: Path) -> None:
    repo = project / "app" / "repo.py"
    shifted = '"""Read models."""\n\nimport os\n\n\n' + repo.read_text().replace("    return", "        return")
    repo.write_text(shifted.replace("def total(db):\n", "def total(db):\n    if False:\n        pass\n"))
    assert concise(project, "--baseline", "baseline.json") == []


def test_a_new_instance_of_a_recorded_code_in_the_same_file_is_reported(project: Path) -> None:
    repo = project / "app" / "repo.py"
    repo.write_text(repo.read_text() + "\n\n" + QUERY.format(name="again"))
    assert concise(project, "--baseline", "baseline.json") == [
        "app/repo.py:13:23: FG105 raw SQL string passed to `text()`"
    ]
    repo.write_text(repo.read_text() + "\n\n" + 'def other(db):\n    return db.execute(text("SELECT 1"))\n')
    assert len(concise(project, "--baseline", "baseline.json")) == 2


def test_a_fixed_finding_leaves_an_unused_entry_and_nothing_breaks(project: Path) -> None:
    (project / "app" / "bad.py").write_text("class Fixed:\n    pass\n")
    result = invoke(project, "check", "--baseline", "baseline.json", "-v")
    assert result.exit_code == 0
    assert "baseline: 2 findings hidden, 1 entries matched none" in result.stderr


def test_a_renamed_file_brings_its_findings_back(project: Path) -> None:
    (project / "app" / "repo.py").rename(project / "app" / "queries.py")
    assert [line.split(":")[0] for line in concise(project, "--baseline", "baseline.json")] == ["app/queries.py"] * 2


def test_paths_are_relative_to_the_baseline_file_not_the_working_directory(project: Path) -> None:
    (project / "ci").mkdir()
    assert invoke(project, "check", "--write-baseline", "ci/fg.json").exit_code == 0
    paths = {entry["path"] for entry in json.loads((project / "ci" / "fg.json").read_text())["findings"]}
    assert paths == {"../app/repo.py", "../app/bad.py"}
    outside = invoke(project.parent, "check", project.name, "--baseline", f"{project.name}/ci/fg.json")
    assert outside.exit_code == 0, outside.output


def test_noqa_findings_are_not_recorded(tmp_path: Path) -> None:
    write_project(tmp_path, {"app/repo.py": REPO.replace(".scalar()\n", ".scalar()  # noqa: FG105\n", 1)})
    invoke(tmp_path, "check", "--write-baseline", "baseline.json")
    assert len(json.loads((tmp_path / "baseline.json").read_text())["findings"]) == 1


def test_rewriting_the_baseline_drops_fixed_entries(project: Path) -> None:
    (project / "app" / "bad.py").write_text("x = 2\n")
    assert invoke(project, "check", "--baseline", "baseline.json", "--write-baseline", "baseline.json").exit_code == 0
    assert len(json.loads((project / "baseline.json").read_text())["findings"]) == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "baseline.json: cannot read baseline: No such file or directory"),
        ("{not json", "baseline.json: malformed baseline: invalid JSON"),
        ("[]", "baseline.json: malformed baseline: not a fastapi-guard baseline"),
        ('{"version": "1", "findings": []}', "`version` must be a positive integer"),
        ('{"version": 1}', "`findings` must be a list"),
        ('{"version": 1, "findings": [{"path": "a.py", "code": "FG101", "fingerprint": "x"}]}',
         "findings[0] has no non-negative integer `occurrence`"),
        ('{"version": 1, "findings": [3]}', "findings[0] is not an object"),
        ('{"version": 2, "findings": []}', "baseline.json: written by a newer fastapi-guard (baseline format 2"),
        (b"\xff\xfe{", "baseline.json: malformed baseline: not UTF-8 text"),
        ('{"version": ' + "1" * 5000 + ', "findings": []}', "malformed baseline: unreadable JSON (ValueError)"),
        ("[" * 100000 + "]" * 100000, "malformed baseline: unreadable JSON (RecursionError)"),
    ],
)
def test_an_unusable_baseline_is_a_one_line_error(tmp_path: Path, content: str | bytes | None, expected: str) -> None:
    write_project(tmp_path, {"app/ok.py": "x = 1\n"})
    if isinstance(content, bytes):
        (tmp_path / "baseline.json").write_bytes(content)
    elif content is not None:
        (tmp_path / "baseline.json").write_text(content)
    result = invoke(tmp_path, "check", "--baseline", "baseline.json")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fastapi-guard: error: baseline.json: ") and expected in lines[0]


def test_finding_keys_do_not_depend_on_the_order_given(tmp_path: Path) -> None:
    def at(line: int) -> Finding:
        return Finding("FG105", "raw-sql", "m", str(tmp_path / "a.py"), line, 1, line, 2, source="  text('x')")

    findings = [at(9), at(3), at(5)]
    keys = finding_keys(findings, lambda f: "a.py")
    assert [key[3] for key in keys] == [2, 0, 1]
    assert keys[1][2] == finding_keys([at(1)], lambda f: "a.py")[0][2]
    shifted = Finding("FG105", "raw-sql", "m", str(tmp_path / "a.py"), 40, 1, 40, 2, source="text( 'x' )")
    assert finding_keys([shifted], lambda f: "a.py") == finding_keys([at(1)], lambda f: "a.py")
