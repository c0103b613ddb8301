"""An endpoint on an admin path that no admin dependency protects.

## What it does
Reports an endpoint whose full mounted path (every router prefix and
`include_router(prefix=...)` joined) matches one of the `admin-paths`
(by default `**/admin/**`, and `DELETE **/users/**`) when, through at least
one mount chain, none of its dependencies requires an admin. The finding
points at the handler's `def` line.

An admin dependency may be given on any level: a handler parameter, the
decorator's `dependencies=[...]`, the `APIRouter(...)`, any
`include_router(...)` above it, or the app. It counts when it is (or
transitively depends on) one of the `admin-dependencies`, when its name says
admin or superuser (`get_admin_user`, `get_current_active_superuser`; not a
name containing `optional`), or when it exits unless the caller is an admin
(`if not user.is_superuser: raise HTTPException(403)`). The same early exit at
the top of the handler itself counts too. A path that also matches
`public-paths` (the admin dashboard's `/admin/auth/login`) is public by design
and is not reported.

## Why is this bad?
The house guide protects admin operations with `Depends(require_admin)`
(Rule 2). An endpoint under `/admin/` or one that deletes users but only
depends on `get_current_user` lets every logged-in user perform it: a
privilege escalation (OWASP API5, broken function level authorization). The
path promises an admin-only operation, so a reader rarely checks that the
promise is kept.

## Example
```python
# file: app/routes/users/router.py
from fastapi import APIRouter, Depends

from app.utils.access import get_current_user

router = APIRouter(prefix="/users", tags=["Users"])


@router.delete("/{user_id}")
def delete_user(user_id: int, user=Depends(get_current_user)):  # [FG102]
    return None
```

## Use instead
```python
# file: app/routes/users/router.py
from fastapi import APIRouter, Depends

from app.utils.access import require_admin

router = APIRouter(prefix="/users", tags=["Users"])
admin_router = APIRouter(prefix="/admin", tags=["Admin"], dependencies=[Depends(require_admin)])


@router.delete("/{user_id}")
def delete_user(user_id: int, admin=Depends(require_admin)):
    return None


@admin_router.get("/stats")
def stats():
    return {}
```

## Fix
Add `admin: User = Depends(require_admin)` to the handler, or
`dependencies=[Depends(require_admin)]` to its router or to the
`include_router(...)` that mounts it. An endpoint that is deliberately open to
every user despite its path carries `# noqa: FG102` on its `def` line.

## Options
- `admin-paths` (default `**/admin/**`, `DELETE **/users/**`): full mounted
  paths that must be admin-only; `*` matches inside a segment, `**` across
  segments, a leading HTTP method (`DELETE`, or several joined by `|`)
  restricts the match.
- `admin-dependencies` (default `require_admin`): the dependencies that
  require an admin, directly or through the dependency graph.
- `public-paths` / `extend-public-paths`: public by design, never reported.

## Related rules
- FG101 route-missing-auth: an admin path without any auth is reported there too.
- FG103 unscoped-query: admin-only functions may query across owners.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi_guard.findings import Finding
from fastapi_guard.project import Project
from fastapi_guard.project.layout import is_test_module
from fastapi_guard.project.pathglob import PathPatterns
from fastapi_guard.rule import ProjectRule, def_line_span


class AdminRouteWithoutAdmin(ProjectRule):
    code = "FG102"
    name = "admin-route-without-admin"
    message = "endpoint `{route}` matches admin path `{pattern}` but no admin dependency protects it"
    hint = "add `admin: User = Depends(require_admin)` or `dependencies=[Depends(require_admin)]` on its router"

    def check(self, project: Project) -> Iterator[Finding]:
        admin_paths = PathPatterns(project.config.admin_paths)
        if not admin_paths.patterns:
            return
        index = project.fastapi
        for endpoint in index.endpoints:
            if is_test_module(endpoint.module.name):
                continue
            for route in endpoint.routes:
                matched = [(method, pattern) for method in route.methods if method not in route.public_methods
                           and (pattern := admin_paths.match(route.path, method)) is not None]
                if matched and not index.admin_checked(endpoint, route):
                    method, pattern = matched[0]
                    span = def_line_span(endpoint.module, endpoint.function)
                    yield self.finding(
                        endpoint.module.path, span, route=f"{method} {route.path or '/'}", pattern=pattern.text
                    )
                    break
