"""FG402 magic-status-code: the autofix (literal -> ``status.HTTP_*``, plus the import), applied."""

from __future__ import annotations

import ast
from pathlib import Path
from textwrap import dedent

from support import write_project

from fastapi_guard.engine import RunOptions, run
from fastapi_guard.findings import Finding
from fastapi_guard.fixes import apply_edits as apply


def check(tmp_path: Path, source: str) -> tuple[list[Finding], str]:
    text = dedent(source).lstrip("\n")
    root = write_project(tmp_path, {"app/api.py": text})
    findings = run([root], RunOptions(select=("FG402",))).findings
    edits = [edit for finding in findings if finding.fix for edit in finding.fix.edits]
    fixed = apply(text, edits)
    ast.parse(fixed)
    return findings, fixed


def test_literal_replaced_and_import_added_once(tmp_path: Path) -> None:
    findings, fixed = check(tmp_path, '''
        """Items."""
        from fastapi import APIRouter, HTTPException

        router = APIRouter()


        @router.post("/items", status_code=201)
        def create_item(name: str) -> dict:
            if not name:
                raise HTTPException(400, "Name is required")
            return {"name": name}
    ''')
    assert [finding.fix.applicability for finding in findings if finding.fix] == ["safe", "safe"]
    assert fixed == dedent('''
        """Items."""
        from fastapi import APIRouter, HTTPException
        from fastapi import status

        router = APIRouter()


        @router.post("/items", status_code=status.HTTP_201_CREATED)
        def create_item(name: str) -> dict:
            if not name:
                raise HTTPException(status.HTTP_400_BAD_REQUEST, "Name is required")
            return {"name": name}
    ''').lstrip("\n")


def test_existing_status_alias_is_reused(tmp_path: Path) -> None:
    findings, fixed = check(tmp_path, '''
        from fastapi.responses import JSONResponse
        from starlette import status as http_status


        def gone() -> JSONResponse:
            return JSONResponse({"detail": "Gone"}, status_code=410)
    ''')
    assert len(findings) == 1
    assert "status_code=http_status.HTTP_410_GONE" in fixed
    assert "from fastapi import status" not in fixed


def test_no_fix_when_a_local_status_shadows_the_module(tmp_path: Path) -> None:
    findings, fixed = check(tmp_path, '''
        from fastapi import APIRouter, HTTPException, status

        router = APIRouter()


        @router.get("/items")
        def list_items(status: str | None = None) -> list:
            if status == "bad":
                raise HTTPException(status_code=400, detail="Unknown status")
            return []
    ''')
    assert len(findings) == 1 and findings[0].fix is None
    assert "status_code=400" in fixed


def test_decorator_of_a_function_with_a_status_parameter_is_fixed(tmp_path: Path) -> None:
    # The decorator is evaluated outside the function: its parameter does not shadow the module.
    findings, fixed = check(tmp_path, '''
        from fastapi import APIRouter, status

        router = APIRouter()


        @router.post("/items", status_code=201)
        def create_item(status: str) -> dict:
            return {"status": status}
    ''')
    assert findings[0].fix is not None
    assert '@router.post("/items", status_code=status.HTTP_201_CREATED)' in fixed


def test_renamed_constants_get_no_fix(tmp_path: Path) -> None:
    findings, _ = check(tmp_path, '''
        from fastapi import HTTPException


        def validate(name: str) -> None:
            if not name:
                raise HTTPException(status_code=422, detail="Name is required")
    ''')
    assert len(findings) == 1 and findings[0].fix is None
    assert findings[0].hint and "HTTP_422_UNPROCESSABLE_CONTENT" in findings[0].hint


def test_import_after_leading_imports_in_files_without_final_newline(tmp_path: Path) -> None:
    _, fixed = check(tmp_path, "import fastapi\n\nfastapi.HTTPException(status_code=404)")
    assert fixed == (
        "import fastapi\nfrom fastapi import status\n\nfastapi.HTTPException(status_code=status.HTTP_404_NOT_FOUND)"
    )
    _, fixed = check(tmp_path / "eof", "from fastapi import HTTPException\nraise HTTPException(404)")
    assert fixed == (
        "from fastapi import HTTPException\nfrom fastapi import status\nraise HTTPException(status.HTTP_404_NOT_FOUND)"
    )
