"""The endpoint inventory behind ``fastapi-guard routes``: one row per (method, full path)."""

from __future__ import annotations

import ast
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from fastapi_guard.discovery import ProjectFinder, group_targets
from fastapi_guard.engine import load_project
from fastapi_guard.findings import display_path
from fastapi_guard.project.fastapi import Endpoint, MountedRoute
from fastapi_guard.project.fastapi_walk import keyword
from fastapi_guard.project.symbols import source_text
from fastapi_guard.report import visible


@dataclass(frozen=True)
class RouteRow:
    method: str
    path: str
    handler: str
    file: str
    line: int
    auth: str
    dependencies: list[str]
    response_model: str | None
    mounted: bool


def _response_model(route: MountedRoute, endpoint: Endpoint) -> str | None:
    node = route.registration.node
    model = keyword(node, "response_model") if isinstance(node, ast.Call) else None
    if model is not None:
        return source_text(model)
    returns = endpoint.function.returns
    return source_text(returns) if returns is not None else None


def _auth(route: MountedRoute, method: str) -> str:
    if method in route.public_methods:
        return "public"
    if route.auth.admin:
        return "admin"
    return "user" if route.auth.auth else "missing"


def endpoint_rows(endpoint: Endpoint) -> list[RouteRow]:
    rows: dict[tuple[str, str], RouteRow] = {}
    for route in endpoint.routes:
        for method in route.methods:
            rows.setdefault((method, route.path), RouteRow(
                method=method,
                path=route.path,
                handler=endpoint.name,
                file=display_path(endpoint.module.path),
                line=endpoint.function.lineno,
                auth=_auth(route, method),
                dependencies=sorted(route.auth.names),
                response_model=_response_model(route, endpoint),
                mounted=route.mounted,
            ))
    return list(rows.values())


def inventory(paths: list[Path], config_file: Path | None = None) -> list[RouteRow]:
    """Every endpoint of the projects touched by ``paths``, sorted by path and method."""
    rows: list[RouteRow] = []
    for spec, _ in group_targets(paths, ProjectFinder(config_file)).values():
        project, _, _ = load_project(spec)
        for endpoint in project.fastapi.endpoints:
            rows.extend(endpoint_rows(endpoint))
    return sorted(rows, key=lambda row: (row.path, row.method, row.file, row.line))


def render_json(rows: list[RouteRow]) -> str:
    return json.dumps([asdict(row) for row in rows], indent=2) + "\n"


def render_text(rows: list[RouteRow]) -> str:
    if not rows:
        return "no endpoints found\n"
    width_method = max(len(row.method) for row in rows)
    width_path = max(len(row.path) for row in rows)
    lines = [
        visible(
            f"{row.method:<{width_method}}  {row.path:<{width_path}}  {row.auth:<7}  "
            f"{row.file}:{row.line} {row.handler}{'' if row.mounted else '  (not mounted)'}"
        )
        for row in rows
    ]
    return "\n".join(lines) + f"\n\n{len(rows)} routes, {sum(row.auth == 'missing' for row in rows)} without auth\n"


def render_markdown(rows: list[RouteRow]) -> str:
    lines = ["| method | path | auth | handler | response model |", "|---|---|---|---|---|"]
    for row in rows:
        mounted = "" if row.mounted else " (not mounted)"
        model = f"`{row.response_model}`" if row.response_model else ""
        lines.append(
            f"| {row.method} | `{row.path}`{mounted} | {row.auth} | `{row.handler}` ({row.file}:{row.line}) | {model} |"
        )
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
