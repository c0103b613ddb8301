"""Index additions for FG102/FG106/FG107: what an endpoint's dependencies run, how its
parameters are filled, admin checks beyond `admin-dependencies`, webhook receivers and JWT calls."""

from __future__ import annotations

import ast
from pathlib import Path

from test_index_fastapi import ACCESS, build, endpoint

from fastapi_guard.project.reach import name_words
from fastapi_guard.project.tokens import JwtCalls
from fastapi_guard.project.webhooks import Webhooks, secret_operand, unsafe_comparison

MAIN = """
    from fastapi import Depends, FastAPI
    from app.routes import router
    from app.deps import get_current_user

    app = FastAPI()
    app.include_router(router, prefix="/api", dependencies=[Depends(get_current_user)])
    app.include_router(router, prefix="/open")
"""


def names(runnables) -> set[str]:
    return {node.name for _, node in runnables}


def test_dependency_functions_follow_every_level_and_kind(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/deps.py": ACCESS + """

    from typing import Annotated


    def require_role(role: str):
        def checker(user=Depends(get_current_active_user)):
            return user
        return checker


    class RateLimiter:
        def __init__(self, per_minute: int) -> None:
            self.per_minute = per_minute

        async def __call__(self, request=None) -> None:
            return None


    AuthDep = Depends(get_current_user)
    Reviewer = Annotated[dict, Depends(require_role("reviewer"))]
        """,
        "app/main.py": MAIN,
        "app/routes.py": """
            from fastapi import APIRouter, Depends
            from app.deps import AuthDep, RateLimiter, Reviewer

            router = APIRouter(prefix="/items", dependencies=[Depends(RateLimiter(10))])


            @router.get("", dependencies=[AuthDep])
            def list_items(reviewer: Reviewer):
                return []
        """,
    })
    index = project.fastapi
    found = endpoint(project, "list_items")
    everything = names(index.dependency_functions(found))
    assert {"RateLimiter", "__init__", "__call__", "get_current_user", "require_role", "checker",
            "get_current_active_user"} <= everything
    open_route = next(route for route in found.routes if route.path.startswith("/open"))
    # The include-level get_current_user is only on the /api chain; the decorator's AuthDep is on both.
    assert "get_current_user" in names(index.dependency_functions(found, open_route))


def test_admin_checked_by_configuration_name_or_guard(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/deps.py": ACCESS + """

    from fastapi import HTTPException


    def get_admin_user(user=Depends(get_current_user)):
        return user


    def operator_only(user=Depends(get_current_user)):
        if user.role != "admin":
            raise HTTPException(status_code=403)
        return user


    def get_optional_admin(user=Depends(get_current_user)):
        return user
        """,
        "app/main.py": MAIN,
        "app/routes.py": """
            from fastapi import APIRouter, Depends
            from app.deps import get_admin_user, get_current_user, get_optional_admin, operator_only, require_admin

            router = APIRouter(prefix="/admin")
        """ + "".join(
            f"""

            @router.get("/{name}")
            def {name}(user=Depends({dependency})):
                {body}
                return 1
            """
            for name, dependency, body in [
                ("configured", "require_admin", "pass"),
                ("named", "get_admin_user", "pass"),
                ("guarded", "operator_only", "pass"),
                ("in_body", "get_current_user", "assert user.is_superuser"),
                ("optional", "get_optional_admin", "pass"),
                ("admin_stats_for_users", "get_current_user", "pass"),
            ]
        ),
    })
    index = project.fastapi
    verdicts = {
        name: all(index.admin_checked(endpoint(project, name), route) for route in endpoint(project, name).routes)
        for name in ("configured", "named", "guarded", "in_body", "optional", "admin_stats_for_users")
    }
    assert verdicts == {
        "configured": True, "named": True, "guarded": True, "in_body": True,
        "optional": False, "admin_stats_for_users": False,
    }


def test_webhook_receivers_and_verification(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/main.py": """
            import hmac

            from fastapi import Depends, FastAPI, Request
            from app.deps import get_current_user

            app = FastAPI()


            def check(body: bytes, header: str) -> bool:
                return hmac.compare_digest(body, header.encode())


            def process(request_body: bytes) -> bool:
                return check(request_body, "x")


            @app.post("/webhooks/a")
            async def verified_through_helpers(request: Request):
                return process(await request.body())


            @app.post("/webhooks/b")
            async def unverified(request: Request):
                return await request.json()


            @app.post("/webhooks/c", dependencies=[Depends(get_current_user)])
            async def managed(request: Request):
                return await request.json()
        """,
        "app/deps.py": ACCESS,
    })
    webhooks = Webhooks(project)
    assert [found.name for found in webhooks.receivers()] == ["verified_through_helpers", "unverified"]
    assert webhooks.verified(endpoint(project, "verified_through_helpers"))
    assert not webhooks.verified(endpoint(project, "unverified"))
    assert isinstance(webhooks.body_read(endpoint(project, "unverified")), ast.Call)


def test_secret_operands_and_comparisons() -> None:
    def compare(source: str) -> bool:
        node = ast.parse(source, mode="eval").body
        assert isinstance(node, ast.Compare)
        return unsafe_comparison(node)

    assert compare("expected_sig == sig")
    assert compare('request.headers["X-Hub-Signature-256"] != computed')
    assert compare("mac.hexdigest() == header")
    assert compare('f"sha256={digest}" != received')
    assert compare("x_token != settings.webhook_secret")
    assert not compare('signature == ""')
    assert not compare("token_type == expected_type")
    assert not compare("token.user_id == user.id")
    assert not compare("digest_frequency == user.frequency")
    assert not compare("a == b == signature")
    assert not secret_operand(ast.parse("design", mode="eval").body)
    assert name_words("XHubSignature256") == ["x", "hub", "signature"]


def test_jwt_calls_resolve_libraries_and_literals(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/config.py": """
            SECRET = "hard-coded"
            ALGS = ("HS256", "NONE")
        """,
        "app/tokens.py": """
            import jwt as pyjwt
            from jose import jwt
            from jwcrypto import jwt as jwcrypto_jwt

            from app import config


            def a(token):
                return jwt.decode(token, config.SECRET)


            def b(token):
                return pyjwt.decode(token, "k", algorithms=config.ALGS)


            def c(token):
                opts = {"verify_signature": False}
                return pyjwt.decode(token, options=opts)


            def d(token):
                return jwcrypto_jwt.JWT(jwt=token).claims


            def e(token, key):
                return pyjwt.encode({"sub": 1}, key, algorithm="HS256")
        """,
    })
    calls = JwtCalls(project)
    summary = [
        (call.node.lineno, call.kind, calls.decode_problem(call) if call.kind == "decode" else None,
         (lambda found: found[1].value if found else None)(calls.secret_literal(call)))
        for call in calls.calls
    ]
    assert summary == [
        (10, "decode", "no-algorithms", "hard-coded"),
        (14, "decode", "none-algorithm", "k"),
        (19, "decode", "no-signature", None),
        (27, "encode", None, None),
    ]
