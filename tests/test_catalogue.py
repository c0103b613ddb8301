"""The generated rules/ catalogue matches the rules' docstrings."""

from __future__ import annotations

from pathlib import Path

from fastapi_guard.explain import catalogue
from fastapi_guard.rules import builtin_rule_classes

CATALOGUE = Path(__file__).resolve().parent.parent / "rules"


def test_catalogue_is_up_to_date() -> None:
    pages = catalogue(builtin_rule_classes())
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in CATALOGUE.glob("*.md")}
    stale = sorted(name for name in pages.keys() | on_disk.keys() if pages.get(name) != on_disk.get(name))
    assert not stale, f"rules/ is stale ({', '.join(stale)}): run `python scripts/generate_rule_catalogue.py`"


def test_index_lists_every_builtin_rule() -> None:
    index = catalogue(builtin_rule_classes())["README.md"]
    for rule in builtin_rule_classes():
        assert f"[{rule.code}]({rule.code}.md) | {rule.name} |" in index
