"""Where a function writes its local names, and where a class writes ``self.<attribute>``.

A light data-flow view for rules that need to know what a variable may hold at
one point: every assignment, ``+=``, loop target and container mutation
(``parts.append(x)``, ``params["k"] = v``) of a name, in source order, with the
position after which the write is visible. Writes the view cannot describe
(``with ... as x``, tuple unpacking of a call, imports, ``global``) are kept as
``unknown`` so that a reader never mistakes a partly known name for a known one.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from fastapi_guard.project.symbols import FunctionNode, ScopeNode, scope_statements

Position = tuple[int, int]
Blocks = tuple[int, ...]
# Statements whose bodies may not run; a ``with`` or ``try`` body always starts.
_CONDITIONAL = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Match)
_MUTATIONS = frozenset({"append", "add", "insert", "extend", "update", "setdefault"})


def position(node: ast.AST) -> Position:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def end_position(node: ast.AST) -> Position:
    return getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0


def target_names(target: ast.expr) -> list[str]:
    return [node.id for node in ast.walk(target) if isinstance(node, ast.Name)]


@dataclass(frozen=True)
class Write:
    """One write of a name in ``scope``. ``kind``: ``param`` (``value`` is the
    annotation), ``assign``, ``augment`` (``+=``), ``unpack`` (one of the names a tuple
    assignment takes from ``value``), ``element`` (``value`` is put into the container),
    ``iterate`` (loop ``target`` over ``value``), or ``unknown``."""

    kind: str
    node: ast.AST
    end: Position
    value: ast.expr | None = None
    target: ast.expr | None = None
    scope: ScopeNode | None = None
    # The conditional blocks (if/loop/except bodies) around the write, innermost last.
    blocks: Blocks = ()


@dataclass(frozen=True)
class AttributeWrite:
    """A write of ``self.<name>`` inside ``method`` (None: a class-level assignment)."""

    method: FunctionNode | None
    write: Write


AddWrite = Callable[[str, Write], None]


class WriteIndex:
    """Writes per scope and per class, and calls by function name, computed once per file;
    also a memo for readers."""

    def __init__(self) -> None:
        self._scopes: dict[int, tuple[ScopeNode, dict[str, list[Write]], dict[int, Blocks]]] = {}
        self._classes: dict[int, tuple[ast.ClassDef, dict[str, list[AttributeWrite]]]] = {}
        self._calls: dict[str, list[tuple[ast.Call, tuple[ast.AST, ...]]]] | None = None
        self._other_uses: set[str] = set()
        self.memo: dict[tuple[object, ...], object] = {}

    def calls(self, tree: ast.Module, name: str) -> list[tuple[ast.Call, tuple[ast.AST, ...]]] | None:
        """Calls of ``name(...)`` or ``<x>.name(...)`` in the module, each with its ancestors;
        None when the name is also used otherwise (``Depends(name)``, ``callback=name``), so that
        its callers cannot all be seen."""
        if self._calls is None:
            self._calls, self._other_uses = {}, set()
            stack: list[tuple[ast.AST, tuple[ast.AST, ...]]] = [(tree, ())]
            while stack:
                node, ancestors = stack.pop()
                if isinstance(node, ast.Call):
                    func = node.func
                    called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                    if called is not None:
                        self._calls.setdefault(called, []).append((node, ancestors))
                elif isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load) and not (
                    ancestors and isinstance(ancestors[-1], ast.Call) and ancestors[-1].func is node
                ):
                    self._other_uses.add(node.id if isinstance(node, ast.Name) else node.attr)
                inner = (*ancestors, node)
                stack.extend((child, inner) for child in ast.iter_child_nodes(node))
        return None if name in self._other_uses else self._calls.get(name, [])

    def of(self, scope: ScopeNode) -> dict[str, list[Write]]:
        return self._scope(scope)[1]

    def blocks(self, scope: ScopeNode, statement: ast.AST) -> Blocks:
        """The conditional blocks around a statement of the scope."""
        return self._scope(scope)[2].get(id(statement), ())

    def _scope(self, scope: ScopeNode) -> tuple[ScopeNode, dict[str, list[Write]], dict[int, Blocks]]:
        cached = self._scopes.get(id(scope))
        if cached is None:
            cached = (scope, *_scope_writes(scope))
            self._scopes[id(scope)] = cached
        return cached

    def attributes(self, owner: ast.ClassDef) -> dict[str, list[AttributeWrite]]:
        cached = self._classes.get(id(owner))
        if cached is None:
            cached = (owner, _attribute_writes(owner))
            self._classes[id(owner)] = cached
        return cached[1]


def self_name(method: FunctionNode) -> str | None:
    """The name of a method's instance (or class) parameter; None for a static method."""
    if any(isinstance(decorator, ast.Name) and decorator.id == "staticmethod" for decorator in method.decorator_list):
        return None
    positional = [*method.args.posonlyargs, *method.args.args]
    return positional[0].arg if positional else None


def _statements(body: list[ast.stmt]) -> Iterator[tuple[ast.stmt, Blocks]]:
    """The statements of one scope in source order, each with its conditional blocks."""
    stack: list[tuple[ast.stmt, Blocks]] = [(statement, ()) for statement in reversed(body)]
    while stack:
        statement, blocks = stack.pop()
        yield statement, blocks
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        nested: list[tuple[ast.stmt, Blocks]] = []
        for name in ("body", "orelse", "finalbody"):
            block = getattr(statement, name, None) or []
            conditional = isinstance(statement, _CONDITIONAL) or (name == "orelse" and isinstance(statement, ast.Try))
            nested.extend((inner, (*blocks, id(block)) if conditional else blocks) for inner in block)
        for branch in [*(getattr(statement, "handlers", None) or ()), *(getattr(statement, "cases", None) or ())]:
            nested.extend((inner, (*blocks, id(branch.body))) for inner in branch.body)
        stack.extend(reversed(nested))


def passed_values(
    function: FunctionNode, name: str, calls: list[tuple[ast.Call, tuple[ast.AST, ...]]], is_method: bool,
) -> list[tuple[ast.expr, ast.Call, tuple[ast.AST, ...]]] | None:
    """What each call passes for the parameter ``name`` (its default when the call omits it), with
    the call and its ancestors; None when some call's arguments cannot be lined up."""
    positional = [argument.arg for argument in [*function.args.posonlyargs, *function.args.args]]
    shift = 1 if is_method and self_name(function) else 0
    index = positional.index(name) - shift if name in positional else None
    default = _default_for(function, name)
    passed: list[tuple[ast.expr, ast.Call, tuple[ast.AST, ...]]] = []
    for call, ancestors in calls:
        if isinstance(call.func, ast.Attribute) != is_method:
            return None  # another callable of the same name
        if any(isinstance(argument, ast.Starred) for argument in call.args) or any(
            keyword.arg is None for keyword in call.keywords
        ):
            return None
        given = [keyword.value for keyword in call.keywords if keyword.arg == name]
        if not given and index is not None and 0 <= index < len(call.args):
            given = [call.args[index]]
        value = given[0] if given else default
        if value is None:
            return None
        passed.append((value, call, ancestors))
    return passed


def _default_for(function: FunctionNode, name: str) -> ast.expr | None:
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    for argument, default in zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults):
        if argument.arg == name:
            return default
    for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
        if argument.arg == name:
            return default
    return None


def _scope_writes(scope: ScopeNode) -> tuple[dict[str, list[Write]], dict[int, Blocks]]:
    writes: dict[str, list[Write]] = {}
    statement_blocks: dict[int, Blocks] = {}
    branches: list[tuple[Blocks, int, int]] = []  # if statements with an else: (blocks, body, orelse)
    blocks: Blocks = ()

    def add(name: str, write: Write) -> None:
        writes.setdefault(name, []).append(replace(write, scope=scope, blocks=blocks))

    arguments = scope.args
    for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
        add(argument.arg, Write("param", argument, end_position(argument), argument.annotation))
    for argument in filter(None, [arguments.vararg, arguments.kwarg]):
        add(argument.arg, Write("unknown", argument, end_position(argument)))
    if isinstance(scope, ast.Lambda):
        return writes, statement_blocks
    for statement, blocks in _statements(scope.body):
        statement_blocks[id(statement)] = blocks
        end = end_position(statement)
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                _add_assignment(add, statement, target, statement.value)
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            _add_assignment(add, statement, statement.target, statement.value)
        elif isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
            kind = "augment" if isinstance(statement.op, ast.Add) else "unknown"
            add(statement.target.id, Write(kind, statement, end, statement.value))
        elif isinstance(statement, (ast.For, ast.AsyncFor)):
            for name in target_names(statement.target):
                add(name, Write("iterate", statement, end_position(statement.iter), statement.iter, statement.target))
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            for item in statement.items:
                for name in target_names(item.optional_vars) if item.optional_vars else ():
                    add(name, Write("unknown", statement, end_position(item)))
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            _add_mutation(add, statement, statement.value)
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            for alias in statement.names:
                add(alias.asname or alias.name.split(".")[0], Write("unknown", statement, end))
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            add(statement.name, Write("unknown", statement, end))
        elif isinstance(statement, (ast.Global, ast.Nonlocal)):
            for name in statement.names:
                add(name, Write("unknown", statement, position(statement)))
        for handler in getattr(statement, "handlers", ()) or ():
            if handler.name:
                add(handler.name, Write("unknown", handler, end_position(handler)))
        if isinstance(statement, ast.If) and statement.orelse:
            branches.append((blocks, id(statement.body), id(statement.orelse)))
    return _merge_exhaustive(writes, branches), statement_blocks


def _merge_exhaustive(writes: dict[str, list[Write]], branches: list[tuple[Blocks, int, int]]) -> dict[str, list[Write]]:
    """A name assigned in both the ``if`` and the ``else`` branch is surely assigned by the ``if``:
    those writes take the blocks of the ``if`` statement itself."""
    for name, found in writes.items():
        for blocks, body, orelse in branches:
            sides = [(*blocks, body), (*blocks, orelse)]
            if all(any(write.kind == "assign" and write.blocks == side for write in found) for side in sides):
                writes[name] = found = [
                    replace(write, blocks=blocks) if write.kind == "assign" and write.blocks in sides else write
                    for write in found
                ]
    return writes


def _add_assignment(add: AddWrite, statement: ast.stmt, target: ast.expr, value: ast.expr) -> None:
    end = end_position(statement)
    if isinstance(target, ast.Name):
        add(target.id, Write("assign", statement, end, value))
    elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
        add(target.value.id, Write("element", statement, end, value))
    elif isinstance(target, (ast.Tuple, ast.List)):
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
            for element, element_value in zip(target.elts, value.elts):
                _add_assignment(add, statement, element, element_value)
        else:
            for name in target_names(target):
                add(name, Write("unpack", statement, end, value))


def _add_mutation(add: AddWrite, statement: ast.stmt, call: ast.Call) -> None:
    """``parts.append(x)``, ``params.update(k=v)``: what a container is filled with."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.attr in _MUTATIONS):
        return
    values = [*call.args[-1:], *(keyword.value for keyword in call.keywords)]
    if not values:
        return
    whole = func.attr in ("extend", "update") and not call.keywords
    contents = values[0] if whole else ast.List(elts=values, ctx=ast.Load())
    add(func.value.id, Write("element", statement, end_position(statement), contents))


def _attribute_writes(owner: ast.ClassDef) -> dict[str, list[AttributeWrite]]:
    writes: dict[str, list[AttributeWrite]] = {}
    for statement in owner.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    write = Write("assign", statement, end_position(statement), statement.value)
                    writes.setdefault(target.id, []).append(AttributeWrite(None, write))
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        instance = self_name(statement)
        for inner in scope_statements(statement.body) if instance else ():
            for target, kind, value in _attribute_targets(inner):
                if isinstance(target.value, ast.Name) and target.value.id == instance:
                    write = Write(kind, inner, end_position(inner), value)
                    writes.setdefault(target.attr, []).append(AttributeWrite(statement, write))
    return writes


def _attribute_targets(statement: ast.stmt) -> list[tuple[ast.Attribute, str, ast.expr | None]]:
    if isinstance(statement, ast.Assign):
        found: list[tuple[ast.Attribute, str, ast.expr | None]] = []
        for target in statement.targets:
            if isinstance(target, ast.Attribute):
                found.append((target, "assign", statement.value))
            elif isinstance(target, (ast.Tuple, ast.List)):
                found.extend((node, "unknown", None) for node in target.elts if isinstance(node, ast.Attribute))
        return found
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Attribute) and statement.value:
        return [(statement.target, "assign", statement.value)]
    if isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Attribute):
        return [(statement.target, "augment" if isinstance(statement.op, ast.Add) else "unknown", statement.value)]
    return []
