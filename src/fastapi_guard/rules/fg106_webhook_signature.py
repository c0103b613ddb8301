"""A webhook endpoint that trusts its body without a constant-time signature check.

## What it does
Looks at webhook receivers: endpoints with `webhook` in a full mounted path
that some mount chain reaches without an authentication or admin dependency
(the sender is another service, not a logged-in user; endpoints that manage
webhook settings for users or admins are not receivers). It reports:

- a receiver that reads the request body (`await request.body()`,
  `request.json()`, `request.stream()`, `request.form()`, or a body parameter
  such as `event: StripeEvent`) and never verifies it: no `hmac` call, no
  `compare_digest`, no call of a function whose name contains `verify` or
  `signature`, no call that is handed the signature, a token or a secret
  (`stripe.Webhook.construct_event(body, sig_header, secret)`, a lookup of the
  secret token in the URL), neither in the handler, nor in the project
  functions it calls, nor in its dependencies.
  Reading the raw body first is how verification works, so the order of the
  two is not checked. Reported on the handler's `def` line.
- a comparison of a signature, token, digest, hmac or secret (by the name of
  either side, `sig`, `expected_signature`, `x_hub_signature_256`,
  `mac.hexdigest()`, `headers["X-Signature"]`) with `==` or `!=`, in the
  receiver, its dependencies or the checking helpers it calls
  (`verify_signature`, ...). Comparisons with a literal (`sig == ""`) and
  comparisons that build SQL (`.filter(Hook.token == token)`) are not
  reported. Reported on the comparison.

## Why is this bad?
A webhook URL is public: anyone who finds it can post a forged event
("invoice paid", "subscription upgraded") unless the handler checks the
sender's signature over the raw body before acting on it. And a signature
checked with `==` leaks, through the time the comparison takes, how many
leading characters of a guess are right, which lets an attacker forge a
valid signature byte by byte; `hmac.compare_digest` takes the same time
whatever the input.

## Example
```python
# file: app/routes/webhooks/router.py
import hashlib
import hmac

from fastapi import APIRouter, HTTPException, Request

router = APIRouter(prefix="/webhooks", tags=["Webhooks"])
SECRET = b"loaded-from-settings-in-real-code"


@router.post("/stripe")
async def stripe_webhook(request: Request) -> dict:
    body = await request.body()
    expected = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    if expected != request.headers.get("X-Signature"):  # [FG106]
        raise HTTPException(status_code=400, detail="Invalid signature")
    return {"status": "ok"}


@router.post("/github")
async def github_webhook(request: Request) -> dict:  # [FG106]
    payload = await request.json()
    return {"action": payload.get("action")}
```

## Use instead
```python
# file: app/routes/webhooks/router.py
import hashlib
import hmac

from fastapi import APIRouter, HTTPException, Request

router = APIRouter(prefix="/webhooks", tags=["Webhooks"])
SECRET = b"loaded-from-settings-in-real-code"


def verify_signature(body: bytes, signature: str | None) -> bool:
    expected = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    return signature is not None and hmac.compare_digest(expected, signature)


@router.post("/stripe")
async def stripe_webhook(request: Request) -> dict:
    body = await request.body()
    if not verify_signature(body, request.headers.get("X-Signature")):
        raise HTTPException(status_code=400, detail="Invalid signature")
    return {"status": "ok"}
```

## Fix
A comparison on one line carries an unsafe fix: `a == b` becomes
`hmac.compare_digest(a, b)` and `a != b` becomes
`not hmac.compare_digest(a, b)`, with `import hmac` added when the module
lacks it. It is unsafe because `compare_digest` needs both sides to be `str`
(ASCII only) or both bytes-like, and raises `TypeError` otherwise (a header
that may be `None` must be checked first). For an unverified body, compute
the HMAC of the raw body with the provider's secret and compare it with the
signature header using `hmac.compare_digest` before parsing the body, or use
the provider SDK's verifier.

## Options
- `auth-dependencies` / `admin-dependencies`: an endpoint that one of them
  protects on every mount chain is not a webhook receiver.

## Related rules
- FG101 route-missing-auth: webhook paths are public by default
  (`**/webhook*/**` in `public-paths`), which is why their signature matters.
- FG107 insecure-jwt: the other place where a token must be verified.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_guard.findings import Edit, Finding, Fix
from fastapi_guard.project import Project
from fastapi_guard.project.layout import is_test_module
from fastapi_guard.project.symbols import ModuleInfo, ScopeNode
from fastapi_guard.project.webhooks import Webhooks
from fastapi_guard.rule import ProjectRule, def_line_span, node_span

BODY_HINT = "verify the signature over the raw body with `hmac.compare_digest` before using the body"
COMPARE_HINT = "compare signatures with `hmac.compare_digest(a, b)`, which takes the same time for every input"


class WebhookSignature(ProjectRule):
    code = "FG106"
    name = "webhook-signature"
    message = "webhook {subject} {problem}"
    hint = BODY_HINT
    fixable = True

    def check(self, project: Project) -> Iterator[Finding]:
        webhooks = Webhooks(project)
        reported: set[int] = set()
        for endpoint in webhooks.receivers():
            if is_test_module(endpoint.module.name):
                continue
            compared = False
            for module, function, node in webhooks.comparisons(endpoint):
                compared = True
                if id(node) in reported:
                    continue
                reported.add(id(node))
                scopes = project.fastapi.dependencies.function_scopes(function)
                operator = "==" if isinstance(node.ops[0], ast.Eq) else "!="
                yield self.finding(
                    module.path, node_span(module, node), fix=compare_digest_fix(module, node, scopes),
                    hint=COMPARE_HINT, subject="signature or token",
                    problem=f"compared with `{operator}` (timing attack)",
                )
            if compared or webhooks.body_read(endpoint) is None or webhooks.verified(endpoint):
                continue
            method, path = endpoint.pairs[0]
            yield self.finding(
                endpoint.module.path, def_line_span(endpoint.module, endpoint.function),
                subject=f"endpoint `{method} {path or '/'}`",
                problem="reads the request body without verifying its signature",
            )


def compare_digest_fix(module: ModuleInfo, node: ast.Compare, scopes: tuple[ScopeNode, ...]) -> Fix | None:
    """``a == b`` -> ``hmac.compare_digest(a, b)``, ``a != b`` -> ``not hmac.compare_digest(a, b)``,
    plus ``import hmac`` when the module lacks it. None for multi-line comparisons and when the
    name ``hmac`` is taken by something else."""
    line, column, end_line, end_column = node_span(module, node)
    if line != end_line:
        return None
    binding = next(
        (found for scope in reversed(scopes) if (found := module.function_bindings(scope).get("hmac")) is not None),
        module.bindings.get("hmac"),
    )
    imported = binding is not None and binding.kind == "import" and binding.target == "hmac" and binding.attribute is None
    if binding is not None and not imported:
        return None
    texts = []
    for operand in (node.left, node.comparators[0]):
        _, start, _, end = node_span(module, operand)
        texts.append(module.lines[line - 1][start - 1:end - 1])
    call = f"hmac.compare_digest({texts[0]}, {texts[1]})"
    if isinstance(node.ops[0], ast.NotEq):
        call = f"not {call}"
    edits = [Edit(line, column, end_line, end_column, call)]
    if binding is None:
        at = _import_line(module)
        edits.insert(0, Edit(at, 1, at, 1, "import hmac\n"))
    return Fix("unsafe", tuple(edits))


def _import_line(module: ModuleInfo) -> int:
    """Where ``import hmac`` goes: before the first import (``__future__`` aside), else before
    the first statement after the docstring."""
    body = module.tree.body
    docstring = bool(body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
    statements = body[1:] if docstring else body
    statements = [s for s in statements if not (isinstance(s, ast.ImportFrom) and s.module == "__future__")]
    imports = [s for s in statements if isinstance(s, (ast.Import, ast.ImportFrom))]
    first = imports[0] if imports else statements[0]
    decorators = getattr(first, "decorator_list", [])
    return min([first.lineno, *(decorator.lineno for decorator in decorators)])
