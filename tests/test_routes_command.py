"""`fastapi-guard routes`: the endpoint inventory from the same index as `check`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from support import write_project

from fastapi_guard.cli import main

FILES = {
    "app/main.py": (
        "from fastapi import FastAPI\n"
        "from app.routes.items import router as items_router\n"
        "from app.routes.auth import router as auth_router\n"
        "app = FastAPI()\n"
        "app.include_router(items_router, prefix='/api')\n"
        "app.include_router(auth_router, prefix='/api')\n"
    ),
    "app/deps.py": (
        "from fastapi import Depends\n"
        "def get_current_user():\n    ...\n"
        "def require_admin(user=Depends(get_current_user)):\n    ...\n"
    ),
    "app/routes/items.py": (
        "from fastapi import APIRouter, Depends\n"
        "from app.deps import get_current_user, require_admin\n"
        "from app.schemas import Item\n"
        "router = APIRouter(prefix='/items')\n"
        "@router.get('', response_model=list[Item])\n"
        "def list_items(user=Depends(get_current_user)):\n    ...\n"
        "@router.delete('/{item_id}')\n"
        "def delete_item(item_id: int, admin=Depends(require_admin)) -> None:\n    ...\n"
        "@router.get('/open')\n"
        "def open_items():\n    ...\n"
    ),
    "app/routes/auth.py": (
        "from fastapi import APIRouter\n"
        "router = APIRouter(prefix='/auth')\n"
        "@router.post('/login')\n"
        "def login():\n    ...\n"
    ),
    "app/routes/orphan.py": (
        "from fastapi import APIRouter\n"
        "router = APIRouter(prefix='/orphan')\n"
        "@router.get('/x')\n"
        "def lost():\n    ...\n"
    ),
}


def test_routes_json_inventory(tmp_path: Path) -> None:
    root = write_project(tmp_path, FILES)
    result = CliRunner().invoke(main, ["routes", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {(row["method"], row["path"]): row for row in json.loads(result.output)}
    assert set(rows) == {
        ("POST", "/api/auth/login"), ("GET", "/api/items"), ("DELETE", "/api/items/{item_id}"),
        ("GET", "/api/items/open"), ("GET", "/orphan/x"),
    }
    assert rows[("GET", "/api/items")] == {
        "method": "GET", "path": "/api/items", "handler": "list_items",
        "file": (root / "app/routes/items.py").as_posix(), "line": 6, "auth": "user",
        "dependencies": ["get_current_user"], "response_model": "list[Item]", "mounted": True,
    }
    assert rows[("DELETE", "/api/items/{item_id}")]["auth"] == "admin"
    assert rows[("DELETE", "/api/items/{item_id}")]["response_model"] == "None"
    assert rows[("GET", "/api/items/open")]["auth"] == "missing"
    assert rows[("POST", "/api/auth/login")]["auth"] == "public"
    assert rows[("GET", "/orphan/x")]["mounted"] is False


def test_routes_text_and_markdown(tmp_path: Path) -> None:
    root = write_project(tmp_path, FILES)
    text = CliRunner().invoke(main, ["routes", str(root)]).output
    assert text.endswith("5 routes, 2 without auth\n") and "(not mounted)" in text
    markdown = CliRunner().invoke(main, ["routes", str(root), "--format", "markdown"]).output
    assert markdown.startswith("| method | path | auth | handler | response model |")
    assert "| GET | `/api/items` | user | `list_items`" in markdown


def test_expressions_too_deep_to_unparse_do_not_take_the_inventory_down(tmp_path: Path) -> None:
    # Valid Python: a 1,900-deep attribute chain as a path and as a response model.
    # ``ast.unparse`` recursed past the limit; the traceback lost every route.
    chain = "a" + ".b" * 1900
    source = (
        "from fastapi import FastAPI\napp = FastAPI()\n"
        f"@app.get('/x', response_model={chain})\ndef model():\n    ...\n"
        f"@app.get({chain})\ndef path():\n    ...\n"
    )
    root = write_project(tmp_path, {"app/main.py": source})
    result = CliRunner().invoke(main, ["routes", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["handler"]: row for row in json.loads(result.output)}
    assert rows["model"]["response_model"] == "..." and rows["path"]["path"] == "{...}"
