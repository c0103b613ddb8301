"""Which project function a call runs: the small call graph the data-access rules follow.

Calls are resolved from names alone, never by running or importing code:
``helper(...)``, ``module.helper(...)``, ``Class.method(...)``,
``self.method(...)`` / ``cls.method(...)`` inside a class (also inherited from
a project base class), ``ItemService(db).list(...)``, ``Users.get(...)`` where ``Users = UsersTable()`` is a
module-level instance, ``service.list(...)`` where ``service = ItemService(db)``
in the same function, and ``repo.list(...)`` where ``repo`` is a parameter
annotated with a project class. Anything else (parameters of unknown type,
attributes of attributes, library calls) resolves to None.

A function handed to a thread pool (``run_in_threadpool(f, ...)``,
``asyncio.to_thread(f)``, ``background_tasks.add_task(f)``) or called inside a
lambda or nested function is not called by the function that mentions it, so
the graph does not follow it.

``endpoint_results`` knows which functions produce what an endpoint returns:
``return service.list_items(db)``, ``items = crud.get_items(db); return
{"items": items}``, followed through helpers that return a helper's result.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from fastapi_guard.project.scopeflow import ScopeFlow
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo, ScopeNode

if TYPE_CHECKING:
    from fastapi_guard.project import Project

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
# Callables that run the function they are given in a worker thread (or after the response), or
# package it for later (``functools.partial``): what they are given does not run on the caller's loop.
OFFLOADS = frozenset({
    "run_in_threadpool", "to_thread", "run_sync", "run_in_executor", "add_task", "iterate_in_threadpool", "partial",
})
MAX_DEPTH = 8
# How many helpers deep an endpoint's return value is traced (endpoint -> service -> repository).
MAX_RETURN_DEPTH = 3


@dataclass(frozen=True, eq=False)
class Target:
    """A project function a call runs; ``klass`` is its class for a method."""

    module: ModuleInfo
    function: FunctionNode
    klass: ast.ClassDef | None = None

    @property
    def label(self) -> str:
        return f"{self.klass.name}.{self.function.name}" if self.klass else self.function.name


def body_nodes(function: ScopeNode) -> Iterator[ast.AST]:
    """Every node of a function body, not descending into nested functions, classes and lambdas."""
    body = function.body if isinstance(function.body, list) else [function.body]
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, NESTED_SCOPES):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))


def is_generator(function: FunctionNode) -> bool:
    """Calling a generator function runs none of its body: whoever iterates it does (Starlette
    iterates a sync ``StreamingResponse`` body in its thread pool)."""
    return any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in body_nodes(function))


def is_offload(project: Project, module: ModuleInfo, call: ast.Call, scopes: tuple[ScopeNode, ...]) -> bool:
    """``run_in_threadpool(f, db)`` and friends: what they are given runs off the event loop."""
    name = project.names.qualname(module, call.func, scopes) if isinstance(call.func, (ast.Name, ast.Attribute)) \
        else None
    return name is not None and name.rsplit(".", 1)[-1] in OFFLOADS


class CallGraph:
    """Resolves calls to project functions; per-function results are cached."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._classes: dict[int, ast.ClassDef] = {}
        self._indexed: set[str] = set()
        self._calls: dict[int, list[tuple[ast.Call, Target]]] = {}

    def owner_class(self, module: ModuleInfo, function: FunctionNode) -> ast.ClassDef | None:
        """The class whose body defines ``function`` (None for a plain function)."""
        if module.name not in self._indexed:
            self._indexed.add(module.name)
            for node in ast.walk(module.tree):
                if isinstance(node, ast.ClassDef):
                    for statement in node.body:
                        if isinstance(statement, FUNCTIONS):
                            self._classes[id(statement)] = node
        return self._classes.get(id(function))

    def target(self, module: ModuleInfo, function: FunctionNode) -> Target:
        return Target(module, function, self.owner_class(module, function))

    def calls(self, target: Target) -> list[tuple[ast.Call, Target]]:
        """The project functions ``target`` calls directly, in source order."""
        key = id(target.function)
        found = self._calls.get(key)
        if found is None:
            found = []
            for node in body_nodes(target.function):
                if isinstance(node, ast.Call):
                    callee = self.callee(target, node)
                    if callee is not None and callee.function is not target.function:
                        found.append((node, callee))
            self._calls[key] = found
        return found

    @cached_property
    def endpoint_results(self) -> dict[int, Target]:
        """``id(function)`` of the functions whose return value an endpoint hands back whole, mapped to
        (the first) such endpoint; the endpoints themselves included."""
        found: dict[int, Target] = {}
        frontier = [(endpoint, endpoint) for endpoint in (
            self.target(e.module, e.function) for e in self.project.fastapi.endpoints
        )]
        for depth in range(MAX_RETURN_DEPTH + 1):  # breadth first from every endpoint at once
            following: list[tuple[Target, Target]] = []
            for current, endpoint in frontier:
                if id(current.function) in found:
                    continue
                found[id(current.function)] = endpoint
                if depth < MAX_RETURN_DEPTH:
                    following.extend((callee, endpoint) for callee in self._returned_callees(current))
            frontier = following
        return found

    def _returned_callees(self, target: Target) -> list[Target]:
        flow: ScopeFlow | None = None
        callees: list[Target] = []
        for call, callee in self.calls(target):
            flow = flow or ScopeFlow(self.project, target.module, target.function, (target.function,))
            if flow.returns(call) is not None:
                callees.append(callee)
        return callees

    def callee(self, caller: Target, call: ast.Call) -> Target | None:
        module, scopes = caller.module, (caller.function,)
        func = call.func
        names = self.project.names
        if isinstance(func, ast.Name):
            resolved = names.resolve_name(module, func.id, scopes)
            if resolved.binding is not None and isinstance(resolved.binding.node, FUNCTIONS):
                where = resolved.module or module
                return self.target(where, resolved.binding.node)
            return None
        if not isinstance(func, ast.Attribute):
            return None
        receiver = func.value
        if isinstance(receiver, ast.Name) and receiver.id in {"self", "cls"} and caller.klass is not None:
            return self.method(module, caller.klass, func.attr)
        resolved = names.resolve_expr(module, func, scopes)
        if resolved is not None and resolved.binding is not None and isinstance(resolved.binding.node, FUNCTIONS):
            return self.target(resolved.module or module, resolved.binding.node)
        if isinstance(receiver, ast.Call):  # ``ItemService(db).list()``
            owner = self.class_named(module, receiver.func, scopes)
        else:
            owner = self._class_of_object(module, receiver, scopes)
        return self.method(owner[0], owner[1], func.attr) if owner else None

    def _class_of_object(
        self, module: ModuleInfo, expr: ast.expr, scopes: tuple[ScopeNode, ...]
    ) -> tuple[ModuleInfo, ast.ClassDef] | None:
        """The project class of ``Class`` itself, of an instance made by ``Class(...)``, or of a parameter
        annotated ``Class``."""
        resolved = self.project.names.resolve_expr(module, expr, scopes)
        binding = resolved.binding if resolved else None
        if resolved is None or binding is None:
            return None
        where = resolved.module or module
        if binding.kind == "class" and isinstance(binding.node, ast.ClassDef):
            return where, binding.node
        if binding.kind == "value" and isinstance(binding.node, ast.Call):
            return self.class_named(where, binding.node.func, scopes if "<locals>" in binding.qualname else ())
        if binding.kind == "param" and isinstance(binding.node, ast.arg) and binding.node.annotation is not None:
            return self.class_named(where, binding.node.annotation, ())
        return None

    def class_named(
        self, module: ModuleInfo, expr: ast.expr, scopes: tuple[ScopeNode, ...] = ()
    ) -> tuple[ModuleInfo, ast.ClassDef] | None:
        if not isinstance(expr, (ast.Name, ast.Attribute)):
            return None
        resolved = self.project.names.resolve_expr(module, expr, scopes)
        if resolved is None or resolved.binding is None or not isinstance(resolved.binding.node, ast.ClassDef):
            return None
        return resolved.module or module, resolved.binding.node

    def method(self, module: ModuleInfo, klass: ast.ClassDef, name: str, depth: int = 0) -> Target | None:
        """``klass.name`` looked up in the class and then in its project base classes."""
        for statement in klass.body:
            if isinstance(statement, FUNCTIONS) and statement.name == name:
                return Target(module, statement, klass)
        if depth >= MAX_DEPTH:
            return None
        for base in klass.bases:
            parent = self.class_named(module, base)
            if parent is not None and parent[1] is not klass:
                found = self.method(parent[0], parent[1], name, depth + 1)
                if found is not None:
                    return found
        return None
