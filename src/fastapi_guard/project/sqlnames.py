"""Small readers shared by the SQLAlchemy facet: library names and literal flags."""

from __future__ import annotations

import ast

LIBRARIES = ("sqlalchemy.", "sqlmodel.")


def library_name(qualname: str | None, names: frozenset[str] | set[str] | str) -> bool:
    """Whether ``qualname`` is one of ``names`` exported by SQLAlchemy or SQLModel (any submodule)."""
    if not qualname or not qualname.startswith(LIBRARIES):
        return False
    last = qualname.rsplit(".", 1)[-1]
    return last == names if isinstance(names, str) else last in names


def is_true(expr: ast.expr | None) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is True
