"""Regenerate the top-level ``rules/`` catalogue from the built-in rules' docstrings."""

from __future__ import annotations

from pathlib import Path

from fastapi_guard.explain import catalogue
from fastapi_guard.rules import builtin_rule_classes

CATALOGUE = Path(__file__).resolve().parent.parent / "rules"


def main() -> None:
    CATALOGUE.mkdir(exist_ok=True)
    pages = catalogue(builtin_rule_classes())
    for stale in CATALOGUE.glob("*.md"):
        if stale.name not in pages:
            stale.unlink()
    for name, text in pages.items():
        (CATALOGUE / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(pages)} pages to {CATALOGUE}")


if __name__ == "__main__":
    main()
