"""Which project functions do synchronous database I/O, themselves or through the functions they call.

A function uses a synchronous session when it calls a method on one
(``db.query(...)``, ``db.execute(...)``, ``db.commit()``) or passes one to a
call (``ItemService(db)``, ``crud.get_items(db)``). The session is recognised
by ``sessions``: a parameter annotated ``Session`` or injected by a
dependency that yields one (``Depends(get_db)``, ``Annotated[Session,
Depends(...)]`` aliases), a local made by ``SessionLocal()`` / ``with
get_db() as db``, or ``self.db`` set from one. Handing the session to a thread
pool (``run_in_threadpool(crud.get, db)``) is not a use, and neither are the
bookkeeping methods that never touch the database (``db.add(obj)``), passing
it to a builtin (``isinstance(db, Session)``), or a session whose methods the
function awaits (an ``AsyncSession`` behind a ``Session`` annotation).

``path(function)`` searches the call graph breadth first, at most
``MAX_CALLS`` calls deep, for the nearest function with such a use, so
``async def handler(): Users.get_user_by_id(...)`` whose method opens
``with get_db() as db:`` is found through the call. Calls of generator
functions are not followed: calling one runs none of its body. Per-function
facts are cached; the search itself does not depend on which function was
asked first.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi_guard.project.calls import CallGraph, Target, body_nodes, is_generator, is_offload
from fastapi_guard.project.scopeflow import ScopeFlow
from fastapi_guard.project.symbols import source_text

if TYPE_CHECKING:
    from fastapi_guard.project import Project

MAX_CALLS = 3
BUILTINS = frozenset(dir(builtins))
# Session methods that only change in-memory state: no round trip to the database.
BOOKKEEPING = frozenset({
    "add", "add_all", "expunge", "expunge_all", "expire", "expire_all", "in_transaction", "is_modified", "get_bind",
})


@dataclass(frozen=True)
class SessionUse:
    """Where a function itself uses a synchronous session."""

    session: str  # the expression holding the session, e.g. ``db`` or ``self.db``
    line: int


@dataclass(frozen=True)
class BlockingPath:
    """The calls from the asked function to the one that uses a synchronous session (empty: itself)."""

    calls: tuple[Target, ...]
    use: SessionUse
    user: Target


class BlockingIO:
    """Answers "does this function (transitively) do synchronous session I/O?" for one project."""

    def __init__(self, project: Project, graph: CallGraph) -> None:
        self.project = project
        self.graph = graph
        self._uses: dict[int, SessionUse | None] = {}

    def path(self, target: Target) -> BlockingPath | None:
        """The shortest call path (at most ``MAX_CALLS`` calls) from ``target`` to a synchronous session use."""
        frontier: list[tuple[Target, tuple[Target, ...]]] = [(target, ())]
        seen = {id(target.function)}
        for depth in range(MAX_CALLS + 1):
            following: list[tuple[Target, tuple[Target, ...]]] = []
            for current, calls in frontier:
                use = self.own_use(current)
                if use is not None:
                    return BlockingPath(calls, use, current)
                if depth == MAX_CALLS:
                    continue
                for _, callee in self.graph.calls(current):
                    if id(callee.function) not in seen and not is_generator(callee.function):
                        seen.add(id(callee.function))
                        following.append((callee, (*calls, callee)))
            frontier = following
        return None

    def own_use(self, target: Target) -> SessionUse | None:
        """The first use of a synchronous session in the function's own body (not in nested functions)."""
        key = id(target.function)
        if key not in self._uses:
            self._uses[key] = self._find_use(target)
        return self._uses[key]

    def _find_use(self, target: Target) -> SessionUse | None:
        nodes = list(body_nodes(target.function))
        calls = sorted((node for node in nodes if isinstance(node, ast.Call)), key=lambda n: (n.lineno, n.col_offset))
        if not calls:
            return None
        # ``await session.execute(...)``: whatever its annotation says, an awaited session is an async one
        awaited = {
            source_text(node.value.func.value) for node in nodes
            if isinstance(node, ast.Await) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute)
        }
        flow = ScopeFlow(self.project, target.module, target.function, (target.function,))
        for call in calls:
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr not in BOOKKEEPING and \
                    self._sync_session(flow, func.value, target, awaited):
                return SessionUse(source_text(func.value), call.lineno)
            if self._passes_nothing(target, call):
                continue
            for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:
                if self._sync_session(flow, argument, target, awaited):
                    return SessionUse(source_text(argument), call.lineno)
        return None

    def _sync_session(self, flow: ScopeFlow, expr: ast.expr, target: Target, awaited: set[str]) -> bool:
        if not isinstance(expr, (ast.Name, ast.Attribute)) or source_text(expr) in awaited:
            return False
        return self.project.models.sessions.receiver_flavor(flow, expr, target.klass) == "sync"

    def _passes_nothing(self, target: Target, call: ast.Call) -> bool:
        """Calls that take a session without using it: thread-pool hand-offs and builtins (``isinstance``)."""
        func = call.func
        if isinstance(func, ast.Name) and func.id in BUILTINS and \
                self.project.names.resolve_name(target.module, func.id, (target.function,)).binding is None:
            return True
        return is_offload(self.project, target.module, call, (target.function,))
