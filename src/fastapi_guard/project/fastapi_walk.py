"""Syntax-level facts for the FastAPI index: one statement walk, and small ``ast`` helpers.

The walk goes over every module once. It records where functions and classes
are (their enclosing scopes, the class owning each method) and the statements the router graph resolves afterwards:
assignments of calls (router creations), ``include_router``/``mount`` calls,
imperative route registrations, decorated functions, and every call by its
callee's name (to find the call sites of helpers that receive a router).
Only statements are visited, never every expression node: registrations,
includes and creations are statements, and this keeps the walk cheap.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from fastapi_guard.project.localwrites import target_names
from fastapi_guard.project.names import NameResolver
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo, ScopeNode

HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
ROUTE_DECORATORS = frozenset({*HTTP_METHODS, "api_route", "websocket"})
IMPERATIVE_ROUTES = frozenset({"add_api_route", "add_api_websocket_route"})
# Cadwyn's versioned app includes every router passed to this method.
EDGE_METHODS = frozenset({"include_router", "mount", "generate_and_include_versioned_routers"})
MAX_DEPTH = 24

Scopes = tuple[ScopeNode, ...]


@dataclass
class Site:
    module: ModuleInfo
    node: ast.AST
    scopes: Scopes
    loops: tuple[ast.For | ast.AsyncFor, ...] = ()


@dataclass
class Collected:
    assignments: list[Site] = field(default_factory=list)
    edge_calls: list[Site] = field(default_factory=list)
    route_calls: list[Site] = field(default_factory=list)
    decorated: list[Site] = field(default_factory=list)
    calls_by_name: dict[str, list[Site]] = field(default_factory=dict)
    enclosing: dict[int, Scopes] = field(default_factory=dict)
    owner_class: dict[int, ast.ClassDef] = field(default_factory=dict)
    functions: dict[int, tuple[ModuleInfo, FunctionNode]] = field(default_factory=dict)
    classes: list[ast.ClassDef] = field(default_factory=list)


def collect(modules: list[ModuleInfo]) -> Collected:
    found = Collected()
    for module in modules:
        stack: list[tuple[ast.stmt, Scopes, tuple[ast.For | ast.AsyncFor, ...]]] = [
            (statement, (), ()) for statement in reversed(module.tree.body)
        ]
        while stack:
            node, scopes, loops = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.enclosing[id(node)] = scopes
                found.functions[id(node)] = (module, node)
                if node.decorator_list:
                    found.decorated.append(Site(module, node, scopes, loops))
                inner = (*scopes, node)
                stack.extend((item, inner, ()) for item in reversed(node.body))
                continue
            if isinstance(node, ast.ClassDef):
                found.enclosing[id(node)] = scopes
                found.classes.append(node)
                for statement in node.body:
                    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        found.owner_class[id(statement)] = node
                stack.extend((item, scopes, loops) for item in reversed(node.body))
                continue
            if isinstance(node, (ast.For, ast.AsyncFor)):
                stack.extend((item, scopes, loops) for item in reversed(node.orelse))
                stack.extend((item, scopes, (*loops, node)) for item in reversed(node.body))
                continue
            value = getattr(node, "value", None)
            if isinstance(value, ast.Await):
                value = value.value
            if isinstance(value, ast.Call) and isinstance(node, (ast.Expr, ast.Assign, ast.AnnAssign, ast.Return)):
                if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is value:
                    found.assignments.append(Site(module, node, scopes, loops))
                _collect_call(found, Site(module, value, scopes, loops))
            nested: list[ast.stmt] = []
            for name in ("body", "orelse", "finalbody"):
                nested.extend(getattr(node, name, ()) or ())
            for handler in getattr(node, "handlers", ()) or ():
                nested.extend(handler.body)
            for case in getattr(node, "cases", ()) or ():
                nested.extend(case.body)
            stack.extend((item, scopes, loops) for item in reversed(nested))
    return found


def _collect_call(found: Collected, site: Site) -> None:
    call = site.node
    assert isinstance(call, ast.Call)
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr in EDGE_METHODS:
            found.edge_calls.append(site)
        elif func.attr in IMPERATIVE_ROUTES:
            found.route_calls.append(site)
        found.calls_by_name.setdefault(func.attr, []).append(site)
    elif isinstance(func, ast.Name):
        found.calls_by_name.setdefault(func.id, []).append(site)
    elif isinstance(func, ast.Call) and isinstance(func.func, ast.Attribute) and func.func.attr in ROUTE_DECORATORS:
        found.route_calls.append(site)


class Bound(NamedTuple):
    """The value of a loop variable in one iteration, and where its names resolve."""

    module: ModuleInfo
    expr: ast.expr
    scopes: Scopes


Environment = dict[str, Bound]
# Reads the elements of a loop's iterable: a literal, or a constant holding one.
Elements = Callable[[ModuleInfo, ast.expr, Scopes], "tuple[ModuleInfo, list[ast.expr], Scopes] | None"]


def loop_environments(site: Site, names: set[str], elements: Elements) -> list[Environment]:
    """One environment per iteration of the innermost readable loop that binds one of ``names``."""
    for loop in reversed(site.loops):
        if not names.intersection(target_names(loop.target)):
            continue
        found = elements(site.module, loop.iter, site.scopes)
        if found is None:
            continue
        module, items, scopes = found
        environments = []
        for element in items:
            environment: Environment = {}
            _bind_target(loop.target, Bound(module, element, scopes), environment)
            environments.append(environment)
        return environments
    return [{}]


def _bind_target(target: ast.expr, value: Bound, environment: Environment) -> None:
    if isinstance(target, ast.Name):
        environment[target.id] = value
    elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value.expr, (ast.Tuple, ast.List)):
        for sub_target, sub_value in zip(target.elts, value.expr.elts):
            _bind_target(sub_target, value._replace(expr=sub_value), environment)


@dataclass(frozen=True, eq=False)
class DependencyRef:
    """An expression in a dependency slot (a parameter default, an ``Annotated`` extra,
    an item of ``dependencies=[...]``) and the scopes its names resolve in.

    ``annotation`` is the declared type, the dependency of a bare ``Depends()``.
    """

    module: ModuleInfo
    expr: ast.expr
    scopes: Scopes = ()
    annotation: ast.expr | None = None


def keyword(call: ast.Call | ast.ClassDef, name: str) -> ast.expr | None:
    """The value of ``name=`` in a call or in a class statement's keywords."""
    for item in call.keywords:
        if item.arg == name:
            return item.value
    return None


def strip_generic(expr: ast.expr) -> ast.expr:
    """``FastAPIUsers[User, UUID]`` -> ``FastAPIUsers``."""
    while isinstance(expr, ast.Subscript):
        expr = expr.value
    return expr


def own_nodes(function: FunctionNode) -> Iterator[ast.AST]:
    """Nodes of a function body, not descending into nested functions, classes or lambdas."""
    stack: list[ast.AST] = list(reversed(function.body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def returned_values(function: FunctionNode) -> list[ast.expr]:
    return [node.value for node in own_nodes(function) if isinstance(node, ast.Return) and node.value is not None]


def parameter_slots(function: FunctionNode) -> Iterator[tuple[ast.arg, ast.expr | None]]:
    """Each parameter with its default value (None when it has none)."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    defaults.extend(arguments.defaults)
    yield from zip(positional, defaults)
    yield from zip(arguments.kwonlyargs, arguments.kw_defaults)


def find_method(cls: ast.ClassDef, name: str) -> FunctionNode | None:
    for statement in cls.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name == name:
            return statement
    return None


def dependency_items(
    names: NameResolver, module: ModuleInfo, expr: ast.expr, scopes: Scopes, depth: int = 0
) -> list[DependencyRef]:
    """The items of a ``dependencies=`` value: a list literal, a constant holding one, concatenations."""
    if depth > MAX_DEPTH:
        return []
    if isinstance(expr, (ast.List, ast.Tuple)):
        refs: list[DependencyRef] = []
        for element in expr.elts:
            if isinstance(element, ast.Starred):
                refs.extend(dependency_items(names, module, element.value, scopes, depth + 1))
            else:
                refs.append(DependencyRef(module, element, scopes))
        return refs
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return [*dependency_items(names, module, expr.left, scopes, depth + 1),
                *dependency_items(names, module, expr.right, scopes, depth + 1)]
    if isinstance(expr, (ast.Name, ast.Attribute)):
        resolved = names.resolve_expr(module, expr, scopes)
        binding = resolved.binding if resolved else None
        if resolved is not None and binding is not None and binding.kind == "value" and binding.node is not None:
            local = "<locals>" in binding.qualname
            return dependency_items(names, resolved.module or module, binding.node, scopes if local else (), depth + 1)
    return []


def terminal_name(expr: ast.expr) -> str | None:
    """The last name of ``a.b.C`` / ``C[T]``: what a call is spelled as, before resolution."""
    expr = strip_generic(expr)
    if isinstance(expr, ast.Name):
        return expr.id
    return expr.attr if isinstance(expr, ast.Attribute) else None


def argument_for(function: FunctionNode, call: ast.Call, value: ast.expr) -> ast.expr | None:
    """The call's argument for the parameter that ``value`` names, if ``value`` is a parameter."""
    if not isinstance(value, ast.Name):
        return None
    positional = [argument.arg for argument in (*function.args.posonlyargs, *function.args.args)]
    if value.id in positional:
        index = positional.index(value.id)
        if index < len(call.args) and not isinstance(call.args[index], ast.Starred):
            return call.args[index]
    return keyword(call, value.id)


def init_dependencies(
    names: NameResolver, module: ModuleInfo, init: FunctionNode, scopes: Scopes
) -> list[DependencyRef]:
    """Dependencies an APIRouter subclass's ``__init__`` adds: ``super().__init__(dependencies=...)``,
    ``kwargs.setdefault("dependencies", ...)`` or ``kwargs["dependencies"] = ...``."""
    refs: list[DependencyRef] = []
    for node in own_nodes(init):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "__init__":
                value = keyword(node, "dependencies")
                if value is not None:
                    refs.extend(dependency_items(names, module, value, scopes))
            elif node.func.attr == "setdefault" and len(node.args) == 2 and is_text(node.args[0], "dependencies"):
                refs.extend(dependency_items(names, module, node.args[1], scopes))
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Subscript) and is_text(target.slice, "dependencies") for target in node.targets
        ):
            refs.extend(dependency_items(names, module, node.value, scopes))
    return refs


def is_text(node: ast.expr, text: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == text
