"""Shared test helpers: markers in fixtures and findings from the real engine."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from fastapi_guard.config import Config
from fastapi_guard.discovery import ProjectSpec
from fastapi_guard.engine import RunOptions, load_project, run
from fastapi_guard.project import Project

MARKER = re.compile(r"#.*?\[((?:FG\d{3})(?:\s*,\s*FG\d{3})*)\]")
FIXTURES = Path(__file__).parent / "fixtures"

Key = tuple[str, int, str]


def expected_markers(root: Path, codes: set[str] | None = None) -> Counter[Key]:
    """``# [FG101]`` markers under ``root``: (relative path, line, code) with multiplicity."""
    expected: Counter[Key] = Counter()
    for path in sorted(root.rglob("*.py")):
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for match in MARKER.finditer(line):
                for code in re.findall(r"FG\d{3}", match.group(1)):
                    if codes is None or code in codes:
                        expected[(path.relative_to(root).as_posix(), number, code)] += 1
    return expected


def actual_findings(root: Path, select: tuple[str, ...] | None = None, paths: list[Path] | None = None) -> Counter[Key]:
    result = run(paths or [root], RunOptions(select=select))
    return Counter((Path(f.path).relative_to(root).as_posix(), f.line, f.code) for f in result.findings)


def write_project(root: Path, files: dict[str, str], config: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(f"[tool.fastapi-guard]\n{config}")
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return root


def build_project(root: Path, config: Config | None = None) -> Project:
    """The Project index of a folder, parsed by the engine exactly as a run would.

    Index tests use it on fixture folders that must parse: a parse failure fails the test."""
    project, failures, _ = load_project(ProjectSpec(root, config or Config()))
    assert not failures, [failure.message for failure in failures]
    return project
