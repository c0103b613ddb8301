"""Render a rule's documentation from its docstring, the single source of truth.

A rule docstring is a one-line summary followed by ruff-style ``## Section``
blocks (What it does, Why is this bad?, Example, Use instead, Fix, Options,
Related rules). Fenced ``python`` blocks in Example / Use instead are run as
tests; a block may name its file with a first line ``# file: app/main.py``.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

from fastapi_guard.rule import Rule

SECTION_ORDER = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix", "Options", "Related rules")
FENCE = re.compile(r"```python\n(.*?)```", re.DOTALL)
FILE_HEADER = re.compile(r"^# file: (\S+)[^\n]*\n")  # a marker may follow the path
DEFAULT_EXAMPLE_FILE = "app/example.py"


@dataclass(frozen=True)
class RuleDoc:
    code: str
    name: str
    summary: str
    default: bool
    fixable: bool
    sections: dict[str, str]

    def examples(self, section: str) -> dict[str, str]:
        """The files of a section's code blocks: ``{relative path: source}``."""
        files: dict[str, str] = {}
        for block in FENCE.findall(self.sections.get(section, "")):
            header = FILE_HEADER.match(block)
            path = header.group(1) if header else DEFAULT_EXAMPLE_FILE
            files[path] = files.get(path, "") + block
        return files


def rule_doc(rule: type[Rule]) -> RuleDoc:
    module = inspect.getmodule(rule)
    candidates = [vars(rule).get("__doc__"), module.__doc__ if module else None]
    documented = [doc for doc in candidates if doc and "## What it does" in doc]
    text = inspect.cleandoc((documented or [doc for doc in candidates if doc] or [""])[0])
    summary, _, rest = text.partition("\n")
    sections: dict[str, str] = {}
    for chunk in re.split(r"^## ", rest, flags=re.MULTILINE)[1:]:
        title, _, body = chunk.partition("\n")
        sections[title.strip()] = body.strip()
    return RuleDoc(rule.code, rule.name, summary.strip(), rule.default, rule.fixable, sections)


def _ordered(doc: RuleDoc) -> list[tuple[str, str]]:
    known = [(title, doc.sections[title]) for title in SECTION_ORDER if title in doc.sections]
    extra = [(title, body) for title, body in doc.sections.items() if title not in SECTION_ORDER]
    return known + extra


def render_markdown(doc: RuleDoc) -> str:
    status = "on by default" if doc.default else "off by default"
    fix = "autofix available" if doc.fixable else "no autofix"
    lines = [f"# {doc.code} {doc.name}", "", doc.summary, "", f"*{status}; {fix}*", ""]
    for title, body in _ordered(doc):
        lines += [f"## {title}", "", body, ""]
    return "\n".join(lines).rstrip() + "\n"


def render_text(doc: RuleDoc) -> str:
    """Plain text for the terminal: markdown headings become underlined titles."""
    status = "on by default" if doc.default else "off by default"
    fix = "autofix available" if doc.fixable else "no autofix"
    lines = [f"{doc.code} ({doc.name})", "", doc.summary, f"[{status}; {fix}]", ""]
    for title, body in _ordered(doc):
        lines += [title, "-" * len(title), FENCE.sub(lambda m: _indent(m.group(1)), body), ""]
    return "\n".join(lines).rstrip() + "\n"


def _indent(code: str) -> str:
    return "\n".join("    " + line if line else "" for line in code.rstrip("\n").split("\n"))


def catalogue(rules: list[type[Rule]]) -> dict[str, str]:
    """The generated ``rules/`` folder: an index page plus one page per rule."""
    docs = sorted((rule_doc(rule) for rule in rules), key=lambda doc: doc.code)
    index = [
        "# Rule catalogue",
        "",
        "Generated from the rules' docstrings by `python scripts/generate_rule_catalogue.py`;",
        "do not edit by hand. `fastapi-guard rule CODE` prints the same text.",
        "",
        "| Code | Name | Default | Fix | Summary |",
        "|---|---|---|---|---|",
    ]
    for doc in docs:
        index.append(
            f"| [{doc.code}]({doc.code}.md) | {doc.name} | {'on' if doc.default else 'off'} "
            f"| {'yes' if doc.fixable else ''} | {doc.summary} |"
        )
    pages = {"README.md": "\n".join(index) + "\n"}
    pages.update({f"{doc.code}.md": render_markdown(doc) for doc in docs})
    return pages
