"""The app module imports or includes the router of a nested child feature.

## What it does
Reports, in the app module (the one creating `FastAPI()`, or `app-module`), an
import that reaches into a nested feature `<routes>/<parent>/<child>`: its
package, its `router.py`, or its `router` object
(`from app.routes.profile.experiences import router`,
`import app.routes.profile.experiences.router`), at the import statement. When
the app module includes such a router without importing the child directly
(`from app.routes import profile` then
`app.include_router(profile.experiences.router)`), the `include_router` call
is reported instead. Imports of top-level feature routers are fine, and so is
importing something other than a router (a schema, a constant) from a child.

Only projects with a routes package are checked (see `routes-package`).

## Why is this bad?
A child resource belongs to its parent: the parent's `__init__.py` includes
the child router, so the child's URLs hang under the parent's prefix and
inherit its dependencies. When `main.py` includes the child itself, the child
is mounted next to its parent instead of under it (wrong path, missing the
parent's auth dependencies), or twice when the parent includes it as well, and
`main.py` stops being the short list of top-level features.

## Example
```python
# file: app/routes/profile/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/profile", tags=["Profile"])
```

```python
# file: app/routes/profile/__init__.py
from .router import router
```

```python
# file: app/routes/profile/experiences/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/experiences", tags=["Profile - Experiences"])
```

```python
# file: app/routes/profile/experiences/__init__.py
from .router import router
```

```python
# file: app/main.py
from fastapi import FastAPI

from app.routes.profile import router as profile_router
from app.routes.profile.experiences import router as experiences_router  # [FG502]

app = FastAPI()
app.include_router(profile_router)
app.include_router(experiences_router)
```

## Use instead
```python
# file: app/routes/profile/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/profile", tags=["Profile"])
```

```python
# file: app/routes/profile/__init__.py
from .router import router
from .experiences.router import router as experiences_router

router.include_router(experiences_router)
```

```python
# file: app/routes/profile/experiences/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/experiences", tags=["Profile - Experiences"])
```

```python
# file: app/routes/profile/experiences/__init__.py
from .router import router
```

```python
# file: app/main.py
from fastapi import FastAPI

from app.routes.profile import router as profile_router

app = FastAPI()
app.include_router(profile_router)
```

## Fix
Remove the import from the app module and include the child router in its
parent's `__init__.py` (`router.include_router(experiences_router)`).

## Options
- `routes-package`: the folder holding the features (default `routes`).
- `app-module`: the module creating the application, as a dotted name
  (`app.main`) or a path (`app/main.py`); by default the module calling
  `FastAPI()` (outside the routes package and tests, with the most
  `include_router` calls).

## Related rules
- FG504 child-router-not-included: the parent never includes the child.
- FG505 router-not-registered: a top-level router the app never includes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from fastapi_guard.findings import Finding
from fastapi_guard.project import Project
from fastapi_guard.project.names import Resolved
from fastapi_guard.project.symbols import Binding, ModuleInfo, ScopeNode, absolute_module, dotted_name
from fastapi_guard.rule import ProjectRule, node_span

APIROUTER = "fastapi.APIRouter"
# How many project subclasses deep an ``APIRouter`` subclass is recognised.
MAX_SUBCLASS_DEPTH = 4


class _ChildRouters:
    """Answers "does this imported or included object belong to a nested feature?"."""

    def __init__(self, project: Project, app: ModuleInfo) -> None:
        self.layout = project.layout
        self.names = project.names
        self.app = app

    def imported(self, node: ast.Import | ast.ImportFrom) -> list[str]:
        """The nested features an import statement reaches into, in order, without repeats."""
        found: list[str | None] = []
        if isinstance(node, ast.Import):
            for alias in node.names:
                module = self.names.find_module(alias.name, self.app.name)
                found.append(self._module_child(module) if module else None)
        else:
            source_name = absolute_module(self.app.name, self.app.is_package, node.level, node.module)
            source = self.names.find_module(source_name, self.app.name) if source_name else None
            if source is None:
                return []
            for alias in node.names:
                if alias.name == "*":
                    found.append(self._module_child(source))
                else:
                    found.append(self.child_of(self.names.resolve_name(source, alias.name)))
        return list(dict.fromkeys(child for child in found if child))

    def child_of(self, resolved: Resolved) -> str | None:
        module = resolved.module
        if module is None:
            return None
        if resolved.binding is None and resolved.qualname == module.name:
            return self._module_child(module)
        return self.router_child(resolved)

    def router_child(self, resolved: Resolved) -> str | None:
        """The nested feature defining this router object, if it is one."""
        if resolved.module is None or not self._is_router(resolved):
            return None
        return self._nested_feature(resolved.module.name)

    def _module_child(self, module: ModuleInfo) -> str | None:
        """A nested feature package itself, or a module of one that holds a router."""
        feature = self._nested_feature(module.name)
        if feature is None:
            return None
        if module.name == feature or any(
            self._is_router(self.names.resolve_name(module, name))
            for name, binding in module.bindings.items() if binding.kind in ("value", "import")
        ):
            return feature
        return None

    def _nested_feature(self, module_name: str) -> str | None:
        depth = self.layout.feature_depth(module_name)
        return self.layout.feature_of(module_name) if depth is not None and depth >= 2 else None

    def _is_router(self, resolved: Resolved) -> bool:
        binding, module = resolved.binding, resolved.module
        if binding is None or module is None or binding.kind != "value" or not isinstance(binding.node, ast.Call):
            return False
        return self._is_router_class(self.names.resolve_expr(module, binding.node.func), 0)

    def _is_router_class(self, resolved: Resolved | None, depth: int) -> bool:
        if resolved is None:
            return False
        if resolved.qualname == APIROUTER:
            return True
        node, module = resolved.node, resolved.module
        if depth >= MAX_SUBCLASS_DEPTH or not isinstance(node, ast.ClassDef) or module is None:
            return False
        return any(self._is_router_class(self.names.resolve_expr(module, base), depth + 1) for base in node.bases)


def _binding_of(module: ModuleInfo, name: str, scopes: Sequence[ScopeNode]) -> Binding | None:
    for scope in reversed(scopes):
        binding = module.function_bindings(scope).get(name)
        if binding is not None:
            return binding
    return module.bindings.get(name)


def _router_argument(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return next((keyword.value for keyword in call.keywords if keyword.arg == "router"), None)


class MainImportsChildRouter(ProjectRule):
    code = "FG502"
    name = "main-imports-child-router"
    message = "`{app}` {verb} the child router `{child}`; only its parent `{parent}` should include it"
    hint = "the app module includes top-level feature routers only; each parent's __init__.py includes its children"
    layout = True

    def check(self, project: Project) -> Iterator[Finding]:
        app = project.layout.app_module
        if app is None or project.layout.routes_package is None:
            return
        children = _ChildRouters(project, app)
        imports: list[ast.Import | ast.ImportFrom] = []
        includes: list[tuple[ast.Call, tuple[ScopeNode, ...]]] = []
        for node, scopes in app.scoped_nodes:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.append(node)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "include_router":
                includes.append((node, scopes))

        reported_lines: set[int] = set()
        for statement in imports:
            for child in children.imported(statement):
                reported_lines.add(statement.lineno)
                yield self._finding(project, app, statement, "imports", child)
        for call, scopes in includes:
            argument = _router_argument(call)
            resolved = project.names.resolve_expr(app, argument, scopes) if argument is not None else None
            child = children.router_child(resolved) if resolved is not None else None
            if child is None:
                continue
            head = (dotted_name(argument) or "").partition(".")[0]
            binding = _binding_of(app, head, scopes)
            if binding is not None and binding.kind == "import" and binding.line in reported_lines:
                continue  # already reported at the import that brought it in
            yield self._finding(project, app, call, "includes", child)

    def _finding(self, project: Project, app: ModuleInfo, node: ast.AST, verb: str, child: str) -> Finding:
        parent = child.rpartition(".")[0].replace(".", "/")
        return self.finding(
            app.path,
            node_span(app, node),
            app=project.layout.relative_path(app),
            verb=verb,
            child=child,
            parent=f"{parent}/__init__.py",
        )
