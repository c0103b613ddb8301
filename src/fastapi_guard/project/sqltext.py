"""Read SQL strings statically: which calls receive SQL, what text they get, and which parts of it are unsafe.

FG104 (SQL injection) and FG105 (raw SQL) both ask this of the argument of a
``text()`` / ``execute()`` call. The answer follows f-strings, ``%``
formatting, ``.format()``, ``+`` concatenation, local variables assigned or
``+=``-extended earlier in the same function, and module constants reached
through imports. An expression that cannot be read (a parameter, a helper's
return value) yields None: neither rule may fire on SQL it cannot see. Which
interpolated values are safe is decided by ``safevalues`` (on ``valueplaces``).
"""

from __future__ import annotations

import ast
import re
from types import MappingProxyType
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fastapi_guard.project import Project
from fastapi_guard.project.localwrites import target_names
from fastapi_guard.project.safevalues import ValueReader
from fastapi_guard.project.symbols import ModuleInfo, ScopeNode, source_text
from fastapi_guard.project.valueplaces import COMPREHENSIONS, MAX_DEPTH, MAX_NESTING, operands

PLACEHOLDER = "?"
FSTRING = "an f-string"
PERCENT = "`%` formatting"
FORMAT = "`.format()`"
CONCAT = "`+` concatenation"

_SQL_START = re.compile(
    r"\s*\(?\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER|TRUNCATE|REPLACE|MERGE|PRAGMA|GRANT)\b",
    re.IGNORECASE,
)
_SQL_INSIDE = re.compile(
    r"\bSELECT\b.+?\bFROM\b|\bUPDATE\b.+?\bSET\b|\bDELETE\s+FROM\b|\bINSERT\s+INTO\b",
    re.IGNORECASE | re.DOTALL,
)
_TRIM_METHODS = frozenset({"strip", "lstrip", "rstrip"})
_DEDENT_CALLS = frozenset({"textwrap.dedent", "inspect.cleandoc"})

_SQL_FUNCTIONS = {
    "sqlalchemy.text": "text",
    "sqlmodel.text": "text",
    "sqlalchemy.literal_column": "literal_column",
    "sqlalchemy.sql.literal_column": "literal_column",
    "sqlmodel.literal_column": "literal_column",
}
_SQL_FUNCTION_NAMES = frozenset(name.rpartition(".")[2] for name in _SQL_FUNCTIONS)
# Only DB-API cursors and SQLAlchemy connections have these: every string they get is SQL.
_SQL_ONLY_METHODS = frozenset({"exec_driver_sql", "executescript"})
# Common method names: the string must also look like SQL.
_EXECUTE_METHODS = frozenset({"execute", "executemany"})
_CLAUSE_METHODS = frozenset({"filter", "where", "order_by", "having", "group_by"})
_SQL_KEYWORDS = frozenset({"text", "statement", "sql", "query", "operation"})


def looks_like_sql(text: str) -> bool:
    """Starts with a statement keyword, or contains ``SELECT .. FROM``-like structure."""
    return bool(_SQL_START.match(text) or _SQL_INSIDE.search(text))


def is_migration(module: ModuleInfo) -> bool:
    """An alembic migration script or environment (it imports ``alembic.op`` or ``alembic.context``),
    wherever its folder is: the default ``exclude`` only knows folders named ``alembic`` and
    ``migrations``. Code that merely runs migrations (``alembic.command``) is application code."""
    return any(binding.kind == "import" and binding.qualname in ("alembic.op", "alembic.context")
               for binding in module.bindings.values())


@dataclass(frozen=True)
class SqlCall:
    """A call that receives SQL text. ``kind``: ``text`` when every string it gets is SQL
    (``text()``, ``literal_column()``, ``exec_driver_sql()``, ``executescript()``), ``execute``
    when the string must also look like SQL, ``clause`` for a query method given a string."""

    name: str
    kind: str
    arguments: tuple[ast.expr, ...]


def sql_call(project: Project, module: ModuleInfo, scopes: Sequence[ScopeNode], call: ast.Call) -> SqlCall | None:
    func = call.func
    keywords = tuple(keyword.value for keyword in call.keywords if keyword.arg in _SQL_KEYWORDS)
    first = (*call.args[:1], *keywords)[:1]
    if isinstance(func, ast.Attribute) and func.attr in _SQL_ONLY_METHODS:
        return SqlCall(func.attr, "text", first)
    if isinstance(func, ast.Attribute) and func.attr in _EXECUTE_METHODS:
        return SqlCall(func.attr, "execute", first)
    if isinstance(func, ast.Attribute) and func.attr in _CLAUSE_METHODS:
        return SqlCall(func.attr, "clause", tuple(call.args))
    called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if called not in _SQL_FUNCTION_NAMES:
        # resolving every call is the cost of this rule: only names that are or alias text()
        binding = module.bindings.get(called) if isinstance(func, ast.Name) else None
        if binding is None or binding.attribute not in _SQL_FUNCTION_NAMES:
            return None
    if isinstance(func, (ast.Name, ast.Attribute)):
        name = _SQL_FUNCTIONS.get(project.names.qualname(module, func, scopes) or "")
        if name is not None:
            return SqlCall(name, "text", first)
    return None


@dataclass(frozen=True)
class Interpolation:
    """A part of a SQL string that is not proven safe, and how it got in."""

    part: ast.expr
    how: str

    @property
    def source(self) -> str:
        text = " ".join(source_text(self.part).split())
        return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class SqlString:
    """The text of a string expression (interpolations shown as ``?``) and its unsafe parts."""

    text: str
    unsafe: tuple[Interpolation, ...] = ()

    def __add__(self, other: SqlString) -> SqlString:
        return SqlString(self.text + other.text, self.unsafe + other.unsafe)


class SqlReader(ValueReader):
    """Reads string expressions as seen from one place."""

    # What is already known of a name's text at this place (see ``_moved``).
    texts: Mapping[str, SqlString | None] = MappingProxyType({})

    def read(self, expr: ast.expr) -> SqlString | None:
        """The string ``expr`` evaluates to, or None when it cannot be read statically
        (also when it is nested too deep to follow, see ``MAX_NESTING``)."""
        if self.nesting >= MAX_NESTING:
            return None
        self.nesting += 1
        try:
            return self._read(expr)
        finally:
            self.nesting -= 1

    def _read(self, expr: ast.expr) -> SqlString | None:
        if self.depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Constant):
            return SqlString(expr.value) if isinstance(expr.value, str) else None
        if isinstance(expr, ast.JoinedStr):
            result = SqlString("")
            for value in expr.values:
                if isinstance(value, ast.FormattedValue):
                    result += self._part(value.value, FSTRING)
                elif isinstance(value, ast.Constant) and isinstance(value.value, str):
                    result += SqlString(value.value)
            return result
        if isinstance(expr, ast.BinOp):
            return self._read_binop(expr)
        if isinstance(expr, ast.Call):
            return self._read_call(expr)
        if isinstance(expr, ast.Name) and expr.id in self.texts:
            return self.texts[expr.id]
        if isinstance(expr, ast.Name) and expr.id not in self.place.bound:
            return self._read_name(expr.id)
        if isinstance(expr, ast.Attribute):
            found = self._global_value(expr)
            return found[0].read(found[1]) if found else None
        if isinstance(expr, ast.IfExp):
            body, orelse = self.read(expr.body), self.read(expr.orelse)
            return SqlString(body.text, body.unsafe + orelse.unsafe) if body and orelse else None
        return None

    def _part(self, part: ast.expr, how: str) -> SqlString:
        """An interpolated value: its own text when readable, else a placeholder, unsafe unless proven safe."""
        text = self.read(part)
        if text is not None:
            return text
        return SqlString(PLACEHOLDER, () if self.is_safe(part) else (Interpolation(self._culprit(part), how),))

    def _formatted(self, template: SqlString, values: Sequence[ast.expr], how: str) -> SqlString:
        unsafe = tuple(Interpolation(self._culprit(value), how) for value in values if not self.is_safe(value))
        return SqlString(template.text, template.unsafe + unsafe)

    def _culprit(self, part: ast.expr) -> ast.expr:
        """The unsafe value an unsafe part comes from, to name it in the message: the outermost
        unsafe name or attribute inside it, followed into the local assignment that made it unsafe."""
        found = self._unsafe_inside(part)
        if isinstance(found, ast.Name) and self.depth <= MAX_DEPTH:
            for write in self._local_writes(found.id) or ():
                reader = self._moved(write)
                if write.kind in ("assign", "augment", "element") and _is_fragment(write.value) \
                        and not reader.is_safe(write.value):
                    return reader._culprit(write.value)
        return found

    def _unsafe_inside(self, part: ast.expr) -> ast.expr:
        if isinstance(part, (ast.Name, ast.Attribute)):
            return part
        called = {id(node.func) for node in ast.walk(part) if isinstance(node, ast.Call)}
        local = {name for node in ast.walk(part) if isinstance(node, COMPREHENSIONS)
                 for generator in node.generators for name in target_names(generator.target)}
        for node in ast.walk(part):
            if id(node) in called or not isinstance(node, (ast.Name, ast.Attribute)):
                continue
            if isinstance(node, ast.Name) and (node.id in local or self._helper_kind(node, {}) is not None):
                continue  # a comprehension variable, or a module or function name
            if not self.is_safe(node):
                return node
        return part

    def _read_binop(self, expr: ast.BinOp) -> SqlString | None:
        if isinstance(expr.op, ast.Mod):
            template = self.read(expr.left)
            if template is None:
                return None
            right = expr.right
            values = right.elts if isinstance(right, ast.Tuple) else (
                [value for value in right.values if value is not None] if isinstance(right, ast.Dict) else [right]
            )
            return self._formatted(template, values, PERCENT)
        if isinstance(expr.op, ast.Add):
            parts = operands(expr)
            texts = [self.read(part) for part in parts]
            if all(text is None for text in texts):
                return None
            result = SqlString("")
            for part, text in zip(parts, texts):
                result += text or self._part(part, CONCAT)
            return result
        return None

    def _read_call(self, expr: ast.Call) -> SqlString | None:
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr == "format":
            template = self.read(func.value)
            if template is None:
                return None
            return self._formatted(template, [*expr.args, *(keyword.value for keyword in expr.keywords)], FORMAT)
        if isinstance(func, ast.Attribute) and func.attr in _TRIM_METHODS:
            return self.read(func.value)
        if expr.args and self.qualname(func) in _DEDENT_CALLS:
            return self.read(expr.args[0])
        return None

    def _read_name(self, name: str) -> SqlString | None:
        local = self._local_writes(name)
        if local is None:
            found = self._global_value(ast.Name(name))
            return found[0].read(found[1]) if found else None
        key = ("read", id(self.module), name, *(id(write.node) for write in local))
        if key in self.writes.memo:
            cached = self.writes.memo[key]
            return cached if isinstance(cached, SqlString) else None
        self.writes.memo[key] = None  # a name read while its own value is read: unknown
        current: SqlString | None = None
        for number, write in enumerate(local):  # in source order, each value read with the text so far
            safe = not current.unsafe if current is not None else self._moved(write)._name_is_safe(name)
            reader = self._moved(write, {name: safe})
            reader.texts = {name: current}
            if write.kind == "assign" and write.value is not None:
                value = reader.read(write.value)
                if number == 0 or self.kills(write):
                    current = value
                else:  # assigned in a branch: the text may be either, unsafe if either is
                    current = SqlString(value.text, value.unsafe + current.unsafe) if value and current else None
            elif write.kind == "augment" and current is not None and write.value is not None:
                current = current + reader._part(write.value, CONCAT)
            else:
                current = None
        self.writes.memo[key] = current
        return current

    def assigned(self, name: str) -> list[ast.expr]:
        """The values a local name was assigned before this place (empty when it is not a local)."""
        return [write.value for write in self._local_writes(name) or () if write.kind == "assign" and write.value]


def _is_fragment(value: ast.expr | None) -> bool:
    """A string or list of strings assembled right here, worth following to find what made it unsafe."""
    if isinstance(value, (ast.JoinedStr, ast.BinOp, ast.List, ast.Tuple, ast.ListComp, ast.GeneratorExp)):
        return True
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in ("join", "format")
