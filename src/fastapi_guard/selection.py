"""Which rules run, and which findings are suppressed (``# noqa``, per-file ignores)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable

from fastapi_guard.config import Config, ConfigError

NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
CODE = re.compile(r"[A-Z]+[0-9]+")


def _check_prefixes(prefixes: Iterable[str], known: Iterable[str], key: str, source: str) -> None:
    known = list(known)
    for prefix in prefixes:
        if prefix != "ALL" and not any(code.startswith(prefix) for code in known):
            raise ConfigError(f"{source}: `{key}` names unknown rule code `{prefix}`")


def _longest_match(code: str, prefixes: Iterable[str]) -> int:
    best = -1
    for prefix in prefixes:
        if prefix == "ALL":
            best = max(best, 0)
        elif code.startswith(prefix):
            best = max(best, len(prefix))
    return best


def selected_codes(
    config: Config,
    defaults: dict[str, bool],
    select: tuple[str, ...] | None = None,
    extend_select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
) -> set[str]:
    """Codes enabled for a project: command-line ``select`` replaces the config's,
    ``extend-select`` and ``ignore`` add to it; the more specific prefix wins."""
    source = config.source or "configuration"
    chosen = select if select is not None else config.select
    extra = config.extend_select + extend_select
    ignored = config.ignore + ignore
    for key, values in (("select", config.select or ()), ("extend-select", config.extend_select),
                        ("ignore", config.ignore)):
        _check_prefixes(values, defaults, key, source)
    for key, values in (("--select", select or ()), ("--extend-select", extend_select), ("--ignore", ignore)):
        _check_prefixes(values, defaults, key, "command line")
    for glob, codes in config.per_file_ignores:
        _check_prefixes(codes, defaults, f"per-file-ignores.{glob}", source)
    enabled: set[str] = set()
    for code, on_by_default in defaults.items():
        chosen_match = _longest_match(code, chosen) if chosen is not None else (0 if on_by_default else -1)
        chosen_match = max(chosen_match, _longest_match(code, extra))
        if chosen_match >= 0 and chosen_match > _longest_match(code, ignored):
            enabled.add(code)
    return enabled


def noqa_codes(line: str) -> set[str] | None:
    """Codes a ``# noqa`` comment on this line suppresses; an empty set means all; None: no comment."""
    match = NOQA.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    return {code.upper() for code in CODE.findall(codes.upper())} if codes else set()


def is_suppressed_by_noqa(code: str, line: str) -> bool:
    codes = noqa_codes(line)
    return codes is not None and (not codes or code in codes or any(code.startswith(c) for c in codes))


def per_file_ignored(code: str, relative_path: str, config: Config) -> bool:
    for glob, codes in config.per_file_ignores:
        if fnmatch.fnmatchcase(relative_path, glob) or fnmatch.fnmatchcase(relative_path.rsplit("/", 1)[-1], glob):
            if _longest_match(code, codes) >= 0:
                return True
    return False
