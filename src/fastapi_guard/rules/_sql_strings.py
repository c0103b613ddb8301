"""A base for the rules that read SQL strings handed to SQLAlchemy and DB-API calls."""

from __future__ import annotations

import ast

from fastapi_guard.project.localwrites import WriteIndex
from fastapi_guard.project.sqltext import SqlCall, SqlReader, is_migration, sql_call
from fastapi_guard.rule import FileContext, FileRule


class SqlStringRule(FileRule):
    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self.writes = WriteIndex()
        # Migrations are raw SQL by nature, wherever the project keeps them.
        self.skip = is_migration(context.module)

    def sql_call(self, node: ast.Call) -> SqlCall | None:
        """The SQL sink ``node`` calls, or None (always None inside a migration)."""
        return None if self.skip else sql_call(self.project, self.module, self.context.scopes, node)

    def reader(self, node: ast.Call) -> SqlReader:
        return SqlReader.at_node(self.project, self.writes, self.module, self.context.ancestors, node)
