"""A third-party rule found through the `fastapi_guard` entry point group behaves like a built-in."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import actual_findings, write_project

from fastapi_guard.cli import main
from fastapi_guard.plugins import PluginError, registered_rules

PLUGIN = '''
"""Handlers must not be named after HTTP verbs."""

import ast

from fastapi_guard.rule import FileRule, def_line_span, hookimpl


class VerbNamedHandler(FileRule):
    """A function named after an HTTP verb.

    ## What it does
    Reports functions named `get`, `post`, `put`, `patch` or `delete`.

    ## Why is this bad?
    Logs and stack traces then say nothing about the resource.

    ## Example
    ```python
    def get():  # [ACME001]
        ...
    ```

    ## Use instead
    ```python
    def get_invoice():
        ...
    ```
    """

    code = "ACME001"
    name = "verb-named-handler"
    message = "function `{name}` is named after an HTTP verb"

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if node.name in {"get", "post", "put", "patch", "delete"}:
            self.report_span(def_line_span(self.module, node), name=node.name)


@hookimpl
def fastapi_guard_rules():
    return [{rules}]
'''


def install_plugin(site: Path, rules: str = "VerbNamedHandler") -> None:
    site.mkdir(parents=True, exist_ok=True)
    (site / "acme_rules.py").write_text(PLUGIN.replace("{rules}", rules))
    dist = site / "acme_rules-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[fastapi_guard]\nacme = acme_rules\n")


@pytest.fixture()
def plugin_site(tmp_path: Path) -> Iterator[Path]:
    site = tmp_path / "site"
    sys.path.insert(0, str(site))
    registered_rules.cache_clear()
    yield site
    sys.path.remove(str(site))
    sys.modules.pop("acme_rules", None)
    registered_rules.cache_clear()


def test_plugin_rule_is_selected_reported_and_suppressed(plugin_site: Path, tmp_path: Path) -> None:
    install_plugin(plugin_site)
    assert "ACME001" in registered_rules() and "FG001" in registered_rules()
    root = write_project(tmp_path / "proj", {"app/views.py": "def get():\n    pass\n\n\ndef post():  # noqa: ACME001\n    pass\n"})
    assert set(actual_findings(root)) == {("app/views.py", 1, "ACME001")}
    assert actual_findings(root, select=("FG",)) == {}


def test_plugin_rule_is_documented_like_a_builtin(plugin_site: Path) -> None:
    install_plugin(plugin_site)
    result = CliRunner().invoke(main, ["rule", "ACME001"])
    assert result.exit_code == 0
    assert result.output.startswith("ACME001 (verb-named-handler)\n\nA function named after an HTTP verb.")
    assert "Why is this bad?" in result.output


def test_a_broken_plugin_is_a_clear_error(plugin_site: Path, tmp_path: Path) -> None:
    install_plugin(plugin_site, rules="object")
    with pytest.raises(PluginError, match="not a fastapi_guard Rule subclass"):
        registered_rules()
    write_project(tmp_path / "proj", {"app/a.py": "x = 1\n"})
    result = CliRunner().invoke(main, ["check", str(tmp_path / "proj")])
    assert result.exit_code == 2 and result.output.startswith("fastapi-guard: error: plugin rule")


CRASHING = PLUGIN.replace(
    '        if node.name in {"get", "post", "put", "patch", "delete"}:',
    '        if node.name == "boom":\n            raise RuntimeError("rule bug")\n'
    '        if node.name in {"get", "post", "put", "patch", "delete"}:',
)


def test_a_crashing_rule_is_reported_and_the_others_go_on(plugin_site: Path, tmp_path: Path) -> None:
    plugin_site.mkdir(parents=True)
    install_plugin(plugin_site)
    (plugin_site / "acme_rules.py").write_text(CRASHING.replace("{rules}", "VerbNamedHandler"))
    root = write_project(tmp_path / "proj", {
        "app/views.py": "def get():\n    pass\n\n\ndef boom():\n    pass\n\n\ndef post():\n    pass\n",
        "app/bad.py": "def f(:\n",
    })
    result = CliRunner().invoke(main, ["check", str(root), "--format", "concise"])
    assert result.exit_code == 1
    assert "internal error in ACME001 on" in result.stderr and "RuntimeError: rule bug" in result.stderr
    assert "views.py:1:1: ACME001" in result.stdout and "views.py:9:1" not in result.stdout
    assert "bad.py:1:7: FG001" in result.stdout and "Traceback" not in result.output


def test_a_plugin_that_fails_to_import_is_a_clear_error(plugin_site: Path, tmp_path: Path) -> None:
    install_plugin(plugin_site)
    (plugin_site / "acme_rules.py").write_text("raise ImportError('missing dependency of the plugin')\n")
    write_project(tmp_path / "proj", {"app/a.py": "x = 1\n"})
    result = CliRunner().invoke(main, ["check", str(tmp_path / "proj")])
    assert result.exit_code == 2
    assert result.output == (
        "fastapi-guard: error: a rule plugin failed to load: ImportError: missing dependency of the plugin\n"
    )


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ('    name = "verb-named-handler"\n', "has no string `name`"),
        ('    message = "function `{name}` is named after an HTTP verb"\n', "has no string `message`"),
    ],
)
def test_an_incomplete_plugin_rule_is_refused_when_loaded(plugin_site: Path, spelling: str, expected: str) -> None:
    # A rule without `name` used to load, then `rules`, `rule CODE` and SARIF ended in a traceback.
    install_plugin(plugin_site)
    (plugin_site / "acme_rules.py").write_text(PLUGIN.replace("{rules}", "VerbNamedHandler").replace(spelling, ""))
    with pytest.raises(PluginError, match=expected):
        registered_rules()
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 2 and "Traceback" not in result.output and expected in result.output
