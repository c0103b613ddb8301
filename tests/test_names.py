"""Name resolution across modules: imports, re-exports, relative imports, aliases."""

from __future__ import annotations

import ast
from pathlib import Path

from support import build_project, write_project

from fastapi_guard.project import Project

FILES = {
    "app/__init__.py": "",
    "app/main.py": (
        "from fastapi import FastAPI\n"
        "from routes.jobs import router as jobs_router\n"
        "import routes.profile as profile\n"
        "from app.deps import *\n"
        "app = FastAPI()\n"
    ),
    "app/deps.py": "from fastapi.routing import APIRouter as R\nfrom .security import get_current_user\n",
    "app/security.py": "def get_current_user():\n    pass\n",
    "app/routes/__init__.py": "",
    "app/routes/jobs/__init__.py": "from .router import router\n",
    "app/routes/jobs/router.py": "from fastapi import APIRouter\nrouter = APIRouter(prefix='/jobs')\n",
    "app/routes/profile/__init__.py": "from .router import router\nfrom . import experiences\n",
    "app/routes/profile/router.py": "from fastapi import APIRouter\nrouter = APIRouter()\n",
    "app/routes/profile/experiences/__init__.py": "from .router import router\n",
    "app/routes/profile/experiences/router.py": "from fastapi import APIRouter\nrouter = APIRouter()\n",
}


def build(tmp_path: Path) -> Project:
    return build_project(write_project(tmp_path, FILES))


def expr(source: str) -> ast.expr:
    return ast.parse(source, mode="eval").body


def test_module_names_follow_the_folders(tmp_path: Path) -> None:
    project = build(tmp_path)
    assert "app.routes.jobs" in project.modules and project.modules["app.routes.jobs"].is_package
    assert "app.routes.jobs.router" in project.modules


def test_from_import_of_a_package_attribute_prefers_the_reexport(tmp_path: Path) -> None:
    project = build(tmp_path)
    main = project.modules["app.main"]
    assert project.names.qualname(main, expr("jobs_router")) == "app.routes.jobs.router.router"
    assert project.names.qualname(main, expr("profile.router")) == "app.routes.profile.router.router"
    assert project.names.qualname(main, expr("profile.experiences.router")) == (
        "app.routes.profile.experiences.router.router"
    )


def test_external_names_are_folded_and_star_imports_followed(tmp_path: Path) -> None:
    project = build(tmp_path)
    main = project.modules["app.main"]
    assert project.names.qualname(main, expr("FastAPI")) == "fastapi.FastAPI"
    assert project.names.qualname(main, expr("R")) == "fastapi.APIRouter"
    assert project.names.qualname(main, expr("get_current_user")) == "app.security.get_current_user"
    resolved = project.names.resolve_expr(main, expr("get_current_user"))
    assert resolved is not None and isinstance(resolved.node, ast.FunctionDef)


def test_function_scopes_shadow_module_names(tmp_path: Path) -> None:
    project = build(tmp_path)
    module = project.modules["app.main"]
    function = ast.parse("def factory(app):\n    router = APIRouter()\n    return router\n").body[0]
    assert project.names.resolve_name(module, "app", [function]).binding.kind == "param"
    assert project.names.qualname(module, expr("router"), [function]) == "app.main.factory.<locals>.router"
    assert project.names.qualname(module, expr("app")) == "app.main.app"


def test_definition_lookup_and_import_cycles(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"a.py": "from b import x\n", "b.py": "from a import x\n"})
    project = build_project(root)
    assert project.names.qualname(project.modules["a"], expr("x")).endswith("x")
    assert project.names.definition("app.nothing") is None


def test_library_names_never_resolve_to_a_deeper_project_module(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/_internal/__init__.py": "",
        "pkg/_internal/pydantic.py": "BaseModel = object\n",
        "pkg/_internal/helpers.py": "x = 1\n",
        "pkg/api.py": "from pydantic import BaseModel\nfrom helpers import x\n",
    })
    project = build_project(root)
    api = project.modules["pkg.api"]
    assert project.names.qualname(api, expr("BaseModel")) == "pydantic.BaseModel"
    # pkg/_internal is inside a regular package, so it is no import root for pkg/api.py
    assert project.names.qualname(api, expr("x")) == "helpers.x"
