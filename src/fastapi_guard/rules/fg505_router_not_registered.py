"""A top-level feature router that no application includes.

## What it does
Reports the router of a top-level feature (`<routes>/<feature>/router.py`)
that no application reaches: no chain of `include_router(...)` /
`mount(...)` calls leads from a `FastAPI()` app (one that is not built by a
test module) down to it. The finding points at the feature's
`router = APIRouter(...)` assignment.

The mount tree is read across files: `app.include_router(jobs_router)`,
`app.include_router(routes.jobs.router)`, an `api_router` in
`routes/__init__.py` that includes every feature and is itself included by the
app, loops over a list of routers, app factories, sub-applications mounted with
`app.mount(...)`. When the project has an include whose router cannot be read
statically (a loop over a parameter, `importlib`, plugins), every router gets
the benefit of the doubt; a project that creates no application at all (a
library of routers) is not checked.

Only projects with a routes package are checked (see `routes-package`).

## Why is this bad?
A router that is never included serves nothing: its endpoints answer 404, its
tests (if any build their own app) pass, and the feature looks done in review.
It is the guide's checklist item "Route registered in main.py".

## Example
```python
# file: app/routes/talents/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/talents", tags=["Talents"])
```

```python
# file: app/routes/courses/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/courses", tags=["Courses"])  # [FG505]
```

```python
# file: app/main.py
from fastapi import FastAPI

from app.routes.talents.router import router as talents_router


def create_app() -> FastAPI:
    application = FastAPI(title="Academy")
    application.include_router(talents_router, prefix="/api/v1")
    return application
```

## Use instead
```python
# file: app/routes/talents/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/talents", tags=["Talents"])
```

```python
# file: app/routes/courses/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/courses", tags=["Courses"])
```

```python
# file: app/main.py
from fastapi import FastAPI

from app.routes.courses.router import router as courses_router
from app.routes.talents.router import router as talents_router


def create_app() -> FastAPI:
    application = FastAPI(title="Academy")
    for feature_router in (talents_router, courses_router):
        application.include_router(feature_router, prefix="/api/v1")
    return application
```

## Fix
Re-export the router from `routes/__init__.py` and include it in the app
module: `app.include_router(courses_router, prefix="/api/v1")`. If the feature
is dead, delete its folder instead.

## Options
- `routes-package`: the folder holding the features (default `routes`).
  Every application of the project counts, whatever `app-module` says.

## Related rules
- FG504 child-router-not-included: the same for a child feature, whose parent
  must include it.
- FG701 feature-without-tests: a feature no test requests.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi_guard.findings import Finding
from fastapi_guard.project import Project
from fastapi_guard.rule import ProjectRule, node_span


class RouterNotRegistered(ProjectRule):
    code = "FG505"
    name = "router-not-registered"
    message = "router of feature `{feature}` is never included in the application; its routes are unreachable"
    hint = "include it in the app module: `app.include_router(<feature>_router)`"
    layout = True

    def check(self, project: Project) -> Iterator[Finding]:
        layout = project.layout
        mounts = layout.mounts
        if not mounts.has_app:
            return
        for feature in layout.features.values():
            router = feature.router
            if feature.depth != 1 or router is None or mounts.registered(router.qualname):
                continue
            yield self.finding(router.module.path, node_span(router.module, router.node), feature=feature.relative)
