"""The indexes and keys a model's ``__table_args__`` declares.

``__table_args__`` is a tuple (or a ``declared_attr`` returning one) of table
entries; ``Index``, ``UniqueConstraint`` and ``PrimaryKeyConstraint`` each
create an index whose leading column can serve a filter on it, and the last
two (and ``Index(..., unique=True)``) say which column sets identify one row.
Columns are named by string (``"owner_id"``), by the class-body variable
(``owner_id``), or by attribute (``cls.owner_id``, ``Item.owner_id.desc()``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from fastapi_guard.project.names import NameResolver
from fastapi_guard.project.fastapi_walk import keyword
from fastapi_guard.project.sqlnames import is_true, library_name
from fastapi_guard.project.symbols import ModuleInfo

INDEXING_ENTRIES = frozenset({"Index", "UniqueConstraint", "PrimaryKeyConstraint"})


@dataclass(frozen=True)
class TableKey:
    """An ``Index`` / ``UniqueConstraint`` / ``PrimaryKeyConstraint`` of ``__table_args__``."""

    columns: tuple[str, ...]
    unique: bool = False
    primary: bool = False


def table_args_keys(names: NameResolver, module: ModuleInfo, statement: ast.stmt) -> tuple[TableKey, ...]:
    """The keys of one ``__table_args__`` statement: an assignment, or a method returning the tuple."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        values = [node.value for node in ast.walk(statement) if isinstance(node, ast.Return) and node.value]
    elif isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
        values = [statement.value]
    else:
        values = []
    return tuple(
        key for value in values if isinstance(value, (ast.Tuple, ast.List))
        for entry in value.elts if (key := _table_key(names, module, entry)) is not None
    )


def _table_key(names: NameResolver, module: ModuleInfo, entry: ast.expr) -> TableKey | None:
    """``Index("ix", "owner_id", status)`` / ``UniqueConstraint("owner_id", "name")`` -> their columns."""
    if not isinstance(entry, ast.Call):
        return None
    kind = names.qualname(module, entry.func)
    if kind is None or not library_name(kind, INDEXING_ENTRIES):
        return None
    index = kind.endswith(".Index")
    columns = tuple(name for name in map(index_column_name, entry.args[1:] if index else entry.args) if name)
    unique = not index or is_true(keyword(entry, "unique"))
    return TableKey(columns, unique, kind.endswith(".PrimaryKeyConstraint"))


def index_element(expr: ast.expr) -> ast.expr:
    """The column of an index element: ``Item.owner_id`` for ``Item.owner_id.desc()``."""
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in {"desc", "asc"}:
        return expr.func.value
    return expr


def index_column_name(expr: ast.expr) -> str | None:
    """The column an index entry names: ``"owner_id"``, ``owner_id``, ``cls.owner_id``, ``Item.owner_id.desc()``."""
    expr = index_element(expr)
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None
