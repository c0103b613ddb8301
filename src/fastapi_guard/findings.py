"""The data every other layer exchanges: findings and the fixes attached to them."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Applicability = Literal["safe", "unsafe"]
DOCS_URL = "https://github.com/fastapi-guard/fastapi-guard/blob/main/rules/{code}.md"


def display_path(path: str) -> str:
    """Relative to the current directory when under it, else absolute; always ``/``-separated."""
    absolute = Path(path).absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the text between two 1-based positions with ``content``."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str


@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class Finding:
    """One reported problem; ``path`` is absolute, positions are 1-based."""

    code: str
    name: str
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    severity: str = "error"
    fix: Fix | None = None
    hint: str | None = None
    # The text of the reported line, filled in by the engine for reporters.
    source: str = ""

    @property
    def url(self) -> str:
        return DOCS_URL.format(code=self.code)

    @property
    def display_path(self) -> str:
        return display_path(self.path)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)


# (path, code, hash of the reported line, occurrence index): who a finding is,
# independent of where it sits in its file.
FindingKey = tuple[str, str, str, int]


def source_hash(source: str) -> str:
    """A hash of a line with all its whitespace removed, so re-indenting or
    re-spacing the line keeps it."""
    return hashlib.sha256("".join(source.split()).encode("utf-8")).hexdigest()[:16]


def finding_keys(findings: Sequence[Finding], path_of: Callable[[Finding], str]) -> list[FindingKey]:
    """The stable key of each finding, in the order given.

    Never the line number: lines inserted or removed elsewhere in the file leave
    every key unchanged. Findings that agree on path, code and line text are
    told apart by their order in the file, so a new instance of a known problem
    still gets a key of its own.
    """
    keys: list[FindingKey] = [("", "", "", 0)] * len(findings)
    seen: Counter[tuple[str, str, str]] = Counter()
    for index in sorted(range(len(findings)), key=lambda i: findings[i].sort_key()):
        finding = findings[index]
        group = (path_of(finding), finding.code, source_hash(finding.source))
        keys[index] = (*group, seen[group])
        seen[group] += 1
    return keys


def key_digest(key: FindingKey) -> str:
    """One opaque string for a finding key (report formats that want a single fingerprint)."""
    path, code, line_hash, occurrence = key
    return hashlib.sha256(f"{path}\0{code}\0{line_hash}\0{occurrence}".encode("utf-8")).hexdigest()[:32]
