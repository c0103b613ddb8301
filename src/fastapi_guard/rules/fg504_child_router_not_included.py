"""A child feature's router that its parent feature never includes.

## What it does
Reports the router of a nested feature `<routes>/<parent>/<child>/router.py`
when no module of the parent feature (its `__init__.py`, or its `router.py`)
passes it to `include_router` on one of the parent's routers. The finding
points at the child's `router = APIRouter(...)` assignment.

Includes are read through the project's router graph: aliases
(`from .experiences.router import router as experiences_router`), re-exports
(`from .experiences import router`), loops over a list of routers. When the
parent has an include whose router cannot be read statically, the child gets
the benefit of the doubt. A parent folder without any router of its own is
FG506's case (it has no `router.py`), not this rule's; an include of the child
made anywhere else (`main.py`, the routes package, a grandparent) does not
count: see FG502.

Only projects with a routes package are checked (see `routes-package`).

## Why is this bad?
A child resource lives under its parent: the parent's `__init__.py` composes
it (`router.include_router(experiences_router)`), so its URLs hang below the
parent's prefix and inherit the parent's dependencies. A child router that its
parent forgets is either unreachable (its endpoints answer 404) or mounted by
someone else next to the parent, with the wrong path and without the parent's
authentication.

## Example
```python
# file: app/routes/boards/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/boards", tags=["Boards"])
```

```python
# file: app/routes/boards/__init__.py
from .router import router
```

```python
# file: app/routes/boards/cards/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/{board_id}/cards", tags=["Boards - Cards"])  # [FG504]
```

```python
# file: app/routes/boards/cards/__init__.py
from .router import router
```

## Use instead
```python
# file: app/routes/boards/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/boards", tags=["Boards"])
```

```python
# file: app/routes/boards/__init__.py
from .router import router
from .cards import router as cards_router

router.include_router(cards_router)
```

```python
# file: app/routes/boards/cards/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/{board_id}/cards", tags=["Boards - Cards"])
```

```python
# file: app/routes/boards/cards/__init__.py
from .router import router
```

## Fix
In the parent's `__init__.py`, import the child router and include it:
`from .experiences.router import router as experiences_router` then
`router.include_router(experiences_router)`. Remove any include of the child
from `main.py` (FG502).

## Options
- `routes-package`: the folder holding the features (default `routes`).

## Related rules
- FG502 main-imports-child-router: the app module includes the child itself.
- FG505 router-not-registered: a top-level router the app never includes.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi_guard.findings import Finding
from fastapi_guard.project import Project
from fastapi_guard.rule import ProjectRule, node_span


class ChildRouterNotIncluded(ProjectRule):
    code = "FG504"
    name = "child-router-not-included"
    message = "child router of `{child}` is never included by its parent's `{parent}/__init__.py`"
    hint = "in the parent's __init__.py: `router.include_router(<child>_router)`"
    layout = True

    def check(self, project: Project) -> Iterator[Finding]:
        layout = project.layout
        features = layout.features
        mounts = layout.mounts
        for feature in features.values():
            router = feature.router
            parent = features.get(feature.parent) if feature.parent else None
            if router is None or parent is None or not parent.routers:
                continue
            parents = {candidate.qualname for candidate in parent.routers}
            if mounts.includes_into(parents, router.qualname, parent.modules) or mounts.unread_includes(parent.modules):
                continue
            yield self.finding(
                router.module.path, node_span(router.module, router.node),
                child=feature.relative, parent=parent.relative,
            )
