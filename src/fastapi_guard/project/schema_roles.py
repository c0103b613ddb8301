"""Schema fields and schema roles: which Pydantic models are requests, which are responses.

A schema is a **request** schema when an endpoint reads it from the request
body (a body or form parameter, also inside ``list[...]``), and a
**response** schema when an endpoint declares it as its response
(``response_model=``, else the return annotation, and ``responses={...:
{"model": M}}``), through containers (``list[M]``, ``Optional[M]``,
``Page[M]``). Names follow the house conventions too: ``*Create``,
``*Update``, ``*Request``, ``*In`` are requests and ``*Response``, ``*Out``,
``*Public`` responses. A role then flows into the schemas named by the fields
of a schema that has it (a request's nested ``AddressIn`` is sent by the
client too). A schema may have both roles. Test modules are left out.

Fields include the inherited ones: ``fields(schema)`` walks the Pydantic bases
(subclass first, so that an override wins) and each field keeps the class
that declares it, so that a rule reports a base-class field once, at its
declaration.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from fastapi_guard.project.fastapi_walk import keyword
from fastapi_guard.project.layout import is_test_module
from fastapi_guard.project.typeexpr import Leaf

if TYPE_CHECKING:
    from fastapi_guard.project.pydantic import SchemaClass, SchemaIndex

Role = Literal["request", "response"]
REQUEST_SUFFIXES = ("Create", "Update", "Request", "In")
RESPONSE_SUFFIXES = ("Response", "Out", "Public")
# Query parameters and ``Depends()`` models are bounded by the server's request-line limit; bodies are not.
INPUT_SOURCES = frozenset({"body", "form"})
CONFIG_CALLS = frozenset({"pydantic.ConfigDict", "pydantic.config.ConfigDict", "pydantic_settings.SettingsConfigDict"})
# Skipped before asking the index whether a leaf is a schema: they never are.
NEVER_SCHEMAS = ("builtins.", "typing.", "collections.", "datetime.", "uuid.", "decimal.", "enum.")


@dataclass(frozen=True)
class SchemaField:
    """One field as declared in ``owner``'s body."""

    name: str
    owner: SchemaClass
    node: ast.AnnAssign
    annotation: ast.expr
    default: ast.expr | None

    @property
    def label(self) -> str:
        """``Owner.field``: where the field is declared."""
        return f"{self.owner.name}.{self.name}"


def suffix_role(name: str) -> Role | None:
    """The role a class name announces (``ItemCreate`` -> request, ``ItemOut`` -> response)."""
    for suffix in RESPONSE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return "response"
    for suffix in REQUEST_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return "request"
    return None


def declared_fields(
    schema: SchemaClass, is_classvar: Callable[[SchemaClass, ast.expr], bool]
) -> Iterator[SchemaField]:
    for statement in schema.node.body:
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        name = statement.target.id
        if name.startswith("_") or name == "model_config" or is_classvar(schema, statement.annotation):
            continue
        yield SchemaField(name, schema, statement, statement.annotation, statement.value)


class SchemaRoles:
    """Request and response roles of the project's schemas, each with the reason it was given."""

    def __init__(self, index: SchemaIndex) -> None:
        self.index = index
        self.request: dict[str, str] = {}
        self.response: dict[str, str] = {}
        pending: list[tuple[str, Role]] = []

        def give(schema: SchemaClass, role: Role, reason: str) -> None:
            table = self.request if role == "request" else self.response
            if schema.qualname not in table and not schema.is_settings and not is_test_module(schema.module.name):
                table[schema.qualname] = reason
                pending.append((schema.qualname, role))

        for contract in index.contracts.all:
            if is_test_module(contract.module.name):
                continue
            for parameter in contract.parameters:
                if parameter.source in INPUT_SOURCES:
                    for schema in index.schemas_of(parameter.leaves):
                        give(schema, "request", f"`{parameter.name}` of `{contract.label}`")
            for expr in contract.response_types():
                for schema in index.schemas_in(contract.module, expr, contract.scopes):
                    give(schema, "response", f"the response of `{contract.label}`")
        for schema in index.schemas.values():
            role = suffix_role(schema.name)
            if role is not None:
                give(schema, role, f"named `*{schema.name[-_suffix_length(schema.name, role):]}`")
        while pending:
            qualname, role = pending.pop(0)
            outer = index.schemas[qualname]
            for field in index.fields(outer):
                for schema in index.schemas_in(field.owner.module, field.annotation, owner=field.owner):
                    give(schema, role, f"nested in `{outer.name}.{field.name}`")

    def role_reason(self, schema: SchemaClass, role: Role) -> str | None:
        return (self.request if role == "request" else self.response).get(schema.qualname)

    def schemas(self, role: Role) -> list[SchemaClass]:
        """The schemas with ``role``, in file and line order."""
        table = self.request if role == "request" else self.response
        found = [self.index.schemas[name] for name in table]
        return sorted(found, key=lambda schema: (schema.module.path, schema.node.lineno, schema.qualname))

    def fields(self, role: Role) -> Iterator[tuple[SchemaClass, SchemaField, str]]:
        """Every field of every schema with ``role`` (inherited ones included), each
        declaration once, with the first schema (in file order) that reaches it and why
        that schema has the role."""
        seen: set[int] = set()
        for schema in self.schemas(role):
            for field in self.index.fields(schema):
                if id(field.node) not in seen:
                    seen.add(id(field.node))
                    yield schema, field, self.role_reason(schema, role) or ""


def _suffix_length(name: str, role: Role) -> int:
    suffixes = RESPONSE_SUFFIXES if role == "response" else REQUEST_SUFFIXES
    return next(len(suffix) for suffix in suffixes if name.endswith(suffix))


def config_value(
    classes: Iterable[SchemaClass], key: str, config_name: Callable[[SchemaClass, ast.expr], str]
) -> ast.expr | None:
    """A configuration value set in one of ``classes`` (subclass first): ``model_config =
    ConfigDict(key=...)``, a ``model_config`` dict literal or a v1 ``class Config``."""
    for schema in classes:
        for statement in schema.node.body:
            if isinstance(statement, ast.ClassDef) and statement.name == "Config":
                for inner in statement.body:
                    if isinstance(inner, ast.Assign) and any(
                        isinstance(target, ast.Name) and target.id == key for target in inner.targets
                    ):
                        return inner.value
            value = model_config_value(statement)
            if isinstance(value, ast.Call) and config_name(schema, value.func) in CONFIG_CALLS:
                found = keyword(value, key)
                if found is not None:
                    return found
            elif isinstance(value, ast.Dict):
                for item_key, item in zip(value.keys, value.values):
                    if isinstance(item_key, ast.Constant) and item_key.value == key:
                        return item
    return None


def model_config_value(statement: ast.stmt) -> ast.expr | None:
    """The value assigned to ``model_config`` by a class-body statement."""
    if isinstance(statement, ast.Assign) and any(
        isinstance(target, ast.Name) and target.id == "model_config" for target in statement.targets
    ):
        return statement.value
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) \
            and statement.target.id == "model_config":
        return statement.value
    return None


def leaf_schemas(index: SchemaIndex, leaves: Iterable[Leaf], owner: SchemaClass | None = None) -> list[SchemaClass]:
    """The schemas named by some leaves; a bare name in ``owner``'s body may denote a class nested there."""
    found: dict[str, SchemaClass] = {}
    for leaf in leaves:
        schema = None
        if owner is not None and isinstance(leaf.node, ast.Name):
            schema = index.nested_schema(owner, leaf.node.id)
        if schema is None and not leaf.qualname.startswith(NEVER_SCHEMAS):
            schema = index.get(leaf.qualname)
        if schema is not None and not schema.is_settings:
            found.setdefault(schema.qualname, schema)
    return list(found.values())
