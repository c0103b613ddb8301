"""Where values go inside one function body: parents, bindings, reaching assignments and uses.

A straight-line view of one scope (a function, or a module body) that the
query analysis and the session rules share: the parent of every node, every
binding of a local name with the position after which it is visible, the loads
of each name, which attributes of which variables the function compares, tests
or assigns, which variables it passes to which callees, where admin-only code
starts (``guards``), and whether a value ends up returned to the caller.
Nested functions and classes are scopes of their own and are not entered.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from fastapi_guard.project.guards import AdminGuards
from fastapi_guard.project.symbols import ModuleInfo, ScopeNode

if TYPE_CHECKING:
    from fastapi_guard.project import Project

NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# Builtins that hand back the same rows, reordered or copied: ``return sorted(items)`` still returns them all.
ROW_PRESERVING = frozenset({"list", "tuple", "sorted", "reversed", "jsonable_encoder"})
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
TESTS = (ast.If, ast.While, ast.IfExp, ast.Assert)

Position = tuple[int, int]


def start(node: ast.AST) -> Position:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def end(node: ast.AST) -> Position:
    return getattr(node, "end_lineno", 0) or 0, getattr(node, "end_col_offset", 0) or 0


def last_name(expr: ast.expr) -> str | None:
    """``check_owner`` for ``check_owner``, ``perms.check_owner`` and ``self.check_owner``."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


def _variable_attributes(expr: ast.AST) -> Iterator[tuple[str, str]]:
    for part in ast.walk(expr):
        if isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name):
            yield part.value.id, part.attr


@dataclass
class Assignment:
    node: ast.AST  # the statement (or walrus / for target / with item) binding the name
    value: ast.expr | None
    end: Position


class ScopeFlow:
    """The data-flow facts of one function body (or module body)."""

    def __init__(
        self, project: Project, module: ModuleInfo, scope: ScopeNode | ast.Module, scopes: tuple[ScopeNode, ...]
    ) -> None:
        self.project = project
        self.module = module
        self.scope = scope
        self.scopes = scopes
        self.parents: dict[int, ast.AST] = {}
        self.nodes: list[ast.AST] = []
        self.assignments: dict[str, list[Assignment]] = {}
        self.loads: dict[str, list[ast.Name]] = {}
        self._index()
        self.guards = AdminGuards(project.config, self.parents, scope)

    # ----- indexing ---------------------------------------------------------

    def _index(self) -> None:
        body = self.scope.body if isinstance(self.scope.body, list) else [self.scope.body]
        stack: list[tuple[ast.AST, ast.AST]] = [(child, self.scope) for child in reversed(body)]
        while stack:
            node, parent = stack.pop()
            self.parents[id(node)] = parent
            self.nodes.append(node)
            if isinstance(node, NESTED_SCOPES):
                continue
            self._record_binding(node)
            stack.extend((child, node) for child in reversed(list(ast.iter_child_nodes(node))))

    def _bind(self, target: ast.expr, node: ast.AST, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            visible = end(target if value is None else node)
            self.assignments.setdefault(target.id, []).append(Assignment(node, value, visible))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind(element, node, None)

    def _record_binding(self, node: ast.AST) -> None:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            self.loads.setdefault(node.id, []).append(node)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                self._bind(target, node, node.value if isinstance(target, ast.Name) else None)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            self._bind(node.target, node, node.value if isinstance(node, ast.AnnAssign) else None)
        elif isinstance(node, ast.NamedExpr):
            self._bind(node.target, node, node.value)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self._bind(node.target, node.target, None)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            self._bind(node.optional_vars, node.optional_vars, None)

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(id(node))

    def reaching(self, load: ast.Name) -> Assignment | None:
        """The last assignment to the loaded name that ends before the load (straight-line approximation)."""
        best: Assignment | None = None
        position = start(load)
        for assignment in self.assignments.get(load.id, ()):
            if assignment.end <= position and (best is None or assignment.end >= best.end):
                best = assignment
        return best

    # ----- uses of variables ------------------------------------------------

    @cached_property
    def compared(self) -> set[tuple[str, str]]:
        """``(variable, attribute)`` compared anywhere: ``item.owner_id != user.id``."""
        return {pair for node in self.nodes if isinstance(node, ast.Compare) for pair in _variable_attributes(node)}

    @cached_property
    def examined(self) -> set[tuple[str, str]]:
        """``(variable, attribute)`` compared, tested (``if item.is_deleted:``, a comprehension's ``if``)
        or assigned (``item.deleted_at = now``)."""
        found = set(self.compared)
        for node in self.nodes:
            if isinstance(node, TESTS):
                found.update(_variable_attributes(node.test))
            elif isinstance(node, ast.comprehension):
                for condition in node.ifs:
                    found.update(_variable_attributes(condition))
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) \
                    and isinstance(node.value, ast.Name):
                found.add((node.value.id, node.attr))
        return found

    @cached_property
    def passed_to(self) -> dict[str, set[str]]:
        """Variables (or their attributes) passed to a call, by the callee's last name."""
        found: dict[str, set[str]] = {}
        for node in self.nodes:
            if not isinstance(node, ast.Call):
                continue
            callee = last_name(node.func)
            if callee is None:
                continue
            for argument in [*node.args, *(keyword.value for keyword in node.keywords)]:
                if isinstance(argument, ast.Attribute):
                    argument = argument.value
                if isinstance(argument, ast.Name):
                    found.setdefault(argument.id, set()).add(callee)
        return found

    def expanded(self, exprs: list[ast.expr]) -> Iterator[ast.AST]:
        """Every node of ``exprs``, looking through local variables into the values assigned to them."""
        seen: set[str] = set()
        stack: list[ast.AST] = list(exprs)
        while stack:
            expr = stack.pop()
            for node in ast.walk(expr):
                yield node
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in seen:
                    seen.add(node.id)
                    stack.extend(a.value for a in self.assignments.get(node.id, ()) if a.value is not None)
                    stack.extend(self._appended(node.id))

    def _appended(self, name: str) -> Iterator[ast.expr]:
        """Arguments of ``name.append(...)`` / ``name.extend(...)``: conditions collected in a list."""
        for load in self.loads.get(name, ()):
            attribute = self.parent(load)
            call = self.parent(attribute) if isinstance(attribute, ast.Attribute) else None
            if isinstance(call, ast.Call) and last_name(call.func) in {"append", "extend"} and call.func is attribute:
                yield from call.args

    def returns(self, node: ast.expr) -> ast.Return | None:
        """The ``return`` that hands ``node``'s value back whole: directly, through local variables,
        inside a container or a keyword argument (``Page(items=items)``), a comprehension over it, or
        ``sorted()`` / ``list()`` of it."""
        stack: list[ast.AST] = [node]
        seen: set[int] = set()
        while stack:
            current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            parent = self.parent(current)
            if isinstance(parent, ast.Return):
                return parent
            if isinstance(parent, (ast.Await, ast.List, ast.Tuple, ast.Set, ast.Starred, ast.keyword)) or (
                isinstance(parent, ast.Dict) and current in parent.values
            ):
                stack.append(self.parent(parent) if isinstance(parent, ast.keyword) else parent)
            elif isinstance(parent, ast.Call) and current in parent.args and last_name(parent.func) in ROW_PRESERVING:
                stack.append(parent)
            elif isinstance(parent, ast.comprehension) and parent.iter is current:
                stack.append(self.parent(parent))
            elif isinstance(parent, (ast.Assign, ast.AnnAssign, ast.NamedExpr)) and parent.value is current:
                targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        stack.extend(load for load in self.loads.get(target.id, ())
                                     if (found := self.reaching(load)) is not None and found.node is parent)
        return None

    # ----- admin-only code --------------------------------------------------

    def admin_guarded(self, node: ast.AST) -> bool:
        return self.guards.guarded(node)

    @cached_property
    def admin_only(self) -> bool:
        """The whole function is admin-only: an endpoint that requires an admin on every mounted path,
        or a function whose own parameters depend on an admin dependency."""
        scope = self.scope
        return isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
            self.project.fastapi.requires_admin(self.module, scope)
