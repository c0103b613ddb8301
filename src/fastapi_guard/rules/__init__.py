"""The built-in rules, one module per rule named ``fgNNN_<name>.py``.

They register through the same pluggy hook as third-party plugins.
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi_guard.rule import Rule, hookimpl


def builtin_rule_classes() -> list[type[Rule]]:
    classes: list[type[Rule]] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda item: item.name):
        if not info.name.startswith("fg"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        classes.extend(
            value for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, Rule) and value.__module__ == module.__name__
            and "code" in vars(value)
        )
    return classes


@hookimpl
def fastapi_guard_rules() -> list[type[Rule]]:
    return builtin_rule_classes()
