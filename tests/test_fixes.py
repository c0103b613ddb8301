"""``check --fix`` / ``--diff`` / ``--unsafe-fixes`` through the command line, and the edit machinery."""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path
from textwrap import dedent

import pytest
from click.testing import CliRunner, Result
from support import write_project

from fastapi_guard.cli import main
from fastapi_guard.findings import Edit, Finding, Fix
from fastapi_guard.fixes import EditError, apply_edits, fix_projects, select_fixes

ITEMS = dedent('''
    """Items."""
    from fastapi import APIRouter, HTTPException

    router = APIRouter()


    @router.post("/items", status_code=201)
    def create_item(name: str) -> dict:
        if not name:
            raise HTTPException(400, "Name is required")
        if name == "taken":
            raise HTTPException(409, "Name is taken")
        return {"name": name}
''').lstrip()

ITEMS_FIXED = dedent('''
    """Items."""
    from fastapi import APIRouter, HTTPException
    from fastapi import status

    router = APIRouter()


    @router.post("/items", status_code=status.HTTP_201_CREATED)
    def create_item(name: str) -> dict:
        if not name:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "Name is required")
        if name == "taken":
            raise HTTPException(status.HTTP_409_CONFLICT, "Name is taken")
        return {"name": name}
''').lstrip()

MAIN = "from fastapi import FastAPI\n\nfrom app.webhooks import router\n\napp = FastAPI()\napp.include_router(router)\n"

WEBHOOKS = dedent('''
    import hashlib

    from fastapi import APIRouter, HTTPException, Request

    router = APIRouter(prefix="/webhooks")


    @router.post("/stripe")
    async def stripe_webhook(request: Request) -> dict:
        body = await request.body()
        digest = hashlib.sha256(body).hexdigest()
        if digest != request.headers["X-Signature"]:
            raise HTTPException(status_code=400, detail="bad signature")
        return {"ok": True}
''').lstrip()


def invoke(root: Path, *args: str) -> Result:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(main, ["check", "--format", "concise", *args], catch_exceptions=False)
    finally:
        os.chdir(cwd)


def test_fix_rewrites_every_literal_and_adds_the_import_once(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"app/api.py": ITEMS})
    result = invoke(root, "--select", "FG402", "--fix")
    assert result.exit_code == 0, result.output
    fixed = (root / "app/api.py").read_text()
    assert fixed == ITEMS_FIXED
    ast.parse(fixed)
    assert result.stdout == ""
    assert "applied 3 fixes in 1 file" in result.stderr


def test_a_second_fix_changes_nothing(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"app/api.py": ITEMS})
    invoke(root, "--select", "FG402", "--fix")
    before = (root / "app/api.py").stat().st_mtime_ns
    result = invoke(root, "--select", "FG402", "--fix")
    assert result.exit_code == 0
    assert "applied 0 fixes in 0 files" in result.stderr
    assert (root / "app/api.py").read_text() == ITEMS_FIXED
    assert (root / "app/api.py").stat().st_mtime_ns == before
    assert invoke(root, "--select", "FG402", "--diff").stdout == ""


def test_line_endings_encoding_and_mode_are_kept(tmp_path: Path) -> None:
    root = write_project(tmp_path, {})
    folder = root / "app"
    folder.mkdir()
    original = {
        "crlf.py": ITEMS.replace("\n", "\r\n").encode(),
        "bom.py": b"\xef\xbb\xbf# caf\xc3\xa9\n" + ITEMS.encode(),
        "latin.py": b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + ITEMS.encode(),
    }
    for name, data in original.items():
        (folder / name).write_bytes(data)
    os.chmod(folder / "crlf.py", 0o750)
    os.chmod(folder / "latin.py", 0o604)
    result = invoke(root, "--select", "FG402", "--fix")
    assert result.exit_code == 0, result.output
    assert "applied 9 fixes in 3 files" in result.stderr
    for name, data in original.items():
        expected = data.replace(b"\r\n", b"\n").replace(ITEMS.encode(), ITEMS_FIXED.encode())
        if name == "crlf.py":
            expected = expected.replace(b"\n", b"\r\n")
        assert (folder / name).read_bytes() == expected, name
    assert stat.S_IMODE((folder / "crlf.py").stat().st_mode) == 0o750
    assert stat.S_IMODE((folder / "latin.py").stat().st_mode) == 0o604
    assert sorted(path.name for path in folder.iterdir()) == sorted(original)


def test_diff_prints_the_change_and_writes_nothing(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"app/api.py": ITEMS})
    result = invoke(root, "--select", "FG402", "--diff")
    assert result.exit_code == 1
    assert (root / "app/api.py").read_text() == ITEMS
    lines = result.stdout.splitlines()
    assert lines[:3] == ["--- a/app/api.py", "+++ b/app/api.py", "@@ -1,13 +1,14 @@"]
    assert [line for line in lines[3:] if line[:1] in "+-"] == [
        "+from fastapi import status",
        "-@router.post(\"/items\", status_code=201)",
        "+@router.post(\"/items\", status_code=status.HTTP_201_CREATED)",
        "-        raise HTTPException(400, \"Name is required\")",
        "+        raise HTTPException(status.HTTP_400_BAD_REQUEST, \"Name is required\")",
        "-        raise HTTPException(409, \"Name is taken\")",
        "+        raise HTTPException(status.HTTP_409_CONFLICT, \"Name is taken\")",
    ]
    assert "FG402" not in result.stdout
    assert "would apply 3 fixes in 1 file" in result.stderr


def test_diff_of_a_clean_project_is_empty_and_exits_zero(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"app/api.py": ITEMS_FIXED})
    result = invoke(root, "--select", "FG402", "--diff")
    assert (result.exit_code, result.stdout) == (0, "")


def test_unsafe_fixes_only_on_request(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"app/main.py": MAIN, "app/webhooks.py": WEBHOOKS})
    result = invoke(root, "--select", "FG106", "--fix")
    assert result.exit_code == 1
    assert (root / "app/webhooks.py").read_text() == WEBHOOKS
    assert "applied 0 fixes in 0 files (1 fix available with --unsafe-fixes)" in result.stderr
    assert "FG106" in result.stdout

    shown = invoke(root, "--select", "FG106", "--diff", "--unsafe-fixes")
    assert shown.exit_code == 1 and "+import hmac" in shown.stdout
    assert (root / "app/webhooks.py").read_text() == WEBHOOKS

    result = invoke(root, "--select", "FG106", "--fix", "--unsafe-fixes")
    assert result.exit_code == 0, result.output
    fixed = (root / "app/webhooks.py").read_text()
    assert 'if not hmac.compare_digest(digest, request.headers["X-Signature"]):' in fixed
    assert fixed.startswith("import hmac\nimport hashlib\n")
    assert "available with --unsafe-fixes" not in result.stderr


def test_exit_status_and_report_reflect_the_findings_left(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"app/api.py": ITEMS, "app/broken.py": "def create(:\n    pass\n"})
    result = invoke(root, "--select", "FG402,FG001", "--fix")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["app/broken.py:1:12: FG001 cannot parse file: invalid syntax"]
    assert (root / "app/api.py").read_text() == ITEMS_FIXED


def test_noqa_and_baseline_findings_are_not_fixed(tmp_path: Path) -> None:
    source = ITEMS.replace('"Name is taken")', '"Name is taken")  # noqa: FG402')
    root = write_project(tmp_path, {"app/api.py": source})
    assert invoke(root, "--select", "FG402", "--write-baseline", "baseline.json").exit_code == 0
    (root / "app/other.py").write_text("from fastapi import Response\n\nGONE = Response(status_code=410)\n")
    result = invoke(root, "--select", "FG402", "--baseline", "baseline.json", "--fix")
    assert result.exit_code == 0, result.output
    assert (root / "app/api.py").read_text() == source
    assert "status.HTTP_410_GONE" in (root / "app/other.py").read_text()

    result = invoke(root, "--select", "FG402", "--fix")
    assert result.exit_code == 0
    fixed = (root / "app/api.py").read_text()
    assert 'raise HTTPException(409, "Name is taken")  # noqa: FG402' in fixed
    assert "status_code=status.HTTP_201_CREATED" in fixed


def test_write_baseline_cannot_be_combined_with_fix(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"app/api.py": ITEMS})
    result = invoke(root, "--fix", "--write-baseline", "baseline.json")
    assert result.exit_code == 2 and "cannot be combined" in result.stderr


# -- the fixes module on its own ----------------------------------------------------------------


def finding(path: Path, *edits: Edit) -> Finding:
    return Finding("FG999", "test", "test", str(path), 1, 1, 1, 1, fix=Fix("safe", edits))


def never_called(root: Path, contents: object) -> list[Finding]:
    raise AssertionError("nothing should have changed")


def test_a_fix_that_would_not_parse_is_not_applied(tmp_path: Path) -> None:
    path = tmp_path / "api.py"
    path.write_text("x = 1\n")
    outcome = fix_projects({tmp_path: [finding(path, Edit(1, 5, 1, 6, "(1"))]}, never_called)
    assert outcome.sources == [] and outcome.applied == 0
    assert [(skipped, reason.split(" (")[0]) for skipped, reason in outcome.skipped] == [
        (path, "the fixed source would not parse")
    ]
    assert path.read_text() == "x = 1\n"


def test_overlapping_fixes_wait_for_the_next_pass(tmp_path: Path) -> None:
    path = tmp_path / "api.py"
    path.write_text("x = 1\n")
    first = finding(path, Edit(1, 1, 1, 2, "y"))
    second = finding(path, Edit(1, 1, 1, 6, "z = 2"))
    passes: list[bytes] = []

    def recheck(root: Path, contents: dict[Path, bytes]) -> list[Finding]:
        passes.append(contents[path])
        return [second] if len(passes) == 1 else []

    outcome = fix_projects({tmp_path: [first, second]}, recheck)
    assert passes == [b"y = 1\n", b"z = 2\n"]
    assert [source.text for source in outcome.sources] == ["z = 2\n"]
    assert outcome.applied == 2 and outcome.findings == {tmp_path: []}
    assert path.read_text() == "x = 1\n"


def test_passes_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "api.py"
    path.write_text("")
    grow = finding(path, Edit(1, 1, 1, 1, "pass\n"))
    outcome = fix_projects({tmp_path: [grow]}, lambda root, contents: [grow])
    assert outcome.sources[0].text == "pass\n" * 10


def test_select_fixes_drops_duplicates_and_defers_overlaps() -> None:
    text = "a = 1\nb = 2\n"
    imported = Edit(1, 1, 1, 1, "import os\n")
    fixes = [
        Fix("safe", (imported, Edit(1, 5, 1, 6, "10"))),
        Fix("safe", (imported, Edit(2, 5, 2, 6, "20"))),
        Fix("safe", (Edit(2, 1, 2, 6, "c = 3"),)),
    ]
    edits, applied = select_fixes(text, fixes, "\r\n")
    assert applied == 2
    assert apply_edits(text, edits) == "import os\r\na = 10\nb = 20\n"


@pytest.mark.parametrize(
    "edits",
    [
        (Edit(1, 1, 1, 4, "x"), Edit(1, 3, 1, 5, "y")),
        (Edit(1, 1, 1, 4, "x"), Edit(1, 2, 1, 2, "y")),
        (Edit(3, 1, 3, 1, "x"),),
        (Edit(1, 8, 1, 8, "x"),),
    ],
)
def test_apply_edits_refuses_overlaps_and_positions_outside_the_text(edits: tuple[Edit, ...]) -> None:
    with pytest.raises(EditError):
        apply_edits("a = 1\n", edits)


def test_apply_edits_counts_lines_as_python_does() -> None:
    text = "a = 1\r\nb = 2\rc = 3\x0cd\n"
    assert apply_edits(text, [Edit(3, 8, 3, 8, "!"), Edit(2, 1, 2, 2, "B"), Edit(4, 1, 4, 1, "e = 4")]) == (
        "a = 1\r\nB = 2\rc = 3\x0cd!\ne = 4"
    )
