"""The Pydantic facet: which classes are Pydantic models, settings or SQLModel tables."""

from __future__ import annotations

from pathlib import Path

from support import build_project, write_project

from fastapi_guard.project import Project

FILES = {
    "app/__init__.py": "",
    "app/core/__init__.py": "from .base import AppModel\n",
    "app/core/base.py": (
        "from pydantic import BaseModel\n"
        "class AppModel(BaseModel):\n"
        "    pass\n"
    ),
    "app/core/compat.py": "import pydantic as pd\nBase = pd.BaseModel\nAlias = Base\n",
    "app/schemas.py": (
        "from typing import Generic, TypeVar\n"
        "from pydantic import RootModel\n"
        "from pydantic.main import BaseModel as MainModel\n"
        "from pydantic.generics import GenericModel\n"
        "from pydantic.v1 import BaseModel as V1Model\n"
        "from app.core import AppModel\n"
        "from app.core.compat import Alias\n"
        "T = TypeVar('T')\n"
        "class Direct(MainModel):\n"
        "    pass\n"
        "class ViaReexport(AppModel):\n"
        "    pass\n"
        "class ViaAlias(Alias):\n"
        "    pass\n"
        "class Grandchild(ViaReexport):\n"
        "    pass\n"
        "class Root(RootModel[list[int]]):\n"
        "    pass\n"
        "class Page(GenericModel, Generic[T]):\n"
        "    pass\n"
        "class ItemPage(Page[Direct]):\n"
        "    pass\n"
        "class Legacy(V1Model):\n"
        "    pass\n"
        "class Outer(AppModel):\n"
        "    class Inner(AppModel):\n"
        "        pass\n"
        "    class Sibling(Inner):\n"
        "        pass\n"
        "def factory():\n"
        "    class Local(AppModel):\n"
        "        pass\n"
        "    return Local\n"
    ),
    "app/settings.py": (
        "from pydantic import BaseSettings as V1Settings\n"
        "from pydantic_settings import BaseSettings\n"
        "class Settings(BaseSettings):\n"
        "    pass\n"
        "class DbSettings(Settings):\n"
        "    pass\n"
        "class OldSettings(V1Settings):\n"
        "    pass\n"
    ),
    "app/tables.py": (
        "from sqlmodel import SQLModel\n"
        "flag = True\n"
        "class HeroBase(SQLModel):\n"
        "    pass\n"
        "class Hero(HeroBase, table=True):\n"
        "    pass\n"
        "class HeroChild(Hero):\n"
        "    pass\n"
        "class HeroPublic(HeroBase):\n"
        "    pass\n"
        "class NotTable(SQLModel, table=False):\n"
        "    pass\n"
        "class Unknown(SQLModel, table=flag):\n"
        "    pass\n"
    ),
    "app/other.py": (
        "from dataclasses import dataclass\n"
        "from odmantic import Model\n"
        "class BaseModel:\n"
        "    pass\n"
        "class Own(BaseModel):\n"
        "    pass\n"
        "class Document(Model):\n"
        "    pass\n"
        "@dataclass\n"
        "class Event:\n"
        "    pass\n"
        "class Loop(Loop2):\n"
        "    pass\n"
        "class Loop2(Loop):\n"
        "    pass\n"
    ),
}


def build(tmp_path: Path) -> Project:
    return build_project(write_project(tmp_path, FILES))


def test_models_are_found_through_imports_aliases_and_subclasses(tmp_path: Path) -> None:
    schemas = build(tmp_path).schemas
    for name in (
        "app.core.base.AppModel", "app.schemas.Direct", "app.schemas.ViaReexport", "app.schemas.ViaAlias",
        "app.schemas.Grandchild", "app.schemas.Root", "app.schemas.Page", "app.schemas.ItemPage",
        "app.schemas.Legacy", "app.schemas.Outer", "app.schemas.Outer.Inner", "app.schemas.Outer.Sibling",
    ):
        assert name in schemas.schemas, name
        assert schemas.is_pydantic_model(name)


def test_bases_record_why_a_class_is_a_model(tmp_path: Path) -> None:
    schemas = build(tmp_path).schemas
    assert schemas.classes["app.schemas.Direct"].bases == ("pydantic.BaseModel",)
    assert schemas.classes["app.schemas.ViaReexport"].bases == ("app.core.base.AppModel",)
    assert schemas.classes["app.schemas.ViaAlias"].bases == ("pydantic.BaseModel",)
    assert schemas.classes["app.schemas.Page"].bases == ("pydantic.generics.GenericModel",)


def test_function_local_classes_are_not_indexed(tmp_path: Path) -> None:
    schemas = build(tmp_path).schemas
    assert not any(name.endswith("Local") for name in schemas.classes)


def test_settings_are_flagged_not_schemas(tmp_path: Path) -> None:
    schemas = build(tmp_path).schemas
    for name in ("app.settings.Settings", "app.settings.DbSettings", "app.settings.OldSettings"):
        assert schemas.classes[name].is_settings
        assert schemas.is_pydantic_model(name)
        assert name not in schemas.schemas


def test_sqlmodel_tables_are_database_models(tmp_path: Path) -> None:
    schemas = build(tmp_path).schemas
    assert not schemas.is_pydantic_model("app.tables.Hero")
    assert not schemas.is_pydantic_model("app.tables.HeroChild")
    assert not schemas.is_pydantic_model("app.tables.Unknown")
    assert schemas.classes["app.tables.HeroPublic"].is_sqlmodel
    assert "app.tables.NotTable" in schemas.schemas
    assert schemas.table_bases == frozenset({"app.tables.HeroBase"})


def test_lookalikes_are_not_models(tmp_path: Path) -> None:
    schemas = build(tmp_path).schemas
    for name in ("app.other.BaseModel", "app.other.Own", "app.other.Document", "app.other.Event",
                 "app.other.Loop", "app.other.Loop2"):
        assert not schemas.is_pydantic_model(name), name


def test_get_follows_reexports(tmp_path: Path) -> None:
    schemas = build(tmp_path).schemas
    entry = schemas.get("app.core.AppModel")
    assert entry is not None and entry.qualname == "app.core.base.AppModel"
    assert entry.name == "AppModel" and entry.module.name == "app.core.base"


REACH = {
    "app/__init__.py": "",
    "app/models.py": (
        "from pydantic import BaseModel\n"
        "class Base(BaseModel):\n"
        "    pass\n"
        "class Tag(BaseModel):\n"
        "    pass\n"
        "class Meta(BaseModel):\n"
        "    pass\n"
        "class Item(Base):\n"
        "    tags: list[Tag]\n"
        "    class Meta(BaseModel):\n"
        "        pass\n"
        "    meta: Meta\n"
        "class Page(BaseModel):\n"
        "    pass\n"
        "class Internal(BaseModel):\n"
        "    pass\n"
    ),
    "app/api.py": (
        "from app import models\n"
        "from app.models import Item\n"
        "def handler():\n"
        "    return models.Page()\n"
    ),
}


def test_reachable_from_follows_imports_attributes_bases_fields_and_nesting(tmp_path: Path) -> None:
    project = build_project(write_project(tmp_path, REACH))
    reached = project.schemas.reachable_from([project.modules["app.api"]])
    assert reached == {
        "app.models.Item", "app.models.Base", "app.models.Tag", "app.models.Item.Meta", "app.models.Page",
    }
