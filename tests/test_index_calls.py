"""The call graph (``project.models.calls``) and the return flow of ``ScopeFlow``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from test_index_sessions import function
from test_index_sqlalchemy import build

from fastapi_guard.project.calls import Target
from fastapi_guard.project.scopeflow import ScopeFlow

SERVICES = """
class Base:
    def shared(self):
        return 1


class ItemService(Base):
    def __init__(self, db):
        self.db = db

    def list(self):
        return self.helper()

    def helper(self):
        return self.shared()

    @staticmethod
    def build():
        return 2


class ItemsTable:
    def get(self, item_id):
        return item_id


Items = ItemsTable()


def module_function():
    return 3
"""


def callees(tmp_path: Path, body: str) -> list[str]:
    project = build(tmp_path, {"app/__init__.py": "", "app/services.py": SERVICES, "app/api.py": (
        "import app.services\nfrom app import services\n"
        "from app.services import Items, ItemService, module_function\n\n\n"
        "def caller(repo: ItemService):\n" + body
    )})
    graph = project.models.calls
    target = graph.target(project.modules["app.api"], function(project, "app.api", "caller"))
    return [callee.label for _, callee in graph.calls(target)]


@pytest.mark.parametrize("body, expected", [
    ("    module_function()\n", ["module_function"]),
    ("    services.module_function()\n", ["module_function"]),
    ("    app.services.module_function()\n", ["module_function"]),
    ("    ItemService.build()\n", ["ItemService.build"]),
    ("    Items.get(1)\n", ["ItemsTable.get"]),
    ("    service = ItemService(None)\n    service.list()\n", ["ItemService.list"]),
    ("    ItemService(None).shared()\n", ["Base.shared"]),
    ("    repo.list()\n", ["ItemService.list"]),
    ("    ItemService(None)\n", []),  # a constructor call runs no method the graph follows
    ("    unknown.list()\n", []),
    ("    run(lambda: module_function())\n", []),
    ("    run_in_threadpool(module_function)\n", []),
])
def test_callees(tmp_path: Path, body: str, expected: list[str]) -> None:
    assert callees(tmp_path, body) == expected


def test_self_calls_follow_the_class_and_its_bases(tmp_path: Path) -> None:
    project = build(tmp_path, {"app/__init__.py": "", "app/services.py": SERVICES})
    graph = project.models.calls
    module = project.modules["app.services"]
    listing = graph.target(module, function(project, "app.services", "list"))
    assert listing.label == "ItemService.list"
    (call, helper), = graph.calls(listing)
    assert helper.label == "ItemService.helper"
    assert [callee.label for _, callee in graph.calls(helper)] == ["Base.shared"]


@pytest.mark.parametrize("body, returned", [
    ("    return rows()\n", True),
    ("    items = rows()\n    return items\n", True),
    ("    items = rows()\n    return {'items': items, 'total': len(items)}\n", True),
    ("    items = rows()\n    return Page(items=[x.id for x in items])\n", True),
    ("    return sorted(rows())\n", True),
    ("    return await rows()\n", True),
    ("    items = rows()\n    return len(items)\n", False),
    ("    items = rows()\n    items = []\n    return items\n", False),
    ("    rows()\n    return None\n", False),
])
def test_returns_follows_the_value_to_the_return(tmp_path: Path, body: str, returned: bool) -> None:
    project = build(tmp_path, {"app/api.py": "async def handler():\n" + body})
    module = project.modules["app.api"]
    handler = function(project, "app.api", "handler")
    flow = ScopeFlow(project, module, handler, (handler,))
    call = next(node for node in ast.walk(handler) if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name) and node.func.id == "rows")
    assert (flow.returns(call) is not None) is returned


def test_endpoint_results_follow_returned_helpers(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/__init__.py": "",
        "app/services.py": """
            def list_items(db):
                return fetch(db)


            def fetch(db):
                return db


            def log_items(db):
                return None
        """,
        "app/main.py": """
            from fastapi import FastAPI
            from app.services import list_items, log_items

            app = FastAPI()


            @app.get("/items")
            def items(db=None):
                log_items(db)
                return {"items": list_items(db)}
        """,
    })
    results = project.models.calls.endpoint_results
    named = {function(project, module, name).name: results.get(id(function(project, module, name)))
             for module, name in [("app.main", "items"), ("app.services", "list_items"),
                                  ("app.services", "fetch"), ("app.services", "log_items")]}
    assert all(isinstance(value, Target) and value.function.name == "items"
               for key, value in named.items() if key != "log_items")
    assert named["log_items"] is None
