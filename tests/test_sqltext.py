"""Unit tests of the SQL string reader shared by FG104 and FG105 (project/sqltext.py, safevalues.py, valueplaces.py)."""

from __future__ import annotations

import ast
import textwrap
import time
from pathlib import Path

import pytest

from fastapi_guard.config import Config
from fastapi_guard.project import Project
from fastapi_guard.project.localwrites import WriteIndex
from fastapi_guard.project.sqltext import SqlReader, SqlString, is_migration, looks_like_sql, sql_call
from fastapi_guard.project.symbols import ModuleInfo

MODELS = """
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass

class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column()
"""


def make_project(sources: dict[str, str]) -> Project:
    modules = []
    for name, source in sources.items():
        text = textwrap.dedent(source)
        modules.append(ModuleInfo(name, f"/p/{name.replace('.', '/')}.py", False, ast.parse(text), text.splitlines()))
    return Project(Path("/p"), Config(), modules)


def sink(project: Project, module_name: str = "app.main") -> tuple[SqlReader, ast.Call]:
    """The innermost call receiving SQL on the last line marked ``# sink``, with a reader placed at it."""
    module = project.modules[module_name]
    found: list[tuple[ast.Call, list[ast.AST]]] = []
    stack: list[tuple[ast.AST, list[ast.AST]]] = [(module.tree, [])]
    while stack:
        node, ancestors = stack.pop()
        if isinstance(node, ast.Call) and "# sink" in module.lines[node.lineno - 1]:
            found.append((node, ancestors))
        stack.extend((child, [*ancestors, node]) for child in ast.iter_child_nodes(node))
    last = max(call.lineno for call, _ in found)
    for call, ancestors in sorted(found, key=lambda item: -item[0].col_offset):
        reader = SqlReader.at_node(project, WriteIndex(), module, ancestors, call)
        if call.lineno == last and sql_call(project, module, reader.place.scopes, call):
            return reader, call
    return reader, call


def read_sink(source: str, **others: str) -> SqlString | None:
    project = make_project({"app.main": source, "app.models": MODELS, **others})
    reader, call = sink(project)
    found = sql_call(project, reader.module, reader.place.scopes, call)
    assert found is not None and found.arguments
    return reader.read(found.arguments[0])


def unsafe_sources(source: str, **others: str) -> list[str]:
    sql = read_sink(source, **others)
    assert sql is not None
    return [part.source for part in sql.unsafe]


@pytest.mark.parametrize("text", [
    "SELECT id FROM items", "  select * from t", "(SELECT 1)", "WITH x AS (SELECT 1) SELECT * FROM x",
    "update items set name = :n", "DELETE FROM items", "PRAGMA journal_mode=WAL",
    "EXISTS (SELECT 1 FROM tags WHERE id = :id)", "INSERT INTO t VALUES (1)",
])
def test_looks_like_sql(text: str) -> None:
    assert looks_like_sql(text)


@pytest.mark.parametrize("text", ["restart ? --graceful", "selected items", "refresh the cache", "name = :name", ""])
def test_does_not_look_like_sql(text: str) -> None:
    assert not looks_like_sql(text)


def test_reads_constant_and_module_constant_through_import() -> None:
    sql = read_sink("""
        from sqlalchemy import text
        from app.queries import LOW_STOCK
        def f(db):
            db.execute(text(LOW_STOCK))  # sink
    """, **{"app.queries": 'LOW_STOCK = "SELECT * FROM items " + "WHERE stock < 5"\n'})
    assert sql == SqlString("SELECT * FROM items WHERE stock < 5")


@pytest.mark.parametrize(("expression", "how"), [
    ('f"SELECT * FROM items WHERE name = \'{term}\'"', "an f-string"),
    ('"SELECT * FROM items WHERE name = \'%s\'" % term', "`%` formatting"),
    ('"SELECT * FROM items WHERE name = \'{}\'".format(term)', "`.format()`"),
    ('"SELECT * FROM items ORDER BY " + term', "`+` concatenation"),
])
def test_each_way_of_building_a_string_is_seen(expression: str, how: str) -> None:
    sql = read_sink(f"""
        from sqlalchemy import text
        def f(db, term: str):
            db.execute(text({expression}))  # sink
    """)
    assert sql is not None and [(part.source, part.how) for part in sql.unsafe] == [("term", how)]
    assert sql.text.startswith("SELECT * FROM items")


def test_local_variable_extended_with_plus_equals() -> None:
    sql = read_sink("""
        from sqlalchemy import text
        def f(db, term: str | None):
            sql = "SELECT id FROM items WHERE stock > 0"
            if term:
                sql += f" AND name LIKE '%{term}%'"
            db.execute(text(sql))  # sink
    """)
    assert sql is not None and sql.text.startswith("SELECT id FROM items WHERE stock > 0 AND name LIKE")
    assert [part.source for part in sql.unsafe] == ["term"]


def test_only_writes_before_the_call_count() -> None:
    sql = read_sink("""
        from sqlalchemy import text
        def f(db, term):
            sql = "SELECT 1"
            db.execute(text(sql))  # sink
            sql = f"SELECT {term}"
    """)
    assert sql == SqlString("SELECT 1")


def test_parameters_and_helper_results_cannot_be_read() -> None:
    assert read_sink("""
        from sqlalchemy import text
        def f(db, query):
            db.execute(text(query))  # sink
    """) is None
    assert read_sink("""
        from sqlalchemy import text
        from app.sql import build
        def f(db, sort):
            db.execute(text(build(sort)))  # sink
    """) is None


@pytest.mark.parametrize("part", [
    "10", "LIMIT", "self.TABLE", "Item.__tablename__", "Item.__table__.c.name.name", "Item.name.key",
    "Status.ACTIVE.value", "int(limit_text)", "limit", "SORTABLE.get(sort, 'name')", "SORTABLE[sort]",
    "', '.join(f':id{i}' for i in range(len(ids)))", "', '.join(['?'] * len(ids))", "'?' * len(ids)",
    "uuid.uuid4().hex", "self._where()", "build_clause(sort)", "os.getenv('SCHEMA')",
])
def test_safe_interpolations(part: str) -> None:
    assert unsafe_sources(f"""
        import enum
        import os
        import uuid
        from sqlalchemy import text
        from app.models import Item
        from app.sql import build_clause
        LIMIT = 10
        SORTABLE = {{"name": "name", "newest": "id DESC"}}
        class Status(str, enum.Enum):
            ACTIVE = "active"
        class Repo:
            TABLE = "items"
            def run(self, db, limit: int, limit_text: str, sort: str, ids: list[str]):
                db.execute(text(f"SELECT * FROM items WHERE x = {{{part}}}"))  # sink
    """, **{"app.sql": "def build_clause(sort):\n    return 'name'\n"}) == []


@pytest.mark.parametrize(("part", "culprit"), [
    ("sort", "sort"), ("self.table", "self.table"), ("request.query_params.get('sort')", "request.query_params"),
    ("json.dumps(sort)", "sort"), ("sort.strip()", "sort"), ("user.name", "user.name"),
    ("', '.join(f'{c} = :{c}' for c in data)", "data"),
])
def test_unsafe_interpolations(part: str, culprit: str) -> None:
    assert unsafe_sources(f"""
        import json
        from sqlalchemy import text
        class Repo:
            def __init__(self, table: str):
                self.table = table
            def run(self, db, request, user, data: dict, sort: str):
                db.execute(text(f"SELECT * FROM items WHERE x = {{{part}}}"))  # sink
    """) == [culprit]


def test_whitelist_guard_makes_a_value_safe() -> None:
    assert unsafe_sources("""
        from sqlalchemy import text
        ALLOWED = ("name", "price")
        def f(db, sort: str):
            if sort not in ALLOWED:
                raise ValueError(sort)
            db.execute(text(f"SELECT * FROM items ORDER BY {sort}"))  # sink
    """) == []


def test_instance_attribute_set_only_to_safe_values() -> None:
    source = """
        from sqlalchemy import text
        class Store:
            def __init__(self, dim, metric: str):
                self.dim = int(dim)
                self.metric = metric.lower()
                if self.metric not in {"cosine", "l2"}:
                    raise ValueError(metric)
            def create(self, db):
                db.execute(text(f"CREATE TABLE t (v VECTOR({self.dim}), m TEXT DEFAULT '{self.metric}')"))  # sink
    """
    assert unsafe_sources(source) == []
    assert unsafe_sources(source.replace("self.dim = int(dim)", "self.dim = dim")) == ["self.dim"]


def test_private_function_parameter_filled_safely_by_every_caller() -> None:
    source = """
        from sqlalchemy import text
        def _drop(db, table):
            db.execute(text(f"DROP TABLE {table}"))  # sink
        def cleanup(db, name: str):
            _drop(db, "archive")
            _drop(db, table="tmp")
            _drop(db, "x" if name else "y")
    """
    assert unsafe_sources(source) == []
    assert unsafe_sources(source.replace('"x" if name else "y"', "name")) == ["table"]
    # a public function is seen whole only when no other file mentions it
    assert unsafe_sources(source.replace("_drop", "drop")) == []
    assert unsafe_sources(source.replace("_drop", "drop"), **{"app.jobs": "from app.main import drop\n"}) == ["table"]
    # passed around as a callable, or called by a framework: its callers cannot all be seen
    assert unsafe_sources(source.replace('table="tmp")', 'table="tmp")\n            schedule(_drop)')) == ["table"]
    assert unsafe_sources(source.replace("def _drop", "@router.post('/drop')\n        def _drop")) == ["table"]


def test_comprehension_variables_around_the_call() -> None:
    assert unsafe_sources("""
        from sqlalchemy import and_, text
        def f(stmt, tag_ids: list[str]):
            return stmt.filter(and_(*[
                text(f"EXISTS (SELECT 1 FROM tags WHERE tag.value = :tag_{i})").params(**{f"tag_{i}": t})  # sink
                for i, t in enumerate(tag_ids)
            ]))
    """) == []


def test_conditions_appended_from_constant_fragments() -> None:
    assert unsafe_sources("""
        from sqlalchemy import text
        def f(db, category: str | None, sort: str):
            conditions = ["stock > 0"]
            params = {}
            if category:
                conditions.append("category = :category")
                params["category"] = category
            sql = "SELECT * FROM items WHERE " + " AND ".join(conditions)
            db.execute(text(sql), params)  # sink
    """) == []
    assert unsafe_sources("""
        from sqlalchemy import text
        def f(db, sort: str):
            conditions = ["stock > 0"]
            conditions.append(f"name = '{sort}'")
            db.execute(text("SELECT * FROM items WHERE " + " AND ".join(conditions)))  # sink
    """) == ["sort"]


@pytest.mark.parametrize(("call", "expected"), [
    ("text(q)", ("text", "text")),
    ("sa.text(q)", ("text", "text")),
    ("sql_text(q)", ("text", "text")),
    ("sqlmodel.text(q)", ("text", "text")),
    ("literal_column(q)", ("literal_column", "text")),
    ("db.execute(q)", ("execute", "execute")),
    ("conn.exec_driver_sql(q)", ("exec_driver_sql", "text")),
    ("conn.executescript(q)", ("executescript", "text")),
    ("query.filter(q)", ("filter", "clause")),
    ("mytext(q)", None),
    ("other.text(q)", None),
])
def test_sql_calls(call: str, expected: tuple[str, str] | None) -> None:
    project = make_project({"app.main": f"""
import sqlalchemy as sa
import sqlmodel
from sqlalchemy import literal_column, text
from sqlalchemy.sql import text as sql_text
from app import other
def mytext(q):
    return q
def f(db, conn, query, q):
    {call}  # sink
""", "app.other": "def text(q):\n    return q\n"})
    reader, node = sink(project)
    found = sql_call(project, reader.module, reader.place.scopes, node)
    assert ((found.name, found.kind) if found else None) == expected


def test_alembic_modules_are_migrations() -> None:
    project = make_project({"a": "from alembic import op\n", "b": "import sqlalchemy as sa\n"})
    assert is_migration(project.modules["a"]) and not is_migration(project.modules["b"])


def test_self_referencing_and_long_chains_terminate_quickly() -> None:
    lines = "\n".join(f"    sql = sql + f' AND c{i} = {{x{i % 3}}}'" for i in range(300))
    source = f"""
from sqlalchemy import text
def f(db, x0: int, x1: int, x2: str):
    sql = "SELECT * FROM t WHERE 1 = 1"
{lines}
    db.execute(text(sql))  # sink
"""
    started = time.perf_counter()
    project = make_project({"app.main": source})
    reader, call = sink(project)
    sql = reader.read(call.args[0].args[0]) if isinstance(call.args[0], ast.Call) else None
    assert time.perf_counter() - started < 2
    assert sql is None or all(part.source == "x2" for part in sql.unsafe)


@pytest.mark.parametrize(("body", "expected"), [
    # an assignment in a branch keeps what the name held before it
    ("if not sort:\n    sort = 'created_at'", ["sort"]),
    ("sort = 'created_at'", []),
    ("if sort not in ALLOWED:\n    sort = 'name'", []),
    ("if flag:\n    sort = 'name'\nelse:\n    sort = 'price'", []),
    ("for column in columns:\n    sort = column", ["sort"]),
    ("with lock:\n    sort = 'name'", []),
])
def test_reassignments_follow_the_control_flow(body: str, expected: list[str]) -> None:
    body = textwrap.indent(body, " " * 12).lstrip()
    assert unsafe_sources(f"""
        from sqlalchemy import text
        ALLOWED = {{"name", "price"}}
        def f(db, sort: str, flag: bool, columns: list[str], lock):
            {body}
            db.execute(text(f"SELECT * FROM items ORDER BY {{sort}}"))  # sink
    """) == expected


def test_a_branch_cannot_hide_an_earlier_unsafe_text() -> None:
    sql = read_sink("""
        from sqlalchemy import text
        def f(db, term: str, exact: bool):
            sql = f"SELECT * FROM items WHERE name LIKE '%{term}%'"
            if exact:
                sql = "SELECT * FROM items WHERE name = :term"
            db.execute(text(sql), {"term": term})  # sink
    """)
    assert sql is not None and [part.source for part in sql.unsafe] == ["term"]
