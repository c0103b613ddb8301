"""The errors facet: exception/response classes, their ancestry, and exception handlers per app."""

from __future__ import annotations

import ast
from pathlib import Path

from test_index_fastapi import build, endpoint

from fastapi_guard.project import Project
from fastapi_guard.project.errors import ClassInfo

ERRORS = """
    from fastapi import HTTPException
    from starlette.responses import JSONResponse
    from jose import JWTError
    from otherpkg.errors import ForeignError

    class DomainError(Exception):
        pass

    class ItemNotFound(DomainError):
        pass

    class Gone(HTTPException):
        pass

    class TokenError(JWTError):
        pass

    class Loop(Loop2):
        pass

    class Loop2(Loop):
        pass

    class CachedResponse(JSONResponse):
        pass

    class Outer:
        class Inner(KeyError):
            pass

    Alias = ValueError
"""


def info(project: Project, module: str, expression: str) -> ClassInfo | None:
    expr = ast.parse(expression, mode="eval").body
    return project.errors.info_of(project.modules[module], expr)


def test_class_ancestry(tmp_path: Path) -> None:
    project = build(tmp_path, {"app/__init__.py": "", "app/errors.py": ERRORS})
    found = info(project, "app.errors", "ItemNotFound")
    assert found is not None and found.complete and found.in_project and found.is_exception
    assert {"app.errors.DomainError", "builtins.Exception", "builtins.BaseException"} <= found.ancestors
    assert not found.is_http_exception
    gone = info(project, "app.errors", "Gone")
    assert gone is not None and gone.is_http_exception and gone.complete
    alias = info(project, "app.errors", "Alias")
    assert alias is not None and alias.qualname == "builtins.ValueError" and alias.is_builtin
    inner = info(project, "app.errors", "Outer.Inner")
    assert inner is not None and "builtins.LookupError" in inner.ancestors
    response = info(project, "app.errors", "CachedResponse")
    assert response is not None and response.is_response and not response.is_exception


def test_unreadable_ancestry_is_incomplete(tmp_path: Path) -> None:
    project = build(tmp_path, {"app/__init__.py": "", "app/errors.py": ERRORS})
    token = info(project, "app.errors", "TokenError")
    assert token is not None and not token.complete
    loop = info(project, "app.errors", "Loop")
    assert loop is not None and not loop.complete
    foreign = info(project, "app.errors", "ForeignError")
    assert foreign is not None and not foreign.in_project and not foreign.complete
    assert info(project, "app.errors", "undefined_name") is None


def test_classes_of_the_projects_own_package_outside_the_folder(tmp_path: Path) -> None:
    """Checking ``app/api`` alone: ``app.exceptions`` is still the project's code."""
    project = build(tmp_path, {
        "app/__init__.py": "",
        "app/api/__init__.py": "",
        "app/api/routes.py": "from app.exceptions import DagNotFound\n",
    })
    found = info(project, "app.api.routes", "DagNotFound")
    assert found is not None and found.in_project and not found.complete


MAIN = """
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    from app.errors import DomainError, ItemNotFound
    from app.handlers import HANDLERS, handle_domain
    from app.items import router

    app = FastAPI(exception_handlers={ItemNotFound: handle_domain})
    app.include_router(router)
    admin = FastAPI()

    @admin.exception_handler(ValueError)
    async def bad_value(request: Request, exc: ValueError) -> JSONResponse:
        return JSONResponse({"detail": "bad"})

    for exc, handler in HANDLERS.items():
        app.add_exception_handler(exc, handler)

    settings = {"exception_handlers": {KeyError: handle_domain}}
"""

HANDLERS = """
    from app.errors import DomainError

    async def handle_domain(request, exc):
        return None

    HANDLERS = {}
    HANDLERS[DomainError] = handle_domain
"""

ITEMS = """
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/items")
    def list_items():
        return []
"""


def test_exception_handlers_and_their_apps(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/__init__.py": "", "app/errors.py": ERRORS, "app/main.py": MAIN,
        "app/handlers.py": HANDLERS, "app/items.py": ITEMS,
    })
    registered = {(item.exception, item.apps) for item in project.errors.handlers}
    assert ("app.errors.ItemNotFound", frozenset({"app.main.app"})) in registered
    assert ("builtins.ValueError", frozenset({"app.main.admin"})) in registered
    assert ("app.errors.DomainError", frozenset({"app.main.app"})) in registered
    assert ("builtins.KeyError", None) in registered
    handle_domain = project.modules["app.handlers"].bindings["handle_domain"].node
    assert set(project.errors.handler_functions[id(handle_domain)]) == {
        "app.errors.ItemNotFound", "app.errors.DomainError", "builtins.KeyError",
    }

    served = endpoint(project, "list_items")
    errors = project.errors
    assert errors.is_mapped(errors.info("app.errors.ItemNotFound"), served)
    assert errors.is_mapped(errors.info("builtins.KeyError"), served)  # registered on no particular app
    assert not errors.is_mapped(errors.info("builtins.ValueError"), served)  # only on `admin`
    assert not errors.is_mapped(errors.info("builtins.RuntimeError"), served)


def test_unreadable_registration_maps_every_non_builtin_exception(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/__init__.py": "", "app/errors.py": ERRORS, "app/items.py": ITEMS,
        "app/main.py": """
            from fastapi import FastAPI
            from app.items import router

            app = FastAPI()
            app.include_router(router)

            def install(handlers):
                for handler in handlers:
                    app.add_exception_handler(handler.exception_cls, handler.handle)
        """,
    })
    assert [item.exception for item in project.errors.handlers] == [None]
    served = endpoint(project, "list_items")
    assert project.errors.is_mapped(project.errors.info("app.errors.DomainError"), served)
    assert not project.errors.is_mapped(project.errors.info("builtins.ValueError"), served)
