"""A Pydantic model defined outside `<routes>/**/schemas.py`.

## What it does
Reports a Pydantic model class (a subclass of `pydantic.BaseModel`, directly or
through project classes, or a `SQLModel` class without `table=True`) that is
defined anywhere but in a `schemas.py` inside the routes package: in a flat
`schemas/` package, in a `router.py`, in `main.py`, in a service or models
module. The finding points at the `class` line.

A model outside the routes package, the app module and modules named `schemas`
is reported only when the API uses it: a module of the routes package or the
app module imports or names it, or it is a base, a field type or a nested class
of such a model. A model that only travels between the app's own parts (a
worker message, a third-party response parsed in a client) is not a request or
response schema.

Only projects with a routes package are checked (see `routes-package`).
Settings classes (`pydantic_settings.BaseSettings` and the Pydantic v1
`BaseSettings`) are configuration, not schemas, and are never reported; nor are
non-table SQLModel classes that a table class inherits from (they are part of a
database model), nor modules of the test suite. A feature may also split its
schemas into a `schemas/` package of its own (`routes/jobs/schemas/filters.py`).

## Why is this bad?
The house layout keeps each feature in one folder: its router and the request
and response models it speaks. A schema in a shared `schemas/` folder is far
from the endpoint that uses it, drifts when the endpoint changes, and turns the
folder into a grab bag that every feature imports from.

## Example
```python
# file: app/schemas/jobs.py
from pydantic import BaseModel


class JobCreate(BaseModel):  # [FG501]
    title: str
```

```python
# file: app/routes/jobs/router.py
from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(prefix="/jobs", tags=["Jobs"])


class JobFilter(BaseModel):  # [FG501]
    status: str | None = None
```

## Use instead
```python
# file: app/routes/jobs/schemas.py
from pydantic import BaseModel


class JobCreate(BaseModel):
    title: str


class JobFilter(BaseModel):
    status: str | None = None
```

```python
# file: app/routes/jobs/router.py
from fastapi import APIRouter

from .schemas import JobCreate, JobFilter

router = APIRouter(prefix="/jobs", tags=["Jobs"])
```

```python
# file: app/config.py
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str = "sqlite:///./app.db"
```

## Fix
Move the class to the `schemas.py` of the feature whose routes use it, and
import it from there. A base class that several features share (a common
`ORMModel` with `from_attributes=True`, a generic `Page[T]`) may stay where it
is: list it in `shared-schemas`. Its subclasses are feature schemas and still
belong in the features' `schemas.py`.

## Options
- `routes-package`: the folder holding the features (default `routes`).
- `shared-schemas`: shared base classes allowed outside the features, as class
  names (`ORMModel`), qualified names (`app.core.schemas.ORMModel`) or modules
  (`app.core.schemas` or `app/core/schemas.py`: every class in it).

## Related rules
- FG506 feature-layout: a feature folder without its `router.py` / `schemas.py`.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi_guard.findings import Finding
from fastapi_guard.project import Project
from fastapi_guard.project.layout import Layout, is_test_module
from fastapi_guard.project.symbols import ModuleInfo
from fastapi_guard.rule import ProjectRule, def_line_span

SHARED_BASE_HINT = (
    "move it to the schemas.py of the feature that uses it; "
    "if it is a base shared by several features, list it in `shared-schemas`"
)
# Modules that declare themselves schema modules by name, wherever they are.
SCHEMA_MODULE_NAMES = frozenset({"schemas", "schema"})


def _in_api_layer(layout: Layout, module: ModuleInfo) -> bool:
    """The routes package and the app module: the code that speaks HTTP."""
    package = layout.routes_package
    in_routes = package is not None and (module.name == package or module.name.startswith(package + "."))
    return in_routes or module is layout.app_module


class SchemaNotColocated(ProjectRule):
    code = "FG501"
    name = "schema-not-colocated"
    message = "Pydantic model `{model}` is defined in `{file}`; schemas live in `{routes}/<feature>/schemas.py`"
    hint = "move it to the schemas.py of the feature that uses it"
    layout = True

    def check(self, project: Project) -> Iterator[Finding]:
        layout = project.layout
        table_bases = project.schemas.table_bases
        api_modules = [module for module in project.modules.values() if _in_api_layer(layout, module)]
        used_by_api = project.schemas.reachable_from(api_modules)
        bases = {base for schema in project.schemas.schemas.values() for base in schema.bases}
        for schema in project.schemas.schemas.values():
            module = schema.module
            if layout.in_feature_schemas(module.name) or is_test_module(module.name):
                continue
            if schema.qualname in table_bases or layout.is_shared_schema(schema):
                continue
            named_schema = any(part in SCHEMA_MODULE_NAMES for part in module.name.split("."))
            if not (named_schema or _in_api_layer(layout, module) or schema.qualname in used_by_api):
                continue
            yield self.finding(
                module.path,
                def_line_span(module, schema.node),
                hint=SHARED_BASE_HINT if schema.qualname in bases else self._hint(layout, module),
                model=schema.name,
                file=layout.relative_path(module),
                routes=layout.routes_folder,
            )

    def _hint(self, layout: Layout, module: ModuleInfo) -> str | None:
        """Name the schemas.py to move to when the file says which feature it belongs to."""
        feature = layout.feature_of(module.name)
        parts = layout.feature_parts(module.name)
        if feature is None and parts is not None and len(parts) == 1 and not module.is_package:
            feature = module.name  # a flat `routes/jobs.py`: its feature folder would be `routes/jobs/`
        if feature is None:
            return None
        return f"move it to `{feature.replace('.', '/')}/schemas.py`"
