"""Webhook receivers: where they read the request body, whether they verify its signature,
and where they compare secrets with ``==``.

A *receiver* is an endpoint with ``webhook`` in a full mounted path that at
least one mount chain reaches without an authentication or admin dependency
(as FG102 recognises them): the sender is another service, so the signature
is the only proof of who sent the body. (Endpoints that let logged-in users or
admins manage webhook settings are ordinary protected endpoints.)

A function *verifies* when its body (or a project function it calls, or a
dependency of the endpoint) calls into ``hmac``, calls ``compare_digest``,
calls a function whose name contains ``verify`` or ``signature``
(``verify_signature``, ``svix.Webhook(...).verify``, ``SignatureVerifier``),
or passes a signature, token or secret on to a call
(``stripe.Webhook.construct_event(body, sig_header, secret)``, a lookup of the
secret token in the URL: ``get_hook_by_token(hook_id, token)``).

Comparisons inside query-building calls (``.filter(Hook.token == token)``,
``.where(...)``, ``and_(...)``) become SQL, not a Python comparison, and are
left alone.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from fastapi_guard.project.contracts import REQUEST_CLASSES
from fastapi_guard.project.fastapi_walk import own_nodes, terminal_name
from fastapi_guard.project.reach import name_words
from fastapi_guard.project.symbols import FunctionNode, ModuleInfo

if TYPE_CHECKING:
    from fastapi_guard.project import Project
    from fastapi_guard.project.fastapi import Endpoint

BODY_METHODS = frozenset({"body", "json", "stream", "form"})
BODY_SOURCES = frozenset({"body", "form", "file"})
# Words that make a name a signature in any position; the others only as the last word
# (``token_type``, ``secret_name``, ``digest_frequency`` are not secrets).
SIGNATURE_WORDS = frozenset({"sig", "sigs", "signature", "signatures", "hmac"})
SECRET_LAST_WORDS = frozenset({"token", "secret", "digest", "hexdigest"})
# String methods that keep the secret a secret (``signature.lower()``).
TRANSPARENT_METHODS = frozenset({"lower", "upper", "strip", "lstrip", "rstrip", "casefold", "encode", "decode"})
LOOKUPS = frozenset({"get", "getlist", "pop"})
# Called helpers whose name says they check something are searched for comparisons too.
CHECKER_WORDS = ("verif", "sig", "hmac", "valid", "auth", "check", "secret", "token")
MAX_CALL_DEPTH = 4
SQL_CLAUSES = frozenset({"filter", "where", "having", "join", "outerjoin", "and_", "or_", "not_", "case", "on"})

Site = tuple[ModuleInfo, FunctionNode]


def operand_name(expr: ast.expr) -> str | None:
    """The name a compared or passed value is known by: ``sig``, ``hdr.x_signature``,
    ``request.headers["X-Signature"]``, ``headers.get("X-Hub-Signature-256")``, ``mac.hexdigest()``."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Subscript):
        key = expr.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
        return operand_name(expr.value)
    if isinstance(expr, ast.Await):
        return operand_name(expr.value)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        method = expr.func.attr
        if method in LOOKUPS and expr.args and isinstance(expr.args[0], ast.Constant):
            key = expr.args[0].value
            return key if isinstance(key, str) else None
        if method in TRANSPARENT_METHODS:
            return operand_name(expr.func.value)
        return method
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
        return expr.func.id
    return None


def is_signature_name(name: str | None) -> bool:
    if not name:
        return False
    words = name_words(name)
    return bool(words) and (bool(SIGNATURE_WORDS.intersection(words)) or words[-1] in SECRET_LAST_WORDS)


def secret_operand(expr: ast.expr) -> bool:
    """A signature, token, digest, hmac or secret (also inside an f-string such as ``f"sha256={digest}"``)."""
    if isinstance(expr, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) and secret_operand(part.value) for part in expr.values)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        return secret_operand(expr.left) or secret_operand(expr.right)
    return is_signature_name(operand_name(expr))


def unsafe_comparison(node: ast.Compare) -> bool:
    """``a == b`` / ``a != b`` between two computed values, one of them a secret."""
    if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
        return False
    left, right = node.left, node.comparators[0]
    if any(isinstance(side, ast.Constant) for side in (left, right)):
        return False
    return secret_operand(left) or secret_operand(right)


def _sql_clause(node: ast.AST) -> bool:
    """A query-building call: its comparisons become SQL (``.filter(Hook.token == token)``), not Python."""
    return isinstance(node, ast.Call) and terminal_name(node.func) in SQL_CLAUSES


class Webhooks:
    """Webhook receivers of one project and the signature checks around them."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.index = project.fastapi
        self._verifies: dict[int, bool] = {}

    def receivers(self) -> list[Endpoint]:
        return [
            endpoint for endpoint in self.index.endpoints
            if any(
                "webhook" in route.path.lower() and not route.auth.auth
                and not self.index.admin_checked(endpoint, route)
                for route in endpoint.routes
            )
        ]

    def body_read(self, endpoint: Endpoint) -> ast.AST | None:
        """The first read of the body: ``request.body()``/``json()``/``stream()``/``form()`` on a
        ``Request`` parameter, else a parameter FastAPI fills from the body (the contracts facet's
        parameter sources)."""
        parameters = self.project.schemas.contracts.of(endpoint).parameters
        requests = {
            parameter.name for parameter in parameters
            if parameter.source == "injected" and any(leaf.qualname in REQUEST_CLASSES for leaf in parameter.leaves)
        }
        if requests:
            for node in own_nodes(endpoint.function):
                if (
                    isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in BODY_METHODS
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in requests
                ):
                    return node
        body = [parameter.argument for parameter in parameters if parameter.source in BODY_SOURCES]
        return body[0] if body else None

    def verified(self, endpoint: Endpoint) -> bool:
        """Whether the handler, a function it calls or one of its dependencies verifies a signature."""
        if self.verifies(endpoint.module, endpoint.function, 0):
            return True
        return any(
            self.verifies(module, node, 0)
            for module, node in self.index.dependency_functions(endpoint)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        )

    def verifies(self, module: ModuleInfo, function: FunctionNode, depth: int) -> bool:
        key = id(function)
        known = self._verifies.get(key)
        if known is not None:
            return known
        self._verifies[key] = False  # a recursive call does not verify by itself
        result = False
        for node in own_nodes(function):
            if isinstance(node, ast.Call) and self._verifying_call(module, function, node, depth):
                result = True
                break
        self._verifies[key] = result
        return result

    def _verifying_call(self, module: ModuleInfo, function: FunctionNode, call: ast.Call, depth: int) -> bool:
        callee = operand_name(call.func) if isinstance(call.func, (ast.Name, ast.Attribute)) else None
        lowered = (callee or "").lower()
        if "verify" in lowered or "signature" in lowered or lowered == "compare_digest":
            return True
        scopes = self.index.dependencies.function_scopes(function)
        resolved = self.project.names.resolve_expr(module, call.func, scopes)
        if resolved is not None and resolved.qualname.split(".", 1)[0] == "hmac":
            return True
        arguments = [*call.args, *(item.value for item in call.keywords)]
        if any(is_signature_name(operand_name(argument)) for argument in arguments):
            return True
        target = self.callee(module, function, call)
        return target is not None and depth < MAX_CALL_DEPTH and self.verifies(*target, depth + 1)

    def callee(self, module: ModuleInfo, function: FunctionNode, call: ast.Call) -> Site | None:
        """The project function a call runs, when the index can tell."""
        if not isinstance(call.func, (ast.Name, ast.Attribute)):
            return None
        scopes = self.index.dependencies.function_scopes(function)
        resolved = self.project.names.resolve_expr(module, call.func, scopes)
        binding = resolved.binding if resolved else None
        if resolved is not None and binding is not None and binding.kind == "def":
            assert isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef))
            return resolved.module or module, binding.node
        if isinstance(call.func, ast.Attribute):
            return self.index.dependencies.method_of(module, call.func, scopes)
        return None

    def comparisons(self, endpoint: Endpoint) -> Iterator[tuple[ModuleInfo, FunctionNode, ast.Compare]]:
        """``==``/``!=`` on secrets in the handler, its dependencies and the checking helpers they call."""
        sites: list[Site] = [(endpoint.module, endpoint.function)]
        sites.extend(
            (module, node) for module, node in self.index.dependency_functions(endpoint)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        )
        seen: set[int] = set()
        depth = 0
        while sites and depth <= MAX_CALL_DEPTH:
            called: list[Site] = []
            for module, function in sites:
                if id(function) in seen:
                    continue
                seen.add(id(function))
                in_sql = {id(inner) for node in own_nodes(function) if _sql_clause(node) for inner in ast.walk(node)}
                for node in own_nodes(function):
                    if isinstance(node, ast.Compare) and id(node) not in in_sql and unsafe_comparison(node):
                        yield module, function, node
                    elif isinstance(node, ast.Call):
                        target = self.callee(module, function, node)
                        if target is not None and any(word in target[1].name.lower() for word in CHECKER_WORDS):
                            called.append(target)
            sites, depth = called, depth + 1
