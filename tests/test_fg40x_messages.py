"""FG401-FG405: what the messages say (the fixture cases check where findings are)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from support import write_project

from fastapi_guard.engine import RunOptions, run

APP = '''
import logging
import traceback

import structlog
from fastapi import APIRouter, FastAPI, HTTPException

app = FastAPI()
router = APIRouter()
logger = structlog.get_logger()
std = logging.getLogger(__name__)


class QuotaExceeded(RuntimeError):
    pass


@router.get("/a")
def a():
    raise QuotaExceeded("over quota")


@router.get("/b", status_code=201)
def b():
    return {"error": "nope"}


@router.get("/c")
def c():
    try:
        return {}
    except Exception as exc:
        logger.info("Lookup failed for " + str(exc))
        raise HTTPException(status_code=418, detail=repr(exc))


@router.get("/d")
def d():
    print("d")
    logging.warning("d")
    return {"trace": traceback.format_exc()}


app.include_router(router)
'''


def messages(tmp_path: Path, code: str) -> list[str]:
    root = write_project(tmp_path, {"app/main.py": dedent(APP)})
    return [finding.message for finding in run([root], RunOptions(select=(code,))).findings]


def test_fg401_names_the_exception_and_the_route(tmp_path: Path) -> None:
    assert messages(tmp_path, "FG401") == [
        "endpoint `GET /a` raises `QuotaExceeded`, which no exception handler turns into an HTTP response "
        "(a 500 for the client)",
        'endpoint `GET /b` returns an error payload (`{"error": ...}`) with a success status',
    ]


def test_fg402_names_the_constant(tmp_path: Path) -> None:
    assert messages(tmp_path, "FG402") == [
        "magic status code `201` in `router.get(...)`; use `status.HTTP_201_CREATED`",
        "magic status code `418` in `HTTPException(...)`; use `status.HTTP_418_IM_A_TEAPOT`",
    ]


def test_fg403_says_what_logs(tmp_path: Path) -> None:
    assert messages(tmp_path, "FG403") == [
        "a stdlib logger (`logging.getLogger()`) in application code; log with structlog",
        "`print()` in application code; log with structlog",
        "`logging.warning()` in application code; log with structlog",
    ]


def test_fg404_says_how_the_event_is_built(tmp_path: Path) -> None:
    assert messages(tmp_path, "FG404") == ["structlog event is a concatenation; values belong in keyword arguments"]


def test_fg405_quotes_what_leaks(tmp_path: Path) -> None:
    assert messages(tmp_path, "FG405") == [
        "`HTTPException(...)` sends `repr(exc)` to the client",
        "the endpoint's return value sends traceback text to the client",
    ]
