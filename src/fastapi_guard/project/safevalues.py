"""Can a value carry caller-controlled text? A static, conservative answer for SQL rules.

A value is *safe* when it is a literal, an UPPER_CASE constant (``TABLE``,
``self.TABLE``, ``Status.DONE.value``), model metadata (``Model.__tablename__``,
``Model.__table__.c.x.name``, ``Model.col.key``), a number (``int(x)``,
``len(ids)``, a parameter annotated ``int``), a value checked against a safe
whitelist (``if sort not in SORTABLE: raise ...``), an attribute its class only
ever sets to safe values (``self.dim = int(dim)``), the result of a project
helper (SQL built by a helper cannot be read statically, so it gets the benefit
of the doubt), an argument that every caller passes safely when all the callers
are in view (a private, nested or otherwise unmentioned function), or anything
assembled only from safe parts, such as bind-parameter placeholders
``", ".join(f":id{i}" for i in range(len(ids)))``.

Everything else, notably a handler's or a shared function's parameter and
whatever is derived from it, is unsafe. How names are looked up from the place
a value is read at lives in ``valueplaces``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TypeVar

from fastapi_guard.project import Project
from fastapi_guard.project.localwrites import Write, WriteIndex, passed_values, self_name, target_names
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo, ScopeNode, scope_statements
from fastapi_guard.project.valueplaces import (
    COMPREHENSIONS, MAX_DEPTH, MAX_NESTING, Place, PlaceReader, attribute_chain, operands,
)

_UPPER = re.compile(r"_*[A-Z][A-Z0-9_]*")
# Builtins whose result is a number or a boolean: interpolating one cannot inject.
_NUMERIC_CALLS = frozenset({"int", "float", "len", "bool", "abs", "round", "range", "hash"})
_METADATA_ATTRIBUTES = frozenset({"__tablename__", "__table__"})
_SAFE_ANNOTATIONS = frozenset({
    "decimal.Decimal", "uuid.UUID", "datetime.datetime", "datetime.date", "datetime.time", "datetime.timedelta",
})
_EXITS = (ast.Raise, ast.Return, ast.Continue, ast.Break)

Reader = TypeVar("Reader", bound="ValueReader")


def is_upper_name(name: str) -> bool:
    return bool(_UPPER.fullmatch(name))


class ValueReader(PlaceReader):
    """Answers whether values can carry caller-controlled text, as seen from one place of one module."""

    @classmethod
    def at_node(cls: type[Reader], project: Project, writes: WriteIndex, module: ModuleInfo,
                ancestors: Sequence[ast.AST], node: ast.AST) -> Reader:
        """A reader for ``node`` given its ancestors (outermost first), as a file rule sees them."""
        scopes: list[ScopeNode] = []
        owner: ast.ClassDef | None = None
        method: FunctionNode | None = None
        comprehensions: list[ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp] = []
        for parent, child in zip(ancestors, [*ancestors[1:], node]):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                scopes.append(child)
                comprehensions.clear()
                if isinstance(parent, ast.ClassDef) and not isinstance(child, ast.Lambda):
                    owner, method = parent, child
            elif isinstance(child, COMPREHENSIONS):
                comprehensions.append(child)
        statement = next((item for item in reversed([*ancestors, node]) if isinstance(item, ast.stmt)), None)
        blocks = writes.blocks(scopes[-1], statement) if scopes and statement is not None else ()
        reader = cls(project, writes, Place(module, tuple(scopes), node, blocks, owner, method))
        bound: dict[str, bool] = {}
        for comprehension in comprehensions:
            for generator in comprehension.generators:
                bound.update(reader._target_safety(generator.target, generator.iter, bound))
        reader.place = replace(reader.place, bound=bound)
        return reader

    # -- safety ---------------------------------------------------------------------------

    def is_safe(self, expr: ast.expr, bound: Mapping[str, bool] | None = None) -> bool:
        """True when ``expr`` cannot carry caller-controlled text into the SQL. An expression
        nested too deep to follow (generated code) gets the benefit of the doubt."""
        if self.nesting >= MAX_NESTING:
            return True
        self.nesting += 1
        try:
            return self._is_safe(expr, bound)
        finally:
            self.nesting -= 1

    def _is_safe(self, expr: ast.expr, bound: Mapping[str, bool] | None) -> bool:
        bound = self.place.bound if bound is None else bound
        if self.depth > MAX_DEPTH:
            return False
        if isinstance(expr, (ast.Constant, ast.UnaryOp, ast.Compare)):
            return True
        if isinstance(expr, ast.Name):
            return bound[expr.id] if expr.id in bound else self._name_is_safe(expr.id)
        if isinstance(expr, ast.Attribute):
            return self._attribute_is_safe(expr, bound)
        if isinstance(expr, ast.Call):
            return self._call_is_safe(expr, bound)
        if isinstance(expr, ast.BinOp):
            sides = (expr.left, expr.right)
            if isinstance(expr.op, ast.Mult) and any(_is_literal_sequence(side) for side in sides):
                # "?" * n, [":p"] * len(ids): only the repeated literal ends up in the text
                return all(self.is_safe(side, bound) for side in sides if _is_literal_sequence(side))
            return all(self.is_safe(operand, bound) for operand in operands(expr))
        if isinstance(expr, COMPREHENSIONS):
            inner = dict(bound)
            for generator in expr.generators:
                inner.update(self._target_safety(generator.target, generator.iter, inner))
            return self.is_safe(expr.value if isinstance(expr, ast.DictComp) else expr.elt, inner)
        children: list[ast.expr]
        if isinstance(expr, ast.JoinedStr):
            children = [value.value for value in expr.values if isinstance(value, ast.FormattedValue)]
        elif isinstance(expr, ast.BoolOp):
            children = expr.values
        elif isinstance(expr, ast.IfExp):
            children = [expr.body, expr.orelse]
        elif isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            children = expr.elts
        elif isinstance(expr, ast.Dict):
            children = [value for value in expr.values if value is not None]
        elif isinstance(expr, (ast.Subscript, ast.Starred)):
            children = [expr.value]  # an element of a safe container
        else:
            return False
        return all(self.is_safe(child, bound) for child in children)

    def _call_is_safe(self, expr: ast.Call, bound: Mapping[str, bool]) -> bool:
        func = expr.func
        arguments = [*expr.args, *(keyword.value for keyword in expr.keywords)]
        if isinstance(func, ast.Name) and func.id in _NUMERIC_CALLS and func.id not in bound and self._builtin(func.id):
            return True
        if isinstance(func, ast.Attribute) and self.is_safe(func.value, bound):
            # a method of a safe value (", ".join(...), MAPPING.get(key, "x")), made of safe parts
            looked_up = arguments[1:] if func.attr == "get" else arguments  # the key never reaches the result
            if all(self.is_safe(argument, bound) for argument in looked_up):
                return True
        helper = self._helper_kind(func, bound)
        if helper == "project":
            return True  # SQL text built by a project helper cannot be read: benefit of the doubt
        return helper == "external" and all(self.is_safe(argument, bound) for argument in arguments)
    def _target_safety(self, target: ast.expr, iterable: ast.expr, bound: Mapping[str, bool]) -> dict[str, bool]:
        """Which names a loop target binds, and whether each receives only safe values."""
        call = iterable if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) else None
        if call is not None and isinstance(call.func, ast.Name) and self._builtin(call.func.id):
            if call.func.id == "range":
                return dict.fromkeys(target_names(target), True)
            elements = target.elts if isinstance(target, ast.Tuple) else []
            sources: list[ast.expr | None] = []
            if call.func.id == "enumerate" and len(elements) == 2 and call.args:
                sources = [None, call.args[0]]
            elif call.func.id == "zip" and len(elements) == len(call.args):
                sources = list(call.args)
            if sources:
                result: dict[str, bool] = {}
                for element, source in zip(elements, sources):
                    result.update(dict.fromkeys(target_names(element), source is None or self.is_safe(source, bound)))
                return result
        return dict.fromkeys(target_names(target), self.is_safe(iterable, bound))

    def _name_is_safe(self, name: str) -> bool:
        if is_upper_name(name):
            return True
        local = self._local_writes(name)
        if local is None:
            binding = self.project.names.resolve_name(self.module, name, ()).binding
            if binding is not None and binding.kind == "class":
                return True
            found = self._global_value(ast.Name(name))
            return found is not None and found[0].is_safe(found[1])
        if self._whitelisted(ast.Name(name, ast.Load()), self.place.scopes[-1:]):
            return True
        key = ("safe", id(self.module), name, *(id(write.node) for write in local))
        if key not in self.writes.memo:
            self.writes.memo[key] = False  # a name whose value depends on itself: not proven
            safe: bool | None = None  # None: not bound yet
            for write in local:  # in source order; a write in a branch adds to what the name held
                reader = self._moved(write, {name: bool(safe)})
                if write.kind in ("augment", "element"):
                    safe = bool(safe) and write.value is not None and reader.is_safe(write.value)
                elif safe is None or self.kills(write):
                    safe = self._write_is_safe(name, write, reader)
                else:
                    safe = safe and self._write_is_safe(name, write, reader)
            self.writes.memo[key] = bool(safe)
        return bool(self.writes.memo[key])

    def _write_is_safe(self, name: str, write: Write, reader: ValueReader | None = None) -> bool:
        if write.kind == "param":
            return self._annotation_is_safe(write.value) or self._callers_pass_safely(name, write)
        if write.value is None or write.kind == "unknown":
            return False
        reader = reader or self._moved(write)
        if write.kind == "iterate" and write.target is not None:
            return reader._target_safety(write.target, write.value, reader.place.bound).get(name, False)
        return reader.is_safe(write.value)

    def _annotation_is_safe(self, annotation: ast.expr | None) -> bool:
        if annotation is None:
            return False
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            return all(_is_none(side) or self._annotation_is_safe(side) for side in (annotation.left, annotation.right))
        if isinstance(annotation, ast.Subscript) and self.qualname(annotation.value) == "typing.Optional":
            return self._annotation_is_safe(annotation.slice)
        if isinstance(annotation, ast.Name) and self._builtin(annotation.id):
            return annotation.id in ("int", "float", "bool")
        return self.qualname(annotation) in _SAFE_ANNOTATIONS

    def _callers_pass_safely(self, name: str, write: Write) -> bool:
        """A parameter that every caller fills safely, for a function whose callers are all in this
        module: a nested function, a private one, or a module function no other file mentions. A
        decorated function (a route, a task) is called by a framework, never seen here."""
        function = write.scope
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or any(
            not (isinstance(decorator, ast.Name) and decorator.id in ("staticmethod", "classmethod"))
            for decorator in function.decorator_list
        ):
            return False
        private = function.name.startswith("_") and not function.name.startswith("__")
        local = function in self.place.scopes[1:] or (function in self.module.tree.body and not self._mentioned_elsewhere(
            function.name))
        if not (private or local):
            return False
        key = ("callers", id(function), name)
        if key not in self.writes.memo:
            self.writes.memo[key] = False
            self.writes.memo[key] = self._all_callers_safe(function, name)
        return bool(self.writes.memo[key])

    def _all_callers_safe(self, function: FunctionNode, name: str) -> bool:
        is_method = self.place.owner is not None and function in self.place.owner.body
        calls = self.writes.calls(self.module.tree, function.name)
        passed = passed_values(function, name, calls, is_method) if calls else None
        if not passed:
            return False  # never called here, passed around as a callable, or arguments not matched
        for value, call, ancestors in passed:
            reader = self.at_node(self.project, self.writes, self.module, ancestors, call)
            reader.depth = self.depth + 1
            reader.nesting = self.nesting
            if not reader.is_safe(value):
                return False
        return True

    def _mentioned_elsewhere(self, name: str) -> bool:
        """Whether another file of the project so much as mentions ``name`` (and might call it)."""
        key = ("mentioned", name)
        if key not in self.writes.memo:
            pattern = re.compile(rf"\b{re.escape(name)}\b")
            self.writes.memo[key] = any(
                module is not self.module and any(pattern.search(line) for line in module.lines if name in line)
                for module in self.project.modules.values()
            )
        return bool(self.writes.memo[key])

    def _whitelisted(self, expr: ast.expr, scopes: Sequence[ScopeNode]) -> bool:
        """``if x not in ALLOWED: raise ...`` (or ``x = DEFAULT``) / ``assert x in ALLOWED`` in the
        scope, with ALLOWED (and DEFAULT) safe."""
        shape = ast.dump(expr)
        for scope in scopes:
            for statement in scope_statements(scope.body) if not isinstance(scope, ast.Lambda) else ():
                test = statement.test if isinstance(statement, (ast.If, ast.Assert)) else None
                if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and ast.dump(test.left) == shape):
                    continue
                last = statement.body[-1] if isinstance(statement, ast.If) else None
                resets = isinstance(last, ast.Assign) and len(last.targets) == 1 and \
                    ast.dump(last.targets[0]).replace("Store()", "Load()") == shape and self.is_safe(last.value, {})
                exits = isinstance(test.ops[0], ast.NotIn) and (isinstance(last, _EXITS) or resets)
                asserted = isinstance(statement, ast.Assert) and isinstance(test.ops[0], ast.In)
                if (exits or asserted) and self.is_safe(test.comparators[0], {}):
                    return True
        return False

    def _attribute_is_safe(self, expr: ast.Attribute, bound: Mapping[str, bool]) -> bool:
        if is_upper_name(expr.attr):
            return True
        chain = attribute_chain(expr)
        if any(part in _METADATA_ATTRIBUTES for part in chain):
            return True
        if expr.attr in ("value", "name") and len(chain) >= 2 and is_upper_name(chain[-2]):
            return True  # an enum member's value or name
        if expr.attr in ("name", "key") and isinstance(expr.value, ast.Attribute) and self._is_project_class(expr.value.value):
            return True  # Model.column.name
        if isinstance(expr.value, ast.Call):  # uuid4().hex; a project helper's result is data, not SQL
            call = expr.value
            return self._helper_kind(call.func, bound) == "external" and all(
                self.is_safe(argument, bound) for argument in [*call.args, *(keyword.value for keyword in call.keywords)]
            )
        if len(chain) == 2 and chain[0] == self.place.instance and chain[0] not in bound:
            return self._instance_attribute_is_safe(expr.attr)
        found = self._global_value(expr)
        return found is not None and found[0].is_safe(found[1])

    def _instance_attribute_is_safe(self, name: str) -> bool:
        """``self.x`` that its class only ever sets to safe values (``self.x = int(x)``)."""
        owner = self.place.owner
        if owner is None:
            return False
        key = ("attribute", id(owner), name)
        if key not in self.writes.memo:
            self.writes.memo[key] = False
            self.writes.memo[key] = all(self._attribute_write_is_safe(owner, name, item.method, item.write)
                                        for item in self.writes.attributes(owner).get(name, [])) and \
                bool(self.writes.attributes(owner).get(name))
        return bool(self.writes.memo[key])

    def _attribute_write_is_safe(self, owner: ast.ClassDef, name: str, method: FunctionNode | None, write: Write) -> bool:
        scopes = (method,) if method else ()
        blocks = self.writes.blocks(method, write.node) if method else ()
        reader = self._at(Place(self.module, scopes, write.node, blocks, owner, method))
        instance = self_name(method) if method else None
        if instance and reader._whitelisted(ast.Attribute(ast.Name(instance, ast.Load()), name, ast.Load()), scopes):
            return True
        return self._write_is_safe(name, write, reader)

    def _is_project_class(self, owner: ast.expr) -> bool:
        resolved = self.project.names.resolve_expr(self.module, owner, self.place.scopes)
        return resolved is not None and resolved.binding is not None and resolved.binding.kind == "class"


def _is_literal_sequence(expr: ast.expr) -> bool:
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, str)
    return isinstance(expr, (ast.List, ast.Tuple))


def _is_none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None
