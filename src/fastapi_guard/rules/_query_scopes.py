"""A base for rules that judge the queries of a function as a whole.

Query analysis needs the whole function (a query is scoped or checked later
than the call that starts it), so such rules note, while visiting, which
scopes hold a call that may start a query, and judge each of those scopes
once when the walk leaves it. The analysis itself is cached by the index, so
every rule built on this base shares it.
"""

from __future__ import annotations

import ast

from fastapi_guard.project.queries import may_start_query
from fastapi_guard.project.symbols import ScopeNode
from fastapi_guard.rule import FileContext, FileRule


class QueryScopeRule(FileRule):
    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._pending: set[int] = set()
        self._statement_names: frozenset[str] | None = None

    def visit_Call(self, node: ast.Call) -> None:
        if self._statement_names is None:
            self._statement_names = self.project.models.statement_names(self.module)
        if may_start_query(node, self._statement_names):
            self._pending.add(id(self.context.function or self.module.tree))

    def leave_Module(self, node: ast.Module) -> None:
        if id(node) in self._pending:
            self.check_scope(node, ())

    def leave_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if id(node) in self._pending:
            self.check_scope(node, (*self.context.scopes, node))

    leave_AsyncFunctionDef = leave_FunctionDef

    def check_scope(self, scope: ScopeNode | ast.Module, scopes: tuple[ScopeNode, ...]) -> None:
        """Judge the queries of one module or function body."""
        raise NotImplementedError
