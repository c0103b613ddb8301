"""The ``fastapi-guard`` command line."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NoReturn

import click

from fastapi_guard import __version__, baseline, fixes
from fastapi_guard.config import ConfigError
from fastapi_guard.discovery import ProjectFinder, Targets, group_targets
from fastapi_guard.engine import ProjectResult, RunOptions, RunResult, check_project, default_jobs, run
from fastapi_guard.explain import render_markdown, render_text, rule_doc
from fastapi_guard.findings import Finding, FindingKey, display_path
from fastapi_guard.inventory import RENDERERS, inventory
from fastapi_guard.plugins import PluginError, registered_rules
from fastapi_guard.report import FORMATS, ReportContext, RuleInfo, renderer, statistics
from fastapi_guard.rule import Rule


def _codes(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    return tuple(code.strip().upper() for code in value.split(",") if code.strip())


def _fail(message: str) -> NoReturn:
    click.echo(f"fastapi-guard: error: {message}", err=True)
    sys.exit(2)


def _use_color(output_file: str | None) -> bool:
    return output_file is None and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def _read_baseline(path: Path) -> frozenset[FindingKey]:
    try:
        return baseline.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        _fail(f"{path}: cannot read baseline: {error.strerror}")
    except UnicodeDecodeError:
        _fail(f"{path}: malformed baseline: not UTF-8 text")
    except baseline.BaselineError as error:
        _fail(f"{path}: {error}")


def _rule_infos() -> dict[str, RuleInfo]:
    docs = [rule_doc(rule) for rule in registered_rules().values()]
    return {
        doc.code: RuleInfo(
            doc.name, doc.summary, doc.sections.get("What it does", ""), render_text(doc), render_markdown(doc)
        )
        for doc in docs
    }


def _fixes(count: int) -> str:
    return f"{count} fix" + ("" if count == 1 else "es")


def _fix(
    paths: list[Path], options: RunOptions, result: RunResult, keep: Callable[[list[Finding]], list[Finding]],
    unsafe: bool, diff: bool, quiet: bool, output_file: Path | None,
) -> list[Finding]:
    """Apply the fixes of the reported findings (``keep`` says which are reported);
    the findings left. With ``diff``, print the change instead and exit."""
    targets: Targets = {}

    def recheck(root: Path, contents: Mapping[Path, bytes]) -> list[Finding]:
        if not targets:
            targets.update(group_targets(paths, ProjectFinder(options.config_file)))
        spec, files = targets[root]
        return keep(check_project(spec, files, options, overlays=contents).findings)

    outcome = fixes.fix_projects({project.root: keep(project.findings) for project in result.projects}, recheck, unsafe)
    for path, reason in outcome.skipped:
        click.echo(f"fastapi-guard: {display_path(str(path))}: not fixed: {reason}", err=True)
    written = outcome.sources
    if not diff:
        written = []
        for source in outcome.sources:
            try:
                fixes.write_source(source)
                written.append(source)
            except OSError as error:
                click.echo(f"fastapi-guard: {display_path(str(source.path))}: cannot write: {error}", err=True)
        if len(written) < len(outcome.sources):
            outcome.findings = {root: recheck(root, {}) for root in outcome.findings}
    left = sorted((finding for found in outcome.findings.values() for finding in found), key=Finding.sort_key)
    if not quiet:
        applied = sum(source.applied for source in written)
        summary = f"{'would apply' if diff else 'applied'} {_fixes(applied)} in {len(written)} file" \
            + ("" if len(written) == 1 else "s")
        pending = 0 if unsafe else fixes.unsafe_available(left)
        if pending:
            summary += f" ({_fixes(pending)} available with --unsafe-fixes)"
        click.echo(f"fastapi-guard: {summary}", err=True)
    if diff:
        patch = fixes.unified_diff(outcome.sources)
        if output_file is not None:
            _write_output(output_file, patch)
        else:
            click.echo(patch, nl=False)
        sys.exit(1 if patch else 0)
    return left


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fastapi-guard")
def main() -> None:
    """Static architecture and security linter for FastAPI + SQLAlchemy + Pydantic backends."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", metavar="CODES", help="Only these codes or prefixes (FG1, FG101, ALL); replaces the config.")
@click.option("--extend-select", metavar="CODES", help="Codes or prefixes to enable in addition.")
@click.option("--ignore", metavar="CODES", help="Codes or prefixes to disable.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Report format.")
@click.option("--output-file", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Report only the findings not recorded in this baseline file.")
@click.option("--write-baseline", "write_baseline_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Record the current findings in this baseline file and exit 0.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes in place; the report shows the findings left.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff instead of writing them; exit 1 if any.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply (or show) the fixes that may change behaviour.")
@click.option("--statistics", "show_statistics", is_flag=True, help="Print a count per code after the report.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Use this config file for every project in the run.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of CPUs).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the findings, no summary.")
@click.option("-v", "--verbose", is_flag=True, help="Progress, skipped rules and timing on stderr.")
def check(
    paths: tuple[Path, ...],
    select: str | None,
    extend_select: str | None,
    ignore: str | None,
    output_format: str,
    output_file: Path | None,
    baseline_file: Path | None,
    write_baseline_file: Path | None,
    fix: bool,
    diff: bool,
    unsafe_fixes: bool,
    show_statistics: bool,
    exit_zero: bool,
    config_file: Path | None,
    jobs: int | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Lint files and folders (default: the current folder).

    Exit status: 0 no findings, 1 findings, 2 usage or configuration error.
    """
    if config_file is not None and not config_file.is_file():
        _fail(f"{config_file}: config file not found")
    if write_baseline_file is not None and (fix or diff):
        _fail("--write-baseline cannot be combined with --fix or --diff")
    recorded = _read_baseline(baseline_file) if baseline_file is not None else None
    options = RunOptions(
        select=_codes(select),
        extend_select=_codes(extend_select) or (),
        ignore=_codes(ignore) or (),
        config_file=config_file,
        jobs=jobs or default_jobs(),
    )
    started = time.perf_counter()

    def progress(project: ProjectResult) -> None:
        if verbose:
            click.echo(f"checked {project.root} ({project.indexed} files indexed, {project.files} reported on) "
                       f"in {project.seconds:.2f}s", err=True)
        for note in project.notes:
            # Layout skips are advice (shown with -v); anything else means something was not checked.
            if verbose or "layout rules" not in note:
                click.echo(f"fastapi-guard: {note}", err=True)

    try:
        announce = (lambda message: click.echo(message, err=True)) if verbose else None
        result = run(list(paths) or [Path(".")], options, progress, announce)
    except (ConfigError, PluginError) as error:
        _fail(str(error))
    findings = result.findings
    if write_baseline_file is not None:
        try:
            write_baseline_file.write_text(baseline.dumps(findings, write_baseline_file.absolute().parent), "utf-8")
        except OSError as error:
            _fail(f"{write_baseline_file}: cannot write baseline: {error.strerror}")
        if not quiet:
            click.echo(f"fastapi-guard: recorded {len(findings)} findings in {write_baseline_file}", err=True)
        sys.exit(0)
    if baseline_file is not None and recorded is not None:
        findings = baseline.filter_new(findings, recorded, baseline_file.absolute().parent)
        if verbose:
            hidden = len(result.findings) - len(findings)
            click.echo(f"baseline: {hidden} findings hidden, {len(recorded) - hidden} entries matched none", err=True)
    if fix or diff:
        def keep(found: list[Finding]) -> list[Finding]:
            if baseline_file is None or recorded is None:
                return found
            return baseline.filter_new(found, recorded, baseline_file.absolute().parent)

        findings = _fix(list(paths) or [Path(".")], options, result, keep, unsafe_fixes, diff, quiet, output_file)
    context = ReportContext(
        files_checked=result.files,
        color=_use_color(output_file and str(output_file)),
        summary=not quiet,
        files=tuple(result.paths),
        rules=_rule_infos() if output_format == "sarif" else {},
    )
    report = renderer(output_format)(findings, context)
    if show_statistics:
        report += statistics(findings)
    if output_file is not None:
        _write_output(output_file, report)
    else:
        click.echo(report, nl=False)
    if verbose:
        elapsed = time.perf_counter() - started
        click.echo(f"{result.files} files, {len(findings)} findings in {elapsed:.2f}s", err=True)
    sys.exit(1 if findings and not exit_zero else 0)


@main.command(name="routes")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True)
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Use this config file for every project.")
def routes_command(paths: tuple[Path, ...], output_format: str, config_file: Path | None) -> None:
    """The endpoint inventory: method, full mounted path, auth level, handler, response model."""
    try:
        rows = inventory(list(paths) or [Path(".")], config_file)
    except (ConfigError, PluginError) as error:
        _fail(str(error))
    except Exception as error:  # a bug in the index must not print a traceback at the user
        _fail(f"internal error while building the endpoint inventory: {type(error).__name__}: {error}")
    click.echo(RENDERERS[output_format](rows), nl=False)


def _write_output(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        _fail(f"{path}: cannot write report: {error.strerror or error}")


def _rules_or_fail() -> dict[str, type[Rule]]:
    try:
        return registered_rules()
    except PluginError as error:
        _fail(str(error))


@main.command(name="rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Show the documentation of one rule (e.g. FG101)."""
    rules = _rules_or_fail()
    rule = rules.get(code.strip().upper())
    if rule is None:
        by_name = {r.name: r for r in rules.values()}
        rule = by_name.get(code.strip().lower())
    if rule is None:
        _fail(f"unknown rule `{code}` (see `fastapi-guard rules`)")
    click.echo(render_text(rule_doc(rule)), nl=False)


@main.command(name="rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_command(output_format: str) -> None:
    """List every rule: code, name, default, fixable and summary."""
    docs = [rule_doc(rule) for rule in _rules_or_fail().values()]
    if output_format == "json":
        payload = [
            {"code": d.code, "name": d.name, "default": d.default, "fixable": d.fixable, "summary": d.summary}
            for d in docs
        ]
        click.echo(json.dumps(payload, indent=2))
        return
    width = max((len(d.name) for d in docs), default=0)
    for d in docs:
        flags = ("on " if d.default else "off") + (" fix" if d.fixable else "    ")
        click.echo(f"{d.code}  {d.name:<{width}}  {flags}  {d.summary}")
