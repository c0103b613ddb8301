"""The layout facet: routes package, feature folders and their depth, the app module."""

from __future__ import annotations

import ast
from pathlib import Path

from support import build_project, write_project

from fastapi_guard.config import Config, parse_settings
from fastapi_guard.project import Project
from fastapi_guard.project.layout import is_test_module
from fastapi_guard.project.symbols import walk_with_scopes

ROUTER = "from fastapi import APIRouter\nrouter = APIRouter()\n"
FILES = {
    "app/__init__.py": "",
    "app/main.py": (
        "from fastapi import FastAPI\n"
        "from app.routes import jobs, profile\n"
        "def create_app() -> FastAPI:\n"
        "    application = FastAPI()\n"
        "    application.include_router(jobs.router)\n"
        "    application.include_router(profile.router)\n"
        "    return application\n"
    ),
    "app/admin_app.py": (
        "import fastapi\n"
        "admin = fastapi.FastAPI()\n"
        "admin.include_router(object())\n"
    ),
    "app/routes/__init__.py": "",
    "app/routes/sandbox.py": (
        "from fastapi import FastAPI\n"
        "app = FastAPI()\n"
        "app.include_router(1)\napp.include_router(2)\napp.include_router(3)\n"
    ),
    "app/routes/jobs/__init__.py": "from .router import router\n",
    "app/routes/jobs/router.py": ROUTER,
    "app/routes/profile/__init__.py": "from .router import router\n",
    "app/routes/profile/router.py": ROUTER,
    "app/routes/profile/experiences/router.py": ROUTER,
    "app/routes/profile/experiences/items/__init__.py": "",
    "tests/conftest.py": (
        "from fastapi import FastAPI\n"
        "app = FastAPI()\n"
        "app.include_router(1)\napp.include_router(2)\napp.include_router(3)\n"
    ),
}


def build(tmp_path: Path, files: dict[str, str] = FILES, **settings: object) -> Project:
    config = parse_settings(dict(settings), "test") if settings else Config()
    return build_project(write_project(tmp_path, files), config)


def test_feature_folders_include_nested_and_namespace_packages(tmp_path: Path) -> None:
    layout = build(tmp_path).layout
    assert layout.routes_package == "app.routes"
    assert layout.routes_folder == "app/routes"
    assert layout.feature_folders == {
        "app.routes.jobs", "app.routes.profile", "app.routes.profile.experiences",
        "app.routes.profile.experiences.items",
    }


def test_feature_of_and_depth(tmp_path: Path) -> None:
    layout = build(tmp_path).layout
    assert layout.feature_of("app.routes.jobs.router") == "app.routes.jobs"
    assert layout.feature_of("app.routes.jobs") == "app.routes.jobs"
    assert layout.feature_depth("app.routes.jobs.router") == 1
    assert layout.feature_depth("app.routes.profile.experiences.router") == 2
    assert layout.feature_depth("app.routes.profile.experiences.items") == 3
    # Files directly in the routes package belong to no feature.
    assert layout.feature_of("app.routes.sandbox") is None
    assert layout.feature_depth("app.routes") is None
    assert layout.feature_depth("app.main") is None


def test_app_module_prefers_outside_routes_and_tests_then_most_includes(tmp_path: Path) -> None:
    layout = build(tmp_path).layout
    assert layout.app_module is not None
    assert layout.app_module.name == "app.main"
    assert layout.relative_path(layout.app_module) == "app/main.py"


def test_app_module_from_config_as_path_or_dotted_name(tmp_path: Path) -> None:
    assert build(tmp_path / "a", **{"app-module": "app/admin_app.py"}).layout.app_module.name == "app.admin_app"
    assert build(tmp_path / "b", **{"app-module": "app.admin_app"}).layout.app_module.name == "app.admin_app"
    assert build(tmp_path / "c", **{"app-module": "admin_app"}).layout.app_module.name == "app.admin_app"
    assert build(tmp_path / "d", **{"app-module": "app/missing.py"}).layout.app_module is None


def test_fastapi_is_resolved_not_matched_by_name(tmp_path: Path) -> None:
    files = {
        "main.py": "class FastAPI:\n    pass\napp = FastAPI()\n",
        "server.py": "from fastapi import FastAPI as Application\napp = Application()\n",
    }
    assert build(tmp_path, files).layout.app_module.name == "server"


def test_no_routes_package_means_no_features(tmp_path: Path) -> None:
    layout = build(tmp_path, {"app/routers/items.py": ROUTER}).layout
    assert layout.routes_package is None
    assert layout.feature_folders == frozenset()
    assert layout.feature_depth("app.routers.items") is None


def test_test_modules() -> None:
    assert is_test_module("tests.test_jobs")
    assert is_test_module("app.tests.factories")
    assert is_test_module("conftest")
    assert is_test_module("app.routes.jobs.router_test")
    assert not is_test_module("app.routes.jobs.router")
    assert not is_test_module("app.services.testimonials")


def test_walk_with_scopes_puts_decorators_and_defaults_outside() -> None:
    tree = ast.parse("@deco\ndef handler(x=default):\n    body\n")
    scopes = {node.id: len(found) for node, found in walk_with_scopes(tree) if isinstance(node, ast.Name)}
    assert scopes == {"deco": 0, "default": 0, "body": 1}
