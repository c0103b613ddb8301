"""The model catalogue (``project.models``) and the query analysis built on it."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from fastapi_guard.config import Config
from fastapi_guard.project import Project, module_name_for
from fastapi_guard.project.sqlalchemy import ModelIndex
from fastapi_guard.project.symbols import ModuleInfo


def build(tmp_path: Path, files: dict[str, str], config: Config | None = None) -> Project:
    modules = []
    for relative, source in files.items():
        path = tmp_path / relative
        text = textwrap.dedent(source)
        name, is_package = module_name_for(tmp_path, path)
        modules.append(ModuleInfo(name, str(path), is_package, ast.parse(text), text.splitlines()))
    return Project(tmp_path, config or Config(), modules)


def models_of(tmp_path: Path, files: dict[str, str], config: Config | None = None) -> ModelIndex:
    return build(tmp_path, files, config).models


MIXINS = """
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


class OwnedMixin:
    owner_id = Column(String(36), ForeignKey("users.id"), index=True)


class SoftDeleteMixin:
    deleted_at: Mapped[DateTime | None] = mapped_column(DateTime, nullable=True)


class TenantMixin:
    @declared_attr
    def tenant_id(cls):
        return Column(String(36), index=True)

    @declared_attr
    def __tablename__(cls) -> str:
        return cls.__name__.lower()


class FlagMixin:
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
"""


def test_declarative_base_models_learn_columns_through_mixins_in_other_files(tmp_path: Path) -> None:
    index = models_of(tmp_path, {
        "app/__init__.py": "",
        "app/db/__init__.py": "",
        "app/db/base.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
        "app/db/mixins.py": MIXINS,
        "app/db/models.py": """
            from sqlalchemy import Column, Integer, String
            from app.db.base import Base
            from app.db.mixins import OwnedMixin, SoftDeleteMixin, TenantMixin


            class Item(Base, OwnedMixin, SoftDeleteMixin):
                __tablename__ = "items"
                id = Column(Integer, primary_key=True)
                name = Column(String)


            class Workspace(TenantMixin, Base):
                key = Column(String, primary_key=True)


            class User(Base):
                __tablename__ = "users"
                id = Column(Integer, primary_key=True)
        """,
    })
    item = index.model_for("app.db.models.Item")
    assert item is not None
    assert set(item.columns) == {"id", "name", "owner_id", "deleted_at"}
    assert item.owner_columns == ("owner_id",)
    assert item.soft_delete_columns == ("deleted_at",)
    assert item.primary_key == ("id",)
    assert index.is_owned("app.db.models.Item") and index.owner_columns(item) == ("owner_id",)
    workspace = index.model_for("app.db.models.Workspace")
    assert workspace is not None and workspace.owner_columns == ("tenant_id",) and workspace.primary_key == ("key",)
    user = index.model_for("app.db.models.User")
    assert user is not None and not user.is_owned and not user.is_soft_deletable
    assert index.model_for("app.db.mixins.OwnedMixin") is None


def test_declarative_base_subclass_mapped_and_abstract_bases(tmp_path: Path) -> None:
    index = models_of(tmp_path, {
        "app/models.py": """
            import uuid
            from datetime import datetime
            from sqlalchemy import ForeignKey, String
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


            class Base(DeclarativeBase):
                pass


            class Owned(Base):
                __abstract__ = True
                user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
                deleted_at: Mapped[datetime | None]


            class Project(Owned):
                __tablename__ = "projects"
                id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
                name: Mapped[str] = mapped_column(String(255))
                title: Mapped[str]
                owner: Mapped["User"] = relationship(back_populates="projects")
        """,
    })
    assert index.model_for("app.models.Base") is None
    assert index.model_for("app.models.Owned") is None
    project = index.model_for("app.models.Project")
    assert project is not None
    assert set(project.columns) == {"id", "name", "title", "user_id", "deleted_at"}
    assert project.primary_key == ("id",)
    assert project.owner_columns == ("user_id",) and project.soft_delete_columns == ("deleted_at",)


def test_as_declarative_and_registry_bases(tmp_path: Path) -> None:
    index = models_of(tmp_path, {
        "app/models.py": """
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import as_declarative, registry

            mapper_registry = registry()
            Generated = mapper_registry.generate_base()


            @as_declarative()
            class Base:
                id = Column(Integer, primary_key=True)


            class Order(Base):
                __tablename__ = "orders"
                account_id = Column(Integer)


            class Invoice(Generated):
                __tablename__ = "invoices"
                id = Column(Integer, primary_key=True)
                organization_id = Column(Integer)
        """,
    })
    assert index.model_for("app.models.Base") is None
    order = index.model_for("app.models.Order")
    assert order is not None and order.owner_columns == ("account_id",) and order.primary_key == ("id",)
    invoice = index.model_for("app.models.Invoice")
    assert invoice is not None and invoice.owner_columns == ("organization_id",)


def test_sqlmodel_only_table_classes_are_models(tmp_path: Path) -> None:
    index = models_of(tmp_path, {
        "app/models.py": """
            from typing import ClassVar
            from sqlmodel import Field, Relationship, SQLModel


            class HeroBase(SQLModel):
                name: str = Field(index=True)
                owner_id: int | None = Field(default=None, foreign_key="user.id")


            class Hero(HeroBase, table=True):
                id: int | None = Field(default=None, primary_key=True)
                is_deleted: bool = False
                team: "Team" = Relationship(back_populates="heroes")
                registry_key: ClassVar[str] = "hero"


            class HeroCreate(HeroBase):
                pass
        """,
    })
    assert index.model_for("app.models.HeroBase") is None
    assert index.model_for("app.models.HeroCreate") is None
    hero = index.model_for("app.models.Hero")
    assert hero is not None
    assert set(hero.columns) == {"id", "name", "owner_id", "is_deleted"}
    assert hero.primary_key == ("id",)
    assert hero.owner_columns == ("owner_id",) and hero.soft_delete_columns == ("is_deleted",)


def test_tablename_alone_marks_a_model_of_an_unknown_base(tmp_path: Path) -> None:
    index = models_of(tmp_path, {
        "app/models.py": """
            import sqlalchemy as sa
            from somewhere_else import Base


            class Note(Base):
                __tablename__ = "notes"
                id = sa.Column(sa.Integer, primary_key=True)
                user_id = sa.Column(sa.Integer)


            class NotAModel(Base):
                value = 1
        """,
    })
    note = index.model_for("app.models.Note")
    assert note is not None and note.owner_columns == ("user_id",)
    assert index.model_for("app.models.NotAModel") is None


def test_configured_column_names(tmp_path: Path) -> None:
    config = Config(owner_columns=("created_by",), soft_delete_columns=("archived_at",))
    index = models_of(tmp_path, {
        "app/models.py": """
            from sqlalchemy import Column, DateTime, Integer
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()


            class Doc(Base):
                __tablename__ = "docs"
                id = Column(Integer, primary_key=True)
                created_by = Column(Integer)
                owner_id = Column(Integer)
                archived_at = Column(DateTime)
        """,
    }, config)
    doc = index.model_for("app.models.Doc")
    assert doc is not None and doc.owner_columns == ("created_by",) and doc.soft_delete_columns == ("archived_at",)


def test_resolve_expressions_to_models(tmp_path: Path) -> None:
    project = build(tmp_path, {
        "app/__init__.py": "",
        "app/models/__init__.py": "from .item import Item\n",
        "app/models/item.py": """
            from sqlalchemy import Column, Integer
            from sqlalchemy.orm import declarative_base

            Base = declarative_base()


            class Item(Base):
                __tablename__ = "items"
                id = Column(Integer, primary_key=True)
                owner_id = Column(Integer)
        """,
        "app/service.py": """
            from sqlalchemy.orm import aliased
            from app import models
            from app.models import Item

            Alias = aliased(Item)


            def use():
                local = Item
                return models.Item, local, Alias, Item.owner_id, Item.__table__.c.owner_id
        """,
    })
    module = project.modules["app.service"]
    function = next(node for node in module.tree.body if isinstance(node, ast.FunctionDef))
    returned = function.body[-1].value
    assert isinstance(returned, ast.Tuple)
    index = project.models
    names = [index.resolve(module, element, [function]) for element in returned.elts[:3]]
    assert [model.qualname if model else None for model in names] == ["app.models.item.Item"] * 3
    for element in returned.elts[3:]:
        reference = index.column_ref(module, element, [function])
        assert reference is not None and reference[0].name == "Item" and reference[1] == "owner_id"


QUERY_MODELS = {
    "app/__init__.py": "",
    "app/models.py": """
        from sqlalchemy import Column, DateTime, Integer
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()


        class Item(Base):
            __tablename__ = "items"
            id = Column(Integer, primary_key=True)
            owner_id = Column(Integer)
            deleted_at = Column(DateTime)
    """,
}


def scope_queries(tmp_path: Path, source: str):
    project = build(tmp_path, {**QUERY_MODELS, "app/service.py": source})
    module = project.modules["app.service"]
    function = next(node for node in module.tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
    return project.models.queries(module, function, [function])


def test_query_followed_through_variables_and_execution(tmp_path: Path) -> None:
    scope = scope_queries(tmp_path, """
        from sqlalchemy import select
        from app.models import Item


        async def get(session, item_id, owner_id, status):
            stmt = select(Item).where(Item.id == item_id)
            if status:
                stmt = stmt.where(Item.owner_id == owner_id)
            result = await session.execute(stmt)
            item = result.scalar_one_or_none()
            return item
    """)
    (query,) = scope.queries
    assert query.kind == "select" and query.model.name == "Item"
    assert query.executed and query.results == {"item"}
    assert [name for name, _ in query.methods] == ["where", "where", "scalar_one_or_none"]
    assert {attribute for _, attribute in scope.column_refs(query)} == {"id", "owner_id"}


@pytest.mark.parametrize("source, dynamic", [
    ("def f(db, **filters):\n    return db.query(Item).filter_by(**filters).all()\n", True),
    ("def f(db, clauses):\n    return db.query(Item).filter(*clauses).all()\n", True),
    ("def f(db, condition):\n    return db.query(Item).filter(condition).all()\n", True),
    ("def f(db, user):\n    q = db.query(Item)\n    q = scope(q, user)\n    return q.all()\n", True),
    ("def f(db, x):\n    cond = Item.id == x\n    return db.query(Item).filter(cond).all()\n", False),
])
def test_dynamic_filters(tmp_path: Path, source: str, dynamic: bool) -> None:
    scope = scope_queries(tmp_path, "from app.models import Item\n\n\n" + source)
    (query,) = scope.queries
    assert query.dynamic is dynamic


def test_subquery_is_judged_with_its_outer_query(tmp_path: Path) -> None:
    scope = scope_queries(tmp_path, """
        from sqlalchemy import select
        from app.models import Item


        def f(db, user_id):
            inner = select(Item.id).where(Item.owner_id == user_id)
            return db.scalars(select(Item).where(Item.id.in_(inner))).all()
    """)
    inner, outer = sorted(scope.queries, key=lambda query: query.root.lineno)
    assert inner.subquery and not outer.subquery
    assert ("owner_id" in {attribute for _, attribute in scope.column_refs(outer)})


def test_fetched_objects_and_rows(tmp_path: Path) -> None:
    scope = scope_queries(tmp_path, """
        from app.models import Item


        async def f(db, session, item_id):
            one = db.query(Item).get(item_id)
            two = await session.get(Item, item_id)
            for row in db.query(Item).all():
                pass
            rows = db.query(Item).all()
            for other in rows:
                pass
    """)
    assert set(scope.fetched_models()) == {"one", "two", "row", "other"}
