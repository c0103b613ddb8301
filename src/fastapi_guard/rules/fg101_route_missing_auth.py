"""An endpoint with no authentication dependency on any level.

## What it does
Reports an endpoint (a function registered with `@router.get(...)`,
`@app.post(...)`, `router.add_api_route(...)`, ...) that can be reached
without authentication: none of its handler parameters, its decorator's
`dependencies=[...]`, its `APIRouter(...)`, any `include_router(...)` or
`mount(...)` above it, or its `FastAPI(...)` app depends on an authentication
dependency. Auth is judged per mount chain, so a router included once behind
auth and once without it is reported.

A dependency authenticates when its resolved function name is listed in
`auth-dependencies`, when it depends on one (`get_current_active_user` ->
`get_current_user`, also through `Annotated[User, Depends(...)]` aliases,
class-based dependencies and factories such as `require_role("admin")` or
`fastapi_users.current_user(active=True)`), or when it is a
`fastapi.security` scheme (`OAuth2PasswordBearer`, `HTTPBearer`,
`APIKeyHeader`, ...). Optional auth does not count: schemes created with
`auto_error=False`, factories called with `required=False`/`optional=True`
and dependencies whose name contains `optional`. Paths matching
`public-paths` are public by design.

## Why is this bad?
Every route that is not deliberately public must check who is calling it
(the house guide's Rule 2: "All routes (except public/webhook) must use auth
dependency"). A handler without auth exposes its data to anyone who can
reach the server, and nothing in the code review of the handler alone shows
that the protection a reader assumes is inherited from somewhere is missing.

## Example
```python
from fastapi import APIRouter, Depends

from app.utils.access import get_current_user

router = APIRouter(prefix="/items")


@router.get("")
def list_items():  # [FG101]
    return []


@router.delete("/{item_id}")
def delete_item(item_id: int, user=Depends(get_current_user)):
    return None
```

## Use instead
```python
from fastapi import APIRouter, Depends

from app.utils.access import get_current_user

router = APIRouter(prefix="/items", dependencies=[Depends(get_current_user)])


@router.get("")
def list_items():
    return []


@router.get("/mine")
def list_my_items(user=Depends(get_current_user)):
    return []
```

## Options
- `auth-dependencies` (default `get_current_user`, `require_admin`): names of
  the functions (or factories, or classes) that authenticate the caller.
- `admin-dependencies` (default `require_admin`): admin dependencies count as
  authentication too.
- `public-paths` (default `**/auth/login`, `**/auth/register`,
  `**/auth/token`, `**/auth/refresh`, `**/health*`, `**/webhook*/**`):
  full mounted paths that are public by design; `*` matches inside a
  segment, `**` across segments, a leading HTTP method (`GET /status`)
  restricts the match.
- `extend-public-paths` (default empty): more public paths, added to
  `public-paths`.

## Related rules
- FG102 admin-route-without-admin
- FG103 unscoped-query
- FG106 webhook-signature
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi_guard.findings import Finding
from fastapi_guard.project import Project
from fastapi_guard.project.layout import is_test_module
from fastapi_guard.rule import ProjectRule, def_line_span


class RouteMissingAuth(ProjectRule):
    code = "FG101"
    name = "route-missing-auth"
    message = "endpoint `{route}` has no authentication dependency"
    hint = (
        "add `current_user: User = Depends(get_current_user)` or "
        "`dependencies=[Depends(get_current_user)]` on its router"
    )

    def check(self, project: Project) -> Iterator[Finding]:
        for endpoint in project.fastapi.endpoints:
            if endpoint.auth_level != "missing" or is_test_module(endpoint.module.name):
                continue
            method, path = endpoint.unprotected[0]
            span = def_line_span(endpoint.module, endpoint.function)
            yield self.finding(endpoint.module.path, span, route=f"{method} {path or '/'}")
