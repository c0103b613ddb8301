"""Project configuration: ``[tool.fastapi-guard]`` or ``.fastapi-guard.toml``.

Every key of the rule catalogue's configuration table is declared once in
``OPTIONS``; loading validates names and types so that a typo is a one-line
error (exit 2) instead of a silently ignored setting.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

PYPROJECT = "pyproject.toml"
DEDICATED = ".fastapi-guard.toml"
SECTION = "fastapi-guard"

DEFAULT_EXCLUDE = (
    ".git", ".venv", "venv", "node_modules", "build", "dist", "__pycache__",
    "alembic", "migrations",
)
DEFAULT_PUBLIC_PATHS = (
    "**/auth/login", "**/auth/register", "**/auth/token", "**/auth/refresh",
    "**/health*", "**/webhook*/**",
)
DEFAULT_OWNER_COLUMNS = (
    "owner_id", "user_id", "tenant_id", "organization_id", "workspace_id", "account_id",
)
SOFT_DELETE_MODES = ("models-with-column", "all")


class ConfigError(Exception):
    """A configuration problem, reported as one line and exit status 2."""


@dataclass(frozen=True)
class Config:
    """The effective settings of one project (defaults merged with its file)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    routes_package: str = "routes"
    app_module: str | None = None
    auth_dependencies: tuple[str, ...] = ("get_current_user", "require_admin")
    admin_dependencies: tuple[str, ...] = ("require_admin",)
    public_paths: tuple[str, ...] = DEFAULT_PUBLIC_PATHS
    extend_public_paths: tuple[str, ...] = ()
    admin_paths: tuple[str, ...] = ("**/admin/**", "DELETE **/users/**")
    owner_columns: tuple[str, ...] = DEFAULT_OWNER_COLUMNS
    ownership_checks: tuple[str, ...] = ("check_permission", "check_owner", "authorize")
    soft_delete_columns: tuple[str, ...] = ("deleted_at", "is_deleted")
    soft_delete: str = "models-with-column"
    shared_schemas: tuple[str, ...] = ()
    source: str | None = field(default=None, compare=False)

    @property
    def all_excludes(self) -> tuple[str, ...]:
        return self.exclude + self.extend_exclude

    @property
    def all_public_paths(self) -> tuple[str, ...]:
        return self.public_paths + self.extend_public_paths


def _string_list(key: str, value: Any, source: str) -> tuple[str, ...]:
    # A bare string is refused, not taken as a one-item list: ``exclude =
    # "scripts, seeds"`` would otherwise be one pattern that never matches.
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        got = " (got a string: put it in brackets)" if isinstance(value, str) else ""
        raise ConfigError(f"{source}: `{key}` must be a list of strings{got}")
    return tuple(value)


def _codes(key: str, value: Any, source: str) -> tuple[str, ...]:
    return tuple(code.strip().upper() for code in _string_list(key, value, source))


def _string(key: str, value: Any, source: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{source}: `{key}` must be a string")
    return value


def _per_file_ignores(key: str, value: Any, source: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: `{key}` must be a table of glob = [codes]")
    return tuple((glob, _codes(f"{key}.{glob}", codes, source)) for glob, codes in value.items())


def _soft_delete(key: str, value: Any, source: str) -> str:
    if value not in SOFT_DELETE_MODES:
        raise ConfigError(f"{source}: `{key}` must be one of {', '.join(map(repr, SOFT_DELETE_MODES))}")
    return value


OPTIONS = {
    "select": _codes,
    "extend-select": _codes,
    "ignore": _codes,
    "per-file-ignores": _per_file_ignores,
    "exclude": _string_list,
    "extend-exclude": _string_list,
    "routes-package": _string,
    "app-module": _string,
    "auth-dependencies": _string_list,
    "admin-dependencies": _string_list,
    "public-paths": _string_list,
    "extend-public-paths": _string_list,
    "admin-paths": _string_list,
    "owner-columns": _string_list,
    "ownership-checks": _string_list,
    "soft-delete-columns": _string_list,
    "soft-delete": _soft_delete,
    "shared-schemas": _string_list,
}


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except RecursionError:  # arrays or inline tables nested thousands deep
        raise ConfigError(f"{path}: invalid TOML: nested too deeply to read") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None


def settings_table(path: Path, document: dict[str, Any]) -> dict[str, Any] | None:
    """The fastapi-guard table of a config file, or None when it has none.

    A ``.fastapi-guard.toml`` (or an explicit ``--config``) holds the keys at the
    top level or under ``[tool.fastapi-guard]``; ``pyproject.toml`` only under it.
    """
    tool = document.get("tool")
    if isinstance(tool, dict) and SECTION in tool:
        table = tool[SECTION]
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: `tool.{SECTION}` must be a table")
        return table
    if path.name == PYPROJECT:
        return None
    return {key: value for key, value in document.items() if key != "tool"}


def parse_settings(table: dict[str, Any], source: str, base: Config | None = None) -> Config:
    """Validate ``table`` and merge it over ``base`` (the defaults when omitted)."""
    changes: dict[str, Any] = {}
    for key, value in table.items():
        converter = OPTIONS.get(key)
        if converter is None:
            raise ConfigError(f"{source}: unknown option `{key}`")
        changes[key.replace("-", "_")] = converter(key, value, source)
    return replace(base or Config(), source=source, **changes)


def load_config_file(path: Path) -> Config:
    """The settings of one config file (defaults for a pyproject without the table)."""
    table = settings_table(path, read_toml(path))
    return parse_settings(table or {}, str(path))
