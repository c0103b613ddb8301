"""Configuration loading: every key validated, every problem one line naming key and file."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_guard.config import Config, ConfigError, load_config_file, parse_settings


@pytest.mark.parametrize(
    "key", ["select", "exclude", "extend-exclude", "auth-dependencies", "public-paths", "owner-columns"]
)
def test_a_bare_string_for_a_list_is_an_error_not_a_one_item_list(key: str) -> None:
    # ``exclude = "scripts, seeds"`` used to become one pattern that matched nothing.
    with pytest.raises(ConfigError, match=f"pyproject.toml: `{key}` must be a list of strings .got a string"):
        parse_settings({key: "FG1, scripts"}, "pyproject.toml")


def test_codes_are_normalised_in_per_file_ignores_as_in_select() -> None:
    config = parse_settings({"select": [" fg1 "], "per-file-ignores": {"app/cli/*.py": ["fg103"]}}, "x.toml")
    assert config.select == ("FG1",)
    assert config.per_file_ignores == (("app/cli/*.py", ("FG103",)),)


def test_a_string_as_per_file_ignores_codes_is_an_error() -> None:
    with pytest.raises(ConfigError, match="`per-file-ignores.app/x.py` must be a list of strings"):
        parse_settings({"per-file-ignores": {"app/x.py": "FG103"}}, "x.toml")


def test_a_pyproject_without_the_table_gives_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[project]\nname = 'x'\n")
    assert load_config_file(path) == Config()


def test_toml_nested_too_deeply_is_a_config_error(tmp_path: Path) -> None:
    # tomllib recurses once per level: this used to end in a RecursionError traceback.
    path = tmp_path / "pyproject.toml"
    path.write_text("a = " + "[" * 100000 + "]" * 100000 + "\n")
    with pytest.raises(ConfigError, match="pyproject.toml: invalid TOML: nested too deeply"):
        load_config_file(path)
