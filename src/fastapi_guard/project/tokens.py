"""JWT calls of a project (python-jose and PyJWT) and what their arguments are made of.

``jwt.encode``/``jwt.decode`` are found by resolving the callee through the
name index (``from jose import jwt``, ``import jwt``, ``import jwt as pyjwt``,
``from jwt import decode``); other libraries with a ``jwt`` module (jwcrypto,
authlib) resolve to other names and are left alone. Only modules whose text
mentions ``jwt`` or ``jose`` are walked.

Arguments are read as literals where they are literals in the source: the
expression itself, or a local or module constant holding one, followed
through imports (``SECRET_KEY = "changeme"`` in ``config.py``). A settings
attribute (``settings.SECRET_KEY``), an environment read (``os.getenv(...)``,
also with a literal fallback) or a parameter is not a literal.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from fastapi_guard.project.fastapi_walk import keyword, terminal_name
from fastapi_guard.project.symbols import ModuleInfo, ScopeNode

if TYPE_CHECKING:
    from fastapi_guard.project import Project

Scopes = tuple[ScopeNode, ...]
JWT_FUNCTIONS = {
    "jwt.decode": "decode", "jwt.api_jwt.decode": "decode", "jose.jwt.decode": "decode",
    "jwt.encode": "encode", "jwt.api_jwt.encode": "encode", "jose.jwt.encode": "encode",
}
# Claims read to route or cache a token before (or instead of) trusting it.
METADATA_CLAIMS = frozenset({"exp", "iat", "nbf", "iss", "aud", "kid", "alg", "typ", "jti"})
# Text that marks a key literal as public material, not a secret.
PUBLIC_MARKERS = ("PUBLIC KEY", "CERTIFICATE")
MAX_DEPTH = 8

Problem = Literal["no-signature", "none-algorithm", "no-expiry", "no-algorithms"]


@dataclass(frozen=True, eq=False)
class JwtCall:
    module: ModuleInfo
    node: ast.Call
    scopes: Scopes
    kind: str  # "encode" or "decode"
    # The claim read straight off the result (``jwt.decode(...).get("exp")``), if any.
    claim: str | None = None

    def argument(self, position: int, *names: str) -> ast.expr | None:
        leading = self.node.args[:position + 1]
        if len(leading) > position and not any(isinstance(argument, ast.Starred) for argument in leading):
            return leading[position]
        for name in names:
            value = keyword(self.node, name)
            if value is not None:
                return value
        return None

    @property
    def splatted(self) -> bool:
        """``**kwargs`` or ``*args``: some arguments cannot be read."""
        return any(item.arg is None for item in self.node.keywords) or any(
            isinstance(argument, ast.Starred) for argument in self.node.args
        )


class JwtCalls:
    """The ``jwt.encode``/``jwt.decode`` calls of one project and the literals they are given."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.names = project.names
        self.calls: list[JwtCall] = []
        for module in project.modules.values():
            if any("jwt" in line or "jose" in line for line in module.lines):
                self.calls.extend(self._module_calls(module))

    def _module_calls(self, module: ModuleInfo) -> list[JwtCall]:
        claims: dict[int, str] = {}
        found: list[tuple[ast.Call, Scopes]] = []
        for node, scopes in module.scoped_nodes:
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr == "get" and isinstance(func.value, ast.Call):
                    claim = _text(node.args[0]) if node.args else None
                    if claim is not None:
                        claims[id(func.value)] = claim
                if terminal_name(func) in ("encode", "decode"):
                    found.append((node, scopes))
            elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Call):
                claim = _text(node.slice)
                if claim is not None:
                    claims[id(node.value)] = claim
        calls = []
        for node, scopes in found:
            resolved = self.names.resolve_expr(module, node.func, scopes)
            kind = JWT_FUNCTIONS.get(resolved.qualname) if resolved is not None else None
            if kind is not None:
                calls.append(JwtCall(module, node, scopes, kind, claims.get(id(node))))
        return calls

    # -- literals ------------------------------------------------------------------------------

    def literal(
        self, module: ModuleInfo, expr: ast.expr, scopes: Scopes, depth: int = 0
    ) -> tuple[ModuleInfo, ast.expr] | None:
        """The literal an expression is (a constant, list, tuple, set or dict display), followed
        through local and module constants; None when it is computed or read at run time."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, (ast.Constant, ast.List, ast.Tuple, ast.Set, ast.Dict)):
            return module, expr
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "encode":
            return self.literal(module, expr.func.value, scopes, depth + 1)  # ``"secret".encode()``
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "dict" and not expr.args:
            return module, expr
        if not isinstance(expr, (ast.Name, ast.Attribute)):
            return None
        resolved = self.names.resolve_expr(module, expr, scopes)
        binding = resolved.binding if resolved else None
        if resolved is None or binding is None or binding.kind != "value" or not isinstance(binding.node, ast.expr):
            return None
        if binding.node is expr:
            return None
        local = "<locals>" in binding.qualname
        return self.literal(resolved.module or module, binding.node, scopes if local else (), depth + 1)

    def secret_literal(self, call: JwtCall) -> tuple[ModuleInfo, ast.Constant] | None:
        """The key argument when it is a non-empty string or bytes literal that is not public material."""
        key = call.argument(1, "key")
        found = self.literal(call.module, key, call.scopes) if key is not None else None
        if found is None or not isinstance(found[1], ast.Constant):
            return None
        value = found[1].value
        if not isinstance(value, (str, bytes)) or not value:
            return None
        text = value if isinstance(value, str) else value.decode("latin-1")
        if any(marker in text for marker in PUBLIC_MARKERS):
            return None
        return found[0], found[1]

    # -- decode checks -------------------------------------------------------------------------

    def decode_problem(self, call: JwtCall) -> Problem | None:
        """What is wrong with a ``jwt.decode`` call, the most serious first."""
        options = self._options(call)
        verify = keyword(call.node, "verify")
        if options.get("verify_signature") is False or (isinstance(verify, ast.Constant) and verify.value is False):
            return "no-signature"
        algorithms = call.argument(2, "algorithms")
        if algorithms is not None:
            values = self._strings(call, algorithms)
            if any(value.lower() == "none" for value in values):
                return "none-algorithm"
        if options.get("verify_exp") is False:
            return "no-expiry"
        missing = algorithms is None or (isinstance(algorithms, ast.Constant) and algorithms.value is None)
        if missing and not call.splatted:
            return "no-algorithms"
        return None

    def is_peek(self, call: JwtCall, calls: Sequence[JwtCall]) -> bool:
        """An unverified read that only routes or caches the token: a metadata claim read straight
        off the result (``.get("exp")``), or a token the same function also decodes with verification."""
        if call.claim in METADATA_CLAIMS:
            return True
        token = call.argument(0, "token", "jwt")
        if not isinstance(token, ast.Name) or not call.scopes:
            return False
        for other in calls:
            if other is call or other.kind != "decode" or other.module is not call.module:
                continue
            if not other.scopes or other.scopes[-1] is not call.scopes[-1]:
                continue
            other_token = other.argument(0, "token", "jwt")
            if isinstance(other_token, ast.Name) and other_token.id == token.id and self.decode_problem(other) is None:
                return True
        return False

    def _options(self, call: JwtCall) -> dict[str, object]:
        """The literal entries of ``options=`` (a dict display, ``dict(...)`` or a constant holding one)."""
        given = call.argument(3, "options")
        found = self.literal(call.module, given, call.scopes) if given is not None else None
        if found is None:
            return {}
        module, value = found
        entries: dict[str, object] = {}
        if isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values):
                name = _text(key) if key is not None else None
                if name is not None and isinstance(item, ast.Constant):
                    entries[name] = item.value
        elif isinstance(value, ast.Call):
            for item in value.keywords:
                if item.arg is not None and isinstance(item.value, ast.Constant):
                    entries[item.arg] = item.value.value
        return entries

    def _strings(self, call: JwtCall, expr: ast.expr) -> list[str]:
        """The string literals an ``algorithms=`` value holds (a string, or a sequence of them)."""
        found = self.literal(call.module, expr, call.scopes)
        if found is None:
            return []
        module, value = found
        items = value.elts if isinstance(value, (ast.List, ast.Tuple, ast.Set)) else [value]
        texts = []
        for item in items:
            element = self.literal(module, item, call.scopes if module is call.module else ())
            text = _text(element[1]) if element else None
            if text is not None:
                texts.append(text)
        return texts


def _text(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
