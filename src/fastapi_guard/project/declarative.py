"""Which classes of the project are mapped models, and which columns they have.

Models are learned from the project's own class definitions, never imported:
a class is a model when it derives (through project classes and mixins, across
files) from a declarative base (``declarative_base()``, ``registry().generate_base()``,
a ``DeclarativeBase`` subclass, an ``@as_declarative`` class), is a SQLModel
class declared with ``table=True``, or declares ``__tablename__`` itself.
Classes marked ``__abstract__ = True`` and the declarative bases themselves are
not models. Columns are collected along the base classes, so an owner or
soft-delete column declared in a mixin belongs to every model using it.

Indexes are read the same way: ``index=True`` / ``unique=True`` /
``primary_key=True`` on a column, and the leading columns of the ``Index``,
``UniqueConstraint`` and ``PrimaryKeyConstraint`` entries of the
``__table_args__`` a model inherits (a tuple, or a ``declared_attr`` returning
one).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi_guard.project.names import Resolved
from fastapi_guard.project.fastapi_walk import keyword
from fastapi_guard.project.sqlnames import is_true, library_name
from fastapi_guard.project.symbols import ModuleInfo, scope_statements
from fastapi_guard.project.tablekeys import TableKey, table_args_keys

if TYPE_CHECKING:
    from fastapi_guard.project import Project

__all__ = ["Column", "Model", "ModelFinder", "TableKey", "library_name"]

DECLARATIVE_ROOTS = frozenset({"DeclarativeBase", "DeclarativeBaseNoMeta"})
DECLARATIVE_FACTORIES = frozenset({"declarative_base"})
COLUMN_FACTORIES = frozenset({"Column", "mapped_column"})
MAX_DEPTH = 24


@dataclass(frozen=True)
class Column:
    name: str
    node: ast.AST
    primary_key: bool
    declared_in: str
    index: bool = False  # ``index=True`` on the column itself
    unique: bool = False  # ``unique=True``: the database keeps a unique index


@dataclass(frozen=True)
class _Flags:
    """What a column call declares about the column."""

    primary_key: bool
    index: bool = False
    unique: bool = False


@dataclass
class Model:
    """One mapped class and the columns it has, its own and inherited."""

    qualname: str
    module: ModuleInfo
    node: ast.ClassDef
    columns: dict[str, Column] = field(default_factory=dict)
    owner_columns: tuple[str, ...] = ()
    soft_delete_columns: tuple[str, ...] = ()
    table_keys: tuple[TableKey, ...] = ()

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def primary_key(self) -> tuple[str, ...]:
        flagged = tuple(name for name, column in self.columns.items() if column.primary_key)
        return flagged or next((key.columns for key in self.table_keys if key.primary), ())

    @property
    def unique_keys(self) -> list[tuple[str, ...]]:
        """Column sets that identify at most one row: the primary key and every unique column or constraint."""
        keys = [(name,) for name, column in self.columns.items() if column.unique]
        keys.extend(key.columns for key in self.table_keys if key.unique and key.columns)
        return [self.primary_key, *keys] if self.primary_key else keys

    @property
    def is_owned(self) -> bool:
        return bool(self.owner_columns)

    @property
    def is_soft_deletable(self) -> bool:
        return bool(self.soft_delete_columns)

    def soft_delete_flag(self, name: str) -> bool:
        """Whether a soft-delete column is a boolean flag (``is_deleted``) rather than a timestamp."""
        if name.startswith("is_"):
            return True
        column = self.columns.get(name)
        return column is not None and any(
            (isinstance(node, ast.Name) and node.id in {"Boolean", "bool"}) or
            (isinstance(node, ast.Attribute) and node.attr == "Boolean")
            for node in ast.walk(column.node)
        )

    def leads_table_index(self, name: str) -> bool:
        """Whether a table-level index or unique / primary key constraint starts with the column."""
        return any(key.columns[:1] == (name,) for key in self.table_keys)


@dataclass(frozen=True)
class _Class:
    qualname: str
    module: ModuleInfo
    node: ast.ClassDef


def _own_attribute(node: ast.ClassDef, name: str) -> ast.stmt | None:
    """The statement of the class body that defines ``name`` (an assignment or a ``declared_attr`` method);
    the last one when the body binds it twice, as Python does."""
    for statement in reversed(node.body):
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets = [statement.target]
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name == name:
            return statement
        else:
            continue
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            return statement
    return None


def _is_abstract(node: ast.ClassDef) -> bool:
    statement = _own_attribute(node, "__abstract__")
    return isinstance(statement, (ast.Assign, ast.AnnAssign)) and is_true(statement.value)


class ModelFinder:
    """Classifies the project's classes once; ``find()`` returns the models by qualified name."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._classes: dict[str, _Class] = {}
        for module in project.modules.values():
            for statement in scope_statements(module.tree.body):
                if isinstance(statement, ast.ClassDef):
                    qualname = f"{module.name}.{statement.name}"
                    self._classes.setdefault(qualname, _Class(qualname, module, statement))
        self._family_cache: dict[str, frozenset[str]] = {}

    def find(self) -> dict[str, Model]:
        config = self.project.config
        models: dict[str, Model] = {}
        for qualname, info in self._classes.items():
            if self._is_model(info):
                model = Model(qualname, info.module, info.node, self._columns(info), table_keys=self._table_keys(info))
                model.owner_columns = tuple(name for name in config.owner_columns if name in model.columns)
                model.soft_delete_columns = tuple(name for name in config.soft_delete_columns if name in model.columns)
                models[qualname] = model
        return models

    def _resolve_base(self, info: _Class, expr: ast.expr) -> Resolved | None:
        if isinstance(expr, ast.Subscript):
            expr = expr.value
        return self.project.names.resolve_expr(info.module, expr)

    def _families(self, resolved: Resolved, depth: int = 0) -> frozenset[str]:
        """Which ORM a base class belongs to: ``declarative`` and/or ``sqlmodel`` (empty: neither)."""
        qualname = resolved.qualname
        cached = self._family_cache.get(qualname)
        if cached is not None:
            return cached
        if depth > MAX_DEPTH:
            return frozenset()
        self._family_cache[qualname] = frozenset()  # cycle guard
        result: frozenset[str] = frozenset()
        info = self._classes.get(qualname)
        binding = resolved.binding
        if info is not None:
            result = self._class_families(info, depth)
        elif binding is not None and binding.kind == "value" and resolved.module is not None:
            result = self._value_families(resolved.module, binding.node, depth)
        elif library_name(qualname, DECLARATIVE_ROOTS):
            result = frozenset({"declarative"})
        elif qualname.startswith("sqlmodel.") and qualname.endswith(".SQLModel"):
            result = frozenset({"sqlmodel"})
        self._family_cache[qualname] = result
        return result

    def _class_families(self, info: _Class, depth: int) -> frozenset[str]:
        families: set[str] = set()
        if self._declarative_root(info):
            families.add("declarative")
        for base in info.node.bases:
            resolved = self._resolve_base(info, base)
            if resolved is not None:
                families |= self._families(resolved, depth + 1)
        return frozenset(families)

    def _value_families(self, module: ModuleInfo, node: ast.AST | None, depth: int) -> frozenset[str]:
        names = self.project.names
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "generate_base":
                return frozenset({"declarative"})
            if library_name(names.qualname(module, func), DECLARATIVE_FACTORIES):
                return frozenset({"declarative"})
            return frozenset()
        if isinstance(node, (ast.Name, ast.Attribute)):
            resolved = names.resolve_expr(module, node)
            if resolved is not None:
                return self._families(resolved, depth + 1)
        return frozenset()

    def _declarative_root(self, info: _Class) -> bool:
        """A class that starts a declarative hierarchy (mapped subclasses, not mapped itself)."""
        names = self.project.names
        for decorator in info.node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if library_name(names.qualname(info.module, target), "as_declarative"):
                return True
        for base in info.node.bases:
            resolved = self._resolve_base(info, base)
            if resolved is not None and library_name(resolved.qualname, DECLARATIVE_ROOTS):
                return True
        return False

    def _is_model(self, info: _Class) -> bool:
        node = info.node
        if _is_abstract(node):
            return False
        families = self._families(Resolved(info.qualname))
        if "sqlmodel" in families:
            return is_true(keyword(node, "table"))
        if self._declarative_root(info):
            return False
        if "declarative" in families:
            return True
        if _own_attribute(node, "__tablename__") is not None or _own_attribute(node, "__table__") is not None:
            return True
        return any(
            isinstance(target, ast.Attribute) and target.attr in {"mapped", "mapped_as_dataclass"}
            for target in (d.func if isinstance(d, ast.Call) else d for d in node.decorator_list)
        )

    def _table_keys(self, info: _Class) -> tuple[TableKey, ...]:
        """The indexing entries of the ``__table_args__`` the class inherits (first in MRO wins)."""
        for owner in self._lineage(info):
            statement = _own_attribute(owner.node, "__table_args__")
            if statement is not None:
                return table_args_keys(self.project.names, owner.module, statement)
        return ()

    def _lineage(self, info: _Class) -> list[_Class]:
        """Project classes in method resolution order (most derived first), a simple left-first walk."""
        order: list[_Class] = []
        seen: set[str] = set()
        stack = [info]
        while stack and len(order) < 64:
            current = stack.pop(0)
            if current.qualname in seen:
                continue
            seen.add(current.qualname)
            order.append(current)
            parents = []
            for base in current.node.bases:
                resolved = self._resolve_base(current, base)
                parent = self._classes.get(resolved.qualname) if resolved else None
                if parent is not None:
                    parents.append(parent)
            stack = parents + stack
        return order

    def _columns(self, info: _Class) -> dict[str, Column]:
        columns: dict[str, Column] = {}
        sqlmodel = "sqlmodel" in self._families(Resolved(info.qualname))
        for owner in reversed(self._lineage(info)):
            for column in self._declared_columns(owner, sqlmodel):
                columns[column.name] = column
        return columns

    def _declared_columns(self, info: _Class, sqlmodel: bool) -> Iterator[Column]:
        for statement in info.node.body:
            name: str | None = None
            flags: _Flags | None = None
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                    and isinstance(statement.targets[0], ast.Name):
                name, flags = statement.targets[0].id, self._column_call(info.module, statement.value)
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                name, flags = statement.target.id, self._annotated_column(info.module, statement, sqlmodel)
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and not statement.name.startswith("__"):
                name, flags = statement.name, self._declared_attr_column(info.module, statement)
            if name is not None and flags is not None:
                yield Column(name, statement, flags.primary_key, info.qualname, flags.index, flags.unique)

    def _column_call(self, module: ModuleInfo, value: ast.expr | None, sqlmodel_field: bool = False) -> _Flags | None:
        """None when ``value`` does not create a column, else what it declares (primary key, index)."""
        if not isinstance(value, ast.Call):
            return None
        qualname = self.project.names.qualname(module, value.func)
        is_field = sqlmodel_field and qualname is not None and qualname.startswith("sqlmodel.") \
            and qualname.endswith(".Field")
        if not (library_name(qualname, COLUMN_FACTORIES) or is_field):
            return None
        if is_field:  # ``Field(sa_column=Column(..., index=True))`` declares the column itself
            inner = self._column_call(module, keyword(value, "sa_column"))
            if inner is not None:
                return inner
        return _Flags(
            is_true(keyword(value, "primary_key")), is_true(keyword(value, "index")),
            is_true(keyword(value, "unique")),
        )

    def _is_mapped(self, module: ModuleInfo, annotation: ast.expr | None) -> bool:
        if isinstance(annotation, ast.Subscript):
            return library_name(self.project.names.qualname(module, annotation.value), {"Mapped", "MappedColumn"})
        return False

    def _annotated_column(self, module: ModuleInfo, statement: ast.AnnAssign, sqlmodel: bool) -> _Flags | None:
        value = statement.value
        flags = self._column_call(module, value, sqlmodel_field=sqlmodel)
        if flags is not None:
            return flags
        if self._is_mapped(module, statement.annotation):
            return _Flags(False) if value is None else None
        if not sqlmodel:
            return None
        annotation = statement.annotation
        target = annotation.value if isinstance(annotation, ast.Subscript) else annotation
        if (self.project.names.qualname(module, target) or "").endswith("ClassVar"):
            return None
        return _Flags(False) if value is None or isinstance(value, ast.Constant) else None

    def _declared_attr_column(
        self, module: ModuleInfo, function: ast.FunctionDef | ast.AsyncFunctionDef
    ) -> _Flags | None:
        names = self.project.names
        decorated = False
        for decorator in function.decorator_list:
            cascading = isinstance(decorator, ast.Attribute) and decorator.attr == "cascading"
            target = decorator.value if isinstance(decorator, ast.Attribute) and cascading else decorator
            if library_name(names.qualname(module, target), "declared_attr"):
                decorated = True
        if not decorated:
            return None
        for node in ast.walk(function):
            if isinstance(node, ast.Return):
                flags = self._column_call(module, node.value)
                if flags is not None:
                    return flags
        return _Flags(False) if self._is_mapped(module, function.returns) and not _returns_call(function) else None


def _returns_call(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A ``declared_attr`` returning ``relationship(...)`` and the like rather than a column."""
    return any(isinstance(node, ast.Return) and isinstance(node.value, ast.Call) for node in ast.walk(function))
