"""The rule API.

A rule is a class with a code, a kebab-case name, a message template and a
docstring in ruff's shape (the single source of its documentation and of the
examples run as tests). Two kinds:

* ``FileRule``: a visitor over one module's ``ast`` tree. Every selected file
  rule is instantiated per file and all of them share a single walk: methods
  named ``visit_<NodeType>`` / ``leave_<NodeType>`` are dispatched to.
  ``self.context`` gives the module, the project index and the ancestors of the
  node being visited.
* ``ProjectRule``: ``check(project)`` yields findings about the project as a
  whole (layout, routers never mounted, ...).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import ClassVar

import pluggy

from fastapi_guard.config import Config
from fastapi_guard.findings import Finding, Fix
from fastapi_guard.project import Project
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo, ScopeNode

Span = tuple[int, int, int, int]

# Plugins mark their ``fastapi_guard_rules`` implementation with this.
hookimpl = pluggy.HookimplMarker("fastapi_guard")


def char_column(line_text: str, byte_offset: int) -> int:
    """Convert an ``ast`` UTF-8 byte offset into a 0-based character offset."""
    if line_text.isascii():
        return byte_offset
    return len(line_text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def node_span(module: ModuleInfo, node: ast.AST) -> Span:
    """1-based (line, column, end line, end column) of a node, in characters."""
    line = getattr(node, "lineno", 1)
    end_line = getattr(node, "end_lineno", None) or line
    column = getattr(node, "col_offset", 0)
    end_column = getattr(node, "end_col_offset", None)
    lines = module.lines
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    end_text = lines[end_line - 1] if 0 < end_line <= len(lines) else ""
    start = char_column(text, column) + 1
    end = char_column(end_text, end_column) + 1 if end_column is not None else start
    return line, start, end_line, end


def def_line_span(module: ModuleInfo, node: FunctionNode | ast.ClassDef) -> Span:
    """The ``def``/``class`` line up to the end of the name: where handler findings point."""
    line, column, _, _ = node_span(module, node)
    text = module.lines[line - 1] if 0 < line <= len(module.lines) else ""
    name_at = text.find(node.name, column - 1)
    end = name_at + len(node.name) + 1 if name_at >= 0 else column
    return line, column, line, end


def first_line_span(module: ModuleInfo) -> Span:
    """Line 1 of a file, as far as it goes: where findings about a whole file or folder point."""
    text = module.lines[0] if module.lines else ""
    return 1, 1, 1, len(text) + 1


class Rule:
    """Shared metadata of every rule; subclasses set the class variables."""

    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]
    hint: ClassVar[str | None] = None
    default: ClassVar[bool] = True
    fixable: ClassVar[bool] = False
    # Layout rules encode the seed guide's folder structure and only apply to
    # projects that have a routes package.
    layout: ClassVar[bool] = False

    @classmethod
    def finding(
        cls, path: str, span: Span, fix: Fix | None = None, hint: str | None = None, **values: object
    ) -> Finding:
        line, column, end_line, end_column = span
        return Finding(
            code=cls.code,
            name=cls.name,
            message=cls.message.format(**values),
            path=path,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            fix=fix,
            hint=hint if hint is not None else cls.hint,
        )


@dataclass
class FileContext:
    """What a file rule sees while the shared walk visits one module."""

    project: Project
    module: ModuleInfo
    ancestors: list[ast.AST] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    failures: list[tuple[str, Exception]] = field(default_factory=list)

    @property
    def config(self) -> Config:
        return self.project.config

    @property
    def scopes(self) -> list[ScopeNode]:
        """Enclosing function scopes of the current node, outermost first."""
        return [node for node in self.ancestors if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]

    @property
    def function(self) -> FunctionNode | None:
        for node in reversed(self.ancestors):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return node
        return None

    @property
    def parent(self) -> ast.AST | None:
        return self.ancestors[-1] if self.ancestors else None


class FileRule(Rule):
    def __init__(self, context: FileContext) -> None:
        self.context = context

    @property
    def project(self) -> Project:
        return self.context.project

    @property
    def module(self) -> ModuleInfo:
        return self.context.module

    def report(self, node: ast.AST, fix: Fix | None = None, hint: str | None = None, **values: object) -> None:
        self.report_span(node_span(self.module, node), fix=fix, hint=hint, **values)

    def report_span(self, span: Span, fix: Fix | None = None, hint: str | None = None, **values: object) -> None:
        self.context.findings.append(self.finding(self.module.path, span, fix=fix, hint=hint, **values))


class ProjectRule(Rule):
    def check(self, project: Project) -> Iterator[Finding]:
        raise NotImplementedError


Handler = Callable[[ast.AST], object]


@lru_cache(maxsize=None)
def _handler_names(rule_class: type[FileRule], prefix: str) -> tuple[tuple[str, str], ...]:
    """(node type, method name) of a rule class's ``visit_``/``leave_`` methods."""
    return tuple((name[len(prefix):], name) for name in dir(rule_class) if name.startswith(prefix))


def _handlers(rules: list[FileRule], prefix: str) -> dict[str, list[Handler]]:
    table: dict[str, list[Handler]] = {}
    for rule in rules:
        for kind, name in _handler_names(type(rule), prefix):
            table.setdefault(kind, []).append(getattr(rule, name))
    return table


def walk_file(rules: list[FileRule], context: FileContext) -> None:
    """Run all file rules over the module in one iterative walk (deep trees cannot overflow the stack).

    A rule that raises is dropped for the rest of this file and recorded in
    ``context.failures``; the other rules' walk goes on.
    """
    if not rules:
        return
    enter = _handlers(rules, "visit_")
    leave = _handlers(rules, "leave_")
    broken: set[int] = set()

    def dispatch(handlers: list[Handler], node: ast.AST) -> None:
        for handler in handlers:
            rule = handler.__self__  # type: ignore[attr-defined]
            if id(rule) in broken:
                continue
            try:
                handler(node)
            except Exception as error:  # a bug in one rule must not silence the others
                broken.add(id(rule))
                context.failures.append((rule.code, error))

    stack: list[tuple[ast.AST, bool]] = [(context.module.tree, False)]
    ancestors = context.ancestors
    while stack:
        node, leaving = stack.pop()
        kind = type(node).__name__
        if leaving:
            ancestors.pop()
            handlers = leave.get(kind)
            if handlers:
                dispatch(handlers, node)
            continue
        handlers = enter.get(kind)
        if handlers:
            dispatch(handlers, node)
        ancestors.append(node)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(_children(node, enter, leave)))


def _children(node: ast.AST, enter: dict[str, list[Handler]], leave: dict[str, list[Handler]]) -> list[ast.AST]:
    """Child nodes in source order, leaving out the field-less singletons (``Load``,
    ``Add``, ``Eq``, ...) that no rule asked for: a third of all nodes, never looked at."""
    children: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            children.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST):
            children.append(value)
    return [
        child for child in children
        if child._fields or type(child).__name__ in enter or type(child).__name__ in leave
    ]
