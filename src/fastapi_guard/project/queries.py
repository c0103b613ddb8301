"""Query chains inside one function: from the call that names a model to the rows it fetches.

A query starts at a call naming a model: ``<session>.query(M, ...)``,
``select(M)`` / ``select(M.col)``, ``update(M)``, ``delete(M)`` and
``<session>.get(M, id)``. From there the analysis walks up the method chain
(``.filter``, ``.where``, ``.join``, ``.first()``, ...), through ``await``,
through ``session.execute(...)`` / ``scalars`` / ``scalar`` / ``exec``, and
through local variables of the same function (``q = q.filter(...)``,
``result = await session.execute(stmt)``, ``item = result.scalar_one()``),
collecting the filter conditions applied and the variables that end up
holding fetched objects. Rules read the result; they never re-walk the tree.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi_guard.project.scopeflow import ScopeFlow, last_name
from fastapi_guard.project.sqlalchemy import STATEMENTS, Model, library_name
from fastapi_guard.project.symbols import ModuleInfo, ScopeNode

if TYPE_CHECKING:
    from fastapi_guard.project import Project

EXECUTORS = frozenset({"execute", "scalars", "scalar", "exec", "stream", "stream_scalars"})
CONDITION_METHODS = frozenset({
    "filter", "filter_by", "where", "having", "join", "outerjoin", "join_from", "outerjoin_from", "select_from",
})
FETCH_METHODS = frozenset({
    "first", "one", "one_or_none", "scalar", "scalar_one", "scalar_one_or_none", "get", "get_one",
    "first_or_404", "one_or_404", "get_or_404", "fetchone",
})
BUILDER_METHODS = CONDITION_METHODS | frozenset({
    "order_by", "group_by", "limit", "offset", "options", "distinct", "add_columns", "with_only_columns",
    "execution_options", "params", "values", "returning", "all", "count", "update", "delete",
}) | FETCH_METHODS
SUBQUERY_METHODS = frozenset({"subquery", "cte", "scalar_subquery", "exists", "alias", "label", "as_scalar"})
RESULT_METHODS = frozenset({
    "all", "scalars", "unique", "mappings", "tuples", "fetchall", "fetchmany", "partitions", "get", "get_one",
})
SET_OPERATIONS = frozenset({"union", "union_all", "intersect", "intersect_all", "except_", "except_all"})

__all__ = ["Query", "ScopeQueries", "last_name", "may_start_query"]


def _statement(last: str) -> bool:
    """Whether the value after the method ``last`` is still a statement (not a result, rows or an object)."""
    return last not in EXECUTORS and last not in FETCH_METHODS and last not in RESULT_METHODS


def may_start_query(call: ast.Call, statement_names: frozenset[str]) -> bool:
    """A cheap syntactic pre-check: could this call name a model (``x.query(...)``, ``x.get(M, id)``, ``select(...)``)?

    Rules use it to analyse only the functions that contain such a call.
    """
    func = call.func
    if not call.args:
        return False
    if isinstance(func, ast.Attribute):
        if func.attr == "query" or (func.attr in {"get", "get_one"} and len(call.args) >= 2):
            return isinstance(call.args[0], (ast.Name, ast.Attribute))
        return func.attr in STATEMENTS
    return isinstance(func, ast.Name) and func.id in statement_names


@dataclass
class Query:
    """One query: where it starts, what is applied to it and where its rows go."""

    root: ast.Call
    kind: str  # "query", "select", "update", "delete" or "get"
    models: tuple[Model, ...]
    methods: list[tuple[str, ast.Call]] = field(default_factory=list)
    conditions: list[ast.expr] = field(default_factory=list)
    keywords: list[ast.keyword] = field(default_factory=list)
    dynamic: bool = False
    executed: bool = False
    returned: bool = False
    returns_statement: bool = False  # the unexecuted statement itself goes back to the caller
    subquery: bool = False
    results: set[str] = field(default_factory=set)
    rows: set[str] = field(default_factory=set)
    escapes: list[ast.expr] = field(default_factory=list)
    handed_to: list[ast.Call] = field(default_factory=list)  # project helpers that took it and returned a query

    @property
    def model(self) -> Model:
        return self.models[0]

    def calls(self, name: str) -> list[ast.Call]:
        return [call for method, call in self.methods if method == name]

    def applies(self, *names: str) -> bool:
        return any(method in names for method, _ in self.methods)

    @property
    def runs(self) -> bool:
        """Whether this scope executes or fetches the query (rather than only building it)."""
        return self.executed or self.kind == "get" or any(
            method in FETCH_METHODS or method in RESULT_METHODS or method in {"count", "update", "delete"}
            for method, _ in self.methods
        )


class ScopeQueries(ScopeFlow):
    """The queries of one function body (or module body) and the facts rules ask about them."""

    def __init__(
        self, project: Project, module: ModuleInfo, scope: ScopeNode | ast.Module, scopes: tuple[ScopeNode, ...]
    ) -> None:
        super().__init__(project, module, scope, scopes)
        self.queries: list[Query] = []
        statement_names = project.models.statement_names(module)
        for node in self.nodes:
            if isinstance(node, ast.Call) and may_start_query(node, statement_names):
                query = self._root(node)
                if query is not None:
                    self._follow(query, node, query.kind, set())
                    self.queries.append(query)
        self._mark_subqueries()

    # ----- roots ------------------------------------------------------------

    def _models_named(self, arguments: list[ast.expr]) -> tuple[Model, ...]:
        models = self.project.models
        found: list[Model] = []
        if len(arguments) == 1 and isinstance(arguments[0], (ast.List, ast.Tuple)):
            arguments = list(arguments[0].elts)  # legacy select([Item])
        for argument in arguments:
            model = models.resolve(self.module, argument, self.scopes)
            if model is None and isinstance(argument, ast.Attribute):
                reference = models.column_ref(self.module, argument, self.scopes)
                model = reference[0] if reference else None
            if model is not None and model not in found:
                found.append(model)
        return tuple(found)

    def _root(self, call: ast.Call) -> Query | None:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "query" and call.args:
            models = self._models_named(call.args)
            return Query(call, "query", models) if models else None
        if isinstance(func, ast.Attribute) and func.attr in {"get", "get_one"} and len(call.args) >= 2:
            model = self.project.models.resolve(self.module, call.args[0], self.scopes)
            if model is not None and self.project.models.resolve(self.module, func.value, self.scopes) is None:
                return Query(call, "get", (model,))
            return None
        if call.args and isinstance(func, (ast.Name, ast.Attribute)):
            qualname = self.project.names.qualname(self.module, func, self.scopes)
            if library_name(qualname, STATEMENTS):
                models = self._models_named(call.args)
                if models:
                    return Query(call, qualname.rsplit(".", 1)[-1], models)
        return None

    # ----- following the chain ----------------------------------------------

    def _follow(self, query: Query, start: ast.expr, last: str, visited: set[int]) -> None:
        node: ast.AST = start
        while True:
            parent = self.parent(node)
            if isinstance(parent, ast.keyword):  # ``helper(query=stmt)`` passes it on like a positional argument
                parent = self.parent(parent)
            if isinstance(parent, ast.Attribute) and parent.value is node:
                call = self.parent(parent)
                if not (isinstance(call, ast.Call) and call.func is parent):
                    if _statement(last):
                        query.escapes.append(node)  # e.g. ``stmt.c.id``; ``item.name`` is no escape
                    return
                self._apply(query, parent.attr, call)
                last, node = parent.attr, call
            elif isinstance(parent, ast.Await):
                node = parent
            elif isinstance(parent, ast.Call) and node is not parent.func and isinstance(parent.func, ast.Attribute) \
                    and parent.func.attr in EXECUTORS:
                query.executed = True
                last, node = parent.func.attr, parent
            elif isinstance(parent, ast.Call) and node is not parent.func and self._continues(parent):
                query.dynamic = True  # a helper took the query and handed back another one: unknown filters
                query.handed_to.append(parent)
                last, node = "", parent
            else:
                if isinstance(parent, ast.Call) and last_name(parent.func) in SET_OPERATIONS:
                    query.subquery = True  # one part of ``a.union(b)``: judged with the statement it builds
                self._sink(query, node, parent, last, visited)
                return

    def _continues(self, call: ast.Call) -> bool:
        """Whether a call that received the query hands back a query (``q = scope(q)``, ``helper(q).all()``)."""
        outer: ast.AST = call
        parent = self.parent(outer)
        if isinstance(parent, ast.Await):
            outer, parent = parent, self.parent(parent)
        if self._used_as_query(outer):
            return True
        if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1):
            return False
        if not isinstance(parent.targets[0], ast.Name):
            return False
        assignment = next((a for a in self.assignments.get(parent.targets[0].id, ()) if a.node is parent), None)
        return any(
            self.reaching(load) is assignment and self._used_as_query(load)
            for load in self.loads.get(parent.targets[0].id, ())
        )

    def _used_as_query(self, node: ast.AST) -> bool:
        """``node.where(...)`` and friends, or ``session.execute(node)``."""
        parent = self.parent(node)
        if isinstance(parent, ast.Attribute) and parent.value is node:
            return parent.attr in BUILDER_METHODS and isinstance(self.parent(parent), ast.Call)
        return isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute) and \
            parent.func.attr in EXECUTORS and node in parent.args

    def _apply(self, query: Query, method: str, call: ast.Call) -> None:
        query.methods.append((method, call))
        if method in SUBQUERY_METHODS:
            query.subquery = True
        if method not in CONDITION_METHODS:
            return
        for argument in call.args:
            if isinstance(argument, ast.Starred) or any(isinstance(part, ast.Starred) for part in ast.walk(argument)):
                query.dynamic = True
            elif isinstance(argument, ast.Name) and self._unknown_value(argument):
                query.dynamic = True
            elif any(isinstance(part, ast.Call) and self._project_helper(part) for part in ast.walk(argument)):
                query.dynamic = True  # a condition built by the project's own helper (``granted(...)``)
            query.conditions.append(argument)
        for keyword in call.keywords:
            if keyword.arg is None:
                query.dynamic = True
            elif method == "filter_by":
                query.keywords.append(keyword)

    def _project_helper(self, call: ast.Call) -> bool:
        func = call.func
        if isinstance(func, ast.Attribute):
            return isinstance(func.value, ast.Name) and func.value.id in {"self", "cls"}
        if not isinstance(func, ast.Name):
            return False
        resolved = self.project.names.resolve_name(self.module, func.id, self.scopes)
        return resolved.binding is not None and resolved.binding.kind == "def"

    def _unknown_value(self, name: ast.Name) -> bool:
        """A condition held in a parameter or an outer variable cannot be read here."""
        if self.project.models.resolve(self.module, name, self.scopes) is not None:
            return False
        return not any(assignment.value is not None for assignment in self.assignments.get(name.id, ()))

    def _sink(self, query: Query, node: ast.AST, parent: ast.AST | None, last: str, visited: set[int]) -> None:
        fetched = last in FETCH_METHODS or last == "get"
        target: ast.expr | None = None
        if isinstance(parent, ast.Assign) and parent.value is node and len(parent.targets) == 1:
            target = parent.targets[0]
        elif isinstance(parent, (ast.AnnAssign, ast.NamedExpr)) and parent.value is node:
            target = parent.target
        elif isinstance(parent, (ast.For, ast.AsyncFor)) and parent.iter is node:
            if isinstance(parent.target, ast.Name):
                query.rows.add(parent.target.id)
            return
        elif isinstance(parent, ast.comprehension) and parent.iter is node:
            if isinstance(parent.target, ast.Name):
                query.rows.add(parent.target.id)
            return
        elif isinstance(parent, ast.Return):
            query.returned = True
            query.returns_statement = query.returns_statement or _statement(last)
            return
        if not isinstance(target, ast.Name):
            if isinstance(node, ast.expr) and _statement(last):
                query.escapes.append(node)
            return
        if fetched:
            query.results.add(target.id)
        assignment = next((a for a in self.assignments.get(target.id, ()) if a.node is parent), None)
        if assignment is None or id(parent) in visited:
            return
        visited.add(id(parent))
        for load in self.loads.get(target.id, ()):
            if self.reaching(load) is assignment:
                self._follow(query, load, last, visited)

    def _mark_subqueries(self) -> None:
        """A query used inside another one's conditions (``.where(M.id.in_(sub))``) is judged with its outer query."""
        inside: dict[int, int] = {}
        for index, query in enumerate(self.queries):
            for expr in [*query.root.args, *query.conditions]:
                for node in ast.walk(expr):
                    inside.setdefault(id(node), index)
        for index, query in enumerate(self.queries):
            for escape in [query.root, *query.escapes]:
                owner = inside.get(id(escape))
                if owner is not None and owner != index:
                    query.subquery = True

    # ----- questions rules ask ----------------------------------------------

    def column_refs(self, query: Query) -> Iterator[tuple[Model, str]]:
        """``(model, attribute)`` for every ``M.attr`` in the query's conditions (through local variables)."""
        models = self.project.models
        for node in self.expanded(query.conditions):
            if isinstance(node, ast.Attribute):
                reference = models.column_ref(self.module, node, self.scopes)
                if reference is not None:
                    yield reference

    def fetched_models(self) -> dict[str, Model]:
        """Variables holding objects (or rows) fetched by a query of this scope, and their model."""
        found: dict[str, Model] = {}
        for query in self.queries:
            for name in query.results | query.rows:
                found.setdefault(name, query.model)
        return found

    def is_builder(self, query: Query) -> bool:
        """A base statement handed to callers that add their own filters (returned unexecuted, or a module constant)."""
        return not query.runs and (query.returns_statement or isinstance(self.scope, ast.Module))
