"""A feature package whose `__init__.py` is missing or does not export `router`.

## What it does
Reports a feature folder under the routes package (at any depth) that has a
`router.py` but whose `__init__.py` does not bind the name `router`: it is
missing, empty, or exports the router under another name only
(`from .router import router as jobs_router`). The finding points at line 1 of
the `__init__.py`, or at line 1 of `router.py` when the folder has no
`__init__.py`.

`router` counts as exported however the `__init__.py` binds it: an import
(`from .router import router`), an assignment, or a star import from a module
that binds it. An `__all__` that leaves it out does not matter
(`from app.routes.jobs import router` still works), but `from . import router`
binds the `router.py` module, not the router, and is reported. A folder
without `router.py` is FG506's case, not this rule's.

Only projects with a routes package are checked (see `routes-package`).

## Why is this bad?
The house layout imports every feature the same way:
`from app.routes.jobs import router`, and `routes/__init__.py` re-exports the
top-level routers for `main.py`. A package that does not export `router`
forces its importers to reach into `router.py` (or to invent another name),
and a parent's `__init__.py` composing its children can no longer rely on one
spelling. Without the re-export, `app.include_router(jobs.router)` even passes
the `router.py` module instead of the router once that module is imported.

## Example
```python
# file: app/routes/courses/router.py
from fastapi import APIRouter

courses_router = APIRouter(prefix="/courses", tags=["Courses"])
```

```python
# file: app/routes/courses/__init__.py  # [FG503]
from .router import courses_router
```

## Use instead
```python
# file: app/routes/courses/router.py
from fastapi import APIRouter

courses_router = APIRouter(prefix="/courses", tags=["Courses"])
```

```python
# file: app/routes/courses/__init__.py
from .router import courses_router as router
```

## Fix
Add `from .router import router` to the package's `__init__.py` (after its
docstring and `from __future__` imports); when `router.py` names its router
differently, `from .router import jobs_router as router`. The autofix does
this when the `__init__.py` exists; a missing `__init__.py` has to be created
by hand with that one line.

## Options
- `routes-package`: the folder holding the features (default `routes`).

## Related rules
- FG506 feature-layout: a feature folder without `router.py`.
- FG504 child-router-not-included: a parent's `__init__.py` that does not
  include its children's routers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_guard.findings import Edit, Finding, Fix
from fastapi_guard.project import Project
from fastapi_guard.project.features import ROUTER, Feature
from fastapi_guard.project.symbols import ModuleInfo
from fastapi_guard.rule import ProjectRule, first_line_span


def exports_router(project: Project, package: ModuleInfo) -> bool:
    """Whether the package binds the name ``router`` to something other than its ``router`` submodule."""
    binding = package.bindings.get(ROUTER)
    if binding is not None:
        resolved = project.names.resolve_name(package, ROUTER)
        submodule = f"{package.name}.{ROUTER}"
        return not (resolved.binding is None and resolved.module is not None and resolved.module.name == submodule)
    for source in package.star_imports:
        origin = project.names.find_module(source, package.name)
        if origin is not None and origin is not package and ROUTER in origin.bindings:
            return True
    return False


def reexport_fix(feature: Feature, package: ModuleInfo) -> Fix | None:
    """Insert ``from .router import router`` after the docstring and ``__future__`` imports."""
    router = feature.router
    if router is None or router.module is not feature.router_module or ROUTER in package.bindings:
        return None
    name = router.qualname.rpartition(".")[2]
    statement = f"from .{ROUTER} import {name}" + ("" if name == ROUTER else f" as {ROUTER}")
    anchor = 0
    for index, node in enumerate(package.tree.body):
        docstring = index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
            and isinstance(node.value.value, str)
        future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
        if not (docstring or future):
            break
        anchor = node.end_lineno or node.lineno
    lines = package.lines
    if anchor < len(lines):
        edit = Edit(anchor + 1, 1, anchor + 1, 1, statement + "\n")
    elif lines:
        # Nothing follows the docstring: append, keeping whether the file ended with a newline.
        edit = Edit(anchor, len(lines[-1]) + 1, anchor, len(lines[-1]) + 1, "\n" + statement)
    else:
        edit = Edit(1, 1, 1, 1, statement + "\n")
    return Fix("safe", (edit,))


class RouterNotReexported(ProjectRule):
    code = "FG503"
    name = "router-not-reexported"
    message = "`{init}` {problem}"
    hint = "add `from .router import router` to the feature's `__init__.py`"
    fixable = True
    layout = True

    def check(self, project: Project) -> Iterator[Finding]:
        layout = project.layout
        for feature in layout.features.values():
            router_module = feature.router_module
            if router_module is None:
                continue
            package = feature.package
            init = f"{feature.relative}/__init__.py"
            if package is None:
                # An __init__.py that failed to parse or is excluded is not missing.
                if (feature.folder / "__init__.py").exists():
                    continue
                yield self.finding(
                    router_module.path, first_line_span(router_module),
                    init=init, problem="is missing: the feature package does not export `router`",
                    hint=f"create `{init}` with `from .router import router`",
                )
            elif not exports_router(project, package):
                yield self.finding(
                    package.path, first_line_span(package), fix=reexport_fix(feature, package),
                    init=init, problem="does not export the feature's `router`",
                )
