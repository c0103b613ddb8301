"""A feature router without `prefix` or `tags`, or whose prefix does not match its folder.

## What it does
Reports the router that a feature's `router.py` creates
(`router = APIRouter(...)`, at any depth under the routes package) when its
call has no `prefix`, no `tags` (or an empty one), or a prefix that does not
name the feature's folder. The finding points at the assignment and lists
every problem of that router.

The prefix matches when it is `/` followed by the folder name, where a `_` in
the folder name may also be written `-` (`routes/jobs` -> `/jobs`,
`routes/job_posts` -> `/job_posts` or `/job-posts`,
`routes/profile/experiences` -> `/experiences`). Path parameters may come
first, for a child resource addressed through its parent's item
(`routes/projects/tasks` -> `/{project_id}/tasks`). A prefix or tags value that
cannot be read statically (a setting, a constant from another package) is
given the benefit of the doubt, and so are keywords that an `APIRouter`
subclass's `__init__` fills in.

Only projects with a routes package are checked (see `routes-package`).

## Why is this bad?
The guide keeps URL paths consistent by defining each feature's prefix and
tags in its `router.py`: a reader maps `/api/v1/jobs/...` to `routes/jobs/`
at a glance, the OpenAPI docs group the endpoints by feature, and `main.py`
adds only the version prefix. A prefix passed at include time, a typo
(`/job`), or a router without tags breaks that mapping.

## Example
```python
# file: app/routes/jobs/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/job")  # [FG507]
```

## Use instead
```python
# file: app/routes/jobs/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/jobs", tags=["Jobs"])
```

```python
# file: app/routes/job_posts/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/job-posts", tags=["Job posts"])
```

## Fix
Give the router `prefix="/<folder>"` and `tags=["<Feature>"]` in `router.py`,
and drop any `prefix=` for it from the `include_router` call (keep only the
version prefix such as `/api/v1` in `main.py`).

## Options
- `routes-package`: the folder holding the features (default `routes`).

## Related rules
- FG506 feature-layout: a feature folder without its `router.py`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_guard.findings import Finding
from fastapi_guard.project import Project
from fastapi_guard.project.fastapi_walk import find_method, keyword, own_nodes
from fastapi_guard.project.features import Feature
from fastapi_guard.project.pathglob import split_path
from fastapi_guard.project.router_model import Router
from fastapi_guard.rule import ProjectRule, node_span

ROUTER_KEYWORDS = ("prefix", "tags")
# How many project subclasses deep an ``APIRouter`` subclass's ``__init__`` is searched.
MAX_SUBCLASS_DEPTH = 4


def prefix_matches(prefix: str, folder: str) -> bool:
    """``/<folder>`` (``_`` may be ``-``), optionally after path-parameter segments."""
    if not prefix.startswith("/") or prefix.endswith("/") or "//" in prefix:
        return False
    *parameters, last = split_path(prefix) or ("",)
    if not all(part.startswith("{") and part.endswith("}") for part in parameters):
        return False
    return last in {folder, folder.replace("_", "-")}


def _readable(expr: ast.expr, text: str) -> bool:
    """A literal, or an expression read without placeholders (an unreadable part shows as ``{...}``)."""
    return isinstance(expr, ast.Constant) or "{" not in text


def _is_empty(value: ast.expr) -> bool:
    return (isinstance(value, ast.Constant) and not value.value) or (
        isinstance(value, (ast.List, ast.Tuple, ast.Set)) and not value.elts
    )


class RouterPrefix(ProjectRule):
    code = "FG507"
    name = "router-prefix"
    message = "router of feature `{feature}` {problems}"
    hint = 'define both in router.py: `APIRouter(prefix="/<folder>", tags=["<Feature>"])`'
    layout = True

    def check(self, project: Project) -> Iterator[Finding]:
        layout = project.layout
        for feature in layout.features.values():
            router = feature.router
            if router is None or not feature.router_in_router_module:
                continue
            call = layout.mounts.creating_call(router)
            if call is None:
                continue
            problems = self._problems(project, feature, router, call)
            if problems:
                yield self.finding(
                    router.module.path, node_span(router.module, router.node),
                    feature=feature.relative, problems="; ".join(problems),
                )

    def _problems(self, project: Project, feature: Feature, router: Router, call: ast.Call) -> list[str]:
        inherited = self._subclass_keywords(project, router, call)
        problems: list[str] = []
        prefix = keyword(call, "prefix")
        if (prefix is None or _is_empty(prefix)) and "prefix" not in inherited:
            problems.append("has no `prefix`")
        elif prefix is not None and _readable(prefix, router.prefix) and not prefix_matches(router.prefix, feature.basename):
            expected = f"/{feature.basename}"
            problems.append(f"has prefix `{router.prefix}`, which does not match its folder (expected `{expected}`)")
        tags = keyword(call, "tags")
        if (tags is None or _is_empty(tags)) and "tags" not in inherited:
            problems.append("has no `tags`")
        return problems

    def _subclass_keywords(self, project: Project, router: Router, call: ast.Call) -> set[str]:
        """Keywords an ``APIRouter`` subclass's ``__init__`` (or its project bases') mentions."""
        found: set[str] = set()
        resolved = project.names.resolve_expr(router.module, call.func)
        for _ in range(MAX_SUBCLASS_DEPTH):
            if resolved is None or resolved.module is None or not isinstance(resolved.node, ast.ClassDef):
                break
            cls, module = resolved.node, resolved.module
            init = find_method(cls, "__init__")
            for node in own_nodes(init) if init is not None else ():
                if isinstance(node, ast.keyword) and node.arg in ROUTER_KEYWORDS:
                    found.add(node.arg)
                elif isinstance(node, ast.Constant) and node.value in ROUTER_KEYWORDS:
                    found.add(str(node.value))
            resolved = project.names.resolve_expr(module, cls.bases[0]) if cls.bases else None
        return found
