"""The flake8 plugin: fastapi-guard's findings as flake8 violations (code prefix ``FG``).

flake8 asks about one file at a time, but project-wide rules (an endpoint
without auth, a schema outside its feature) need the whole project. So the
first file of a project checks that project once with the real engine and
every later file of it takes its own findings from that result. flake8 runs
plugins in worker processes (``-j``), so the result is kept per process, and
only for one flake8 run: editor integrations run flake8 again and again inside
one long-lived process, where a kept result would go stale.

flake8 owns selection (``--select FG``) and ``# noqa``; the project's own
``[tool.fastapi-guard]`` settings still decide which rules run and what the
project is made of. When flake8 reads a buffer from stdin (editors do, with
``--stdin-display-name``), that buffer replaces the file on disk in the index.

This module never imports flake8: it is only loaded by flake8 itself, through
the ``flake8.extension`` entry point.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import sys
import tokenize
from collections.abc import Iterator
from pathlib import Path

from fastapi_guard import __version__
from fastapi_guard.config import ConfigError
from fastapi_guard.discovery import ProjectFinder, ProjectSpec, is_excluded
from fastapi_guard.engine import RunOptions, check_project, collector_paused
from fastapi_guard.findings import Finding
from fastapi_guard.parsing import decode
from fastapi_guard.plugins import PluginError

Violation = tuple[int, int, str, type]
# Findings by absolute path, or the one-line reason the project could not be checked.
ProjectFindings = dict[str, list[Finding]] | str

# flake8 reads every violation's first word as its code; this one (outside the
# rule catalogue, still under ``--select FG``) says the project could not be checked.
UNCHECKED = "FG000"
OPTIONS = RunOptions(noqa=False)

# The current flake8 run: the folders it was named, project configs, each project's findings.
_named: list[Path] = []
_finder = ProjectFinder()
_checked: dict[Path, ProjectFindings] = {}


def start_run(named: list[str]) -> None:
    global _finder
    # Outermost first: a file outside any config's project belongs, as for
    # `check FOLDER`, to the folder named on the command line.
    folders = (Path(os.path.abspath(name)) for name in named if os.path.isdir(name))
    _named[:] = sorted(folders, key=lambda folder: len(folder.parts))
    _finder = ProjectFinder()
    _checked.clear()


def _check(spec: ProjectSpec, overlays: dict[Path, bytes] | None = None) -> ProjectFindings:
    try:
        with collector_paused():
            result = check_project(spec, None, OPTIONS, overlays=overlays)
    except (ConfigError, PluginError) as error:
        return f"fastapi-guard cannot check this project: {error}"
    except Exception as error:
        # Never let it reach flake8: it would abort the whole run (every other
        # plugin's findings lost), or report a SyntaxError as the file's own E999.
        return f"fastapi-guard failed on this project: {type(error).__name__}: {error}"
    for note in result.notes:
        if note.startswith("internal error"):
            sys.stderr.write(f"fastapi-guard: {note}\n")
    by_path: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_path.setdefault(finding.path, []).append(finding)
    return by_path


def _buffer_differs(path: Path, text: str) -> bool:
    """Whether flake8's text of the file is not what is on disk (an editor's buffer)."""
    try:
        on_disk = decode(path.read_bytes())
    except OSError:
        return True
    except (SyntaxError, UnicodeDecodeError, LookupError):
        # flake8 fell back to latin-1 for a file we cannot decode: the disk
        # version gives the honest FG001.
        return False
    return on_disk.splitlines() != text.splitlines()


def _encode(text: str) -> bytes:
    """The buffer as bytes in its declared encoding, so that the engine decodes it as it would the file."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(text.encode("utf-8")).readline)
        return text.encode(encoding)
    except (SyntaxError, LookupError, UnicodeEncodeError):
        return text.encode("utf-8")


def findings_for(path: Path, text: str) -> list[Finding] | str:
    """The findings located in ``path`` (absolute), whose current text is ``text``."""
    if path.suffix != ".py":
        # Not a module of any project; also flake8's name for a buffer piped in
        # without --stdin-display-name ("stdin"), which belongs to no known file.
        return []
    fallback = next((folder for folder in _named if folder in path.parents), path.parent)
    try:
        spec = _finder.project_for(path.parent, fallback=fallback)
    except ConfigError as error:
        return f"fastapi-guard cannot check this project: {error}"
    overlaid = _buffer_differs(path, text) and not is_excluded(
        path.relative_to(spec.root).as_posix(), spec.config.all_excludes
    )
    if overlaid:
        checked = _check(spec, {path: _encode(text)})
    else:
        if spec.root not in _checked:
            _checked[spec.root] = _check(spec)
        checked = _checked[spec.root]
    return checked if isinstance(checked, str) else checked.get(str(path), [])


class FastAPIGuardChecker:
    """A flake8 ``tree`` plugin; the tree flake8 parsed is not used (the engine parses the project itself)."""

    name = "fastapi-guard"
    version = __version__

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        # flake8 calls this once per run, before any file (and again in each
        # worker process it spawns rather than forks).
        start_run(getattr(options, "filenames", None) or [])

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]) -> None:
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[Violation]:
        found = findings_for(Path(os.path.abspath(self.filename)), "".join(self.lines))
        if isinstance(found, str):
            yield 1, 0, f"{UNCHECKED} {found}", type(self)
            return
        for finding in found:
            # flake8 columns are 0-based; it shows them plus one, as `check` does.
            yield finding.line, max(finding.column - 1, 0), f"{finding.code} {finding.message}", type(self)
