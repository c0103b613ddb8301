"""Admin-only code inside a function: branches and early exits that test for an admin.

``if user.is_superuser: ...``, ``if current_user.role == Role.admin: ...``,
``if not user.is_admin: raise HTTPException(403)`` followed by the rest of the
function, ``assert user.is_superuser``, ``require_admin(user)``. The test is
read for what it implies: ``if a.is_admin or b.is_admin`` implies an admin,
``if user.is_admin or item.public`` does not.
"""

from __future__ import annotations

import ast
import re

from fastapi_guard.config import Config

ADMIN_FLAGS = frozenset({"is_superuser", "is_admin", "is_staff", "is_super_admin", "is_superadmin", "superuser"})
ADMIN_ROLES = frozenset({"admin", "administrator", "superuser", "superadmin", "super_admin", "sysadmin"})
ROLE_CHECKS = frozenset({"has_role", "has_roles", "has_any_role", "has_permission", "has_scope", "is_role"})
ADMIN_CALL = re.compile(
    r"^_?(require|ensure|check|assert|verify|must_be|enforce)_(is_)?(an_)?(admin|superuser|staff)\w*$"
)
POSITIVE = (ast.Eq, ast.Is, ast.In)
NEGATIVE = (ast.NotEq, ast.IsNot, ast.NotIn)
STATEMENT_LISTS = ("body", "orelse", "finalbody")


def _name(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


def _role_literal(expr: ast.expr) -> bool:
    """``"admin"``, ``Role.admin``, ``UserRole.ADMIN``, ``Role.admin.value``, ``Role("admin")``, a tuple of them."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value.lower() in ADMIN_ROLES
    if isinstance(expr, ast.Attribute) and expr.attr == "value":
        return _role_literal(expr.value)
    if isinstance(expr, (ast.Attribute, ast.Name)):
        name = _name(expr)
        return name is not None and name.lower() in ADMIN_ROLES
    if isinstance(expr, ast.Call) and len(expr.args) == 1:
        return _role_literal(expr.args[0])
    if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
        return bool(expr.elts) and all(_role_literal(element) for element in expr.elts)
    return False


def _flag(expr: ast.expr) -> bool:
    """A plain admin flag: ``user.is_superuser``, ``is_admin``, ``is_admin(user)``, ``user.has_role("admin")``."""
    if isinstance(expr, (ast.Name, ast.Attribute)):
        return _name(expr) in ADMIN_FLAGS
    if isinstance(expr, ast.Call):
        callee = _name(expr.func)
        if callee in ADMIN_FLAGS:
            return True
        return callee in ROLE_CHECKS and any(_role_literal(argument) for argument in expr.args)
    return False


def implies_admin(test: ast.expr, outcome: bool = True) -> bool:
    """Whether ``test`` evaluating to ``outcome`` means the current user is an admin."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return implies_admin(test.operand, not outcome)
    if isinstance(test, ast.BoolOp):
        parts = [implies_admin(value, outcome) for value in test.values]
        # a true ``and`` needs every operand, a false ``or`` needs every operand false
        needs_all = isinstance(test.op, ast.And) == outcome
        return any(parts) if needs_all else all(parts)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, right, op = test.left, test.comparators[0], test.ops[0]
        if isinstance(right, ast.Constant) and isinstance(right.value, bool) and _flag(left):
            positive = isinstance(op, (ast.Eq, ast.Is)) == right.value
            return positive == outcome
        if _role_literal(left) or _role_literal(right):
            if isinstance(op, POSITIVE):
                return outcome
            if isinstance(op, NEGATIVE):
                return not outcome
        return False
    return outcome and _flag(test)


def _exits(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Raise, ast.Return))


class AdminGuards:
    """Answers "is this node only reached by admins?" for one function."""

    def __init__(self, config: Config, parents: dict[int, ast.AST], scope: ast.AST) -> None:
        self.parents = parents
        self.scope = scope
        self.admin_calls = frozenset(name.rsplit(".", 1)[-1] for name in config.admin_dependencies)

    def _admin_statement(self, statement: ast.stmt) -> bool:
        """A statement after which only admins go on."""
        if isinstance(statement, ast.If):
            return _exits(statement.body) and implies_admin(statement.test, False)
        if isinstance(statement, ast.Assert):
            return implies_admin(statement.test, True)
        if isinstance(statement, ast.Expr):
            call = statement.value.value if isinstance(statement.value, ast.Await) else statement.value
            if isinstance(call, ast.Call):
                callee = _name(call.func)
                return callee is not None and (callee in self.admin_calls or bool(ADMIN_CALL.match(callee)))
        return False

    def guarded(self, node: ast.AST) -> bool:
        child = node
        parent = self.parents.get(id(child))
        while parent is not None:
            if isinstance(parent, (ast.If, ast.IfExp)) and child is not parent.test:
                in_body = child is parent.body or (isinstance(parent.body, list) and child in parent.body)
                if implies_admin(parent.test, in_body):
                    return True
            for field in STATEMENT_LISTS:
                statements = getattr(parent, field, None)
                if isinstance(statements, list) and child in statements:
                    if any(self._admin_statement(s) for s in statements[: statements.index(child)]):
                        return True
            if parent is self.scope:
                return False
            child, parent = parent, self.parents.get(id(parent))
        return False
