"""A string field of a request schema without `max_length`.

## What it does
Reports a `str` field (also `Optional[str]`, `str | None`, `SecretStr`,
`StrictStr`, `constr(...)`, `Annotated[str, ...]`, through type aliases) of a
request schema that sets no maximum length. A request schema is a Pydantic
model that an endpoint reads from the request body (a body or form parameter,
also inside `list[...]` and nested in another request schema's fields) or one
named `*Create`, `*Update`, `*Request` or `*In`. Query-parameter models are
not request bodies: the server's request-line limit bounds them.

A bound is any of: `Field(max_length=...)` as the default or in
`Annotated[str, Field(max_length=...)]`, `constr(max_length=...)`,
`Annotated[str, StringConstraints(max_length=...)]`, `annotated_types.MaxLen`
/ `Len`, an anchored `pattern=` without unbounded repetition
(`^[a-z]{2,8}$`), `str_max_length` in the model's configuration (v1:
`max_anystr_length`), or a validator of the field that checks `len(...)`.
Bounded and enumerated types are not strings to bound: enums, `Literal[...]`,
`EmailStr`, `HttpUrl`, `AnyUrl`, `UUID`, dates, numbers. `list[str]` is not
reported (the bound it needs is on each item,
`list[Annotated[str, StringConstraints(max_length=...)]]`).

A field declared in a base class is reported once, at its declaration, when a
request schema inherits it. Response-only schemas and test modules are not
checked.

## Why is this bad?
An unbounded string accepts megabytes: it fills the database column (or
fails late on a `String(255)` column with a 500 instead of a 422), slows
every query and log line that carries it, and makes hashing a "password"
field a denial of service. The house guide's request schemas declare
`Field(..., min_length=1, max_length=255)`.

## Example
```python
# file: app/routes/items/schemas.py
from typing import Optional

from pydantic import BaseModel, Field


class ItemCreate(BaseModel):
    name: str  # [FG305]
    description: Optional[str] = Field(None, min_length=1)  # [FG305]
```

## Use instead
```python
# file: app/routes/items/schemas.py
from enum import Enum
from typing import Annotated, Optional

from pydantic import BaseModel, EmailStr, Field, StringConstraints


class ItemStatus(str, Enum):
    active = "active"
    archived = "archived"


class ItemCreate(BaseModel):
    name: str = Field(..., min_length=1, max_length=255)
    description: Optional[Annotated[str, StringConstraints(max_length=2000)]] = None
    status: ItemStatus = ItemStatus.active
    owner_email: EmailStr


class ItemResponse(BaseModel):
    name: str
```

## Related rules
- FG302 untyped-request-body: a body with no schema at all.
"""

from __future__ import annotations

import ast
import re

from fastapi_guard.project import Project
from fastapi_guard.project.pydantic import SchemaClass
from fastapi_guard.project.schema_roles import SchemaField
from fastapi_guard.project.symbols import ModuleInfo
from fastapi_guard.project.typeexpr import Leaf, is_given
from fastapi_guard.rules._schema_fields import SchemaFieldRule

STRINGS = frozenset({
    "builtins.str", "pydantic.StrictStr", "pydantic.types.StrictStr", "pydantic.SecretStr", "pydantic.types.SecretStr",
})
CONSTRAINED = frozenset({"pydantic.constr", "pydantic.types.constr"})
CONSTRAINTS = frozenset({
    "pydantic.Field", "pydantic.fields.Field", "pydantic.StringConstraints", "pydantic.types.StringConstraints",
    "pydantic.constr", "pydantic.types.constr", "sqlmodel.Field", "sqlmodel.main.Field",
})
LENGTHS = frozenset({"annotated_types.MaxLen", "annotated_types.Len"})
MAX_KEYWORDS = ("max_length", "curtail_length")
PATTERN_KEYWORDS = ("pattern", "regex")
CONFIG_KEYS = ("str_max_length", "max_anystr_length")
VALIDATORS = frozenset({
    "pydantic.field_validator", "pydantic.functional_validators.field_validator", "pydantic.validator",
    "pydantic.class_validators.validator", "pydantic.deprecated.class_validators.validator",
})
FUNCTIONAL_VALIDATORS = frozenset(
    f"{module}.{name}" for module in ("pydantic", "pydantic.functional_validators")
    for name in ("AfterValidator", "BeforeValidator", "PlainValidator", "WrapValidator")
)
UNBOUNDED_REPEAT = re.compile(r"[*+]|\{\d*,\}")


def bounded_pattern(value: ast.expr | None) -> bool:
    """An anchored regular expression that cannot match more than a fixed number of characters;
    a pattern that cannot be read gets the benefit of the doubt."""
    if value is None:
        return False
    if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
        return True
    pattern = re.sub(r"\\.", "x", value.value)
    pattern = re.sub(r"\[[^\]]*\]", "x", pattern)
    anchored = pattern.startswith(("^", "\\A")) and pattern.endswith(("$", "\\Z", "\\z"))
    return anchored and not UNBOUNDED_REPEAT.search(pattern)


def measures_length(function: ast.AST | None) -> bool:
    """A function (a validator) that calls ``len()``: it may reject long values."""
    return isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len"
        for node in ast.walk(function)
    )


class UnboundedInputString(SchemaFieldRule):
    code = "FG305"
    name = "unbounded-input-string"
    message = "string field `{field}` of request schema `{schema}` has no `max_length` ({why})"
    hint = "bound it: `Field(..., max_length=255)` or `Annotated[str, StringConstraints(max_length=255)]`"
    role = "request"

    def flags(self, project: Project, schema: SchemaClass, field: SchemaField) -> bool:
        """A string field (``str``, ``SecretStr``, ``constr(...)``, ...) that nothing bounds."""
        schemas = project.schemas
        module = field.owner.module
        leaves = [leaf for leaf in schemas.types.leaves(module, field.annotation, containers=False) if not leaf.is_none]
        strings = [leaf for leaf in leaves if self._is_string(leaf)]
        if not strings or any(is_given(schemas.config_value(schema, key)) for key in CONFIG_KEYS):
            return False
        if self._bounds(project, module, field.default) or any(
            measures_length(method) for method in schemas.field_methods(schema, field.name, VALIDATORS)
        ):
            return False
        return not all(
            any(self._bounds(project, leaf.module, extra) for extra in (*leaf.extras, leaf.node)) for leaf in strings
        )

    @staticmethod
    def _is_string(leaf: Leaf) -> bool:
        return leaf.qualname in STRINGS or (leaf.qualname in CONSTRAINED and isinstance(leaf.node, ast.Call))

    @staticmethod
    def _bounds(project: Project, module: ModuleInfo, expr: ast.expr | None) -> bool:
        """A constraint call that sets a maximum length (or a project helper that may)."""
        if not isinstance(expr, ast.Call):
            return False
        qualname = project.schemas.types.qualname(module, expr.func)
        if qualname in LENGTHS:
            return qualname.endswith("MaxLen") or len(expr.args) > 1 or any(
                item.arg == "max_length" for item in expr.keywords
            )
        if qualname in CONSTRAINTS:
            keywords = {item.arg: item.value for item in expr.keywords}
            return any(is_given(keywords.get(name)) for name in MAX_KEYWORDS) or any(
                bounded_pattern(keywords.get(name)) for name in PATTERN_KEYWORDS if name in keywords
            )
        if qualname in FUNCTIONAL_VALIDATORS:  # ``AfterValidator(check_length)``
            if not expr.args:
                return False
            target = project.names.definition(project.schemas.types.qualname(module, expr.args[0]))
            return target is not None and measures_length(target.node)
        # A project function building the constraint cannot be read here: benefit of the doubt.
        definition = project.names.definition(qualname)
        return definition is not None and isinstance(definition.node, (ast.FunctionDef, ast.AsyncFunctionDef))
