"""Pydantic v1 model configuration (`class Config`, `orm_mode`).

## What it does
Reports, in a Pydantic model (a class the index resolves to a
`pydantic.BaseModel`, `BaseSettings` or non-table `SQLModel` subclass, across
files and aliases, never a class merely named like one):

- a nested `class Config:`, at its `class` line;
- the v1 key `orm_mode` in a v2 `model_config` (`ConfigDict(orm_mode=True)`
  or a `{"orm_mode": True}` dict), at the key.

A `class Config` nested in any other class (a settings object, a plain
class) is not reported, nor are models of the `pydantic.v1` compatibility
layer, where v1 configuration is deliberate.

## Why is this bad?
Pydantic v2 reads configuration from `model_config`; `class Config` is a
deprecated v1 shim that emits warnings and will be removed, and several of
its keys were renamed in v2 (`orm_mode` is `from_attributes`,
`allow_population_by_field_name` is `populate_by_name`,
`schema_extra` is `json_schema_extra`). In `model_config` a v1 key is not
translated at all: `ConfigDict(orm_mode=True)` silently leaves
`from_attributes` off, and `model_validate(orm_object)` then fails at run
time.

## Example
```python
# file: app/routes/items/schemas.py
from pydantic import BaseModel, ConfigDict


class ItemResponse(BaseModel):
    id: int
    name: str

    class Config:  # [FG303]
        orm_mode = True


class TagResponse(BaseModel):
    model_config = ConfigDict(orm_mode=True)  # [FG303]

    id: int
```

## Use instead
```python
# file: app/routes/items/schemas.py
from pydantic import BaseModel, ConfigDict


class ItemResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


class Settings:
    class Config:
        env_file = ".env"
```

## Fix
The autofix replaces a `class Config` whose body only assigns keys with a
known v2 form by `model_config = ConfigDict(...)` (`SettingsConfigDict` from
`pydantic_settings` for settings classes), renaming v1 keys (`orm_mode` ->
`from_attributes`, ...) and `Extra.forbid` to `"forbid"`, and adds the
import; it renames `orm_mode` to `from_attributes` in a `model_config`.
Config classes with methods or keys that changed meaning (`allow_mutation`,
`fields`, `underscore_attrs_are_private`) are left for a manual edit.

## Related rules
- FG304 pydantic-v1-api: v1 validators and methods.
"""

from __future__ import annotations

import ast

from fastapi_guard.findings import Edit, Fix
from fastapi_guard.project.pydantic import SchemaClass
from fastapi_guard.project.schema_roles import model_config_value
from fastapi_guard.rule import FileRule, def_line_span, node_span
from fastapi_guard.rules._pydantic_v2 import config_class_fix

ORM_MODE = "orm_mode"
FROM_ATTRIBUTES = "from_attributes"


class PydanticV1Config(FileRule):
    code = "FG303"
    name = "pydantic-v1-config"
    message = "{what} in Pydantic model `{model}`: Pydantic v2 uses {instead}"
    hint = "replace `class Config` by `model_config = ConfigDict(...)` (`orm_mode` is `from_attributes` in v2)"
    fixable = True

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        schemas = self.project.schemas
        model = schemas.for_node(node)
        if model is None or schemas.is_v1(model):
            return
        for statement in node.body:
            if isinstance(statement, ast.ClassDef) and statement.name == "Config":
                self._config_class(model, statement)
            value = model_config_value(statement)
            if value is not None:
                self._orm_mode(model, value)

    def _qualname(self, expr: ast.expr) -> str:
        return self.project.schemas.types.qualname(self.module, expr)

    def _config_class(self, model: SchemaClass, config: ast.ClassDef) -> None:
        keys = {target.id for statement in config.body if isinstance(statement, ast.Assign)
                for target in statement.targets if isinstance(target, ast.Name)}
        what = "`class Config` with `orm_mode`" if ORM_MODE in keys else "`class Config`"
        fix = config_class_fix(self.module, model, config, self._qualname)
        self.report_span(def_line_span(self.module, config), fix=fix, what=what, model=model.name,
                         instead="`model_config = ConfigDict(...)`")

    def _orm_mode(self, model: SchemaClass, value: ast.expr) -> None:
        """``orm_mode`` passed to ``ConfigDict(...)`` or written in a ``model_config`` dict."""
        if isinstance(value, ast.Call):
            names = {item.arg for item in value.keywords}
            for item in value.keywords:
                if item.arg == ORM_MODE:
                    line, column, _, _ = node_span(self.module, item)
                    edit = Edit(line, column, line, column + len(ORM_MODE), FROM_ATTRIBUTES)
                    self._report_key(item, model, None if FROM_ATTRIBUTES in names else edit)
        elif isinstance(value, ast.Dict):
            keys = [key.value for key in value.keys if isinstance(key, ast.Constant)]
            for key in value.keys:
                if isinstance(key, ast.Constant) and key.value == ORM_MODE:
                    line, column, end_line, end_column = node_span(self.module, key)
                    quote = self.module.lines[line - 1][column - 1]
                    edit = Edit(line, column, end_line, end_column, f"{quote}{FROM_ATTRIBUTES}{quote}")
                    self._report_key(key, model, None if FROM_ATTRIBUTES in keys else edit)

    def _report_key(self, node: ast.AST, model: SchemaClass, edit: Edit | None) -> None:
        fix = Fix("safe", (edit,)) if edit is not None else None
        self.report(node, fix=fix, what="`orm_mode`", model=model.name, instead="`from_attributes`")
