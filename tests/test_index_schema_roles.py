"""The Pydantic facet beyond classes: type expressions, endpoint contracts, value types, fields, schema roles."""

from __future__ import annotations

import ast
from pathlib import Path
from textwrap import dedent

import pytest
from support import build_project, write_project

from fastapi_guard.project import Project
from fastapi_guard.project.localwrites import WriteIndex
from fastapi_guard.project.schema_roles import suffix_role
from fastapi_guard.project.symbols import FunctionNode
from fastapi_guard.project.typeexpr import all_open

ACCESS = """
from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

oauth2 = OAuth2PasswordBearer(tokenUrl="/token")


def get_current_user(token: str = Depends(oauth2)):
    return token
"""

DEPS = """
from typing import Annotated

from fastapi import Depends

from app.access import get_current_user
from app.schemas import UserOut

CurrentUser = Annotated[UserOut, Depends(get_current_user)]
"""

SCHEMAS = """
from typing import Generic, Optional, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.v1 import BaseModel as V1Model

T = TypeVar("T")


class ItemBase(BaseModel):
    name: str
    note: str = ""


class Address(BaseModel):
    street: str


class Tag(BaseModel):
    label: str


class ItemChanges(ItemBase):
    model_config = ConfigDict(str_max_length=100)

    name: str = Field(..., max_length=20)
    address: Optional[Address] = None
    tags: list["Tag"] = []


class ItemResponse(ItemBase):
    id: int

    class Meta(BaseModel):
        source: str

    meta: Meta


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int


class Filters(BaseModel):
    q: str = ""


class UploadMeta(BaseModel):
    title: str


class ErrorOut(BaseModel):
    detail: str


class UserOut(BaseModel):
    email: str


class LegacyIn(BaseModel):
    raw: str


class Internal(BaseModel):
    secret: str


class ReturnedOnly(BaseModel):
    x: int


class Legacy(V1Model):
    name: str

    class Config:
        orm_mode = True
"""

ROUTER = """
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Body, Depends, Form, Query, Request, UploadFile

from app.deps import CurrentUser
from app.schemas import ErrorOut, Filters, ItemChanges, ItemResponse, Page, ReturnedOnly, UploadMeta

router = APIRouter(prefix="/items")


@router.put("/{item_id}", response_model=ItemResponse, responses={404: {"model": ErrorOut}})
def replace_item(
    item_id: int,
    data: ItemChanges,
    user: CurrentUser,
    request: Request,
    tasks: BackgroundTasks,
    verbose: bool = False,
    anything: Any = None,
    tags: list[str] = Query([]),
    extra: dict = Body(...),
    labels: list[str] = [],
) -> ReturnedOnly:
    return ReturnedOnly(x=1)


@router.get("")
def list_items(filters: Filters = Depends()) -> Page[ItemResponse]:
    return Page(items=[], total=0)


@router.post("/upload")
def upload(meta: Annotated[UploadMeta, Form()], file: UploadFile) -> None:
    return None
"""


def build(tmp_path: Path, files: dict[str, str]) -> Project:
    return build_project(write_project(tmp_path, {path: dedent(text) for path, text in files.items()}))


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return build(tmp_path, {
        "app/__init__.py": "", "app/access.py": ACCESS, "app/deps.py": DEPS, "app/schemas.py": SCHEMAS,
        "app/router.py": ROUTER,
        "app/main.py": "from fastapi import FastAPI\nfrom app.router import router\napp = FastAPI()\n"
                       "app.include_router(router)\n",
        "tests/test_items.py": "from pydantic import BaseModel\nclass ThingIn(BaseModel):\n    x: str\n",
    })


def function(project: Project, module: str, name: str) -> FunctionNode:
    for node in ast.walk(project.modules[module].tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node
    raise AssertionError(name)


def contract(project: Project, name: str):
    endpoint = next(item for item in project.fastapi.endpoints if item.name == name)
    return project.schemas.contracts.of(endpoint)


def test_parameter_sources_follow_fastapi(project: Project) -> None:
    sources = {parameter.name: parameter.source for parameter in contract(project, "replace_item").parameters}
    assert sources == {
        "item_id": "path", "data": "body", "user": "dependency", "request": "injected", "tasks": "injected",
        "verbose": "query", "anything": "query", "tags": "query", "extra": "body", "labels": "body",
    }
    assert {p.name: p.source for p in contract(project, "list_items").parameters} == {"filters": "model"}
    assert {p.name: p.source for p in contract(project, "upload").parameters} == {"meta": "form", "file": "file"}


def test_response_types_prefer_response_model_and_add_documented_models(project: Project) -> None:
    declared = [ast.unparse(expr) for expr in contract(project, "replace_item").response_types()]
    assert declared == ["ItemResponse", "ErrorOut"]
    assert [ast.unparse(expr) for expr in contract(project, "list_items").response_types()] == ["Page[ItemResponse]"]


def test_roles_from_signatures_nesting_and_names(project: Project) -> None:
    roles = project.schemas.roles
    short = {name.rsplit(".", 1)[-1] for name in roles.request}
    assert short == {"ItemChanges", "Address", "Tag", "UploadMeta", "LegacyIn"}  # not the query model
    short = {name.rsplit(".", 1)[-1] for name in roles.response}
    assert short == {"ItemResponse", "Meta", "ErrorOut", "Page", "UserOut"}
    changes = project.schemas.schemas["app.schemas.ItemChanges"]
    assert roles.role_reason(changes, "request") == "`data` of `PUT /items/{item_id}`"
    tag = project.schemas.schemas["app.schemas.Tag"]
    assert roles.role_reason(tag, "request") == "nested in `ItemChanges.tags`"
    user = project.schemas.schemas["app.schemas.UserOut"]
    # Typed ``Depends`` results are not read from the request; the name makes it a response.
    assert roles.role_reason(user, "request") is None
    assert roles.role_reason(user, "response") == "named `*Out`"
    assert "app.schemas.ReturnedOnly" not in roles.response  # response_model wins over the annotation
    assert not any("ThingIn" in name for name in roles.request)  # test modules are left out


def test_fields_are_inherited_and_overridden(project: Project) -> None:
    schemas = project.schemas
    changes = schemas.schemas["app.schemas.ItemChanges"]
    fields = {field.name: field.owner.name for field in schemas.fields(changes)}
    assert fields == {"name": "ItemChanges", "address": "ItemChanges", "tags": "ItemChanges", "note": "ItemBase"}
    assert "model_config" not in fields
    assert [entry.name for entry in schemas.lineage(changes)] == ["ItemChanges", "ItemBase"]
    assert ast.unparse(schemas.config_value(changes, "str_max_length")) == "100"
    assert schemas.config_value(schemas.schemas["app.schemas.ItemResponse"], "str_max_length") is None


def test_role_fields_report_each_declaration_once(project: Project) -> None:
    seen = [(schema.name, field.label, why) for schema, field, why in project.schemas.roles.fields("response")]
    assert ("ItemResponse", "ItemBase.name", "the response of `PUT /items/{item_id}`") in seen
    assert len(seen) == len({label for _, label, _ in seen})


def test_v1_models_and_nodes(project: Project) -> None:
    schemas = project.schemas
    legacy = schemas.schemas["app.schemas.Legacy"]
    assert schemas.is_v1(legacy) and not schemas.is_v1(schemas.schemas["app.schemas.ItemBase"])
    assert schemas.for_node(legacy.node) is legacy
    config = next(node for node in legacy.node.body if isinstance(node, ast.ClassDef))
    assert schemas.for_node(config) is None


@pytest.mark.parametrize("annotation, expected, is_open", [
    ("Optional[list[Item]]", ["app.m.Item", "None"], False),
    ("dict[str, Any]", ["typing.Any"], True),
    ("dict", ["builtins.dict"], True),
    ("list[dict]", ["builtins.dict"], True),
    ("dict[str, int]", ["builtins.int"], False),
    ("JSON", ["typing.Any"], True),
    ("'Item | None'", ["app.m.Item", "None"], False),
    ("Annotated[str, Field(max_length=3)]", ["builtins.str"], False),
    ("Page[Item]", ["app.m.Page", "app.m.Item"], False),
    ("Bound", ["fastapi.Response"], False),
    ("UserId", ["builtins.int"], False),
    ("None", ["None"], False),
])
def test_type_leaves(tmp_path: Path, annotation: str, expected: list[str], is_open: bool) -> None:
    source = (
        "from typing import Annotated, Any, NewType, Optional, TypeVar\n"
        "from fastapi import Response\nfrom pydantic import BaseModel, Field\n"
        "JSON = dict[str, Any]\nBound = TypeVar('Bound', bound=Response)\nUserId = NewType('UserId', int)\n"
        "class Item(BaseModel):\n    pass\nclass Page(BaseModel):\n    pass\n"
        f"def f(x: {annotation}):\n    pass\n"
    )
    project = build(tmp_path, {"app/__init__.py": "", "app/m.py": source})
    module = project.modules["app.m"]
    leaves = project.schemas.types.leaves(module, function(project, "app.m", "f").args.args[0].annotation)
    assert [leaf.qualname for leaf in leaves] == expected
    assert all_open(leaves) is is_open


def test_annotated_metadata_stays_on_the_leaf(tmp_path: Path) -> None:
    source = (
        "from typing import Annotated\nfrom pydantic import Field\n"
        "def f(x: Annotated[str, Field(max_length=3)]):\n    pass\n"
    )
    project = build(tmp_path, {"app/__init__.py": "", "app/m.py": source})
    annotation = function(project, "app.m", "f").args.args[0].annotation
    (leaf,) = project.schemas.types.leaves(project.modules["app.m"], annotation, containers=False)
    assert [ast.unparse(extra) for extra in leaf.extras] == ["Field(max_length=3)"]


VALUES = """
from pydantic import BaseModel


class Item(BaseModel):
    name: str


def make() -> Item:
    return Item(name="x")


DEFAULT = Item(name="default")


def use(param: Item, other):
    built = Item(name="a")
    validated = Item.model_validate({"name": "b"})
    copied = built.model_copy()
    made = make()
    rebound = Item(name="c")
    rebound = {"name": "c"}
    return param, built, validated, copied, made, rebound, other, DEFAULT
"""


def test_instance_classes(tmp_path: Path) -> None:
    project = build(tmp_path, {"app/__init__.py": "", "app/m.py": VALUES})
    module = project.modules["app.m"]
    use = function(project, "app.m", "use")
    returned = use.body[-1].value
    assert isinstance(returned, ast.Tuple)
    writes = WriteIndex()
    found = [project.schemas.values.instance_of(module, name, (use,), writes) for name in returned.elts]
    assert [ref.qualname if ref else None for ref in found] == [
        "app.m.Item", "app.m.Item", "app.m.Item", "app.m.Item", "app.m.Item", None, None, "app.m.Item",
    ]


def test_suffix_roles() -> None:
    assert suffix_role("ItemCreate") == suffix_role("ItemIn") == suffix_role("LoginRequest") == "request"
    assert suffix_role("ItemOut") == suffix_role("UserPublic") == suffix_role("ItemCreateResponse") == "response"
    assert suffix_role("Login") is suffix_role("Checkout") is suffix_role("Create") is None


def test_body_kind(tmp_path: Path) -> None:
    source = dedent("""
        from fastapi import APIRouter
        from fastapi.responses import JSONResponse, RedirectResponse

        router = APIRouter()


        def redirect_helper():
            return RedirectResponse("/")


        @router.get("/a")
        def data():
            return {"a": 1}


        @router.get("/b")
        def responses(flag: bool):
            if flag:
                return JSONResponse({})
            return redirect_helper()


        @router.get("/c")
        def nothing():
            return None


        @router.get("/d")
        def opaque(client):
            return client.fetch()


        @router.get("/e")
        def mixed(flag: bool):
            if flag:
                return JSONResponse({})
            return [1, 2]
    """)
    project = build(tmp_path, {"app/__init__.py": "", "app/r.py": source})
    kinds = {name: contract(project, name).body_kind() for name in ("data", "responses", "nothing", "opaque", "mixed")}
    assert kinds == {"data": "data", "responses": "response", "nothing": "none", "opaque": "opaque", "mixed": "data"}
