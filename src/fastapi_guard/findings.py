"""The data every other layer exchanges: findings and the fixes attached to them."""

from __future__ import annotations

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
