"""Run the selected rules over projects and collect their findings.

Per project: walk its files, parse each once, build the Project index, run the
file rules in one batched walk per file and the project rules once, then drop
suppressed findings. Projects are independent, so a monorepo is checked
project by project in parallel worker processes.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from fastapi_guard.config import ConfigError
from fastapi_guard.discovery import ProjectFinder, ProjectSpec, group_targets, walk_python_files
from fastapi_guard.findings import Finding
from fastapi_guard.parsing import ParseError, display_text, parse_source, source_lines
from fastapi_guard.plugins import registered_rules
from fastapi_guard.project import Project, module_name_for
from fastapi_guard.project.symbols import ModuleInfo
from fastapi_guard.rule import FileContext, FileRule, ProjectRule, Rule, walk_file
from fastapi_guard.rules.fg001_syntax_error import SyntaxErrorRule
from fastapi_guard.selection import is_suppressed_by_noqa, per_file_ignored, selected_codes


T = TypeVar("T")


@dataclass(frozen=True)
class RunOptions:
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    config_file: Path | None = None
    jobs: int = 1
    # False when the caller applies ``# noqa`` itself (flake8 does, with its own
    # options such as --disable-noqa).
    noqa: bool = True


@dataclass
class ProjectResult:
    root: Path
    findings: list[Finding] = field(default_factory=list)
    # The files reported on (all of the project's, or those the user named).
    paths: list[str] = field(default_factory=list)
    indexed: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def files(self) -> int:
        return len(self.paths)


@dataclass
class RunResult:
    findings: list[Finding]
    projects: list[ProjectResult]

    @property
    def paths(self) -> list[str]:
        return [path for project in self.projects for path in project.paths]

    @property
    def files(self) -> int:
        return len(self.paths)


def rule_defaults() -> dict[str, bool]:
    return {code: rule.default for code, rule in registered_rules().items()}


def _in_targets(path: Path, targets: list[Path] | None) -> bool:
    return targets is None or any(path == target or target in path.parents for target in targets)


Overlays = Mapping[Path, bytes]


def _load_modules(
    root: Path, files: list[Path], overlays: Overlays | None = None
) -> tuple[list[ModuleInfo], list[Finding], dict[str, list[str]]]:
    modules: list[ModuleInfo] = []
    failures: list[Finding] = []
    raw_lines: dict[str, list[str]] = {}
    for path in files:
        data = (overlays or {}).get(path)
        try:
            data = path.read_bytes() if data is None else data
        except OSError as error:
            failures.append(SyntaxErrorRule.finding(str(path), (1, 1, 1, 1), reason=f"cannot read: {error.strerror}"))
            continue
        parsed = parse_source(data)
        name, is_package = module_name_for(root, path)
        if isinstance(parsed, ParseError):
            span = (parsed.line, parsed.column, parsed.line, parsed.column)
            failures.append(SyntaxErrorRule.finding(str(path), span, reason=parsed.message))
            raw_lines[str(path)] = source_lines(display_text(data))
            continue
        modules.append(ModuleInfo(name, str(path), is_package, parsed.tree, source_lines(parsed.text)))
    return modules, failures, raw_lines


def _project_files(spec: ProjectSpec, overlays: Overlays, notes: list[str] | None = None) -> list[Path]:
    return sorted({*walk_python_files(spec.root, spec.config, ProjectFinder(), notes), *overlays})


def load_project(
    spec: ProjectSpec, files: list[Path] | None = None, overlays: Overlays | None = None
) -> tuple[Project, list[Finding], dict[str, list[str]]]:
    """Parse a project's files into its index; also the FG001 findings and the raw
    lines of the files that failed to parse.

    ``overlays`` maps files of the project (absolute paths, as the walk gives
    them) to the contents to read instead of the disk's: an editor's unsaved
    buffer. An overlaid file that is not on disk yet is part of the project.
    """
    overlays = overlays or {}
    files = _project_files(spec, overlays) if files is None else sorted({*files, *overlays})
    modules, failures, raw_lines = _load_modules(spec.root, files, overlays)
    return Project(spec.root, spec.config, modules), failures, raw_lines


def _run_rule_safely(rule: type[Rule], action: Callable[[], Iterable[T]], where: str, notes: list[str]) -> list[T]:
    try:
        return list(action())
    except Exception as error:  # a bug in one rule must not take the run down
        notes.append(f"internal error in {rule.code} on {where}: {type(error).__name__}: {error}")
        return []


def check_project(
    spec: ProjectSpec,
    targets: list[Path] | None,
    options: RunOptions,
    announce: Callable[[str], None] | None = None,
    overlays: Overlays | None = None,
) -> ProjectResult:
    started = time.perf_counter()
    config = spec.config
    result = ProjectResult(spec.root)
    rules = registered_rules()
    enabled = selected_codes(config, rule_defaults(), options.select, options.extend_select, options.ignore)
    files = _project_files(spec, overlays or {}, result.notes)
    if announce:
        announce(f"checking {spec.root} ({len(files)} files)")
    project, failures, raw_lines = load_project(spec, files, overlays)
    # By path: a module shadowed by a same-named package is still a file to check.
    modules = list(project.by_path.values())
    result.indexed = len(files)
    result.paths = [str(path) for path in files if _in_targets(path, targets)]

    active = [rules[code] for code in sorted(enabled)]
    if any(rule.layout for rule in active) and project.layout.routes_package is None:
        active = [rule for rule in active if not rule.layout]
        result.notes.append(
            f"{spec.root}: layout rules (FG5xx, FG701) skipped: no `{config.routes_package}` package "
            "(set `routes-package` to check the domain layout)"
        )
    file_rules = [rule for rule in active if issubclass(rule, FileRule)]
    findings = [finding for finding in failures if SyntaxErrorRule.code in enabled]
    for module in modules:
        if not _in_targets(Path(module.path), targets):
            continue
        context = FileContext(project, module)

        instances: list[FileRule] = []
        for rule in file_rules:
            instances.extend(_run_rule_safely(rule, lambda rule=rule: [rule(context)], module.path, result.notes))
        walk_file(instances, context)
        findings.extend(context.findings)
        result.notes.extend(
            f"internal error in {code} on {module.path}: {type(error).__name__}: {error}"
            for code, error in context.failures
        )
    for rule in active:
        if issubclass(rule, ProjectRule):
            findings.extend(_run_rule_safely(rule, lambda rule=rule: rule().check(project), str(spec.root), result.notes))

    lines_of = {module.path: module.lines for module in modules} | raw_lines
    for finding in findings:
        path = Path(finding.path)
        if not _in_targets(path, targets):
            continue
        lines = lines_of.get(finding.path, [])
        text = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
        relative = path.relative_to(spec.root).as_posix() if spec.root in path.parents else path.name
        if (options.noqa and is_suppressed_by_noqa(finding.code, text)) or per_file_ignored(
            finding.code, relative, config
        ):
            continue
        result.findings.append(replace(finding, source=text))
    result.seconds = time.perf_counter() - started
    return result


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run without the cyclic garbage collector.

    Building syntax trees allocates millions of small objects, which makes the
    generational collector run over and over for nothing (measured: 40% of a
    cold run). The few reference cycles of a project's index are left to the
    collector once it is enabled again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_project_args(args: tuple[ProjectSpec, list[Path] | None, RunOptions]) -> ProjectResult:
    with collector_paused():
        return check_project(*args)


def run(
    paths: list[Path],
    options: RunOptions,
    progress: Callable[[ProjectResult], None] | None = None,
    announce: Callable[[str], None] | None = None,
) -> RunResult:
    """Check the given files and folders; raises ConfigError for configuration problems.

    ``progress`` is told of each finished project; ``announce`` of each project
    as it starts, when projects are checked in this process.
    """
    finder = ProjectFinder(options.config_file)
    projects = group_targets(paths, finder)
    defaults = rule_defaults()
    for spec, _ in projects.values():
        selected_codes(spec.config, defaults, options.select, options.extend_select, options.ignore)
    work = [(spec, targets, options) for _, (spec, targets) in sorted(projects.items())]
    jobs = max(1, min(options.jobs, len(work)))
    results: list[ProjectResult] = []
    if jobs == 1:
        for spec, targets, _ in work:
            with collector_paused():
                results.append(check_project(spec, targets, options, announce))
            if progress:
                progress(results[-1])
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for project_result in pool.map(_check_project_args, work, chunksize=1):
                results.append(project_result)
                if progress:
                    progress(project_result)
    findings = sorted((f for r in results for f in r.findings), key=Finding.sort_key)
    return RunResult(findings, results)


def default_jobs() -> int:
    return os.cpu_count() or 1


__all__ = ["ConfigError", "RunOptions", "RunResult", "check_project", "collector_paused", "default_jobs", "run"]
