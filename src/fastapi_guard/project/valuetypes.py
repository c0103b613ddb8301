"""The class of a value, as far as the index can tell without running anything.

A local name has a known class when every write to it in its function agrees:
a parameter annotated with the class (``Optional[...]`` allowed), or an
assignment of a value of that class. A value's class comes from a call of the
class (``Item(...)``), of a Pydantic constructor on it (``Item.model_validate(x)``,
``Item.parse_obj(x)``), of a copy method on a known instance
(``item.model_copy()``), or of a project function or method whose return
annotation names the class. Anything else is unknown, and callers must treat
unknown as "not this class".
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi_guard.project.fastapi_walk import find_method, strip_generic
from fastapi_guard.project.localwrites import WriteIndex
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo, ScopeNode
from fastapi_guard.project.typeexpr import UNKNOWN

if TYPE_CHECKING:
    from fastapi_guard.project.pydantic import SchemaIndex

Scopes = tuple[ScopeNode, ...]
MAX_DEPTH = 8
# Class methods of Pydantic models (v1 and v2) that build an instance of the class.
CONSTRUCTORS = frozenset({
    "model_validate", "model_validate_json", "model_validate_strings", "model_construct",
    "parse_obj", "parse_raw", "parse_file", "from_orm", "construct", "validate",
})
COPIES = frozenset({"copy", "model_copy"})


@dataclass(frozen=True)
class ClassRef:
    """A class: a project class (``module`` and ``node`` set) or a library class."""

    qualname: str
    module: ModuleInfo | None = None
    node: ast.ClassDef | None = None


class ValueTypes:
    """Answers "which class is this value an instance of?" for one project."""

    def __init__(self, schemas: SchemaIndex) -> None:
        self.schemas = schemas
        self.names = schemas.project.names
        self.types = schemas.types

    def class_named(self, qualname: str) -> ClassRef | None:
        if qualname == UNKNOWN:
            return None
        definition = self.names.definition(qualname)
        if definition is None:
            return ClassRef(qualname) if qualname.rsplit(".", 1)[-1].lstrip("_")[:1].isupper() else None
        if isinstance(definition.node, ast.ClassDef) and definition.module is not None:
            return ClassRef(definition.qualname, definition.module, definition.node)
        return None

    def annotation_class(self, module: ModuleInfo, annotation: ast.expr | None, scopes: Scopes = ()) -> ClassRef | None:
        """The one class an annotation names (``Item``, ``Optional[Item]``, ``Item | None``)."""
        leaves = [leaf for leaf in self.types.leaves(module, annotation, scopes, containers=False) if not leaf.is_none]
        if len(leaves) != 1:
            return None
        return self.class_named(leaves[0].qualname)

    def instance_of(
        self, module: ModuleInfo, expr: ast.expr, scopes: Scopes, writes: WriteIndex, depth: int = 0
    ) -> ClassRef | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Await):
            expr = expr.value
        if isinstance(expr, ast.Call):
            return self._call_result(module, expr, scopes, writes, depth)
        if not isinstance(expr, ast.Name):
            return None
        if scopes and expr.id in writes.of(scopes[-1]):
            return self._local(module, expr.id, scopes, writes, depth)
        if any(expr.id in writes.of(scope) for scope in scopes):
            return None  # a closure over an outer function's local
        resolved = self.names.resolve_expr(module, expr, ())
        binding = resolved.binding if resolved else None
        if resolved is None or resolved.module is None or binding is None or binding.kind != "value":
            return None
        if not isinstance(binding.node, ast.Call):
            return None
        return self._call_result(resolved.module, binding.node, (), writes, depth + 1)

    def _local(self, module: ModuleInfo, name: str, scopes: Scopes, writes: WriteIndex, depth: int) -> ClassRef | None:
        found: dict[str, ClassRef] = {}
        for write in writes.of(scopes[-1])[name]:
            if write.kind == "param":
                # A ``self`` or ``cls`` parameter is the owner class's business, not the annotation's.
                ref = self.annotation_class(module, write.value, scopes[:-1]) if write.value is not None else None
            elif write.kind == "assign" and write.value is not None:
                ref = self.instance_of(module, write.value, scopes, writes, depth + 1)
            else:
                ref = None
            if ref is None:
                return None
            found[ref.qualname] = ref
        return next(iter(found.values())) if len(found) == 1 else None

    def _call_result(
        self, module: ModuleInfo, call: ast.Call, scopes: Scopes, writes: WriteIndex, depth: int
    ) -> ClassRef | None:
        func = strip_generic(call.func)
        if not isinstance(func, (ast.Name, ast.Attribute)):
            return None
        resolved = self.names.resolve_expr(module, func, scopes)
        node = resolved.node if resolved else None
        if isinstance(node, ast.ClassDef) and resolved is not None and resolved.module is not None:
            return ClassRef(resolved.qualname, resolved.module, node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and resolved and resolved.module:
            return self.annotation_class(resolved.module, node.returns)
        if resolved is not None and resolved.module is None and resolved.binding is None and "." in resolved.qualname:
            return self.class_named(resolved.qualname)
        if not isinstance(func, ast.Attribute):
            return None
        owner = self._class_itself(module, func.value, scopes)
        if owner is None:
            owner = self.instance_of(module, func.value, scopes, writes, depth + 1)
            if owner is not None and func.attr in COPIES and self._is_model(owner):
                return owner
        elif func.attr in CONSTRUCTORS and self._is_model(owner) and self.method(owner, func.attr) is None:
            return owner
        method = self.method(owner, func.attr) if owner is not None else None
        return self.annotation_class(method[0], method[1].returns) if method else None

    def _class_itself(self, module: ModuleInfo, expr: ast.expr, scopes: Scopes) -> ClassRef | None:
        """The class an expression names (``Item`` in ``Item.model_validate(...)``)."""
        resolved = self.names.resolve_expr(module, expr, scopes)
        node = resolved.node if resolved else None
        if isinstance(node, ast.ClassDef) and resolved is not None and resolved.module is not None:
            return ClassRef(resolved.qualname, resolved.module, node)
        return None

    def _is_model(self, ref: ClassRef) -> bool:
        return self.schemas.get(ref.qualname) is not None

    def callee(
        self, module: ModuleInfo, func: ast.expr, scopes: Scopes, writes: WriteIndex
    ) -> tuple[ModuleInfo, FunctionNode] | None:
        """The project function or method a call runs, when the index can tell."""
        resolved = self.names.resolve_expr(module, func, scopes)
        node = resolved.node if resolved else None
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and resolved and resolved.module:
            return resolved.module, node
        if not isinstance(func, ast.Attribute):
            return None
        owner = self._class_itself(module, func.value, scopes) or self.instance_of(module, func.value, scopes, writes)
        return self.method(owner, func.attr) if owner is not None else None

    def method(self, owner: ClassRef, name: str, depth: int = 0) -> tuple[ModuleInfo, FunctionNode] | None:
        """A method a project class defines or inherits from its project bases."""
        if owner.node is None or owner.module is None or depth > MAX_DEPTH:
            return None
        found = find_method(owner.node, name)
        if found is not None:
            return owner.module, found
        for base in owner.node.bases:
            ref = self._class_itself(owner.module, strip_generic(base), ())
            inherited = self.method(ref, name, depth + 1) if ref is not None else None
            if inherited is not None:
                return inherited
        return None
