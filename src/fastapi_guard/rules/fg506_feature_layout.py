"""A feature folder without its `router.py` or `schemas.py`, or an endpoint outside `<routes>/**/router.py`.

## What it does
Reports three departures from the house layout:

- a feature folder under the routes package (at any depth) without a
  `router.py`, when it is an API feature: it creates a router, defines
  endpoints, has a `schemas.py`, or holds child features that do;
- a feature folder with a `router.py` but no `schemas.py` (nor `schemas/`
  package) although it has schemas: a Pydantic model defined in one of its
  own files (`router.py`, `models.py`, ...), or imported by one of them from
  outside every `<routes>/**/schemas.py` (a flat `app/schemas/` package, a
  service). Models imported from another feature's `schemas.py`, shared bases
  listed in `shared-schemas` and settings classes do not count;
- an endpoint (a function registered on an app or router) defined anywhere
  but a `router.py` inside the routes package (or a module of a feature's
  `router/` package): on `app` in `main.py`, in a flat `routes/jobs.py`, in a
  `views.py`.

A folder finding points at line 1 of the folder's `__init__.py` (of its
`router.py`, or of its first file, when it has no `__init__.py`; a folder
without any file of its own is not reported); an endpoint finding points at
the `def` line of the handler. Folders that are parts of a feature
(`schemas/`, `router/`), test folders, private folders (`_shared/`) and helper
folders with no router, endpoint or schemas are not features. Endpoints of
test modules are not reported.

Only projects with a routes package are checked (see `routes-package`).

## Why is this bad?
The guide's Rule 6 puts each API feature in one folder: its handlers in
`router.py` and its request/response models in `schemas.py`, so that a reader
finds any endpoint by its URL's first segment and every feature looks the
same. Endpoints on the app in `main.py` or in ad-hoc modules escape the
feature routers' prefixes, tags and dependencies, and a feature whose schemas
live elsewhere is coupled to that other place.

## Example
```python
# file: app/routes/jobs/__init__.py  # [FG506]
from .router import router
```

```python
# file: app/routes/jobs/router.py
from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(prefix="/jobs", tags=["Jobs"])


class JobCreate(BaseModel):
    title: str
```

```python
# file: app/main.py
from fastapi import FastAPI

from app.routes.jobs import router as jobs_router

app = FastAPI()
app.include_router(jobs_router)


@app.get("/health")
def health() -> dict[str, str]:  # [FG506]
    return {"status": "ok"}
```

## Use instead
```python
# file: app/routes/jobs/__init__.py
from .router import router
```

```python
# file: app/routes/jobs/router.py
from fastapi import APIRouter

from .schemas import JobCreate

router = APIRouter(prefix="/jobs", tags=["Jobs"])
```

```python
# file: app/routes/jobs/schemas.py
from pydantic import BaseModel


class JobCreate(BaseModel):
    title: str
```

```python
# file: app/routes/health/__init__.py
from .router import router
```

```python
# file: app/routes/health/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/health", tags=["Health"])


@router.get("")
def health() -> dict[str, str]:
    return {"status": "ok"}
```

```python
# file: app/main.py
from fastapi import FastAPI

from app.routes.health import router as health_router
from app.routes.jobs import router as jobs_router

app = FastAPI()
app.include_router(health_router)
app.include_router(jobs_router)
```

## Fix
Create the missing file: move the folder's handlers into `router.py` and its
Pydantic models into `schemas.py`. Move an endpoint defined elsewhere into the
`router.py` of the feature its URL belongs to (a new feature folder if there
is none, e.g. `routes/health/`).

## Options
- `routes-package`: the folder holding the features (default `routes`).
- `shared-schemas`: base classes that may live outside the features (see FG501).

## Related rules
- FG501 schema-not-colocated: reports each misplaced Pydantic model class.
- FG503 router-not-reexported: a feature package that does not export `router`.
- FG507 router-prefix: the feature router's prefix and tags.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi_guard.findings import Finding
from fastapi_guard.project import Project
from fastapi_guard.project.features import ROUTER, Feature
from fastapi_guard.project.layout import Layout, is_test_module
from fastapi_guard.project.pydantic import SchemaClass
from fastapi_guard.rule import ProjectRule, def_line_span, first_line_span

MAX_NAMED = 3


def in_router_module(layout: Layout, module_name: str) -> bool:
    """``<routes>/**/router.py``, or a module of a ``router/`` package there."""
    parts = layout.feature_parts(module_name)
    return parts is not None and (parts[-1] == ROUTER or (len(parts) >= 2 and parts[-2] == ROUTER))


class FeatureLayout(ProjectRule):
    code = "FG506"
    name = "feature-layout"
    message = "{problem}"
    hint = "each feature folder holds `router.py` (its endpoints) and `schemas.py` (its Pydantic models)"
    layout = True

    def check(self, project: Project) -> Iterator[Finding]:
        layout = project.layout
        endpoints = [endpoint for endpoint in project.fastapi.endpoints if not is_test_module(endpoint.module.name)]
        with_endpoints = {endpoint.module.name for endpoint in endpoints}
        api = self._api_features(layout, with_endpoints)
        for feature in layout.features.values():
            missing: list[str] = []
            if feature.router_module is None and feature.name in api:
                missing.append("`router.py`")
            needs_schemas = feature.name in api and not feature.schemas_modules
            foreign = self._foreign_schemas(project, feature) if needs_schemas else []
            if foreign:
                missing.append("`schemas.py`")
            where = feature.package or feature.router_module or (feature.modules[0] if feature.modules else None)
            if not missing or where is None:
                continue
            problem = f"feature folder `{feature.relative}` has no {' and no '.join(missing)}"
            if foreign:
                named = ", ".join(f"`{schema.name}`" for schema in foreign[:MAX_NAMED])
                problem += f"; its schemas ({named}{', ...' if len(foreign) > MAX_NAMED else ''}) live elsewhere"
            yield self.finding(where.path, first_line_span(where), problem=problem)
        for endpoint in endpoints:
            module = endpoint.module
            if in_router_module(layout, module.name):
                continue
            yield self.finding(
                module.path, def_line_span(module, endpoint.function),
                problem=f"endpoint `{endpoint.name}` is defined in `{layout.relative_path(module)}`, "
                        f"outside `{layout.routes_folder}/**/router.py`",
                hint="move it into the router.py of the feature its URL belongs to",
            )

    @staticmethod
    def _api_features(layout: Layout, with_endpoints: set[str]) -> set[str]:
        """Features that create a router, define endpoints or have schemas, and the folders above them."""
        found: set[str] = set()
        for feature in layout.features.values():
            if feature.routers or feature.schemas_modules or feature.router_module or any(
                module.name in with_endpoints for module in feature.modules
            ):
                name = feature.name
                while name in layout.features:
                    found.add(name)
                    name = name.rpartition(".")[0]
        return found

    @staticmethod
    def _foreign_schemas(project: Project, feature: Feature) -> list[SchemaClass]:
        """Schemas the feature's own files define or import from outside every feature's schemas."""
        index = project.schemas
        wanted = {entry.name for entry in index.schemas.values()}
        found: dict[str, SchemaClass] = {}
        for entry in index.schemas.values():
            if feature.owns(entry.module.name):
                found.setdefault(entry.qualname, entry)
        for module in feature.modules:
            for local, binding in module.bindings.items():
                if binding.kind != "import" or (binding.attribute or local) not in wanted:
                    continue
                entry = index.schemas.get(project.names.resolve_name(module, local).qualname)
                if entry is not None:
                    found.setdefault(entry.qualname, entry)
        return [
            entry for entry in found.values()
            if not project.layout.in_feature_schemas(entry.module.name) and not is_test_module(entry.module.name)
            and entry.qualname not in index.table_bases and not project.layout.is_shared_schema(entry)
        ]
