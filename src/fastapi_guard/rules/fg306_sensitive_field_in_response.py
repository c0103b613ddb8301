"""A response schema with a password, secret or key field.

## What it does
Reports a field of a response schema whose name says it holds a credential:
`password`, `secret`, `api_key`, `private_key`, or a name ending in
`_password`, `_secret` or `_hash` (`hashed_password`, `client_secret`,
`token_hash`). Names are compared in snake case (`apiKey` is `api_key`), and
an `alias=` / `serialization_alias=` counts as a name. A `_hash` field is
reported when its stem names a credential (`password_hash`, `token_hash`,
`api_key_hash`), not a content digest (`file_hash`, `commit_hash`).

A response schema is a Pydantic model an endpoint returns
(`response_model=`, the return annotation, `responses={...: {"model": ...}}`,
through `list[...]`, `Optional[...]`, `Page[...]`, and nested in another
response schema's fields) or one named `*Response`, `*Out` or `*Public`.
Fields inherited from a base class are reported once, at their declaration.

Not reported: request schemas; fields excluded from serialization
(`Field(exclude=True)`) or given a `@field_serializer`; `SecretStr` /
`SecretBytes` fields (serialized masked); flags and counters
(`has_password: bool`); `access_token` / `refresh_token` in a token response
(issuing them is that response's job); test modules.

## Why is this bad?
Whatever a response schema declares is sent to every client that calls the
endpoint. A password hash in a user response can be cracked offline, a
client secret or API key in a listing hands out credentials to anyone who can
read it, and both end up in browser caches, logs and support screenshots.

## Example
```python
# file: app/routes/users/schemas.py
from pydantic import BaseModel


class UserBase(BaseModel):
    email: str
    hashed_password: str  # [FG306]


class UserResponse(UserBase):
    id: int
```

## Use instead
```python
# file: app/routes/users/schemas.py
from pydantic import BaseModel, Field, SecretStr


class UserBase(BaseModel):
    email: str


class UserCreate(UserBase):
    password: str = Field(..., min_length=8, max_length=128)


class UserResponse(UserBase):
    id: int
    has_password: bool


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"


class IntegrationResponse(BaseModel):
    webhook_secret: SecretStr
```

## Related rules
- FG301 route-missing-response-model: without a response model, every column
  of the returned object is sent.
"""

from __future__ import annotations

import ast
import re

from fastapi_guard.project import Project
from fastapi_guard.project.pydantic import SchemaClass
from fastapi_guard.project.schema_roles import SchemaField
from fastapi_guard.project.typeexpr import is_given
from fastapi_guard.rules._schema_fields import SchemaFieldRule

EXACT = frozenset({"password", "secret", "api_key", "private_key"})
SUFFIXES = ("_password", "_secret")
CREDENTIAL_WORDS = frozenset({
    "password", "passwd", "pwd", "secret", "token", "key", "pin", "otp", "credential", "credentials",
    "session", "recovery", "auth", "api",
})
MASKED = frozenset({"pydantic.SecretStr", "pydantic.types.SecretStr", "pydantic.SecretBytes",
                    "pydantic.types.SecretBytes"})
NOT_SECRETS = frozenset({
    "builtins.bool", "builtins.int", "builtins.float", "datetime.datetime", "datetime.date", "datetime.time",
    "datetime.timedelta",
})
FIELD_CALLS = frozenset({"pydantic.Field", "pydantic.fields.Field", "sqlmodel.Field", "sqlmodel.main.Field"})
SERIALIZERS = frozenset({"pydantic.field_serializer", "pydantic.functional_serializers.field_serializer"})
CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake(name: str) -> str:
    return CAMEL.sub(r"_\1", name).lower()


def is_sensitive(name: str) -> bool:
    name = snake(name)
    if name in EXACT or name.endswith(SUFFIXES):
        return True
    if name.endswith("_hash"):
        return bool(CREDENTIAL_WORDS & set(name[: -len("_hash")].split("_")))
    return False


class SensitiveFieldInResponse(SchemaFieldRule):
    code = "FG306"
    name = "sensitive-field-in-response"
    message = "response schema `{schema}` exposes `{field}` ({why})"
    hint = "remove the field from the response schema (keep it on the database model), or `Field(exclude=True)`"
    role = "response"

    def flags(self, project: Project, schema: SchemaClass, field: SchemaField) -> bool:
        types = project.schemas.types
        module = field.owner.module
        leaves = [leaf for leaf in types.leaves(module, field.annotation) if not leaf.is_none]
        calls = [extra for leaf in leaves for extra in leaf.extras]
        if isinstance(field.default, ast.Call):
            calls.append(field.default)
        fields = [
            call for call in calls if isinstance(call, ast.Call) and types.qualname(module, call.func) in FIELD_CALLS
        ]
        names = [field.name, *(
            item.value.value for call in fields for item in call.keywords
            if item.arg in ("alias", "serialization_alias") and isinstance(item.value, ast.Constant)
            and isinstance(item.value.value, str)
        )]
        if not any(is_sensitive(name) for name in names):
            return False
        if any(item.arg == "exclude" and is_given(item.value) and not (
            isinstance(item.value, ast.Constant) and item.value.value is False
        ) for call in fields for item in call.keywords):
            return False
        if leaves and all(self._not_a_secret(project, leaf.qualname) for leaf in leaves):
            return False
        return not any(project.schemas.field_methods(schema, field.name, SERIALIZERS))

    @staticmethod
    def _not_a_secret(project: Project, qualname: str) -> bool:
        """Masked secrets, flags, numbers, dates, nested schemas and enums hold no credential text."""
        if qualname in MASKED or qualname in NOT_SECRETS or project.schemas.get(qualname) is not None:
            return True
        return any(base.startswith("enum.") for base in project.errors.info(qualname).ancestors)
