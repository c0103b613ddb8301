"""A baseline: today's findings recorded once, so that only new ones are reported.

An entry is the shared finding key: the file's path relative to the baseline's
folder, the code, a hash of the reported line's text and the occurrence index
among findings equal in those three. It holds no line number, so editing other
parts of a file never brings a recorded finding back, while one more instance of
the same problem in the same file is reported. Renaming or moving a file changes
its path and so brings its findings back. Everything here is pure: findings and
text in, findings and text out; the command line reads and writes the file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi_guard.findings import Finding, FindingKey, finding_keys

FORMAT_VERSION = 1


class BaselineError(Exception):
    """The baseline file cannot be used (malformed, or from a newer fastapi-guard)."""


def relative_path(path: str, folder: Path) -> str:
    try:
        return Path(os.path.relpath(path, folder)).as_posix()
    except ValueError:  # another drive than the baseline's (Windows)
        return Path(path).as_posix()


def keys(findings: Sequence[Finding], folder: Path) -> list[FindingKey]:
    return finding_keys(findings, lambda finding: relative_path(finding.path, folder))


def dumps(findings: Sequence[Finding], folder: Path) -> str:
    """The baseline file recording ``findings``, with paths relative to ``folder``."""
    entries = sorted(zip(keys(findings, folder), (finding.message for finding in findings)))
    payload = {
        "version": FORMAT_VERSION,
        "findings": [
            {"path": path, "code": code, "fingerprint": line_hash, "occurrence": occurrence, "message": message}
            for (path, code, line_hash, occurrence), message in entries
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _entry(index: int, entry: Any) -> FindingKey:
    if not isinstance(entry, dict):
        raise BaselineError(f"malformed baseline: findings[{index}] is not an object")
    for name in ("path", "code", "fingerprint"):
        if not isinstance(entry.get(name), str):
            raise BaselineError(f"malformed baseline: findings[{index}] has no string `{name}`")
    occurrence = entry.get("occurrence")
    if not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 0:
        raise BaselineError(f"malformed baseline: findings[{index}] has no non-negative integer `occurrence`")
    return (entry["path"], entry["code"], entry["fingerprint"], occurrence)


def loads(text: str) -> frozenset[FindingKey]:
    """The recorded keys; raises BaselineError with a one-line reason."""
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(f"malformed baseline: invalid JSON ({error.msg} at line {error.lineno})") from None
    except (ValueError, RecursionError) as error:
        # Well-formed JSON that Python still refuses: an integer of more than
        # 4,300 digits (ValueError), or arrays nested past the recursion limit.
        raise BaselineError(f"malformed baseline: unreadable JSON ({type(error).__name__})") from None
    if not isinstance(payload, dict) or "version" not in payload:
        raise BaselineError("malformed baseline: not a fastapi-guard baseline (no `version`)")
    version = payload["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BaselineError(f"malformed baseline: `version` must be a positive integer, not {version!r}")
    if version > FORMAT_VERSION:
        raise BaselineError(
            f"written by a newer fastapi-guard (baseline format {version}; this version reads up to "
            f"{FORMAT_VERSION}): upgrade fastapi-guard-lint or write the baseline again"
        )
    entries = payload.get("findings")
    if not isinstance(entries, list):
        raise BaselineError("malformed baseline: `findings` must be a list")
    return frozenset(_entry(index, entry) for index, entry in enumerate(entries))


def filter_new(findings: Sequence[Finding], recorded: frozenset[FindingKey], folder: Path) -> list[Finding]:
    """The findings the baseline does not record, in the order given."""
    return [finding for finding, key in zip(findings, keys(findings, folder)) if key not in recorded]
