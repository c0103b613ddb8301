"""Pydantic v1 validators and methods on Pydantic models.

## What it does
Reports Pydantic v1 API in v2 code:

- the decorators `@validator` and `@root_validator` imported from `pydantic`
  (at the decorator);
- v1 methods called on a Pydantic model (at the call): `.dict()`, `.json()`,
  `.copy()`, and the class methods `.parse_obj()`, `.parse_raw()`,
  `.parse_file()`, `.from_orm()`, `.construct()`, `.schema()`,
  `.schema_json()`, `.update_forward_refs()`, `.validate()`.

A method call is reported only when the index knows the receiver is a
Pydantic model of the project: the model class itself (`Item.parse_obj(x)`),
`self`/`cls` in the model's own methods, or a variable whose every assignment
in its function gives a model instance: a parameter annotated with the model
(endpoint body parameters included), `Item(...)`, `Item.model_validate(...)`,
a copy of a known instance, a call of a function annotated to return the
model. Same-named methods of anything else are left alone: `dict.copy()`,
`response.json()` of `requests`/`httpx`, receivers the index cannot type. So
are models that define the method themselves and models of the `pydantic.v1`
compatibility layer (where v1 API is deliberate).

## Why is this bad?
These names are deprecated in Pydantic v2: they emit warnings on every call,
some behave differently from their replacement (`.json()` does not accept
`json.dumps` keyword arguments any more), and they will be removed. `@validator`
and `@root_validator` keep v1 semantics (the `values` dict, `pre=True`,
`each_item`) that v2's `@field_validator` / `@model_validator` replaced.

## Example
```python
# file: app/routes/items/schemas.py
from pydantic import BaseModel, validator


class ItemCreate(BaseModel):
    name: str

    @validator("name")  # [FG304]
    def strip_name(cls, value):
        return value.strip()
```

```python
# file: app/services/items.py
from app.routes.items.schemas import ItemCreate


def to_row(data: ItemCreate) -> dict:
    return data.dict()  # [FG304]


def parse(raw: dict) -> ItemCreate:
    return ItemCreate.parse_obj(raw)  # [FG304]
```

## Use instead
```python
# file: app/routes/items/schemas.py
from pydantic import BaseModel, field_validator


class ItemCreate(BaseModel):
    name: str

    @field_validator("name")
    @classmethod
    def strip_name(cls, value):
        return value.strip()
```

```python
# file: app/services/items.py
import httpx

from app.routes.items.schemas import ItemCreate


def to_row(data: ItemCreate) -> dict:
    return data.model_dump()


def parse(raw: dict) -> ItemCreate:
    return ItemCreate.model_validate(raw)


def fetch(url: str) -> dict:
    defaults = {"limit": 10}.copy()
    return httpx.get(url, params=defaults).json()
```

## Fix
The autofix renames mechanical cases: `.dict()` -> `.model_dump()`, `.json()`
-> `.model_dump_json()` (unsafe: the output's spacing differs), `.copy()` ->
`.model_copy()`, `.parse_obj(x)` -> `.model_validate(x)`, `.parse_raw(x)` ->
`.model_validate_json(x)`, `.from_orm(x)` -> `.model_validate(x,
from_attributes=True)`, `.construct()` -> `.model_construct()`, `.schema()` ->
`.model_json_schema()` (unsafe: v2 schemas differ), `.update_forward_refs()`
-> `.model_rebuild()`, `.validate(x)` -> `.model_validate(x)`, when the call
passes only arguments the new method accepts. Validators are left for a
manual edit: `@field_validator("x")` with `@classmethod` (`pre=True` is
`mode="before"`, `values` becomes `info.data`), `@model_validator(mode=...)`
for root validators.

## Related rules
- FG303 pydantic-v1-config: v1 `class Config` and `orm_mode`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from fastapi_guard.findings import Applicability, Edit, Fix
from fastapi_guard.project.localwrites import WriteIndex, self_name
from fastapi_guard.project.pydantic import SchemaClass
from fastapi_guard.project.valuetypes import ClassRef
from fastapi_guard.rule import FileContext, FileRule, node_span
from fastapi_guard.rules._pydantic_v2 import rename_edit
from fastapi_guard.project.symbols import source_text

VALIDATORS = {
    "pydantic.validator": "`@field_validator(...)` with `@classmethod`",
    "pydantic.class_validators.validator": "`@field_validator(...)` with `@classmethod`",
    "pydantic.deprecated.class_validators.validator": "`@field_validator(...)` with `@classmethod`",
    "pydantic.root_validator": "`@model_validator(mode=...)`",
    "pydantic.class_validators.root_validator": "`@model_validator(mode=...)`",
    "pydantic.deprecated.class_validators.root_validator": "`@model_validator(mode=...)`",
}
ANY_KEYWORD = frozenset({"*"})


@dataclass(frozen=True)
class Replacement:
    """A v1 method's v2 name, and when the rename alone is a correct fix."""

    name: str
    on_class: bool
    keywords: frozenset[str] | None = frozenset()  # None: no mechanical fix
    positional: int = 0
    applicability: Applicability = "safe"
    added: str = ""  # an argument the v2 call needs


DUMP = frozenset({"include", "exclude", "by_alias", "exclude_unset", "exclude_defaults", "exclude_none"})
METHODS = {
    "dict": Replacement("model_dump", False, DUMP),
    "json": Replacement("model_dump_json", False, DUMP | {"indent"}, applicability="unsafe"),
    "copy": Replacement("model_copy", False, frozenset({"update", "deep"})),
    "parse_obj": Replacement("model_validate", True, positional=1),
    "parse_raw": Replacement("model_validate_json", True, positional=1),
    "parse_file": Replacement("model_validate_json", True, None),
    "from_orm": Replacement("model_validate", True, positional=1, added="from_attributes=True"),
    "construct": Replacement("model_construct", True, ANY_KEYWORD),
    "schema": Replacement("model_json_schema", True, frozenset({"by_alias", "ref_template"}), applicability="unsafe"),
    "schema_json": Replacement("model_json_schema", True, None),
    "update_forward_refs": Replacement("model_rebuild", True),
    "validate": Replacement("model_validate", True, positional=1),
}


class PydanticV1Api(FileRule):
    code = "FG304"
    name = "pydantic-v1-api"
    message = "Pydantic v1 {what} on `{model}`; use {instead}"
    fixable = True

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._writes: WriteIndex | None = None

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        types = self.project.schemas.types
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if not isinstance(target, (ast.Name, ast.Attribute)):
                continue
            instead = VALIDATORS.get(types.qualname(self.module, target, self.context.scopes))
            if instead is not None:
                spelled = source_text(target).rsplit(".", 1)[-1]
                owner = self.context.parent
                model = owner.name if isinstance(owner, ast.ClassDef) else node.name
                self.report(decorator, what=f"`@{spelled}`", model=model, instead=instead)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr not in METHODS:
            return
        replacement = METHODS[func.attr]
        model = self._receiver_model(func.value, replacement.on_class)
        if model is None:
            return
        schemas = self.project.schemas
        if schemas.is_v1(model) or schemas.values.method(ClassRef(model.qualname, model.module, model.node), func.attr):
            return
        self.report(node, fix=self._fix(node, func, replacement), what=f"`.{func.attr}()`", model=model.name,
                    instead=f"`.{replacement.name}()`")

    def _receiver_model(self, receiver: ast.expr, on_class: bool) -> SchemaClass | None:
        """The Pydantic model class ``receiver`` is (``on_class``) or is an instance of."""
        schemas = self.project.schemas
        scopes = tuple(self.context.scopes)
        own = self._own_class(receiver)
        if own is not None:
            return own[0] if own[1] == on_class else None
        if on_class:
            if not isinstance(receiver, (ast.Name, ast.Attribute)):
                return None
            resolved = self.project.names.resolve_expr(self.module, receiver, scopes)
            binding = resolved.binding if resolved else None
            if resolved is None or (binding is not None and binding.kind != "class"):
                return None
            return schemas.get(resolved.qualname)
        if self._writes is None:
            self._writes = WriteIndex()
        made = schemas.values.instance_of(self.module, receiver, scopes, self._writes)
        return schemas.get(made.qualname) if made is not None else None

    def _own_class(self, receiver: ast.expr) -> tuple[SchemaClass, bool] | None:
        """``self`` / ``cls`` in a method of a model: the model, and whether it is the class itself."""
        function = self.context.function
        ancestors = self.context.ancestors
        if function is None or not isinstance(receiver, ast.Name) or receiver.id != self_name(function):
            return None
        index = ancestors.index(function)
        owner = ancestors[index - 1] if index > 0 else None
        if not isinstance(owner, ast.ClassDef):
            return None
        model = self.project.schemas.for_node(owner)
        if model is None:
            return None
        if self._writes is None:
            self._writes = WriteIndex()
        if len(self._writes.of(function).get(receiver.id, [])) > 1:
            return None  # rebound in the method: no longer the instance
        is_class = any(isinstance(item, ast.Name) and item.id == "classmethod" for item in function.decorator_list)
        return model, is_class

    def _fix(self, call: ast.Call, func: ast.Attribute, replacement: Replacement) -> Fix | None:
        allowed = replacement.keywords
        if allowed is None or len(call.args) != replacement.positional \
                or any(isinstance(argument, ast.Starred) for argument in call.args):
            return None
        if allowed is not ANY_KEYWORD and any(item.arg not in allowed for item in call.keywords):
            return None
        edits = [rename_edit(self.module, func, replacement.name)]
        if replacement.added:
            last = call.args[-1]
            _, _, line, column = node_span(self.module, last)
            edits.append(Edit(line, column, line, column, f", {replacement.added}"))
        return Fix(replacement.applicability, tuple(edits))

