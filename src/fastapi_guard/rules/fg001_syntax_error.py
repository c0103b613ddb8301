"""A file that cannot be read or parsed.

## What it does
Reports a file that fastapi-guard cannot decode or parse, at the position of
the error. The rest of the run goes on: every other file is still checked.

## Why is this bad?
A file that does not parse is never checked by any other rule, so its routes,
queries and schemas are invisible to the whole index. Usually it is a typo;
sometimes a file in an unusual encoding or generated code.

Syntax newer than the Python running fastapi-guard (PEP 695 generics and
`type` aliases, PEP 758 `except A, B:`, t-strings) is understood and is not
reported.

## Example
```python
def create_item(data: ItemCreate:  # [FG001]
    ...
```

## Use instead
```python
def create_item(data: ItemCreate):
    ...
```
"""

from __future__ import annotations

from fastapi_guard.rule import Rule


class SyntaxErrorRule(Rule):
    code = "FG001"
    name = "syntax-error"
    message = "cannot parse file: {reason}"
