"""A JWT decoded without a pinned algorithm or without verification, or signed with a hard-coded key.

## What it does
Looks at the `jwt.decode` and `jwt.encode` calls of python-jose
(`from jose import jwt`) and PyJWT (`import jwt`), resolved through imports
and aliases. It reports a `jwt.decode` call:

- without `algorithms=` (neither the keyword nor the third positional
  argument; a call that splats `**kwargs` gets the benefit of the doubt);
- whose `algorithms` contain `"none"`;
- with signature verification switched off: `options={"verify_signature": False}`
  or PyJWT 1's `verify=False`;
- with expiry verification switched off: `options={"verify_exp": False}`.

Literal `algorithms`/`options` are followed through local and module
constants. An unverified decode that only peeks at the token is not reported:
one that reads a routing or caching claim straight off the result
(`jwt.decode(t, options={"verify_signature": False}).get("iss")`, also `exp`,
`kid`, `aud`, ...), or whose token the same function also decodes with
verification (read the issuer, pick its key, verify).

It also reports a key given as a string literal, at the literal: the key
argument of `jwt.encode`/`jwt.decode` (`key=` or the second positional
argument) written in the call, or a constant holding it (`SECRET_KEY =
"changeme"`, also in another module). Empty strings and public keys or
certificates (`-----BEGIN PUBLIC KEY-----`) are not secrets. A key read from
settings or the environment is not reported (`settings.SECRET_KEY`,
`os.environ["SECRET_KEY"]`, `os.getenv("SECRET_KEY", "dev")`), even when the
settings field or the environment read has a literal default: that default
is a development fallback which the deployment overrides, and the
configuration, not the code, decides what runs. Calls in test modules are
not looked at.

## Why is this bad?
Without a pinned algorithm the token's own header chooses how it is
checked: `none` (no signature at all) or, with python-jose, an RSA public
key used as an HMAC secret, which lets anyone who knows the public key sign
tokens. A decode without signature verification accepts any token a client
makes up, and one without expiry accepts stolen tokens forever. A key
written in the source is in every clone, image and log of the repository:
anyone who has read it can mint a token for any user, and it cannot be
rotated without a release.

## Example
```python
# file: app/utils/access.py
from jose import jwt

SECRET_KEY = "changeme"  # [FG107]


def create_access_token(user_id: str) -> str:
    return jwt.encode({"sub": user_id}, SECRET_KEY, algorithm="HS256")


def decode_access_token(token: str) -> dict:
    return jwt.decode(token, SECRET_KEY)  # [FG107]


def read_refresh_token(token: str) -> dict:
    return jwt.decode(token, SECRET_KEY, algorithms=["HS256"], options={"verify_exp": False})  # [FG107]
```

## Use instead
```python
# file: app/utils/access.py
import os

from jose import jwt

SECRET_KEY = os.environ["SECRET_KEY"]
ALGORITHM = "HS256"


def create_access_token(user_id: str) -> str:
    return jwt.encode({"sub": user_id}, SECRET_KEY, algorithm=ALGORITHM)


def decode_access_token(token: str) -> dict:
    return jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])
```

## Fix
Pass `algorithms=[...]` with exactly the algorithm the tokens are signed
with, keep signature and expiry verification on, and read the key from
settings or the environment (a pydantic-settings field without a default
fails at start-up when the variable is missing).

## Related rules
- FG101 route-missing-auth: the dependency that decodes the token.
- FG106 webhook-signature: the other place where a signature must be checked.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi_guard.findings import Finding
from fastapi_guard.project import Project
from fastapi_guard.project.layout import is_test_module
from fastapi_guard.project.tokens import JwtCalls
from fastapi_guard.rule import ProjectRule, node_span

PROBLEMS = {
    "no-algorithms": (
        "decoded without `algorithms=` (the token's header picks the algorithm)",
        'pass `algorithms=["HS256"]`: exactly the algorithm the tokens are signed with',
    ),
    "none-algorithm": (
        "decoded accepting the `none` algorithm (unsigned tokens)",
        "list only the algorithm the tokens are signed with, never `none`",
    ),
    "no-signature": (
        "decoded with signature verification switched off",
        "verify the signature: pass the key and `algorithms=`, drop `verify_signature: False` / `verify=False`",
    ),
    "no-expiry": (
        "decoded with expiry verification switched off",
        "drop `verify_exp: False`; renew expired sessions with a refresh token instead",
    ),
}
KEY_PROBLEM = "key hard-coded as a string literal"
KEY_HINT = 'read the key from settings or the environment (`settings.SECRET_KEY`, `os.environ["SECRET_KEY"]`)'


class InsecureJwt(ProjectRule):
    code = "FG107"
    name = "insecure-jwt"
    message = "JWT {problem}"
    hint = KEY_HINT

    def check(self, project: Project) -> Iterator[Finding]:
        jwt_calls = JwtCalls(project)
        keys: set[int] = set()
        for call in jwt_calls.calls:
            if is_test_module(call.module.name):
                continue
            if call.kind == "decode":
                problem = jwt_calls.decode_problem(call)
                if problem == "no-signature" and jwt_calls.is_peek(call, jwt_calls.calls):
                    problem = None
                if problem is not None:
                    text, hint = PROBLEMS[problem]
                    yield self.finding(call.module.path, node_span(call.module, call.node), hint=hint, problem=text)
            literal = jwt_calls.secret_literal(call)
            if literal is not None and id(literal[1]) not in keys:
                keys.add(id(literal[1]))
                module, node = literal
                yield self.finding(module.path, node_span(module, node), problem=KEY_PROBLEM)
