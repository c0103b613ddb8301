"""FG301-FG306: messages, hints and the FG303/FG304 autofixes (applied, then parsed)."""

from __future__ import annotations

import ast
from pathlib import Path
from textwrap import dedent

from support import write_project

from fastapi_guard.engine import RunOptions, run
from fastapi_guard.findings import Finding
from fastapi_guard.fixes import apply_edits as apply


def findings(tmp_path: Path, files: dict[str, str], code: str) -> list[Finding]:
    root = write_project(tmp_path, {path: dedent(text).lstrip() for path, text in files.items()})
    result = run([root], RunOptions(select=(code,)))
    assert not [note for project in result.projects for note in project.notes if "internal error" in note]
    return sorted(result.findings, key=lambda finding: (finding.path, finding.line, finding.column))


def fixed(tmp_path: Path, source: str, code: str, path: str = "app/schemas.py") -> str:
    found = findings(tmp_path, {path: source}, code)
    edits = [edit for finding in found if finding.fix for edit in finding.fix.edits]
    result = apply(dedent(source).lstrip(), edits)
    ast.parse(result)
    return result


def test_fg301_messages(tmp_path: Path) -> None:
    found = findings(tmp_path, {"app/main.py": """
        from typing import Any

        from fastapi import FastAPI

        app = FastAPI()


        @app.get("/a")
        def a() -> dict[str, Any]:
            return {}


        @app.get("/b", response_model=dict)
        def b():
            return {}


        def c():
            return [1]


        app.add_api_route("/c", c)
    """}, "FG301")
    assert [(f.line, f.message) for f in found] == [
        (9, "endpoint `GET /a` has no response model: its return annotation `dict[str, Any]` describes no fields"),
        (14, "endpoint `GET /b` has no response model: `response_model=dict` describes no fields"),
        (18, "endpoint `GET /c` has no response model"),
    ]


def test_fg302_reports_the_annotation_or_the_parameter(tmp_path: Path) -> None:
    found = findings(tmp_path, {"app/main.py": """
        from fastapi import Body, FastAPI

        app = FastAPI()


        @app.post("/a")
        def a(payload: dict, other=Body(...)) -> None:
            return None
    """}, "FG302")
    assert [(f.line, f.column, f.message) for f in found] == [
        (7, 16, "request body `payload: dict` is not validated by a schema"),
        (7, 22, "request body `other` is not validated by a schema"),
    ]


CONFIG = """
    \"\"\"Schemas.\"\"\"
    from __future__ import annotations

    from pydantic import BaseModel, Extra
    from pydantic_settings import BaseSettings


    class ItemOut(BaseModel):
        id: int

        class Config:
            \"\"\"Read from ORM rows.\"\"\"
            orm_mode = True
            extra = Extra.forbid
            schema_extra = {
                "example": {"id": 1},
            }


    class Settings(BaseSettings):
        url: str = ""

        class Config:
            env_file = ".env"


    class Manual(BaseModel):
        class Config:
            allow_mutation = False

            @staticmethod
            def schema_extra(schema, model):
                schema["x"] = 1
"""


def test_fg303_fix_rewrites_config_classes(tmp_path: Path) -> None:
    found = findings(tmp_path, {"app/schemas.py": CONFIG}, "FG303")
    assert [(f.line, f.fix is not None) for f in found] == [(11, True), (23, True), (28, False)]
    assert found[0].message == (
        "`class Config` with `orm_mode` in Pydantic model `ItemOut`: Pydantic v2 uses `model_config = ConfigDict(...)`"
    )
    result = fixed(tmp_path / "fix", CONFIG, "FG303")
    assert "model_config = ConfigDict(from_attributes=True, extra='forbid', json_schema_extra={" in result
    assert "model_config = SettingsConfigDict(env_file=\".env\")" in result
    assert result.count("from pydantic import ConfigDict\n") == 1
    assert "from pydantic_settings import SettingsConfigDict\n" in result
    assert result.index("from __future__") < result.index("from pydantic import ConfigDict")
    assert "class Config:\n        allow_mutation = False" in result


def test_fg303_renames_orm_mode_keys(tmp_path: Path) -> None:
    source = """
        from pydantic import BaseModel, ConfigDict


        class A(BaseModel):
            model_config = ConfigDict(orm_mode=True)


        class B(BaseModel):
            model_config = {'orm_mode': True, "frozen": True}


        class C(BaseModel):
            model_config = ConfigDict(orm_mode=True, from_attributes=True)
    """
    found = findings(tmp_path, {"app/schemas.py": source}, "FG303")
    assert [(f.line, f.fix is not None) for f in found] == [(5, True), (9, True), (13, False)]
    result = fixed(tmp_path / "fix", source, "FG303")
    assert "ConfigDict(from_attributes=True)" in result
    assert "{'from_attributes': True, \"frozen\": True}" in result


METHODS = """
    from pydantic import BaseModel


    class Item(BaseModel):
        name: str


    def run(item: Item, row: object, raw: str) -> None:
        item.dict(exclude_unset=True)
        item.json(indent=2)
        item.copy(update={"name": "x"})
        item.copy(include={"name"})
        Item.parse_obj({"name": "a"})
        Item.parse_raw(raw)
        Item.from_orm(row)
        Item.update_forward_refs()
        Item.schema_json()
"""


def test_fg304_fix_renames_mechanical_calls(tmp_path: Path) -> None:
    found = findings(tmp_path, {"app/services.py": METHODS}, "FG304")
    assert [(f.line, f.fix.applicability if f.fix else None) for f in found] == [
        (9, "safe"), (10, "unsafe"), (11, "safe"), (12, None), (13, "safe"), (14, "safe"), (15, "safe"),
        (16, "safe"), (17, None),
    ]
    assert found[0].message == "Pydantic v1 `.dict()` on `Item`; use `.model_dump()`"
    result = fixed(tmp_path / "fix", METHODS, "FG304", "app/services.py")
    for expected in (
        "item.model_dump(exclude_unset=True)", "item.model_dump_json(indent=2)",
        'item.model_copy(update={"name": "x"})', "item.copy(include={\"name\"})",
        'Item.model_validate({"name": "a"})', "Item.model_validate_json(raw)",
        "Item.model_validate(row, from_attributes=True)", "Item.model_rebuild()", "Item.schema_json()",
    ):
        assert expected in result, expected


def test_fg304_validators_have_no_fix(tmp_path: Path) -> None:
    found = findings(tmp_path, {"app/schemas.py": """
        from pydantic import BaseModel, root_validator, validator


        class Item(BaseModel):
            name: str

            @validator("name")
            def strip(cls, value):
                return value.strip()

            @root_validator
            def check(cls, values):
                return values
    """}, "FG304")
    assert [(f.line, f.fix) for f in found] == [(7, None), (11, None)]
    assert found[1].message == "Pydantic v1 `@root_validator` on `Item`; use `@model_validator(mode=...)`"


ROLES = {
    "app/main.py": """
        from fastapi import FastAPI

        from app.schemas import UserCreate, UserOut

        app = FastAPI()


        @app.post("/users", response_model=UserOut)
        def create_user(data: UserCreate) -> UserOut:
            return UserOut(email=data.email, password_hash="")
    """,
    "app/schemas.py": """
        from pydantic import BaseModel


        class UserBase(BaseModel):
            email: str
            password_hash: str


        class UserCreate(UserBase):
            pass


        class UserOut(UserBase):
            pass
    """,
}


def test_fg305_and_fg306_report_base_fields_once_with_the_reason(tmp_path: Path) -> None:
    fg305 = findings(tmp_path / "a", ROLES, "FG305")
    assert [(f.line, f.message) for f in fg305] == [
        (5, "string field `UserBase.email` of request schema `UserCreate` has no `max_length` "
            "(`data` of `POST /users`)"),
        (6, "string field `UserBase.password_hash` of request schema `UserCreate` has no `max_length` "
            "(`data` of `POST /users`)"),
    ]
    fg306 = findings(tmp_path / "b", ROLES, "FG306")
    assert [(f.line, f.message) for f in fg306] == [
        (6, "response schema `UserOut` exposes `UserBase.password_hash` (the response of `POST /users`)"),
    ]
