"""Rule registration through pluggy: built-in rules and plugins alike.

A plugin is a module (or object) exposed under the entry point group
``fastapi_guard`` that implements::

    from fastapi_guard.rule import hookimpl

    @hookimpl
    def fastapi_guard_rules():
        return [MyRule]
"""

from __future__ import annotations

import re
from functools import lru_cache

import pluggy

from fastapi_guard import rules as builtin_rules
from fastapi_guard.rule import Rule

ENTRY_POINT_GROUP = "fastapi_guard"
CODE_PATTERN = re.compile(r"^[A-Z]{1,4}[0-9]{3,4}$")
hookspec = pluggy.HookspecMarker("fastapi_guard")


class RuleSpec:
    @hookspec
    def fastapi_guard_rules(self) -> list[type[Rule]]:  # type: ignore[empty-body]
        """Return the rule classes this plugin provides."""


class PluginError(Exception):
    """A plugin provided something that is not a usable rule."""


@lru_cache(maxsize=1)
def registered_rules() -> dict[str, type[Rule]]:
    """Every rule from the built-ins and installed plugins, keyed by code, in code order."""
    manager = pluggy.PluginManager("fastapi_guard")
    manager.add_hookspecs(RuleSpec)
    manager.register(builtin_rules, name="builtin")
    try:
        manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        provided_lists = manager.hook.fastapi_guard_rules()
    except Exception as error:  # a broken plugin is a clear one-line error, not a traceback
        raise PluginError(f"a rule plugin failed to load: {type(error).__name__}: {error}") from error
    found: dict[str, type[Rule]] = {}
    for provided in provided_lists:
        for rule in provided:
            code = getattr(rule, "code", None)
            if not isinstance(rule, type) or not issubclass(rule, Rule) or not isinstance(code, str):
                raise PluginError(f"plugin rule {rule!r} is not a fastapi_guard Rule subclass with a code")
            if not CODE_PATTERN.match(code):
                raise PluginError(f"plugin rule {rule.__name__} has a malformed code {code!r}")
            # Checked now, not when a finding or a page first needs them: ``rules``,
            # ``rule CODE`` and SARIF would otherwise end in a traceback.
            for attribute in ("name", "message"):
                if not isinstance(getattr(rule, attribute, None), str):
                    raise PluginError(f"plugin rule {rule.__name__} ({code}) has no string `{attribute}`")
            if code in found and found[code] is not rule:
                raise PluginError(f"rule code {code} is provided twice ({found[code].__name__}, {rule.__name__})")
            found[code] = rule
    return dict(sorted(found.items()))
