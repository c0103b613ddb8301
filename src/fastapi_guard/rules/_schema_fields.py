"""A base for rules that judge the fields of the schemas with one role (request or response).

The index gives each field once, at the class that declares it, with the first
schema that reaches it and why that schema has the role; a rule only says
whether one field is a problem. Its message may use ``{schema}``, ``{field}``
(``Owner.name``) and ``{why}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from fastapi_guard.findings import Finding
from fastapi_guard.project import Project
from fastapi_guard.project.pydantic import SchemaClass
from fastapi_guard.project.schema_roles import Role, SchemaField
from fastapi_guard.rule import ProjectRule, node_span


class SchemaFieldRule(ProjectRule):
    role: ClassVar[Role]

    def check(self, project: Project) -> Iterator[Finding]:
        for schema, field, why in project.schemas.roles.fields(self.role):
            if self.flags(project, schema, field):
                module = field.owner.module
                span = node_span(module, field.node)
                yield self.finding(module.path, span, schema=schema.name, field=field.label, why=why)

    def flags(self, project: Project, schema: SchemaClass, field: SchemaField) -> bool:
        raise NotImplementedError
