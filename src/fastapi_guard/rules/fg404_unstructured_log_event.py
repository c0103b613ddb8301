"""A structlog call whose event is formatted text or a sentence instead of a snake_case name.

## What it does
Reports a call of a structlog logger (`logger.info(...)`, `.warning`, `.error`,
`.exception`, ..., `log(level, event)`) whose event, the first positional
argument (or `event=`), is:

- built from values: an f-string with placeholders, `"..." % x`,
  `"...".format(x)`, or a concatenation;
- a constant that is not a snake_case name (`"Item created"`,
  `"Failed to send: %s"`); dotted namespaces of snake_case names
  (`"billing.invoice_paid"`) are fine.

A logger is a structlog logger when it comes from `structlog.get_logger()`,
`structlog.stdlib.get_logger()`, `structlog.wrap_logger(...)` or `.bind(...)`
on one of them, followed through assignments, imports, annotated parameters,
`self.<attribute>` and project helpers that return one. Calls on loggers of
unknown origin, and events that are names or calls, are left alone.

## Why is this bad?
The house guide's Rule 5 logs events as `logger.info("item_created",
item_id=item.id)`. A fixed event name is what dashboards, alerts and log
search group by; values formatted into the text make every line a
different event and bury `item_id` where no query can filter on it.

## Example
```python
import structlog

logger = structlog.get_logger()


def create_item(item_id: int, user_id: int) -> None:
    logger.info(f"Item {item_id} created by {user_id}")  # [FG404]
    logger.warning("Rate limit approaching")  # [FG404]
```

## Use instead
```python
import structlog

logger = structlog.get_logger()


def create_item(item_id: int, user_id: int) -> None:
    logger.info("item_created", item_id=item_id, user_id=user_id)
    logger.warning("rate_limit_approaching", remaining=10)
```

## Related rules
- FG403 non-structlog-logging
"""

from __future__ import annotations

import ast
import re

from fastapi_guard.project.layout import is_test_module
from fastapi_guard.project.loggers import EMIT_METHODS, LoggerKinds
from fastapi_guard.rule import FileContext, FileRule

EVENT_NAME = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*(?:[.:][a-z][a-z0-9]*(?:_[a-z0-9]+)*)*$")


class UnstructuredLogEvent(FileRule):
    code = "FG404"
    name = "unstructured-log-event"
    message = "structlog event {problem}"
    hint = 'use a snake_case event name and pass values as keywords: `logger.info("item_created", item_id=item.id)`'

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._skip = is_test_module(context.module.name)
        self._loggers: LoggerKinds | None = None

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if self._skip or not isinstance(func, ast.Attribute) or func.attr not in EMIT_METHODS:
            return
        event = _event(node, func.attr)
        if event is None:
            return
        problem = _problem(event)
        if problem is None:
            return
        if self._loggers is None:
            self._loggers = LoggerKinds(self.project)
        owner = next((item for item in reversed(self.context.ancestors) if isinstance(item, ast.ClassDef)), None)
        if self._loggers.kind(self.module, func.value, self.context.scopes, owner) == "structlog":
            self.report(node, problem=problem)


def _event(call: ast.Call, method: str) -> ast.expr | None:
    index = 1 if method == "log" else 0
    if len(call.args) > index and not isinstance(call.args[index], ast.Starred):
        return call.args[index]
    return next((item.value for item in call.keywords if item.arg == "event"), None)


def _problem(event: ast.expr) -> str | None:
    if isinstance(event, ast.JoinedStr):
        if any(isinstance(part, ast.FormattedValue) for part in event.values):
            return "is an f-string; values belong in keyword arguments"
        text = "".join(part.value for part in event.values if isinstance(part, ast.Constant))
        return _constant_problem(text)
    if isinstance(event, ast.BinOp) and isinstance(event.op, ast.Mod) and _is_text(event.left):
        return "is `%`-formatted; values belong in keyword arguments"
    if isinstance(event, ast.BinOp) and isinstance(event.op, ast.Add) and _is_text(event):
        return "is a concatenation; values belong in keyword arguments"
    if isinstance(event, ast.Call) and isinstance(event.func, ast.Attribute) and event.func.attr == "format" \
            and _is_text(event.func.value):
        return "is built with `.format()`; values belong in keyword arguments"
    if isinstance(event, ast.Constant) and isinstance(event.value, str):
        return _constant_problem(event.value)
    return None


def _constant_problem(text: str) -> str | None:
    if EVENT_NAME.match(text):
        return None
    shown = text.replace("\n", "\\n")
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return f"`{shown}` is not a snake_case event name"


def _is_text(expr: ast.expr) -> bool:
    """A string literal or f-string, or an operation with one among its operands; without
    recursion, as generated code can chain thousands of operands."""
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            return True
        if isinstance(node, ast.BinOp):
            stack.extend((node.right, node.left))
    return False
