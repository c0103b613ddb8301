"""`print()` or the stdlib `logging` module in application code, where structlog is the rule.

## What it does
Reports, at the call:

- `print(...)` (the builtin, not a local function of that name);
- module-level `logging` calls that emit: `logging.info(...)`,
  `logging.exception(...)`, `logging.log(...)`, ...;
- where a stdlib logger is obtained for the code to log with:
  `logger = logging.getLogger(__name__)` (also `self.log = ...`, a class
  attribute, or `return logging.getLogger(name)` in a helper), and
  `logging.getLogger(...).info(...)` chained. One finding per logger, on the
  line that creates it: that is the line to change, and every call made
  through it then becomes structlog (FG404 checks their events).

Not reported: configuring logging (`logging.basicConfig`, `logging.config`,
`getLogger("uvicorn").setLevel(...)`: a logger that is only configured, never
logged to), loggers wrapped by structlog (`structlog.wrap_logger(logging.getLogger())`),
CLI entry code (the `if __name__ == "__main__":` block and the functions it
calls, click/typer commands, `__main__.py`), tests, alembic migrations, and
code under `exclude` (scripts).

## Why is this bad?
The house guide's Rule 5: "Use structlog for all logging". `print` output
has no level, no timestamp and no request context, and it vanishes under
most process managers. Stdlib loggers format the context into the message
text, so log search and alerting cannot filter on `item_id` or `user_id`.

## Example
```python
import logging

logger = logging.getLogger(__name__)  # [FG403]


def create_item(name: str) -> dict:
    print("creating", name)  # [FG403]
    logging.info("created %s", name)  # [FG403]
    logger.info("created %s", name)
    return {"name": name}
```

## Use instead
```python
import structlog

logger = structlog.get_logger()


def create_item(name: str) -> dict:
    logger.info("item_created", name=name)
    return {"name": name}


if __name__ == "__main__":
    print(create_item("demo"))
```

## Options
- `exclude` / `extend-exclude`: scripts and tools that may print (for example
  `extend-exclude = ["scripts"]`) are not checked at all.

## Related rules
- FG404 unstructured-log-event
"""

from __future__ import annotations

import ast

from fastapi_guard.project.errors import builtin_name
from fastapi_guard.project.layout import is_test_module
from fastapi_guard.project.loggers import EMIT_METHODS, cli_functions, is_main_guard
from fastapi_guard.project.sqltext import is_migration
from fastapi_guard.project.symbols import ModuleInfo
from fastapi_guard.rule import FileContext, FileRule

STDLIB_LOGGER_FACTORIES = frozenset({"logging.getLogger", "logging.LoggerAdapter"})
STDLIB_EMITTERS = frozenset(f"logging.{name}" for name in EMIT_METHODS)


class NonStructlogLogging(FileRule):
    code = "FG403"
    name = "non-structlog-logging"
    message = "{what} in application code; log with structlog"
    hint = 'use `logger = structlog.get_logger()` and `logger.info("event_name", key=value)`'

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        module = context.module
        self._skip = is_test_module(module.name) or module.name.rsplit(".", 1)[-1] == "__main__" or is_migration(module)
        self._cli: set[int] | None = None
        self._uses: dict[str, set[str]] | None = None

    def visit_Call(self, node: ast.Call) -> None:
        if self._skip:
            return
        what = self._what(node)
        if what is not None and not self._in_cli_code():
            self.report(node, what=what)

    def _what(self, call: ast.Call) -> str | None:
        func = call.func
        if isinstance(func, ast.Name) and func.id == "print":
            return "`print()`" if builtin_name(self.project, self.module, func, self.context.scopes) else None
        if not isinstance(func, (ast.Name, ast.Attribute)):
            return None
        qualname = self.project.names.qualname(self.module, func, self.context.scopes)
        if qualname in STDLIB_EMITTERS:
            return f"`{qualname}()`"
        if qualname in STDLIB_LOGGER_FACTORIES and self._logs_through(call):
            return f"a stdlib logger (`{qualname}()`)"
        return None

    def _logs_through(self, call: ast.Call) -> bool:
        """Whether the logger a ``getLogger`` call creates is one the code logs with."""
        parent = self.context.parent
        if isinstance(parent, ast.Attribute):  # ``logging.getLogger(x).info(...)``
            return parent.attr in EMIT_METHODS
        if isinstance(parent, ast.Return):
            return True
        if isinstance(parent, (ast.Assign, ast.AnnAssign)) and parent.value is call:
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            names = [target.id for target in targets if isinstance(target, ast.Name)]
            return not names or any(self._logged_to(name) for name in names)
        return False

    def _logged_to(self, name: str) -> bool:
        """A logger variable that is logged to, or used beyond configuring it (passed on,
        imported elsewhere, or not used in this module at all)."""
        if self._uses is None:
            self._uses = _attribute_uses(self.module)
        uses = self._uses.get(name)
        return uses is None or "" in uses or bool(uses & EMIT_METHODS)

    def _in_cli_code(self) -> bool:
        if self._cli is None:
            self._cli = cli_functions(self.project, self.module)
        return any(id(node) in self._cli or is_main_guard(node) for node in self.context.ancestors)


def _attribute_uses(module: ModuleInfo) -> dict[str, set[str]]:
    """For each name loaded in the module: the attributes read on it ("" for a plain use)."""
    uses: dict[str, set[str]] = {}
    attribute_of: set[int] = set()
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            uses.setdefault(node.value.id, set()).add(node.attr)
            attribute_of.add(id(node.value))
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in attribute_of:
            uses.setdefault(node.id, set()).add("")
    return uses
