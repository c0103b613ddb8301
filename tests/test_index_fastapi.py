"""The FastAPI facet of the Project index: routers, mount tree, endpoints, auth levels."""

from __future__ import annotations

import ast
from pathlib import Path
from textwrap import dedent

import pytest
from support import build_project, write_project

from fastapi_guard.config import load_config_file
from fastapi_guard.project import Project
from fastapi_guard.project.fastapi import Endpoint
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo


def build(tmp_path: Path, files: dict[str, str], config: str = "") -> Project:
    root = write_project(tmp_path, {path: dedent(source) for path, source in files.items()}, config)
    return build_project(root, load_config_file(root / "pyproject.toml"))


def endpoint(project: Project, name: str) -> Endpoint:
    found = [item for item in project.fastapi.endpoints if item.name == name]
    assert len(found) == 1, [item.name for item in project.fastapi.endpoints]
    return found[0]


def function(project: Project, module: str, name: str) -> tuple[ModuleInfo, FunctionNode]:
    info = project.modules[module]
    for node in ast.walk(info.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return info, node
    raise AssertionError(name)


ACCESS = """
    from fastapi import Depends
    from fastapi.security import OAuth2PasswordBearer

    oauth2 = OAuth2PasswordBearer(tokenUrl="/auth/token")


    def get_current_user(token: str = Depends(oauth2)):
        return token


    def require_admin(user=Depends(get_current_user)):
        return user


    def get_current_active_user(user=Depends(get_current_user)):
        return user
"""


# -- requires_admin (used by FG103) ------------------------------------------------------------


def test_requires_admin_for_admin_endpoints_and_admin_parameters(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/utils/access.py": ACCESS,
        "app/routes/users/router.py": """
            from fastapi import APIRouter, Depends
            from app.utils.access import get_current_user, require_admin

            router = APIRouter(prefix="/users")
            admin_router = APIRouter(prefix="/admin", dependencies=[Depends(require_admin)])


            @router.get("")
            def list_users(user=Depends(get_current_user)):
                return []


            @router.delete("/{user_id}")
            def delete_user(user_id: int, admin=Depends(require_admin)):
                return None


            @admin_router.get("/stats")
            def stats():
                return {}


            def purge_everything(db, admin=Depends(require_admin)):
                return None


            def helper(db):
                return None
        """,
    })
    index = project.fastapi
    module = "app.routes.users.router"
    assert index.requires_admin(*function(project, module, "delete_user"))
    assert index.requires_admin(*function(project, module, "stats"))
    assert index.requires_admin(*function(project, module, "purge_everything"))
    assert not index.requires_admin(*function(project, module, "list_users"))
    assert not index.requires_admin(*function(project, module, "helper"))


def test_requires_admin_through_annotated_alias_and_transitive_dependency(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/deps.py": ACCESS + """

    from typing import Annotated

    def get_superuser(user=Depends(require_admin)):
        return user

    AdminUser = Annotated[dict, Depends(get_superuser)]
    CurrentUser = Annotated[dict, Depends(get_current_active_user)]
        """,
        "app/services.py": """
            from app.deps import AdminUser, CurrentUser


            def wipe(db, admin: AdminUser):
                return None


            def mine(db, user: CurrentUser):
                return None
        """,
    })
    index = project.fastapi
    assert index.requires_admin(*function(project, "app.services", "wipe"))
    assert not index.requires_admin(*function(project, "app.services", "mine"))


def test_requires_admin_needs_admin_on_every_mounted_path(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/utils/access.py": ACCESS,
        "app/main.py": """
            from fastapi import APIRouter, Depends, FastAPI
            from app.utils.access import get_current_user, require_admin

            router = APIRouter()


            @router.get("/report")
            def report():
                return {}


            app = FastAPI()
            app.include_router(router, prefix="/admin", dependencies=[Depends(require_admin)])
            app.include_router(router, prefix="/me", dependencies=[Depends(get_current_user)])
        """,
    })
    report = endpoint(project, "report")
    assert sorted(report.paths) == ["/admin/report", "/me/report"]
    assert report.auth_level == "user"
    assert not project.fastapi.requires_admin(report.module, report.function)


# -- routers, mount tree and full paths ----------------------------------------------------------


def test_full_paths_through_reexports_and_nested_includes(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/utils/access.py": ACCESS,
        "app/config.py": """
            class Settings:
                API_V1_STR: str = "/api/v1"


            settings = Settings()
        """,
        "app/routes/__init__.py": "",
        "app/routes/profile/__init__.py": """
            from .router import router
            from .experiences.router import router as experiences_router

            router.include_router(experiences_router)
        """,
        "app/routes/profile/router.py": """
            from fastapi import APIRouter

            router = APIRouter(prefix="/profile", tags=["Profile"])


            @router.get("")
            def get_profile():
                return {}
        """,
        "app/routes/profile/experiences/__init__.py": "from .router import router\n",
        "app/routes/profile/experiences/router.py": """
            from fastapi import APIRouter

            router = APIRouter(prefix="/experiences")


            @router.get("/{experience_id}")
            def get_experience(experience_id: int):
                return {}
        """,
        "app/main.py": """
            from fastapi import Depends, FastAPI
            from app.config import settings
            from app.routes.profile import router as profile_router
            from app.utils.access import get_current_user

            app = FastAPI()
            app.include_router(profile_router, prefix=settings.API_V1_STR, dependencies=[Depends(get_current_user)])
        """,
    })
    experience = endpoint(project, "get_experience")
    assert experience.paths == ["/api/v1/profile/experiences/{experience_id}"]
    assert experience.mounted and experience.auth_level == "user"
    assert experience.auth_dependencies == frozenset({"get_current_user"})
    [route] = experience.routes
    assert [level.kind for level in route.levels] == ["app", "include", "router", "include", "router"]
    assert [level.prefix for level in route.levels] == ["", "/api/v1", "/profile", "", "/experiences"]
    assert len(route.levels[1].dependencies) == 1
    assert endpoint(project, "get_profile").paths == ["/api/v1/profile"]


def test_sub_app_mount_and_app_dependencies(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/utils/access.py": ACCESS,
        "app/v2.py": """
            from fastapi import APIRouter, Depends, FastAPI
            from app.utils.access import get_current_user

            router = APIRouter(prefix="/items")


            @router.get("")
            def list_items():
                return []


            api = FastAPI(dependencies=[Depends(get_current_user)])
            api.include_router(router)
        """,
        "app/main.py": """
            from fastapi import FastAPI
            from app.v2 import api

            app = FastAPI()
            app.mount("/v2/", api)
        """,
    })
    items = endpoint(project, "list_items")
    assert items.paths == ["/v2/items"]
    assert items.auth_level == "user"
    assert [level.kind for level in items.routes[0].levels] == ["app", "mount", "app", "include", "router"]
    assert {router.qualname for router in project.fastapi.apps} == {"app.v2.api", "app.main.app"}


def test_app_factory_helper_and_loop_includes(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/api.py": """
            from fastapi import APIRouter

            items = APIRouter(prefix="/items")
            orders = APIRouter()


            @items.get("")
            def list_items():
                return []


            @orders.get("")
            def list_orders():
                return []


            def make_router():
                router = APIRouter(prefix="/made")

                @router.get("/x")
                def made():
                    return {}

                return router
        """,
        "app/main.py": """
            from fastapi import FastAPI
            from app import api


            def add_routes(application):
                for router, prefix in [(api.items, "/a"), (api.orders, "/b/orders")]:
                    application.include_router(router, prefix=prefix)
                application.include_router(api.make_router())


            def create_app():
                app = FastAPI()
                add_routes(app)
                return app
        """,
    })
    assert endpoint(project, "list_items").paths == ["/a/items"]
    assert endpoint(project, "list_orders").paths == ["/b/orders"]
    made = endpoint(project, "made")
    assert made.paths == ["/made/x"] and made.mounted
    assert "app.main.create_app.<locals>.app" in project.fastapi.routers


def test_unmounted_router_and_several_decorators(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/routes.py": """
            from fastapi import APIRouter

            router = APIRouter(prefix="/things")


            @router.get("/a")
            @router.post("/b")
            @router.api_route("/c", methods=["PUT", "patch"])
            def handler():
                return {}


            @router.websocket("/ws")
            async def socket(websocket):
                return None
        """,
    })
    handler = endpoint(project, "handler")
    assert not handler.mounted
    assert handler.pairs == [("GET", "/things/a"), ("POST", "/things/b"), ("PUT", "/things/c"), ("PATCH", "/things/c")]
    assert handler.methods == ("GET", "POST", "PUT", "PATCH")
    assert handler.auth_level == "missing"
    assert endpoint(project, "socket").pairs == [("WEBSOCKET", "/things/ws")]
    assert [item.name for item in project.fastapi.endpoints] == ["handler", "socket"]


def test_imperative_registrations(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/utils/access.py": ACCESS,
        "app/routes.py": """
            from fastapi import APIRouter, Depends
            from app.utils.access import get_current_user

            router = APIRouter()


            def create(): ...
            def read(): ...
            async def stream(websocket): ...


            router.post("/create", dependencies=[Depends(get_current_user)])(create)
            router.add_api_route("/read", read, methods=["GET", "HEAD"])
            router.add_api_websocket_route("/stream", stream, dependencies=[Depends(get_current_user)])
        """,
    })
    assert endpoint(project, "create").auth_level == "user"
    read = endpoint(project, "read")
    assert read.pairs == [("GET", "/read"), ("HEAD", "/read")] and read.auth_level == "missing"
    assert endpoint(project, "stream").auth_level == "user"


def test_router_resolved_through_imports_not_names(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/routes.py": """
            from somewhere import router

            app = object()


            @router.get("/x")
            def not_an_endpoint():
                return {}


            @app.get("/y")
            def neither():
                return {}
        """,
    })
    assert project.fastapi.endpoints == []


def test_router_subclass_dependencies_and_include_cycle(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/utils/access.py": ACCESS,
        "app/routing.py": """
            from fastapi import APIRouter, Depends
            from app.utils.access import get_current_user


            class SecureRouter(APIRouter):
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, dependencies=[Depends(get_current_user)], **kwargs)


            class AuditedRouter(SecureRouter):
                pass


            first = AuditedRouter(prefix="/first")
            second = APIRouter(prefix="/second")
            first.include_router(second)
            second.include_router(first)


            @second.get("/x")
            def loop_handler():
                return {}
        """,
    })
    assert set(project.fastapi.routers) >= {"app.routing.first", "app.routing.second"}
    handler = endpoint(project, "loop_handler")
    assert "/first/second/x" in handler.paths


# -- the dependency graph ---------------------------------------------------------------------


AUTH_CASES = {
    "param": ("user=Depends(get_current_user)", "user"),
    "security": ("user=Security(get_current_user, scopes=['me'])", "user"),
    "transitive": ("user=Depends(get_current_active_user)", "user"),
    "admin": ("user=Depends(require_admin)", "admin"),
    "annotated": ("user: Annotated[dict, Depends(get_current_user)]", "user"),
    "alias": ("user: CurrentUser", "user"),
    "string_alias": ("user: 'CurrentUser'", "user"),
    "constant": ("user=AuthDep", "user"),
    "scheme": ("token=Depends(oauth2)", "user"),
    "scheme_inline": ("token=Depends(HTTPBearer())", "user"),
    "class": ("checker=Depends(RoleChecker)", "user"),
    "class_instance": ("checker=Depends(RoleChecker('admin'))", "user"),
    "class_annotation": ("checker: RoleChecker = Depends()", "user"),
    "factory": ("user=Depends(require_role('admin'))", "user"),
    "factory_returning_depends": ("user=needs_login()", "user"),
    "fastapi_users": ("user=Depends(fastapi_users.current_user(active=True))", "user"),
    "optional_scheme": ("token=Depends(HTTPBearer(auto_error=False))", "missing"),
    "optional_name": ("user=Depends(get_optional_user)", "missing"),
    "optional_factory": ("user=Depends(fastapi_users.current_user(optional=True))", "missing"),
    "required_false": ("user=Depends(require_role('x', required=False))", "missing"),
    "noop": ("flags=Depends(feature_flags)", "missing"),
    "cycle": ("value=Depends(ping)", "missing"),
    "none": ("", "missing"),
}


@pytest.mark.parametrize("case", sorted(AUTH_CASES))
def test_dependency_auth_classification(tmp_path: Path, case: str) -> None:
    parameter, level = AUTH_CASES[case]
    project = build(tmp_path, {
        "app/utils/access.py": ACCESS,
        "app/deps.py": """
            import uuid
            from typing import Annotated

            from fastapi import Depends
            from fastapi_users import FastAPIUsers
            from app.utils.access import get_current_user

            fastapi_users = FastAPIUsers[dict, uuid.UUID](None, [])
            CurrentUser = Annotated[dict, Depends(get_current_user)]
            AuthDep = Depends(get_current_user)


            class RoleChecker:
                def __init__(self, role: str = "user"):
                    self.role = role

                def __call__(self, user=Depends(get_current_user)):
                    return user


            def require_role(role, required=True):
                def checker(user=Depends(get_current_user)):
                    return user
                return checker


            def needs_login():
                return Depends(get_current_user)


            def get_optional_user(user=Depends(get_current_user)):
                return user


            def feature_flags():
                return {}


            def ping(value=Depends(lambda: None), other=Depends(lambda: None)):
                return pong()


            def pong(value=Depends(ping)):
                return value
        """,
        "app/routes.py": f"""
            from typing import Annotated

            from fastapi import APIRouter, Depends, Security
            from fastapi.security import HTTPBearer
            from app.deps import *
            from app.utils.access import get_current_user, get_current_active_user, require_admin, oauth2

            router = APIRouter()


            @router.get("/x")
            def handler({parameter}):
                return {{}}
        """,
    })
    assert endpoint(project, "handler").auth_level == level


def test_auth_dependency_name_on_an_endpoint_is_not_auth(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/routes.py": """
            from fastapi import APIRouter, Depends

            router = APIRouter()


            @router.get("/me")
            def get_current_user():
                return {}


            @router.get("/settings")
            def settings(user=Depends(get_current_user)):
                return {}


            @router.get("/imperative")
            def imperative():
                return get_current_user()
        """,
    })
    assert endpoint(project, "get_current_user").auth_level == "missing"
    assert endpoint(project, "settings").auth_level == "missing"
    assert endpoint(project, "imperative").auth_level == "missing"


def test_class_based_view_attributes(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/utils/access.py": ACCESS,
        "app/routes.py": """
            from fastapi import APIRouter, Depends
            from fastapi_utils.cbv import cbv
            from app.utils.access import get_current_user

            router = APIRouter()


            @cbv(router)
            class Views:
                user: dict = Depends(get_current_user)

                @router.get("/a")
                def a(self):
                    return {}


            class NotAView:
                user: dict = Depends(get_current_user)

                @router.get("/b")
                def b(self):
                    return {}
        """,
    })
    assert endpoint(project, "a").auth_level == "user"
    assert endpoint(project, "b").auth_level == "missing"


def test_public_paths_with_extension_and_methods(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/routes.py": """
            from fastapi import APIRouter, FastAPI

            router = APIRouter(prefix="/api")


            @router.post("/auth/login")
            def login():
                return {}


            @router.get("/catalog")
            @router.post("/catalog")
            def catalog():
                return {}


            @router.get("/status")
            def status():
                return {}


            app = FastAPI()
            app.include_router(router)
        """,
    }, config='extend-public-paths = ["GET /api/catalog", "**/status"]\n')
    assert endpoint(project, "login").auth_level == "public"
    assert endpoint(project, "status").auth_level == "public"
    catalog = endpoint(project, "catalog")
    assert catalog.auth_level == "missing"
    assert catalog.unprotected == [("POST", "/api/catalog")]


def test_endpoint_lookup_by_function(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/routes.py": """
            from fastapi import APIRouter

            router = APIRouter()


            @router.get("/x")
            def handler():
                return {}


            def helper():
                return {}
        """,
    })
    module, handler = function(project, "app.routes", "handler")
    assert project.fastapi.endpoint_for(handler) is endpoint(project, "handler")
    assert project.fastapi.endpoint_for(function(project, "app.routes", "helper")[1]) is None
    assert not project.fastapi.requires_admin(module, handler)


def test_router_aliases_and_loops_over_constants(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/utils/access.py": ACCESS,
        "app/api.py": """
            import fastapi
            from fastapi import APIRouter as Router

            first = Router(prefix="/first")
            second = fastapi.APIRouter(prefix="/second")


            @first.get("")
            def one():
                return []


            @second.get("")
            def two():
                return []
        """,
        "app/main.py": """
            from fastapi import Depends, FastAPI
            from app.api import first, second
            from app.utils.access import get_current_user

            ROUTERS = (first, second)
            app = FastAPI()


            def mount_all():
                for router in ROUTERS:
                    app.include_router(router, prefix="/api", dependencies=[Depends(get_current_user)])
        """,
    })
    assert endpoint(project, "one").paths == ["/api/first"]
    assert endpoint(project, "two").paths == ["/api/second"]
    assert {endpoint(project, name).auth_level for name in ("one", "two")} == {"user"}


def test_unmounted_routers_inherit_auth_of_dynamic_includes(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/utils/access.py": ACCESS,
        "app/plugins/items.py": """
            from fastapi import APIRouter

            router = APIRouter(prefix="/items")


            @router.get("")
            def list_items():
                return []
        """,
        "app/main.py": """
            import importlib

            from fastapi import Depends, FastAPI
            from app.utils.access import get_current_user

            app = FastAPI()


            @app.get("/status")
            def status():
                return {}


            for name in ("items", "orders"):
                plugin = importlib.import_module(f"app.plugins.{name}")
                app.include_router(plugin.router, dependencies=[Depends(get_current_user)])
        """,
    })
    assert endpoint(project, "list_items").auth_level == "user"
    assert endpoint(project, "status").auth_level == "missing"


def test_prefix_from_a_settings_factory_is_inferred(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/core/config.py": (
            "from functools import lru_cache\n"
            "from pydantic_settings import BaseSettings\n"
            "class Settings(BaseSettings):\n"
            "    API_V1_STR: str = '/api/v1'\n"
            "@lru_cache\n"
            "def get_settings() -> Settings:\n"
            "    return Settings()\n"
            "settings = get_settings()\n"
        ),
        "app/main.py": (
            "from fastapi import APIRouter, FastAPI\n"
            "from app.core.config import settings\n"
            "router = APIRouter(prefix='/items')\n"
            "@router.get('')\n"
            "def list_items():\n"
            "    return []\n"
            "app = FastAPI()\n"
            "app.include_router(router, prefix=settings.API_V1_STR)\n"
        ),
    })
    assert [endpoint.paths for endpoint in project.fastapi.endpoints] == [["/api/v1/items"]]
