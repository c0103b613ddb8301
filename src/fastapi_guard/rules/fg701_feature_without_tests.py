"""A top-level feature that no test module imports or requests.

## What it does
Reports the router of a top-level feature (`<routes>/<feature>/router.py`)
when no test module of the project (`tests/`, `test_*.py`, `*_test.py`,
`conftest.py`) either

- imports anything from the feature's folder or its child features (the
  router, a schema, a helper; also through re-exports such as
  `from app.routes import jobs_router`), or
- requests one of its URLs: a test client call (`client.get(...)`,
  `.post`, `.put`, `.patch`, `.delete`, `.request(method, url)`,
  `.websocket_connect`, sync `TestClient` or `httpx.AsyncClient` alike) whose
  URL starts with the feature's full mounted prefix (`/api/v1/jobs`) or its
  router prefix (`/jobs`). URLs are read from literals, f-strings (a part that
  cannot be read matches any one segment: `f"/api/v1/jobs/{job_id}"`) and
  constants; a full URL (`http://testserver/api/v1/jobs`) counts by its path.
  Any other string literal of a test module that looks like a URL path counts
  too (tests pass URLs through helpers of their own: `api_get(client, "/jobs")`,
  a `parametrize` list). A router without a prefix of its own is matched by
  its routes' paths.

The finding points at the feature's `router = APIRouter(...)` assignment; a
feature folder without a router is FG506's case.

Only projects with a routes package are checked (see `routes-package`).

## Why is this bad?
The guide's checklist asks for unit tests with every feature. A feature that
no test even touches can break (a renamed schema field, a lost auth
dependency, a router dropped from `main.py`) without anything failing before
production.

## Example
```python
# file: app/routes/news/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/news", tags=["News"])  # [FG701]
```

```python
# file: app/main.py
from fastapi import FastAPI

from app.routes.news.router import router as news_router

app = FastAPI()
app.include_router(news_router, prefix="/api/v1")
```

```python
# file: tests/test_health.py
from fastapi.testclient import TestClient

from app.main import app


def test_health() -> None:
    assert TestClient(app).get("/health").status_code == 200
```

## Use instead
```python
# file: app/routes/news/router.py
from fastapi import APIRouter

router = APIRouter(prefix="/news", tags=["News"])
```

```python
# file: app/main.py
from fastapi import FastAPI

from app.routes.news.router import router as news_router

app = FastAPI()
app.include_router(news_router, prefix="/api/v1")
```

```python
# file: tests/test_news.py
import httpx
import pytest

from app.main import app


@pytest.fixture
async def client():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http


async def test_news_item_requires_a_token(client: httpx.AsyncClient) -> None:
    news_id = 1
    assert (await client.get(f"/api/v1/news/{news_id}")).status_code == 401
```

## Fix
Add a `tests/test_<feature>.py` that requests the feature's endpoints through
a `TestClient` (or tests its service layer by importing from the feature).

## Options
- `routes-package`: the folder holding the features (default `routes`).

## Related rules
- FG505 router-not-registered: a feature router the app never includes.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi_guard.findings import Finding
from fastapi_guard.project import Project
from fastapi_guard.rule import ProjectRule, node_span


class FeatureWithoutTests(ProjectRule):
    code = "FG701"
    name = "feature-without-tests"
    message = "no test module imports feature `{feature}` or requests `{address}`"
    hint = "add tests/test_<feature>.py that requests the feature's endpoints with a TestClient"
    layout = True

    def check(self, project: Project) -> Iterator[Finding]:
        layout = project.layout
        tests = layout.tests
        for feature in layout.features.values():
            router = feature.router
            if feature.depth != 1 or router is None or tests.imports_from(feature.name):
                continue
            addresses = layout.mounts.addresses(router)
            if any(tests.requests_under(address) for address in addresses):
                continue
            yield self.finding(
                router.module.path, node_span(router.module, router.node),
                feature=feature.relative, address=addresses[0] if addresses else router.prefix or "/",
            )
