"""FG106 webhook-signature: the compare_digest fix applied to real source, and what counts as a receiver."""

from __future__ import annotations

import ast
from pathlib import Path
from textwrap import dedent

from support import write_project

from fastapi_guard.engine import RunOptions, run
from fastapi_guard.findings import Finding
from fastapi_guard.fixes import apply_edits

MAIN = """
from fastapi import FastAPI

from app.webhooks import router

app = FastAPI()
app.include_router(router, prefix="/api")
"""


def check(tmp_path: Path, webhooks: str) -> tuple[str, list[Finding]]:
    source = dedent(webhooks).lstrip()
    root = write_project(tmp_path, {"app/main.py": MAIN, "app/webhooks.py": source})
    result = run([root], RunOptions(select=("FG106",)))
    return source, result.findings


def test_fix_replaces_the_comparison_and_adds_the_import(tmp_path: Path) -> None:
    source, findings = check(tmp_path, '''
        """Receivers."""
        from __future__ import annotations

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
    ''')
    assert [(finding.line, finding.code) for finding in findings] == [(15, "FG106")]
    fix = findings[0].fix
    assert fix is not None and fix.applicability == "unsafe" and len(fix.edits) == 2
    fixed = apply_edits(source, fix.edits)
    ast.parse(fixed)
    assert fixed.splitlines()[3:6] == ["import hmac", "import hashlib", ""]
    assert 'if not hmac.compare_digest(digest, request.headers["X-Signature"]):' in fixed
    assert "!=" not in fixed


def test_fix_reuses_an_existing_import_and_rewrites_equality(tmp_path: Path) -> None:
    source, findings = check(tmp_path, '''
        import hmac

        from fastapi import APIRouter, Request

        router = APIRouter(prefix="/webhooks")


        def verify_signature(payload: bytes, signature: str, secret: bytes) -> bool:
            expected = hmac.new(secret, payload, "sha256").hexdigest()
            return expected == signature


        @router.post("/github")
        async def github_webhook(request: Request) -> dict:
            body = await request.body()
            if not verify_signature(body, request.headers.get("X-Hub-Signature-256", ""), b"k"):
                return {"ok": False}
            return {"ok": True}
    ''')
    assert [finding.line for finding in findings] == [10]
    fix = findings[0].fix
    assert fix is not None and len(fix.edits) == 1
    fixed = apply_edits(source, fix.edits)
    ast.parse(fixed)
    assert "    return hmac.compare_digest(expected, signature)\n" in fixed


def test_no_fix_for_a_multiline_comparison_or_a_taken_name(tmp_path: Path) -> None:
    _, findings = check(tmp_path, '''
        from fastapi import APIRouter, Request

        from app import crypto as hmac

        router = APIRouter(prefix="/webhooks")


        @router.post("/a")
        async def a(request: Request) -> dict:
            body = await request.body()
            token = request.headers.get("X-Token")
            if token != hmac.expected_token(body):
                return {"ok": False}
            return {"ok": True}


        @router.post("/b")
        async def b(request: Request) -> dict:
            body = await request.body()
            signature = request.headers.get("X-Signature")
            if (signature
                    == hmac.expected_signature(body)):
                return {"ok": True}
            return {"ok": False}
    ''')
    assert [(finding.line, finding.fix) for finding in findings] == [(12, None), (21, None)]


def test_authenticated_webhook_management_is_not_a_receiver(tmp_path: Path) -> None:
    _, findings = check(tmp_path, '''
        from fastapi import APIRouter, Depends, Request
        from fastapi.security import HTTPBearer
        from pydantic import BaseModel

        router = APIRouter(prefix="/webhooks", dependencies=[Depends(HTTPBearer())])


        class WebhookCreate(BaseModel):
            url: str


        @router.post("")
        async def create_webhook(data: WebhookCreate) -> dict:
            return {"url": data.url}


        @router.post("/{webhook_id}/test")
        async def test_webhook(webhook_id: int, request: Request) -> dict:
            return await request.json()
    ''')
    assert findings == []


def test_body_parameter_counts_as_reading_the_body(tmp_path: Path) -> None:
    _, findings = check(tmp_path, '''
        from fastapi import APIRouter
        from pydantic import BaseModel

        router = APIRouter(prefix="/webhooks")


        class Event(BaseModel):
            type: str


        @router.post("/events/{source}")
        async def receive(source: str, event: Event) -> dict:
            return {"type": event.type}


        @router.get("/events/{source}")
        async def ping(source: str, limit: int = 10) -> dict:
            return {"source": source}
    ''')
    assert [(finding.line, finding.message) for finding in findings] == [
        (12, "webhook endpoint `POST /api/webhooks/events/{source}` reads the request body "
             "without verifying its signature"),
    ]
