"""The layout facet's feature folders, mount facts and test-suite facts (FG503-FG507, FG701)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from support import write_project
from test_layout import build

from fastapi_guard.engine import RunOptions, run
from fastapi_guard.fixes import apply_edits as apply
from fastapi_guard.project import Project
from fastapi_guard.project.testsuite import RequestedPath

ROUTER = 'from fastapi import APIRouter\nrouter = APIRouter(prefix="/{name}", tags=["{name}"])\n'


def router(name: str) -> str:
    return ROUTER.replace("{name}", name)


def project(tmp_path: Path, files: dict[str, str], **settings: object) -> Project:
    return build(tmp_path, {path: dedent(source) for path, source in files.items()}, **settings)


# -- feature folders ---------------------------------------------------------------------------


def test_features_with_their_files_and_router(tmp_path: Path) -> None:
    layout = project(tmp_path, {
        "app/routes/__init__.py": "",
        "app/routes/jobs/__init__.py": "from .router import router\n",
        "app/routes/jobs/router.py": router("jobs"),
        "app/routes/jobs/schemas/__init__.py": "",
        "app/routes/jobs/schemas/filters.py": "",
        "app/routes/jobs/tests/test_router.py": "",
        "app/routes/jobs/_helpers/format.py": "",
        "app/routes/profile/router/__init__.py": "from fastapi import APIRouter\nrouter = APIRouter()\n",
        "app/routes/profile/experiences/router.py": router("experiences"),
        "app/routes/news/views.py": "",
    }).layout
    assert sorted(layout.features) == [
        "app.routes.jobs", "app.routes.news", "app.routes.profile", "app.routes.profile.experiences",
    ]
    jobs = layout.features["app.routes.jobs"]
    assert jobs.depth == 1 and jobs.relative == "app/routes/jobs" and jobs.basename == "jobs"
    assert jobs.folder == tmp_path / "app" / "routes" / "jobs"
    assert jobs.package is not None and jobs.router_module is not None
    schemas = [module.name for module in jobs.schemas_modules]
    assert schemas == ["app.routes.jobs.schemas", "app.routes.jobs.schemas.filters"]
    # The feature's own tests/ and _helpers/ folders are not child features: their files are the feature's.
    assert jobs.owns("app.routes.jobs.tests.test_router") and jobs.owns("app.routes.jobs._helpers.format")
    assert jobs.router is not None and jobs.router.qualname == "app.routes.jobs.router.router"
    assert jobs.router_in_router_module
    profile = layout.features["app.routes.profile"]
    assert profile.package is None and profile.router_module is not None and profile.folder.name == "profile"
    assert profile.router is not None and profile.router.module.name == "app.routes.profile.router"
    child = layout.features["app.routes.profile.experiences"]
    assert child.depth == 2 and child.parent == "app.routes.profile"
    news = layout.features["app.routes.news"]
    assert news.router is None and news.router_module is None and news.routers == ()


def test_feature_router_prefers_router_py_then_the_name_router(tmp_path: Path) -> None:
    layout = project(tmp_path, {
        "app/routes/a/__init__.py": "from fastapi import APIRouter\nrouter = APIRouter()\n",
        "app/routes/a/router.py": "from fastapi import APIRouter\na_router = APIRouter()\n",
        "app/routes/b/router.py": (
            "from fastapi import APIRouter\nadmin_router = APIRouter()\nrouter = APIRouter()\n"
        ),
        "app/routes/c/router.py": "from fastapi import APIRouter\none = APIRouter()\ntwo = APIRouter()\n",
    }).layout
    assert layout.features["app.routes.a"].router.qualname == "app.routes.a.router.a_router"
    assert layout.features["app.routes.b"].router.qualname == "app.routes.b.router.router"
    # Two routers and none named ``router``: no guess.
    assert layout.features["app.routes.c"].router is None


# -- mounts ----------------------------------------------------------------------------------------


MOUNTED = {
    "app/routes/__init__.py": """
        from fastapi import APIRouter

        from .jobs import router as jobs_router

        api_router = APIRouter()
        api_router.include_router(jobs_router)
    """,
    "app/routes/jobs/__init__.py": "from .router import router\n",
    "app/routes/jobs/router.py": router("jobs"),
    "app/routes/news/__init__.py": "from .router import router\n",
    "app/routes/news/router.py": router("news"),
    "app/routes/talents/__init__.py": "from .router import router\n",
    "app/routes/talents/router.py": """
        from fastapi import APIRouter

        router = APIRouter()


        @router.get("/talents/{id}")
        def one(id: int): ...
    """,
    "app/routes/drafts/router.py": router("drafts"),
    "app/main.py": """
        from fastapi import FastAPI

        from app import routes
        from app.routes import api_router

        app = FastAPI()
        app.include_router(api_router, prefix="/api/v1")
        for extra in [routes.news.router]:
            app.include_router(extra)
        app.include_router(routes.talents.router, prefix="/api")
    """,
    "tests/conftest.py": """
        from fastapi import FastAPI

        from app.routes.drafts.router import router

        app = FastAPI()
        app.include_router(router)
    """,
}


def test_registered_through_aggregating_router_loop_and_attribute(tmp_path: Path) -> None:
    built = project(tmp_path, MOUNTED)
    mounts = built.layout.mounts
    assert mounts.has_app
    assert mounts.registered("app.routes.jobs.router.router")
    assert mounts.mounted_prefixes("app.routes.jobs.router.router") == ["/api/v1/jobs"]
    assert mounts.registered("app.routes.news.router.router")
    assert mounts.registered("app.routes.talents.router.router")
    # Only a test module's app includes it.
    assert not mounts.registered("app.routes.drafts.router.router")
    assert mounts.mounted_prefixes("app.routes.drafts.router.router") == []


def test_addresses_of_a_router_with_and_without_prefix(tmp_path: Path) -> None:
    built = project(tmp_path, MOUNTED)
    mounts, routers = built.layout.mounts, built.fastapi.routers
    assert mounts.addresses(routers["app.routes.jobs.router.router"]) == ["/api/v1/jobs", "/jobs"]
    assert mounts.addresses(routers["app.routes.talents.router.router"]) == ["/api/talents/{id}", "/talents/{id}"]


def test_unreadable_include_gives_every_router_the_benefit_of_the_doubt(tmp_path: Path) -> None:
    files = {
        "app/routes/jobs/router.py": router("jobs"),
        "app/main.py": """
            from fastapi import FastAPI
            from fastapi_users import FastAPIUsers

            users = FastAPIUsers()
            app = FastAPI()
            app.include_router(users.get_auth_router())


            def install(application, routers):
                for item in routers:
                    application.include_router(item)
        """,
    }
    mounts = project(tmp_path / "dynamic", files).layout.mounts
    assert mounts.opaque_everything and mounts.registered("app.routes.jobs.router.router")
    # An include of another package's router (``fastapi_users``) names no project router.
    files["app/main.py"] = "\n".join(files["app/main.py"].splitlines()[:7]) + "\n"
    mounts = project(tmp_path / "external", files).layout.mounts
    assert not mounts.opaque_everything and not mounts.registered("app.routes.jobs.router.router")


def test_include_with_an_unknown_receiver_excuses_only_its_router(tmp_path: Path) -> None:
    mounts = project(tmp_path, {
        "app/routes/jobs/router.py": router("jobs"),
        "app/routes/news/router.py": router("news"),
        "app/main.py": """
            from fastapi import FastAPI
            from app.routes.jobs.router import router as jobs_router

            app = FastAPI()


            def install(application):
                application.include_router(jobs_router)
        """,
    }).layout.mounts
    assert not mounts.opaque_everything
    assert mounts.registered("app.routes.jobs.router.router")
    assert not mounts.registered("app.routes.news.router.router")


def test_library_without_app_and_includes_into_parent(tmp_path: Path) -> None:
    built = project(tmp_path, {
        "app/routes/profile/__init__.py": """
            from .router import router
            from .experiences.router import router as experiences_router

            router.include_router(experiences_router)
        """,
        "app/routes/profile/router.py": router("profile"),
        "app/routes/profile/experiences/router.py": router("experiences"),
    })
    mounts, features = built.layout.mounts, built.layout.features
    assert not mounts.has_app
    profile = features["app.routes.profile"]
    child = "app.routes.profile.experiences.router.router"
    assert len(mounts.includes_into({profile.router.qualname}, child, profile.modules)) == 1
    elsewhere = features["app.routes.profile.experiences"].modules
    assert mounts.includes_into({profile.router.qualname}, child, elsewhere) == []
    assert not mounts.unread_includes(profile.modules)


def test_creating_call_through_a_wrapping_helper(tmp_path: Path) -> None:
    built = project(tmp_path, {
        "app/routes/jobs/router.py": """
            from fastapi import APIRouter


            def traced(router):
                return router


            router = traced(APIRouter(prefix="/jobs"))
        """,
    })
    feature = built.layout.features["app.routes.jobs"]
    call = built.layout.mounts.creating_call(feature.router)
    assert call is not None and call.keywords[0].arg == "prefix"


# -- test suite ----------------------------------------------------------------------------------


SUITE = {
    "app/routes/__init__.py": "from .jobs import router as jobs_router\n",
    "app/routes/jobs/__init__.py": "from .router import router\n",
    "app/routes/jobs/router.py": router("jobs"),
    "app/routes/jobs/schemas.py": "",
    "app/routes/news/router.py": router("news"),
    "app/routes/talents/router.py": router("talents"),
    "tests/test_reexport.py": "from app.routes import jobs_router\n",
    "tests/api/test_requests.py": """
        import httpx
        from app.routes.news import router as news_module

        BASE = "/api/v1"
        ORDERS = f"{BASE}/orders"


        def test_requests(client, base_url, item_id):
            client.get("/api/v1/users?page=2")
            client.post(f"/api/v1/projects/{item_id}/tasks")
            client.get(ORDERS)
            client.request("DELETE", "http://testserver/api/v1/boards/1")
            client.get(f"{base_url}/labels")
            client.get(url="/health")
            {"a": 1}.get("a")
    """,
}


def test_test_modules_record_imports_through_reexports(tmp_path: Path) -> None:
    suite = project(tmp_path, SUITE).layout.tests
    assert [test.module.name for test in suite.modules] == ["tests.api.test_requests", "tests.test_reexport"]
    assert suite.imports_from("app.routes.jobs")
    assert suite.imports_from("app.routes.news")
    assert not suite.imports_from("app.routes.talents")


def test_requested_paths_from_literals_fstrings_constants_and_urls(tmp_path: Path) -> None:
    suite = project(tmp_path, SUITE).layout.tests
    requested = {path for test in suite.modules for path in test.requested}
    from_calls = {
        RequestedPath(("api", "v1", "users"), False),
        RequestedPath(("api", "v1", "projects", "{}", "tasks"), False),
        RequestedPath(("api", "v1", "orders"), False),
        RequestedPath(("api", "v1", "boards", "1"), False),
        RequestedPath(("labels",), True),
        RequestedPath(("health",), False),
    }
    # Every literal that looks like a URL path counts too: the constant parts of f-strings included.
    literals = {
        RequestedPath(("api", "v1"), False),
        RequestedPath(("orders",), False),
        RequestedPath(("api", "v1", "projects"), False),
        RequestedPath(("tasks",), False),
        RequestedPath(("labels",), False),
    }
    assert requested == from_calls | literals
    assert suite.requests_under("/api/v1/users")
    assert suite.requests_under("/api/v1/projects/{project_id}/tasks")
    assert not suite.requests_under("/api/orders")
    # An unknown base may stand for any leading segments.
    assert suite.requests_under("/api/v1/labels") and suite.requests_under("/labels")
    assert not suite.requests_under("/api/v1/label")
    assert not suite.requests_under("/api/v1/user")


def test_url_literals_passed_to_helpers(tmp_path: Path) -> None:
    suite = project(tmp_path, {
        "tests/test_jobs.py": """
            import pytest

            from tests.helpers import api_get


            @pytest.mark.parametrize("path", ["/api/v1/jobs", "/api/v1/jobs/1?full=true"])
            def test_paths(client, path):
                api_get(client, path)


            def test_news(client):
                assert api_get(client, "/news").status_code == 401
                assert "no slash" and "/not a path"
        """,
    }).layout.tests
    assert suite.requests_under("/api/v1/jobs") and suite.requests_under("/news")
    assert not suite.requests_under("/not")


def test_requested_path_matching() -> None:
    path = RequestedPath(("api", "v1", "jobs", "{}"), False)
    assert path.under("/api/v1/jobs") and path.under("/api/v1/jobs/{job_id}")
    assert not path.under("/jobs") and not path.under("") and not path.under("/api/v1/jobs/1/applications")
    assert RequestedPath(("api", "{}", "jobs"), False).under("/api/v1/jobs")
    assert RequestedPath(("jobs",), True).under("/api/v1/jobs")


# -- FG503's fix -------------------------------------------------------------------------------


def fixed(tmp_path: Path, init: str, router_source: str = ROUTER.replace("{name}", "jobs")) -> str:
    root = write_project(tmp_path, {"app/routes/jobs/__init__.py": init, "app/routes/jobs/router.py": router_source})
    findings = run([root], RunOptions(select=("FG503",))).findings
    assert len(findings) == 1 and findings[0].fix is not None and findings[0].fix.applicability == "safe"
    return apply(init, findings[0].fix.edits)


def test_fix_inserts_after_docstring_and_future_imports(tmp_path: Path) -> None:
    init = (
        '"""Jobs.\n\nPostings.\n"""\nfrom __future__ import annotations\n\n'
        "from .router import router as jobs_router\n"
    )
    assert fixed(tmp_path, init) == (
        '"""Jobs.\n\nPostings.\n"""\nfrom __future__ import annotations\nfrom .router import router\n'
        "\nfrom .router import router as jobs_router\n"
    )


def test_fix_at_the_top_of_a_file_without_docstring(tmp_path: Path) -> None:
    assert fixed(tmp_path, "import logging\n") == "from .router import router\nimport logging\n"


def test_fix_appends_after_a_lone_docstring_and_to_an_empty_file(tmp_path: Path) -> None:
    assert fixed(tmp_path / "a", '"""Jobs."""\n') == '"""Jobs."""\nfrom .router import router\n'
    assert fixed(tmp_path / "b", '"""Jobs."""') == '"""Jobs."""\nfrom .router import router'
    assert fixed(tmp_path / "c", "") == "from .router import router\n"


def test_fix_renames_a_router_with_another_name(tmp_path: Path) -> None:
    source = "from fastapi import APIRouter\njobs_router = APIRouter()\n"
    assert fixed(tmp_path, "", source) == "from .router import jobs_router as router\n"
