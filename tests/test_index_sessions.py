"""Session flavours (``project.models.sessions``) and synchronous session I/O (``project.models.blocking``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from test_index_sqlalchemy import build

from fastapi_guard.project import Project
from fastapi_guard.project.symbols import FunctionNode

CONNECTION = """
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

engine = create_engine("sqlite://")
SessionLocal = sessionmaker(bind=engine)
Registry = scoped_session(SessionLocal)
async_engine = create_async_engine("sqlite+aiosqlite://")
AsyncLocal = async_sessionmaker(async_engine)
LegacyAsync = sessionmaker(async_engine, class_=AsyncSession)


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


def get_typed_db() -> Iterator[Session]:
    yield SessionLocal()


async def get_async():
    async with AsyncLocal() as session:
        yield session


async def get_legacy() -> AsyncIterator[AsyncSession]:
    async with LegacyAsync() as session:
        yield session


def get_registry():
    return Registry()


db_context = contextmanager(get_db)
DbDep = Annotated[Session, Depends(get_db)]
AsyncDep = Annotated[AsyncSession, Depends(get_async)]
UntypedDep = Annotated[Any, Depends(get_db)]
"""


def function(project: Project, module: str, name: str) -> FunctionNode:
    tree = project.modules[module].tree
    return next(node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                and node.name == name)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return build(tmp_path, {"app/__init__.py": "", "app/db.py": CONNECTION, "app/api.py": """
        from typing import Optional, Union
        from sqlalchemy.ext.asyncio import AsyncSession as Session
        from sqlalchemy.orm import Session as SyncSession
        from sqlmodel import Session as ModelSession


        def annotated(a: SyncSession, b: Session, c: ModelSession, d: Optional[SyncSession], e: Union[str, SyncSession],
                      f: SyncSession | None, g: "int"):
            pass
    """})


@pytest.mark.parametrize("dependency, flavor", [
    ("get_db", "sync"), ("get_typed_db", "sync"), ("get_async", "async"), ("get_legacy", "async"),
    ("get_registry", "sync"),
])
def test_which_session_type_a_dependency_provides(project: Project, dependency: str, flavor: str) -> None:
    sessions = project.models.sessions
    module = project.modules["app.db"]
    assert sessions.provided(module, function(project, "app.db", dependency)) == flavor
    assert sessions.provides_session(module, function(project, "app.db", dependency))


def test_annotation_flavours_follow_the_resolved_class_not_the_local_name(project: Project) -> None:
    sessions = project.models.sessions
    module = project.modules["app.api"]
    arguments = function(project, "app.api", "annotated").args.args
    flavors = [sessions.annotation_flavor(module, argument.annotation) for argument in arguments]
    assert flavors == ["sync", "async", "sync", "sync", None, "sync", None]
    assert sessions.annotation(module, arguments[1].annotation) == "session"  # the flavour-free answer stays


@pytest.mark.parametrize("parameter, flavor", [
    ("db: Session = Depends(get_db)", "sync"),
    ("db=Depends(get_db)", "sync"),
    ("db: DbDep", "sync"),
    ("db: UntypedDep", "sync"),
    ("db: Annotated[Any, Depends(get_db)]", "sync"),
    ("session: AsyncDep", "async"),
    ("session=Depends(get_legacy)", "async"),
])
def test_parameter_flavour(tmp_path: Path, parameter: str, flavor: str) -> None:
    project = build(tmp_path, {"app/__init__.py": "", "app/db.py": CONNECTION, "app/api.py": f"""
        from typing import Annotated, Any
        from fastapi import Depends
        from sqlalchemy.orm import Session
        from app.db import AsyncDep, DbDep, UntypedDep, get_db, get_legacy


        async def handler({parameter}):
            pass
    """})
    module = project.modules["app.api"]
    handler = function(project, "app.api", "handler")
    arguments = handler.args
    default = arguments.defaults[0] if arguments.defaults else None
    assert project.models.sessions.parameter_flavor(module, arguments.args[0], default) == flavor


def test_alias_dependency_resolves_in_the_module_that_defines_it(tmp_path: Path) -> None:
    project = build(tmp_path, {"app/__init__.py": "", "app/db.py": CONNECTION, "app/api.py": """
        from app.db import UntypedDep


        async def handler(db: UntypedDep):
            pass
    """})
    argument = function(project, "app.api", "handler").args.args[0]
    assert project.models.sessions.parameter_flavor(project.modules["app.api"], argument, None) == "sync"


def blocking_path(tmp_path: Path, source: str, name: str = "handler") -> list[str] | None:
    project = build(tmp_path, {"app/__init__.py": "", "app/db.py": CONNECTION, "app/api.py": source})
    models = project.models
    path = models.blocking.path(models.calls.target(project.modules["app.api"], function(project, "app.api", name)))
    return None if path is None else [*(target.label for target in path.calls), path.use.session]


def test_blocking_through_a_table_object_and_a_service(tmp_path: Path) -> None:
    source = """
        from app.db import db_context


        class UsersTable:
            def get(self, user_id):
                with db_context() as db:
                    return db.execute("...").first()


        Users = UsersTable()


        class Service:
            def __init__(self, user_id):
                self.user_id = user_id

            def load(self):
                return Users.get(self.user_id)


        async def handler(user_id):
            return Service(user_id).load()
    """
    assert blocking_path(tmp_path, source) == ["Service.load", "UsersTable.get", "db"]


@pytest.mark.parametrize("body", [
    "    return await run_in_threadpool(count, db)\n",
    "    return await asyncio.to_thread(lambda: db.query(1).all())\n",
    "    return isinstance(db, Session)\n",
    "    db.add(object())\n",
    "    return await db.execute('SELECT 1')\n",
    "    return stream()\n",
])
def test_not_blocking(tmp_path: Path, body: str) -> None:
    source = (
        "import asyncio\nfrom fastapi import Depends\nfrom fastapi.concurrency import run_in_threadpool\n"
        "from sqlalchemy.orm import Session\nfrom app.db import SessionLocal, get_db\n\n\n"
        "def count(db: Session):\n    return db.query(1).count()\n\n\n"
        "def stream():\n    with SessionLocal() as db:\n        yield from db.execute('SELECT 1')\n\n\n"
        "async def handler(db: Session = Depends(get_db)):\n" + body
    )
    assert blocking_path(tmp_path, source) is None


def test_blocking_search_stops_after_three_calls(tmp_path: Path) -> None:
    source = """
        from app.db import SessionLocal


        def level4():
            with SessionLocal() as db:
                db.commit()


        def level3():
            level4()


        def level2():
            level3()


        def level1():
            level2()


        async def handler():
            level1()


        async def shallow():
            level2()
    """
    assert blocking_path(tmp_path, source) is None
    assert blocking_path(tmp_path, source, "shallow") == ["level2", "level3", "level4", "db"]
