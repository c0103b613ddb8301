"""Apply the fixes attached to findings: ``check --fix`` and ``check --diff``.

Everything happens in memory first. Each pass applies, file by file, every fix
that does not collide with one already taken; the projects whose files changed
are then checked again on the fixed text, and the passes go on until no fix
applies (or ``MAX_PASSES``). A pass's result for a file is kept only when it
still parses. Only then are files written (``--fix``) or diffed (``--diff``),
so both show exactly the same change.

Edit positions are those of the findings: 1-based lines as ``ast`` counts them
(ended by ``\\n``, ``\\r\\n`` or ``\\r``) and 1-based character columns, the end
exclusive.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import stat
import tempfile
import tokenize
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from fastapi_guard.findings import Edit, Finding, Fix, display_path
from fastapi_guard.parsing import ParseError, parse_source

MAX_PASSES = 10
NEWLINE = re.compile(r"\r\n|\r|\n")
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")

# Checks a project again with some of its files replaced by the given contents.
Recheck = Callable[[Path, Mapping[Path, bytes]], list[Finding]]


class EditError(ValueError):
    """Edits that point outside the text or overlap each other."""


def _line_bounds(text: str) -> list[tuple[int, int]]:
    """(start offset, end offset before the line break) of every line, plus the
    empty line after a final line break."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for match in NEWLINE.finditer(text):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(text)))
    return bounds


def _spans(text: str, edits: Iterable[Edit]) -> list[tuple[int, int, str]]:
    """The edits as sorted (start, end, content) offsets; identical edits count once."""
    bounds = _line_bounds(text)

    def offset(line: int, column: int) -> int:
        if not 0 < line <= len(bounds):
            raise EditError(f"line {line} is outside the text ({len(bounds)} lines)")
        start, end = bounds[line - 1]
        if not 0 < column <= end - start + 1:
            raise EditError(f"column {column} is outside line {line}")
        return start + column - 1

    spans = sorted({(offset(e.line, e.column), offset(e.end_line, e.end_column), e.content) for e in edits})
    cursor = 0
    for start, end, _ in spans:
        # An insertion may touch a replacement's either end, never fall inside it.
        if end < start or start < cursor:
            raise EditError(f"edits overlap at offset {start}")
        cursor = end
    return spans


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with the edits applied; identical edits are applied once.

    Raises EditError when an edit points outside the text or two edits overlap.
    """
    pieces: list[str] = []
    cursor = 0
    for start, end, content in _spans(text, edits):
        pieces += [text[cursor:start], content]
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _with_newline(edit: Edit, newline: str) -> Edit:
    """The edit with its line breaks written as the file writes them."""
    if newline == "\n" and "\r" not in edit.content:
        return edit
    return replace(edit, content=NEWLINE.sub(newline, edit.content))


def select_fixes(text: str, fixes: Iterable[Fix], newline: str = "\n") -> tuple[list[Edit], int]:
    """The edits of the fixes that apply together, and how many fixes that is.

    Fixes are taken whole, in the order of their positions: an edit identical to
    one already taken is dropped (several findings often add the same import),
    and a fix with an edit that overlaps a taken one, or points outside the
    text, waits for the next pass.
    """
    taken: list[Edit] = []
    applied = 0
    for fix in sorted(fixes, key=lambda fix: sorted(fix.edits)):
        edits = {_with_newline(edit, newline) for edit in fix.edits}
        new = sorted(edits.difference(taken))
        try:
            _spans(text, [*taken, *new])
        except EditError:
            continue
        taken += new
        applied += 1
    return sorted(taken), applied


@dataclass
class SourceFile:
    """A file as read from disk and its text as fixed so far."""

    path: Path
    data: bytes
    encoding: str
    original: str
    text: str = ""
    newline: str = "\n"
    applied: int = 0

    @classmethod
    def read(cls, path: Path) -> SourceFile:
        """Raises OSError, SyntaxError (a bad coding cookie) or UnicodeDecodeError."""
        data = path.read_bytes()
        # "utf-8-sig" when the file starts with a BOM: decoding drops it, encoding restores it.
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
        newline = NEWLINE.search(text)
        return cls(path, data, encoding, text, text, newline.group() if newline else "\n")

    def encoded(self) -> bytes:
        return self.text.encode(self.encoding)


@dataclass
class FixOutcome:
    # The files whose text the fixes changed.
    sources: list[SourceFile]
    # The findings left, per project root, after the fixes.
    findings: dict[Path, list[Finding]]
    applied: int
    # Files left alone, with the reason (unreadable, or the fixed text would not parse).
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def unsafe_available(findings: Iterable[Finding]) -> int:
    return sum(1 for finding in findings if finding.fix is not None and finding.fix.applicability == "unsafe")


def _fix_file(source: SourceFile, fixes: Sequence[Fix]) -> str | None:
    """Apply one pass of fixes to a file; the reason when its result was refused."""
    edits, applied = select_fixes(source.text, fixes, source.newline)
    if not edits:
        return None
    try:
        text = apply_edits(source.text, edits)
        data = text.encode(source.encoding)
    except (EditError, UnicodeEncodeError) as error:
        return f"cannot apply the fixes: {error}"
    parsed = parse_source(data)
    if isinstance(parsed, ParseError):
        return f"the fixed source would not parse (line {parsed.line}: {parsed.message})"
    if text != source.text:
        source.text = text
        source.applied += applied
    return None


def fix_projects(
    findings: Mapping[Path, list[Finding]], recheck: Recheck, unsafe: bool = False, max_passes: int = MAX_PASSES
) -> FixOutcome:
    """Apply the fixes of ``findings`` (per project root) until none applies.

    ``recheck(root, contents)`` returns the project's findings with the given
    files read from ``contents`` instead of the disk. Nothing is written.
    """
    left = {root: list(found) for root, found in findings.items()}
    sources: dict[Path, SourceFile] = {}
    owners: dict[Path, Path] = {}
    skipped: dict[Path, str] = {}
    for _ in range(max_passes):
        changed: set[Path] = set()
        for root, found in left.items():
            fixes: dict[Path, list[Fix]] = defaultdict(list)
            for finding in found:
                if finding.fix is not None and (unsafe or finding.fix.applicability == "safe"):
                    fixes[Path(finding.path)].append(finding.fix)
            for path, file_fixes in sorted(fixes.items()):
                if path in skipped:
                    continue
                source = sources.get(path)
                if source is None:
                    try:
                        source = SourceFile.read(path)
                    except (OSError, SyntaxError, UnicodeDecodeError) as error:
                        skipped[path] = f"cannot read: {error}"
                        continue
                    sources[path], owners[path] = source, root
                before = source.text
                refused = _fix_file(source, file_fixes)
                if refused is not None:
                    skipped[path] = refused
                elif source.text != before:
                    changed.add(root)
        if not changed:
            break
        for root in sorted(changed):
            contents = {path: source.encoded() for path, source in sources.items() if owners[path] == root}
            left[root] = recheck(root, contents)
    fixed = [source for _, source in sorted(sources.items()) if source.text != source.original]
    return FixOutcome(fixed, left, sum(source.applied for source in fixed), sorted(skipped.items()))


def write_source(source: SourceFile) -> None:
    """Replace the file atomically with its fixed text, keeping its mode.

    Raises OSError, also when the file changed on disk since it was read.
    """
    target = source.path.resolve()  # a symlink keeps pointing at the fixed file
    if target.read_bytes() != source.data:
        raise OSError(f"{source.path} changed on disk while it was being fixed")
    mode = stat.S_IMODE(target.stat().st_mode)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(source.encoded())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def unified_diff(sources: Iterable[SourceFile]) -> str:
    """What the fixes change, as a unified diff with ``a/`` and ``b/`` display paths."""
    chunks: list[str] = []
    for source in sources:
        name = display_path(str(source.path))
        lines = difflib.unified_diff(
            LINE.findall(source.original), LINE.findall(source.text),
            f"a/{name}", f"b/{name}",
        )
        for line in lines:
            chunks.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(chunks)
