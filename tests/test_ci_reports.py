"""The CI report formats: github (golden), sarif (the official schema), gitlab, junit."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from support import write_project

from fastapi_guard.cli import main
from fastapi_guard.findings import Finding
from fastapi_guard.report import FORMATS, ReportContext, RuleInfo, renderer

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
PROJECTS = Path(__file__).parent / "fixtures" / "projects"
RAW_SQL = (
    "from sqlalchemy import text\n\n\n"
    'def count(db):\n    return db.execute(text("SELECT count(*) FROM notes")).scalar()\n'
)


def finding(path: Path, line: int = 3, code: str = "FG101", message: str = "no auth", **extra) -> Finding:
    fields = {"name": "route-missing-auth", "column": 1, "end_line": line, "end_column": 9, "source": "def f():"}
    fields.update(extra)
    return Finding(code=code, message=message, path=str(path), line=line, **fields)


def check(root: Path, *args: str) -> str:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, ["check", *args], catch_exceptions=False).output
    finally:
        os.chdir(cwd)


def test_every_format_is_offered_by_the_cli() -> None:
    assert set(FORMATS) == {"text", "concise", "json", "github", "gitlab", "sarif", "junit"}
    for name in FORMATS:
        assert callable(renderer(name))


def test_github_workflow_commands_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    findings = [
        finding(tmp_path / "app" / "we:ird,name.py", message="100% public\r\nsee: a, b"),
        finding(tmp_path / "app" / "main.py", line=7, code="FG502", name="main-imports-child-router",
                message="imports `x`", severity="warning", end_line=8, end_column=2),
        finding(tmp_path / "app" / "main.py", line=9, code="FG900", name="x-y", message="note", severity="info"),
    ]
    assert renderer("github")(findings, ReportContext(files_checked=2)) == (
        "::warning file=app/main.py,line=7,col=1,endLine=8,endColumn=2,title=FG502 main-imports-child-router"
        "::imports `x`\n"
        "::notice file=app/main.py,line=9,col=1,endLine=9,endColumn=9,title=FG900 x-y::note\n"
        "::error file=app/we%3Aird%2Cname.py,line=3,col=1,endLine=3,endColumn=9,title=FG101 route-missing-auth"
        "::100%25 public%0D%0Asee: a, b\n"
    )


def test_github_format_from_the_command_line(tmp_path: Path) -> None:
    write_project(tmp_path, {"app/bad.py": "def create(:\n    pass\n", "app/ok.py": "x = 1\n"})
    assert check(tmp_path, "--format", "github") == (
        "::error file=app/bad.py,line=1,col=12,endLine=1,endColumn=12,title=FG001 syntax-error"
        "::cannot parse file: invalid syntax\n"
    )


def test_sarif_of_the_fixture_projects_is_valid_and_describes_each_code(tmp_path: Path) -> None:
    output = check(PROJECTS, "--format", "sarif", ".")
    log = json.loads(output)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [rule["id"] for rule in rules] == sorted({result["ruleId"] for result in results})
    assert {"FG101", "FG103", "FG201", "FG501"} <= {rule["id"] for rule in rules}
    for rule in rules:
        assert rule["helpUri"].endswith(f"/rules/{rule['id']}.md")
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["markdown"].startswith(f"# {rule['id']} {rule['name']}")
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] and result["level"] in {"error", "warning", "note"}
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].endswith(".py") and ":" not in location["artifactLocation"]["uri"]
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1
    fingerprints = [result["partialFingerprints"]["fastapiGuardFinding/v1"] for result in results]
    assert len(set(fingerprints)) == len(fingerprints) == len(results) > 10
    assert check(PROJECTS, "--format", "sarif", ".", "-j", "2") == output


def test_sarif_is_valid_without_findings_and_with_odd_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    monkeypatch.chdir(tmp_path)
    empty = json.loads(renderer("sarif")([], ReportContext(files_checked=0)))
    validator.validate(empty)
    assert empty["runs"][0]["results"] == [] and empty["runs"][0]["tool"]["driver"]["rules"] == []
    outside = tmp_path.parent / f"{tmp_path.name}-other" / "my app.py"
    findings = [
        finding(tmp_path / "app" / "my routes.py", end_column=1),
        finding(outside, line=1, code="FG001", name="syntax-error", message="cannot parse"),
    ]
    info = {"FG101": RuleInfo("route-missing-auth", "A route without auth.", "Reports ...", "help", "# help")}
    log = json.loads(renderer("sarif")(findings, ReportContext(files_checked=2, rules=info)))
    validator.validate(log)
    run = log["runs"][0]
    uris = [result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in run["results"]]
    assert uris == [outside.as_uri(), "app/my%20routes.py"]
    # A zero-width span (a parse error's position) leaves the end column open.
    assert "endColumn" not in run["results"][1]["locations"][0]["physicalLocation"]["region"]
    fg101, fg001 = run["tool"]["driver"]["rules"][1], run["tool"]["driver"]["rules"][0]
    assert fg101["shortDescription"]["text"] == "A route without auth." and fg101["help"]["text"] == "help"
    assert fg001["shortDescription"]["text"] == "syntax-error" and "help" not in fg001


def _fingerprints(root: Path, fmt: str) -> list[str]:
    output = json.loads(check(root, "--format", fmt))
    if fmt == "gitlab":
        return [issue["fingerprint"] for issue in output]
    return [result["partialFingerprints"]["fastapiGuardFinding/v1"] for result in output["runs"][0]["results"]]


@pytest.mark.parametrize("fmt", ["gitlab", "sarif"])
def test_fingerprints_survive_edits_elsewhere_in_the_file(tmp_path: Path, fmt: str) -> None:
    write_project(tmp_path, {"app/repo.py": RAW_SQL + "\n\n" + RAW_SQL.replace("count(db)", "total(db)")})
    before = _fingerprints(tmp_path, fmt)
    assert len(set(before)) == 2
    path = tmp_path / "app" / "repo.py"
    path.write_text('"""Queries."""\n\nimport os\n\n' + path.read_text())
    assert _fingerprints(tmp_path, fmt) == before
    path.write_text(path.read_text().replace("notes", "archived_notes", 1))
    assert len(set(before) & set(_fingerprints(tmp_path, fmt))) == 1


def test_gitlab_code_quality_fields(tmp_path: Path) -> None:
    write_project(tmp_path, {"app/repo.py": RAW_SQL, "app/bad.py": "class (\n"})
    issues = json.loads(check(tmp_path, "--format", "gitlab"))
    where = [(issue["check_name"], issue["location"]["path"], issue["location"]["lines"]["begin"]) for issue in issues]
    assert where == [
        ("FG001", "app/bad.py", 1), ("FG105", "app/repo.py", 5),
    ]
    for issue in issues:
        assert issue["severity"] == "major" and issue["type"] == "issue"
        assert issue["description"].startswith(issue["check_name"] + " ")
        assert len(issue["fingerprint"]) == 32
    assert json.loads(check(tmp_path, "--format", "gitlab", "--select", "FG2")) == []


def test_junit_has_a_testcase_per_checked_file_and_a_failure_per_finding(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "app/repo.py": RAW_SQL + "\n\n" + RAW_SQL.replace("count(db)", "total(db)"),
        "app/bad.py": "class (\n",
        "app/ok.py": "x = 1\n",
        "app/models/__init__.py": "",
    })
    root = ET.fromstring(check(tmp_path, "--format", "junit"))
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == ["app/bad.py", "app/models/__init__.py", "app/ok.py", "app/repo.py"]
    assert suite.get("tests") == root.get("tests") == "4" and suite.get("failures") == root.get("failures") == "2"
    failures = {case.get("name"): case.findall("failure") for case in cases}
    assert failures["app/ok.py"] == [] and failures["app/models/__init__.py"] == []
    repo = failures["app/repo.py"]
    assert [failure.get("type") for failure in repo] == ["FG105", "FG105"]
    assert repo[0].get("message") == "FG105 raw SQL string passed to `text()`"
    assert [failure.text.strip() for failure in repo] == [
        "app/repo.py:5:23: FG105 raw SQL string passed to `text()`",
        "app/repo.py:12:23: FG105 raw SQL string passed to `text()`",
    ]
    assert cases[3].get("classname") == "app.repo" and cases[3].get("file") == "app/repo.py"


def test_junit_stays_well_formed_whatever_the_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    findings = [finding(tmp_path / "a&b<c>.py", message='bad \x00\x1b[31m "quoted" & <tag> \ud800 end')]
    root = ET.fromstring(renderer("junit")(findings, ReportContext(files_checked=1)).encode("utf-8"))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.text == 'a&b<c>.py:3:1: FG101 bad \ufffd\ufffd[31m "quoted" & <tag> \ufffd end\n'
    assert root.find("testsuite/testcase").get("name") == "a&b<c>.py"
