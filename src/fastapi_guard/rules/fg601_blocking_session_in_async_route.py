"""An `async def` endpoint that does synchronous database I/O on the event loop.

## What it does
Reports an `async def` endpoint that uses a synchronous SQLAlchemy / SQLModel
`Session`, itself or through the project functions it calls (followed up to
three calls deep). The session is recognised from how it was made, never from
its name:

- a handler parameter annotated `Session`, injected by a dependency that
  yields or returns a `Session` (`db: Session = Depends(get_db)`, or an
  `Annotated[Session, Depends(get_db)]` alias such as `SessionDep`);
- a session opened in the body: `with SessionLocal() as db:`,
  `db = SessionLocal()`, `with get_db() as db:` where `get_db` yields one;
- a call of a project function that does the same, such as
  `Users.get_user_by_id(user_id)` whose method runs
  `with get_db() as db: db.query(User)...`.

A session is used when a method is called on it (`db.query(...)`,
`db.execute(...)`, `db.commit()`) or it is passed to a call
(`ItemService(db)`, `crud.get_items(db)`).

Not reported: plain `def` endpoints (FastAPI runs them in a thread pool);
`AsyncSession` and `async_sessionmaker()` / `sessionmaker(class_=AsyncSession)`
sessions, whatever name they are imported under; work handed to a thread pool
(`await run_in_threadpool(crud.get_items, db)`, `asyncio.to_thread(...)`,
a `lambda` given to one); bookkeeping calls that never reach the database
(`db.add(obj)`).

The finding is reported on the `def` line of the endpoint and names the
session, or the chain of calls that leads to it.

## Why is this bad?
An `async def` endpoint runs on the event loop. A synchronous session blocks
the loop for the whole database round trip, so while one request waits for
PostgreSQL every other request of that worker waits too: throughput collapses
to one query at a time, and a slow query stalls health checks and websockets.
FastAPI only moves work off the loop for plain `def` endpoints.

## Example
```python
# file: app/database.py
from collections.abc import Iterator

from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

engine = create_engine("sqlite:///app.db")
SessionLocal = sessionmaker(bind=engine)


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


def get_db() -> Iterator[Session]:
    with SessionLocal() as db:
        yield db
```

```python
# file: app/routes/items/router.py
from fastapi import APIRouter, Depends
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.database import Item, get_db

router = APIRouter(prefix="/items", tags=["Items"])


@router.get("/count")
async def count_items(db: Session = Depends(get_db)) -> int:  # [FG601]
    return db.scalar(select(func.count(Item.id))) or 0
```

## Use instead
```python
# file: app/database.py
from collections.abc import AsyncIterator

from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

engine = create_async_engine("sqlite+aiosqlite:///app.db")
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


async def get_session() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session
```

```python
# file: app/routes/items/router.py
from fastapi import APIRouter, Depends
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.database import Item, get_session

router = APIRouter(prefix="/items", tags=["Items"])


@router.get("/count")
async def count_items(session: AsyncSession = Depends(get_session)) -> int:
    return await session.scalar(select(func.count(Item.id))) or 0
```

## Fix
Declare the endpoint with plain `def` when it does not `await` anything, so
FastAPI runs it in its thread pool; or move to `AsyncSession`
(`create_async_engine`, `async_sessionmaker`, `await session.execute(...)`);
or hand the synchronous work to a thread explicitly
(`await run_in_threadpool(crud.get_items, db)`).

## Options
None.

## Related rules
- FG602 unbounded-list-query: a long query blocks the loop for longer.
"""

from __future__ import annotations

import ast

from fastapi_guard.project.blocking import BlockingPath
from fastapi_guard.rule import FileRule, def_line_span


class BlockingSessionInAsyncRoute(FileRule):
    code = "FG601"
    name = "blocking-session-in-async-route"
    message = "async endpoint `{endpoint}` blocks the event loop: {how}"
    hint = "declare it with `def` (FastAPI runs it in a thread pool) or use an `AsyncSession`"

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        fastapi = self.project.fastapi
        if not fastapi.is_endpoint_function(node):
            return
        models = self.project.models
        path = models.blocking.path(models.calls.target(self.module, node))
        if path is not None:
            self.report_span(def_line_span(self.module, node), endpoint=node.name, how=self._how(path))

    def _how(self, path: BlockingPath) -> str:
        use = f"`{path.use.session}` is a synchronous Session"
        if not path.calls:
            return f"{use} (line {path.use.line})"
        chain = " -> ".join(f"`{target.label}`" for target in path.calls)
        where = path.user.module.path
        if where.startswith(str(self.project.root)):
            where = where[len(str(self.project.root)):].lstrip("/\\")
        return f"it calls {chain}, where {use} ({where}:{path.use.line})"
