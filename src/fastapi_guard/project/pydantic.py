"""The Pydantic facet: which classes of the project are Pydantic models.

A class is a Pydantic model when one of its bases resolves, through the index
(across files, aliases and re-exports, and transitively through project
classes), to ``pydantic.BaseModel`` or one of its public variants, or to
``sqlmodel.SQLModel`` without ``table=True`` (a SQLModel table class is a
database model, not a schema). Classes deriving from a ``BaseSettings`` are
Pydantic models too, but they hold configuration: they are flagged
``is_settings`` and are not schemas.

On top of the classes: their fields, inherited ones included (``fields``), the
schemas an annotation names (``schemas_in``), the endpoint contracts
(``contracts``: parameter sources, declared responses) and the schema roles
(``roles``: request and/or response, from route signatures and naming, see
``schema_roles``), all built lazily so that a run of file-local rules never
pays for the FastAPI facet.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING

from fastapi_guard.project.symbols import walk_with_scopes
from fastapi_guard.project.schema_roles import SchemaField, SchemaRoles, config_value, declared_fields, leaf_schemas
from fastapi_guard.project.symbols import ModuleInfo, ScopeNode, scope_statements
from fastapi_guard.project.typeexpr import Leaf, TypeReader

if TYPE_CHECKING:
    from fastapi_guard.project import Project
    from fastapi_guard.project.contracts import Contracts
    from fastapi_guard.project.valuetypes import ValueTypes

MODEL_BASES = frozenset({
    "pydantic.BaseModel",
    "pydantic.v1.BaseModel",
    "pydantic.v1.main.BaseModel",
    "pydantic.RootModel",
    "pydantic.root_model.RootModel",
    "pydantic.generics.GenericModel",
    "pydantic.v1.generics.GenericModel",
})
SQLMODEL_BASES = frozenset({"sqlmodel.SQLModel", "sqlmodel.main.SQLModel"})
SETTINGS_BASES = frozenset({
    "pydantic_settings.BaseSettings",
    "pydantic_settings.main.BaseSettings",
    "pydantic.BaseSettings",
    "pydantic.env_settings.BaseSettings",
    "pydantic.v1.BaseSettings",
    "pydantic.v1.env_settings.BaseSettings",
})
V1_PREFIX = "pydantic.v1."
# Aliases such as ``Base = BaseModel`` are followed this many assignments deep.
MAX_ALIAS_HOPS = 8


class Kind(Enum):
    """What a class is, as far as Pydantic goes."""

    MODEL = "model"  # a Pydantic model
    SQLMODEL = "sqlmodel"  # a non-table SQLModel: a model that may still become a table
    TABLE = "table"  # a SQLModel table class: a database model
    SETTINGS = "settings"  # a BaseSettings class: configuration


@dataclass(frozen=True)
class SchemaClass:
    """One Pydantic model class of the project."""

    qualname: str
    module: ModuleInfo
    node: ast.ClassDef
    is_settings: bool
    is_sqlmodel: bool
    # Qualified names of the bases that made it a Pydantic model (project or external).
    bases: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.node.name


@dataclass(frozen=True)
class _ClassSite:
    qualname: str
    module: ModuleInfo
    node: ast.ClassDef
    # Classes defined earlier in the same class body, visible to its later bases.
    siblings: dict[str, str]


def _table_keyword(node: ast.ClassDef) -> bool:
    """``table=True`` (or a value that cannot be read, taken as a table to stay quiet)."""
    for keyword in node.keywords:
        if keyword.arg == "table":
            return not (isinstance(keyword.value, ast.Constant) and not keyword.value.value)
    return False


def _base_expression(base: ast.expr) -> ast.expr:
    # ``RootModel[list[int]]`` and ``Page[Item]`` name their class in the subscript value.
    while isinstance(base, ast.Subscript):
        base = base.value
    return base


class SchemaIndex:
    """Every Pydantic model class of one project, classified once."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._sites: dict[int, _ClassSite] = {}
        self._by_qualname: dict[str, _ClassSite] = {}
        for module in sorted(project.modules.values(), key=lambda item: item.name):
            for site in _class_sites(module):
                self._sites[id(site.node)] = site
                self._by_qualname.setdefault(site.qualname, site)
        self._kinds: dict[int, Kind | None] = {}
        self._reasons: dict[int, tuple[str, ...]] = {}

    @cached_property
    def classes(self) -> dict[str, SchemaClass]:
        """All Pydantic model classes, settings included, by qualified name."""
        found: dict[str, SchemaClass] = {}
        for site in self._sites.values():
            kind = self._kind(site)
            if kind is None or kind is Kind.TABLE:
                continue
            found.setdefault(site.qualname, SchemaClass(
                qualname=site.qualname,
                module=site.module,
                node=site.node,
                is_settings=kind is Kind.SETTINGS,
                is_sqlmodel=kind is Kind.SQLMODEL,
                bases=self._reasons.get(id(site.node), ()),
            ))
        return found

    @cached_property
    def schemas(self) -> dict[str, SchemaClass]:
        """Pydantic models that describe data (settings classes left out)."""
        return {name: entry for name, entry in self.classes.items() if not entry.is_settings}

    @cached_property
    def table_bases(self) -> frozenset[str]:
        """Non-table SQLModel classes that a table class inherits from (part of a database model)."""
        marked: set[str] = set()
        for site in self._sites.values():
            if self._kind(site) is not Kind.TABLE:
                continue
            pending = list(self._reasons.get(id(site.node), ()))
            while pending:
                name = pending.pop()
                base = self._by_qualname.get(name)
                if base is None or name in marked:
                    continue
                if self._kind(base) is Kind.SQLMODEL:
                    marked.add(name)
                pending.extend(self._reasons.get(id(base.node), ()))
        return frozenset(marked)

    def get(self, qualname: str) -> SchemaClass | None:
        entry = self.classes.get(qualname)
        if entry is not None:
            return entry
        resolved = self.project.names.resolve_dotted(qualname)
        return self.classes.get(resolved.qualname)

    def is_pydantic_model(self, qualname: str) -> bool:
        """A Pydantic model class of the project (settings included), or a known Pydantic base."""
        return qualname in MODEL_BASES or qualname in SETTINGS_BASES or self.get(qualname) is not None

    def reachable_from(self, modules: Iterable[ModuleInfo]) -> frozenset[str]:
        """Schemas that the given modules use (import or name), and, transitively, the
        schemas those use in their bases, fields and nested classes."""
        found: set[str] = set()
        for module in modules:
            found |= self._references(module, module.tree, {})
        pending = list(found)
        while pending:
            entry = self.schemas[pending.pop()]
            # Names in a class body may denote the classes nested in it.
            nested = self._nested.get(entry.qualname, {})
            for name in (self._references(entry.module, entry.node, nested) | set(nested.values())) - found:
                found.add(name)
                pending.append(name)
        return frozenset(found)

    @cached_property
    def _schema_names(self) -> frozenset[str]:
        return frozenset(entry.name for entry in self.schemas.values())

    @cached_property
    def _nested(self) -> dict[str, dict[str, str]]:
        """Schemas nested directly in a schema's body: outer qualname -> {name: qualname}."""
        nested: dict[str, dict[str, str]] = {}
        for name, entry in self.schemas.items():
            outer = name.rpartition(".")[0]
            if outer in self.schemas:
                nested.setdefault(outer, {})[entry.name] = name
        return nested

    def _references(self, module: ModuleInfo, tree: ast.AST, local: dict[str, str]) -> set[str]:
        names = self.project.names
        wanted = self._schema_names
        found: set[str] = set()
        for node, scopes in module.scoped_nodes if tree is module.tree else walk_with_scopes(tree):
            if isinstance(node, ast.ImportFrom):
                candidates = [
                    names.resolve_name(module, alias.asname or alias.name, scopes)
                    for alias in node.names if alias.name in wanted
                ]
                found.update(resolved.qualname for resolved in candidates if resolved.qualname in self.schemas)
            elif isinstance(node, ast.Name) and node.id in wanted:
                if node.id in local:
                    found.add(local[node.id])
                    continue
                resolved = names.resolve_name(module, node.id, scopes)
                if resolved.qualname in self.schemas:
                    found.add(resolved.qualname)
            elif isinstance(node, ast.Attribute) and node.attr in wanted:
                qualname = names.qualname(module, node, scopes)
                if qualname in self.schemas:
                    found.add(qualname)
        return found

    # -- fields, annotations, roles ------------------------------------------------------------

    @cached_property
    def types(self) -> TypeReader:
        return TypeReader(self.project.names)

    @cached_property
    def values(self) -> ValueTypes:
        from fastapi_guard.project.valuetypes import ValueTypes

        return ValueTypes(self)

    @cached_property
    def contracts(self) -> Contracts:
        from fastapi_guard.project.contracts import Contracts

        return Contracts(self.project, self)

    @cached_property
    def roles(self) -> SchemaRoles:
        return SchemaRoles(self)

    def for_node(self, node: ast.ClassDef) -> SchemaClass | None:
        """The Pydantic class a ``class`` statement defines (settings included), if it is one."""
        site = self._sites.get(id(node))
        entry = self.classes.get(site.qualname) if site else None
        return entry if entry is not None and entry.node is node else None

    def nested_schema(self, owner: SchemaClass, name: str) -> SchemaClass | None:
        """A schema class nested in ``owner``'s body under ``name``."""
        qualname = self._nested.get(owner.qualname, {}).get(name)
        return self.schemas.get(qualname) if qualname else None

    def lineage(self, schema: SchemaClass) -> list[SchemaClass]:
        """``schema`` and its project Pydantic bases, subclass first, each once."""
        found: dict[str, SchemaClass] = {}
        pending = [schema]
        while pending:
            current = pending.pop(0)
            if current.qualname in found:
                continue
            found[current.qualname] = current
            pending[:0] = [base for base in map(self.classes.get, current.bases) if base is not None]
        return list(found.values())

    def is_v1(self, schema: SchemaClass) -> bool:
        """A model of the ``pydantic.v1`` compatibility layer: v1 idioms there are deliberate."""
        return any(base.startswith(V1_PREFIX) for entry in self.lineage(schema) for base in entry.bases)

    def fields(self, schema: SchemaClass) -> list[SchemaField]:
        """The fields of a schema, inherited ones included; a subclass's declaration wins."""
        found: dict[str, SchemaField] = {}
        for entry in self.lineage(schema):
            for field in declared_fields(entry, self._is_classvar):
                found.setdefault(field.name, field)
        return list(found.values())

    def field_methods(self, schema: SchemaClass, name: str, decorators: frozenset[str]) -> Iterator[ast.FunctionDef]:
        """Methods of the schema or its bases decorated with one of ``decorators`` called with
        the field's name (or ``"*"``): its validators, its serializers."""
        for entry in self.lineage(schema):
            for method in entry.node.body:
                if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                    isinstance(decorator, ast.Call) and self.types.qualname(entry.module, decorator.func) in decorators
                    and any(isinstance(arg, ast.Constant) and arg.value in (name, "*") for arg in decorator.args)
                    for decorator in method.decorator_list
                ):
                    yield method

    def _is_classvar(self, schema: SchemaClass, annotation: ast.expr) -> bool:
        head = annotation.value if isinstance(annotation, ast.Subscript) else annotation
        return self.types.qualname(schema.module, head) == "typing.ClassVar"

    def config_value(self, schema: SchemaClass, key: str) -> ast.expr | None:
        """A model configuration value (``ConfigDict``, dict literal or v1 ``class Config``), inherited too."""
        return config_value(self.lineage(schema), key, lambda entry, func: self.types.qualname(entry.module, func))

    def schemas_in(
        self, module: ModuleInfo, annotation: ast.expr | None, scopes: tuple[ScopeNode, ...] = (),
        owner: SchemaClass | None = None,
    ) -> list[SchemaClass]:
        """The schemas a type expression names, through containers (``list[Item]``, ``Page[Item]``)."""
        return leaf_schemas(self, self.types.leaves(module, annotation, scopes), owner)

    def schemas_of(self, leaves: Iterable[Leaf]) -> list[SchemaClass]:
        return leaf_schemas(self, leaves)

    def _kind(self, site: _ClassSite) -> Kind | None:
        key = id(site.node)
        if key in self._kinds:
            return self._kinds[key]
        self._kinds[key] = None  # a cycle of bases is no Pydantic model
        kinds: list[Kind] = []
        reasons: list[str] = []
        for base in site.node.bases:
            qualname, kind = self._base_kind(site, _base_expression(base))
            if kind is not None and qualname is not None:
                kinds.append(kind)
                reasons.append(qualname)
        kind = _combine(kinds, _table_keyword(site.node))
        self._kinds[key] = kind
        if kind is not None:
            self._reasons[key] = tuple(reasons)
        return kind

    def _base_kind(self, site: _ClassSite, expr: ast.expr) -> tuple[str | None, Kind | None]:
        if isinstance(expr, ast.Name) and expr.id in site.siblings:
            sibling = self._by_qualname.get(site.siblings[expr.id])
            return (sibling.qualname, self._kind(sibling)) if sibling else (None, None)
        module = site.module
        for _ in range(MAX_ALIAS_HOPS):
            resolved = self.project.names.resolve_expr(module, expr)
            if resolved is None:
                return None, None
            qualname = resolved.qualname
            if qualname in SETTINGS_BASES:
                return qualname, Kind.SETTINGS
            if qualname in MODEL_BASES:
                return qualname, Kind.MODEL
            if qualname in SQLMODEL_BASES:
                return qualname, Kind.SQLMODEL
            binding = resolved.binding
            if binding is not None and binding.kind == "class" and isinstance(binding.node, ast.ClassDef):
                base_site = self._sites.get(id(binding.node))
                return (qualname, self._kind(base_site)) if base_site else (None, None)
            if binding is None and qualname in self._by_qualname:
                return qualname, self._kind(self._by_qualname[qualname])
            # ``Base = BaseModel``: follow the alias to what it names.
            if binding is None or binding.kind != "value" or resolved.module is None:
                return None, None
            if not isinstance(binding.node, (ast.Name, ast.Attribute)):
                return None, None
            module, expr = resolved.module, binding.node
        return None, None


def _combine(kinds: list[Kind], table: bool) -> Kind | None:
    if Kind.SETTINGS in kinds:
        return Kind.SETTINGS
    if Kind.TABLE in kinds or (table and Kind.SQLMODEL in kinds):
        return Kind.TABLE
    if Kind.SQLMODEL in kinds:
        return Kind.SQLMODEL
    if Kind.MODEL in kinds:
        return Kind.MODEL
    return None


def _class_sites(module: ModuleInfo) -> Iterator[_ClassSite]:
    """Module-level classes and the classes nested in their bodies.

    Classes defined inside functions are left out: they are built at run time
    (test helpers, factories) and no route signature can name them.
    """
    stack: list[tuple[list[ast.stmt], str]] = [(module.tree.body, module.name)]
    while stack:
        body, prefix = stack.pop()
        siblings: dict[str, str] = {}
        for statement in scope_statements(body):
            if not isinstance(statement, ast.ClassDef):
                continue
            qualname = f"{prefix}.{statement.name}"
            nested = prefix != module.name
            yield _ClassSite(qualname, module, statement, dict(siblings) if nested else {})
            siblings.setdefault(statement.name, qualname)
            stack.append((statement.body, qualname))
