"""The model catalogue (``project.models``): the project's SQLAlchemy / SQLModel models and their queries.

Which classes are models and which columns they have is worked out in
``declarative``; this facet answers the questions rules ask: which model an
expression denotes (``Item``, ``models.Item``, ``aliased(Item)``, an annotation),
which column ``Item.owner_id`` is, which models are owned or soft-deletable,
and what the queries of a function do (``queries``).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from fastapi_guard.project.declarative import MAX_DEPTH, Column, Model, ModelFinder, library_name
from fastapi_guard.project.tablekeys import index_element
from fastapi_guard.project.symbols import ModuleInfo, ScopeNode, scope_statements

if TYPE_CHECKING:
    from fastapi_guard.project import Project
    from fastapi_guard.project.blocking import BlockingIO
    from fastapi_guard.project.calls import CallGraph
    from fastapi_guard.project.queries import ScopeQueries
    from fastapi_guard.project.sessions import Sessions

STATEMENTS = frozenset({"select", "update", "delete"})
OPTIONAL_WRAPPERS = frozenset({"Optional", "Union", "Annotated"})

__all__ = ["STATEMENTS", "Column", "Model", "ModelIndex", "library_name", "wrapped_types"]


def wrapped_types(annotation: ast.expr) -> list[ast.expr]:
    """``Optional[Item]`` / ``Item | None`` / ``Annotated[Item, ...]`` -> the candidate inner types."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return [annotation.left, annotation.right]
    if isinstance(annotation, ast.Subscript):
        inner = annotation.slice
        return list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
    return []


class ModelIndex:
    """Models of one project, keyed by qualified name (``app.database.models.Item``)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.models: dict[str, Model] = ModelFinder(project).find()
        self._scopes: dict[int, ScopeQueries] = {}
        self._scopes_module: ModuleInfo | None = None
        self._statement_names: dict[str, frozenset[str]] = {}

    def model_for(self, qualname: str) -> Model | None:
        return self.models.get(qualname)

    def is_owned(self, model: Model | str) -> bool:
        found = self.models.get(model) if isinstance(model, str) else model
        return found is not None and found.is_owned

    def owner_columns(self, model: Model | str) -> tuple[str, ...]:
        found = self.models.get(model) if isinstance(model, str) else model
        return found.owner_columns if found else ()

    def soft_delete_columns(self, model: Model | str) -> tuple[str, ...]:
        found = self.models.get(model) if isinstance(model, str) else model
        return found.soft_delete_columns if found else ()

    @cached_property
    def owned(self) -> list[Model]:
        return [model for model in self.models.values() if model.is_owned]

    @cached_property
    def soft_deletable(self) -> list[Model]:
        return [model for model in self.models.values() if model.is_soft_deletable]

    def resolve(self, module: ModuleInfo, expr: ast.expr, scopes: Sequence[ScopeNode] = ()) -> Model | None:
        """The model an expression denotes: ``Item``, ``models.Item``, a local alias or ``aliased(Item)``."""
        if not self.models:
            return None
        names = self.project.names
        for _ in range(MAX_DEPTH):
            if isinstance(expr, ast.Call):
                if not expr.args or not library_name(names.qualname(module, expr.func, scopes), "aliased"):
                    return None
                expr = expr.args[0]
                continue
            resolved = names.resolve_expr(module, expr, scopes)
            if resolved is None:
                return None
            model = self.models.get(resolved.qualname)
            if model is not None:
                return model
            binding = resolved.binding
            if binding is None or binding.kind != "value":
                return None
            if not isinstance(binding.node, (ast.Name, ast.Attribute, ast.Call)):
                return None
            if resolved.module is not module or "<locals>" not in binding.qualname:
                scopes = ()
            module = resolved.module or module
            expr = binding.node
        return None

    def annotated(
        self, module: ModuleInfo, annotation: ast.expr | None, scopes: Sequence[ScopeNode] = ()
    ) -> Model | None:
        """The model a type annotation names: ``Item``, ``Optional[Item]``, ``Item | None``."""
        candidates = [annotation] if annotation is not None else []
        while candidates:
            candidate = candidates.pop(0)
            if isinstance(candidate, (ast.Name, ast.Attribute)):
                model = self.resolve(module, candidate, scopes)
                if model is not None:
                    return model
            head = candidate.value if isinstance(candidate, ast.Subscript) else None
            if head is None or (isinstance(head, (ast.Name, ast.Attribute)) and
                                (head.id if isinstance(head, ast.Name) else head.attr) in OPTIONAL_WRAPPERS):
                candidates.extend(wrapped_types(candidate))
        return None

    def column_ref(
        self, module: ModuleInfo, expr: ast.expr, scopes: Sequence[ScopeNode] = ()
    ) -> tuple[Model, str] | None:
        """``(model, attribute)`` for ``Item.owner_id``, ``Item.__table__.c.owner_id`` or ``col(Item.owner_id)``."""
        if isinstance(expr, ast.Call) and len(expr.args) == 1 and library_name(
            self.project.names.qualname(module, expr.func, scopes), "col"
        ):
            expr = expr.args[0]
        if not isinstance(expr, ast.Attribute):
            return None
        base = expr.value
        if isinstance(base, ast.Attribute) and base.attr in {"c", "columns"} and isinstance(base.value, ast.Attribute) \
                and base.value.attr == "__table__":
            base = base.value.value
        model = self.resolve(module, base, scopes)
        return (model, expr.attr) if model is not None else None

    def indexed(self, model: Model, name: str) -> bool:
        """Whether an index can serve a filter on the column: ``index=True``, ``unique=True``,
        ``primary_key=True``, or an index / unique or primary key constraint led by it, declared in
        the model's ``__table_args__`` or by a module-level ``Index("ix", Item.owner_id, ...)``."""
        column = model.columns.get(name)
        if column is None:
            return False
        if column.index or column.unique or column.primary_key or model.leads_table_index(name):
            return True
        return (model.qualname, name) in self._module_indexes

    def unindexed_owner_columns(self, declared_in: str) -> list[tuple[Column, list[Model]]]:
        """Owner columns declared by the class ``declared_in`` (a model or a mixin), each with the
        models using that declaration that have no index for it; one entry per declaration."""
        return self._unindexed.get(declared_in, [])

    @cached_property
    def _unindexed(self) -> dict[str, list[tuple[Column, list[Model]]]]:
        by_declaration: dict[int, tuple[Column, list[Model]]] = {}
        for model in self.owned:
            for name in model.owner_columns:
                column = model.columns[name]
                entry = by_declaration.setdefault(id(column.node), (column, []))
                if not self.indexed(model, name):
                    entry[1].append(model)
        found: dict[str, list[tuple[Column, list[Model]]]] = {}
        for column, models in by_declaration.values():
            if models:
                found.setdefault(column.declared_in, []).append((column, models))
        return found

    @cached_property
    def _module_indexes(self) -> frozenset[tuple[str, str]]:
        """``(model, column)`` leading a module-level ``Index(...)`` anywhere in the project."""
        found: set[tuple[str, str]] = set()
        names = self.project.names
        for module in self.project.modules.values():
            if not any("Index(" in line for line in module.lines):
                continue
            for statement in scope_statements(module.tree.body):
                value = statement.value if isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign)) else None
                if not (isinstance(value, ast.Call) and len(value.args) >= 2):
                    continue
                if not library_name(names.qualname(module, value.func), "Index"):
                    continue
                reference = self.column_ref(module, index_element(value.args[1]))
                if reference is not None:
                    found.add((reference[0].qualname, reference[1]))
        return frozenset(found)

    @cached_property
    def soft_delete_filtered_globally(self) -> bool:
        """The project filters soft-deleted rows for every query: a ``do_orm_execute`` listener adds
        ``with_loader_criteria(...)`` on a soft-delete column."""
        columns = set(self.project.config.soft_delete_columns)
        for module in self.project.modules.values():
            text = "\n".join(module.lines)
            if "do_orm_execute" not in text or "with_loader_criteria" not in text:
                continue
            for node in ast.walk(module.tree):
                if isinstance(node, ast.Call) and library_name(
                    self.project.names.qualname(module, node.func), "with_loader_criteria"
                ) and any(
                    (isinstance(part, ast.Attribute) and part.attr in columns)
                    or (isinstance(part, ast.Constant) and part.value in columns)
                    for part in ast.walk(node)
                ):
                    return True
        return False

    @cached_property
    def sessions(self) -> Sessions:
        from fastapi_guard.project.sessions import Sessions

        return Sessions(self.project)

    @cached_property
    def calls(self) -> CallGraph:
        """Which project function a call runs (the data-access rules follow calls through it)."""
        from fastapi_guard.project.calls import CallGraph

        return CallGraph(self.project)

    @cached_property
    def blocking(self) -> BlockingIO:
        """Which project functions do synchronous session I/O, themselves or through their calls."""
        from fastapi_guard.project.blocking import BlockingIO

        return BlockingIO(self.project, self.calls)

    def statement_names(self, module: ModuleInfo) -> frozenset[str]:
        """Names bound in ``module`` to SQLAlchemy's / SQLModel's ``select``, ``update`` and ``delete``."""
        found = self._statement_names.get(module.name)
        if found is None:
            names = self.project.names
            found = frozenset({"select", "update", "delete"} | {
                local for local, binding in module.bindings.items()
                if binding.kind == "import" and library_name(names.resolve_name(module, local).qualname, STATEMENTS)
            })
            self._statement_names[module.name] = found
        return found

    def queries(self, module: ModuleInfo, scope: ScopeNode | ast.Module, scopes: Sequence[ScopeNode]) -> ScopeQueries:
        """The queries of one function (or module body), analysed once and shared by the rules.

        Only the current module's analyses are kept: rules ask while the walk is in that module.
        """
        if self._scopes_module is not module:
            self._scopes, self._scopes_module = {}, module
        key = id(scope)
        found = self._scopes.get(key)
        if found is None:
            from fastapi_guard.project.queries import ScopeQueries

            found = self._scopes[key] = ScopeQueries(self.project, module, scope, tuple(scopes))
        return found
