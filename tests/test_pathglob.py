"""``public-paths`` / ``admin-paths`` patterns against full mounted paths."""

from __future__ import annotations

import pytest

from fastapi_guard.config import DEFAULT_PUBLIC_PATHS
from fastapi_guard.project.pathglob import PathPattern, PathPatterns


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("**/auth/login", "/auth/login", True),
        ("**/auth/login", "/api/v1/auth/login", True),
        ("**/auth/login", "/api/v1/auth/login/", True),
        ("**/auth/login", "/api/v1/auth/login/extra", False),
        ("**/auth/login", "/api/v1/auth/logins", False),
        ("**/health*", "/health", True),
        ("**/health*", "/api/healthz", True),
        ("**/health*", "/api/health/db", False),
        ("**/webhook*/**", "/webhooks/stripe", True),
        ("**/webhook*/**", "/api/webhook", True),
        ("**/webhook*/**", "/api/hooks/stripe", False),
        ("/status", "/status", True),
        ("status", "/status", True),
        ("/status", "/api/status", False),
        ("/api/*/items", "/api/v1/items", True),
        ("/api/*/items", "/api/v1/v2/items", False),
        ("/api/**/items", "/api/items", True),
        ("/api/**/items", "/api/v1/v2/items", True),
        ("**/admin/**", "/admin", True),
        ("**/admin/**", "/api/admin/users/{id}", True),
        ("**/admin/**", "/api/administrators", False),
        ("**", "/", True),
        ("/items/{item_id}", "/items/{item_id}", True),
    ],
)
def test_pattern_matches_path(pattern: str, path: str, expected: bool) -> None:
    assert PathPattern.parse(pattern).matches(path, "GET") is expected


def test_leading_method_restricts_the_match() -> None:
    pattern = PathPattern.parse("DELETE **/users/**")
    assert pattern.methods == frozenset({"DELETE"})
    assert pattern.matches("/api/users/{id}", "DELETE")
    assert pattern.matches("/api/users/{id}", "delete")
    assert not pattern.matches("/api/users/{id}", "GET")
    assert not pattern.matches("/api/users/{id}")
    several = PathPattern.parse("GET|HEAD /status")
    assert several.matches("/status", "HEAD") and not several.matches("/status", "POST")


def test_a_path_without_method_is_not_mistaken_for_one() -> None:
    assert PathPattern.parse("**/health*").methods is None
    assert PathPattern.parse("/public docs/**").methods is None


def test_pattern_list_and_defaults() -> None:
    patterns = PathPatterns(DEFAULT_PUBLIC_PATHS)
    assert ("POST", "/api/v1/auth/token") in patterns
    assert ("GET", "/api/v1/items") not in patterns
    assert patterns.match("/healthz", "GET") is not None
    assert PathPatterns(["", "  "]).patterns == ()
