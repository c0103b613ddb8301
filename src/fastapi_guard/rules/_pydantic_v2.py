"""Edits that move Pydantic v1 idioms to v2: the fixes of FG303 and FG304.

Every fix is a set of text edits in character columns (1-based, as findings).
An import a fix needs is added on its own line before the module's first
statement (after the docstring and ``__future__`` imports); several fixes in
one file add the very same edit, so that a fixer applying them together can
keep one copy.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from fastapi_guard.findings import Edit, Fix
from fastapi_guard.project.pydantic import SchemaClass
from fastapi_guard.project.schema_roles import model_config_value
from fastapi_guard.project.symbols import ModuleInfo
from fastapi_guard.rule import node_span

# v1 ``Config`` keys and their v2 ``ConfigDict`` names.
CONFIG_RENAMES = {
    "orm_mode": "from_attributes",
    "allow_population_by_field_name": "populate_by_name",
    "anystr_lower": "str_to_lower",
    "anystr_upper": "str_to_upper",
    "anystr_strip_whitespace": "str_strip_whitespace",
    "min_anystr_length": "str_min_length",
    "max_anystr_length": "str_max_length",
    "validate_all": "validate_default",
    "schema_extra": "json_schema_extra",
    "keep_untouched": "ignored_types",
}
# Keys that keep their name and meaning in v2 (``ConfigDict`` and ``SettingsConfigDict``).
V2_CONFIG_KEYS = frozenset({
    "title", "str_to_lower", "str_to_upper", "str_strip_whitespace", "str_min_length", "str_max_length",
    "extra", "frozen", "populate_by_name", "use_enum_values", "validate_assignment", "arbitrary_types_allowed",
    "from_attributes", "loc_by_alias", "alias_generator", "ignored_types", "allow_inf_nan", "json_schema_extra",
    "json_encoders", "strict", "revalidate_instances", "ser_json_timedelta", "ser_json_bytes", "validate_default",
    "validate_return", "protected_namespaces", "hide_input_in_errors", "defer_build", "coerce_numbers_to_str",
    "regex_engine", "use_attribute_docstrings", "cache_strings",
})
SETTINGS_CONFIG_KEYS = frozenset({
    "case_sensitive", "env_prefix", "env_file", "env_file_encoding", "env_ignore_empty", "env_nested_delimiter",
    "env_parse_none_str", "env_parse_enums", "secrets_dir",
})
EXTRA_ENUMS = ("pydantic.Extra.", "pydantic.config.Extra.", "pydantic.enums.Extra.")

QualnameOf = Callable[[ast.expr], str]


def source_of(module: ModuleInfo, node: ast.AST) -> str | None:
    return ast.get_source_segment("\n".join(module.lines), node)


def import_edit(module: ModuleInfo, name: str, source: str, qualname_of: QualnameOf) -> Edit | None:
    """``from <source> import <name>`` unless the module already binds ``name`` to it."""
    if qualname_of(ast.Name(id=name, ctx=ast.Load())) == f"{source}.{name}":
        return None
    body = module.tree.body
    index = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        index = 1
    while index < len(body) and isinstance(body[index], ast.ImportFrom) and body[index].module == "__future__":
        index += 1
    if index >= len(body):
        return None
    line = body[index].lineno
    return Edit(line, 1, line, 1, f"from {source} import {name}\n")


def rename_edit(module: ModuleInfo, attribute: ast.Attribute, new: str) -> Edit:
    """Replace the attribute name at the end of ``x.attr``."""
    _, _, end_line, end_column = node_span(module, attribute)
    return Edit(end_line, end_column - len(attribute.attr), end_line, end_column, new)


def _config_items(config: ast.ClassDef, module: ModuleInfo, settings: bool,
                  qualname_of: QualnameOf) -> list[str] | None:
    """``key=value`` texts for the ``ConfigDict`` call, or None when a statement has no mechanical v2 form."""
    allowed = V2_CONFIG_KEYS | (SETTINGS_CONFIG_KEYS if settings else frozenset())
    items: list[str] = []
    for statement in config.body:
        if isinstance(statement, ast.Pass) or (
            isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
        ):
            continue
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            return None
        if not isinstance(target, ast.Name):
            return None
        key = CONFIG_RENAMES.get(target.id, target.id)
        text = source_of(module, value)
        if key not in allowed or text is None:
            return None
        if key == "extra" and not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            qualname = qualname_of(value)
            if not qualname.startswith(EXTRA_ENUMS):
                return None
            text = repr(qualname.rsplit(".", 1)[-1])
        items.append(f"{key}={text}")
    return items


def config_class_fix(module: ModuleInfo, schema: SchemaClass, config: ast.ClassDef,
                     qualname_of: QualnameOf) -> Fix | None:
    """``class Config: orm_mode = True`` -> ``model_config = ConfigDict(from_attributes=True)``."""
    if config.decorator_list or config.bases or any(
        model_config_value(statement) is not None for statement in schema.node.body
    ):
        return None
    items = _config_items(config, module, schema.is_settings, qualname_of)
    if items is None:
        return None
    factory, source = ("SettingsConfigDict", "pydantic_settings") if schema.is_settings else ("ConfigDict", "pydantic")
    line, column, end_line, end_column = node_span(module, config)
    edits = [Edit(line, column, end_line, end_column, f"model_config = {factory}({', '.join(items)})")]
    imported = import_edit(module, factory, source, qualname_of)
    if imported is not None:
        edits.insert(0, imported)
    return Fix("safe", tuple(edits))
