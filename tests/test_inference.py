"""astroid inference of computed constant strings, from the project's own sources."""

from __future__ import annotations

import ast
from pathlib import Path

from support import build_project, write_project

from fastapi_guard.project import Project

CONFIG = (
    "from pydantic_settings import BaseSettings\n"
    "class Settings(BaseSettings):\n"
    "    API_V1_STR: str = '{prefix}'\n"
    "settings = Settings()\n"
)
MAIN = (
    "from app.core.config import settings\n"
    "from fastapi import FastAPI\n"
    "import os\n"
    "app = FastAPI()\n"
    "BASE = '/v' + '2'\n"
    "app.include_router(r, prefix=settings.API_V1_STR)\n"
    "app.include_router(r, prefix=f'{BASE}/x')\n"
    "app.include_router(r, prefix=os.environ['PREFIX'])\n"
)


def project_with(root: Path, prefix: str) -> Project:
    write_project(root, {"app/core/config.py": CONFIG.replace("{prefix}", prefix), "app/main.py": MAIN})
    return build_project(root)


def prefixes(project: Project) -> list[str | None]:
    main = project.modules["app.main"]
    calls = [node for node in ast.walk(main.tree) if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "include_router"]
    return [project.inference.constant_string(main, call.keywords[0].value) for call in calls]


def test_settings_attribute_and_constant_expressions_are_inferred(tmp_path: Path) -> None:
    assert prefixes(project_with(tmp_path, "/api/v1")) == ["/api/v1", "/v2/x", None]


def test_projects_with_the_same_module_names_do_not_leak_into_each_other(tmp_path: Path) -> None:
    first = project_with(tmp_path / "one", "/one")
    second = project_with(tmp_path / "two", "/two")
    assert prefixes(first)[0] == "/one"
    assert prefixes(second)[0] == "/two"
    assert prefixes(first)[0] == "/one"
