"""Logger kinds (structlog vs stdlib, followed through names) and CLI entry code."""

from __future__ import annotations

import ast
from pathlib import Path

from test_index_fastapi import build

from fastapi_guard.project import Project
from fastapi_guard.project.loggers import LoggerKind, LoggerKinds, cli_functions

LOG = """
    import logging

    import structlog

    def get_logger(name=None):
        return structlog.get_logger(name)

    def get_std(name):
        return logging.getLogger(name)

    def undecided(flag):
        if flag:
            return structlog.get_logger()
        return logging.getLogger()

    shared = structlog.stdlib.get_logger().bind(app="items")
"""

SERVICE = """
    import logging

    import structlog
    from structlog.stdlib import BoundLogger

    from app.log import get_logger, get_std, shared, undecided

    slog = structlog.get_logger()
    std = logging.getLogger(__name__)
    helper = get_logger(__name__)
    std_helper = get_std(__name__)
    mixed = undecided(True)
    wrapped = structlog.wrap_logger(logging.getLogger())
    adapter = logging.LoggerAdapter(std, {})

    class Service:
        def __init__(self):
            self.log = slog.bind(component="svc")
            self.both = slog

        def reset(self):
            self.both = std

    def run(log: BoundLogger, plain, other: logging.Logger):
        pass
"""


def kinds(project: Project) -> dict[str, LoggerKind | None]:
    module = project.modules["app.service"]
    resolver = LoggerKinds(project)
    # The resolver memoises by node: keep every queried node alive, as syntax trees are.
    queried: list[ast.expr] = []

    def kind(
        expr: ast.expr, scopes: tuple[ast.FunctionDef, ...] = (), owner: ast.ClassDef | None = None
    ) -> LoggerKind | None:
        queried.append(expr)
        return resolver.kind(module, expr, scopes, owner)

    found: dict[str, LoggerKind | None] = {}
    for name in ("slog", "std", "helper", "std_helper", "mixed", "wrapped", "adapter", "shared"):
        found[name] = kind(ast.Name(name))
    run = next(node for node in module.tree.body if isinstance(node, ast.FunctionDef) and node.name == "run")
    for name in ("log", "plain", "other"):
        found[name] = kind(ast.Name(name), (run,))
    service = next(node for node in module.tree.body if isinstance(node, ast.ClassDef))
    for name in ("log", "both"):
        found[f"self.{name}"] = kind(ast.Attribute(ast.Name("self"), name), (), service)
    return found


def test_logger_kinds(tmp_path: Path) -> None:
    project = build(tmp_path, {"app/__init__.py": "", "app/log.py": LOG, "app/service.py": SERVICE})
    assert kinds(project) == {
        "slog": "structlog", "std": "stdlib", "helper": "structlog", "std_helper": "stdlib", "mixed": None,
        "wrapped": "structlog", "adapter": "stdlib", "shared": "structlog",
        "log": "structlog", "plain": None, "other": "stdlib",
        "self.log": "structlog", "self.both": None,
    }


CLI = """
    import click
    import typer

    app = typer.Typer()

    @app.command()
    def create_admin():
        pass

    @click.group()
    def db():
        pass

    @db.command()
    def reset():
        pass

    def main():
        pass

    def helper():
        pass

    @app.get("/x")
    def not_a_command():
        pass

    if __name__ == "__main__":
        main()
"""


def test_cli_functions(tmp_path: Path) -> None:
    project = build(tmp_path, {"app/__init__.py": "", "app/cli.py": CLI})
    module = project.modules["app.cli"]
    found = cli_functions(project, module)
    names = {node.name for node in ast.walk(module.tree) if isinstance(node, ast.FunctionDef) and id(node) in found}
    assert names == {"create_admin", "db", "reset", "main"}


def test_decorators_naming_each_other_in_a_cycle_end(tmp_path: Path) -> None:
    # ``@cli.command()`` on ``def cli`` used to recurse until RecursionError, which
    # dropped FG403 for the whole file with an "internal error".
    cycle = (
        "@cli.command()\ndef cli():\n    pass\n\n"
        "@b.command()\ndef a():\n    pass\n\n"
        "@a.command()\ndef b():\n    pass\n"
    )
    project = build(tmp_path, {"app/__init__.py": "", "app/cycle.py": cycle})
    assert cli_functions(project, project.modules["app.cycle"]) == set()
