"""Find the files to check and the project each one belongs to.

A project is the folder of the nearest ``.fastapi-guard.toml`` or
``pyproject.toml`` above a file, else the enclosing git work tree, else the
folder the user named. Each project is walked whole (its index needs every
module), without descending into nested projects, excluded folders, or
symbolic links that leave the tree or loop.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

from fastapi_guard.config import DEDICATED, PYPROJECT, Config, ConfigError, load_config_file

CONFIG_NAMES = (DEDICATED, PYPROJECT)


@dataclass(frozen=True)
class ProjectSpec:
    root: Path
    config: Config


def is_excluded(relative: str, patterns: tuple[str, ...]) -> bool:
    """Whether a project-relative path (``/``-separated) matches an exclude pattern.

    A pattern without ``/`` matches any single path component (``migrations``);
    one with ``/`` matches the relative path or a leading part of it.
    """
    parts = relative.split("/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if "/" not in pattern:
            if any(fnmatch.fnmatchcase(part, pattern) for part in parts):
                return True
            continue
        pattern = pattern.removeprefix("./")
        for depth in range(1, len(parts) + 1):
            if fnmatch.fnmatchcase("/".join(parts[:depth]), pattern):
                return True
    return False


class ProjectFinder:
    """Maps folders to their project, loading each project's config once."""

    def __init__(self, explicit_config: Path | None = None) -> None:
        self.explicit = load_config_file(explicit_config) if explicit_config else None
        self._root_of: dict[Path, Path | None] = {}
        self._specs: dict[Path, ProjectSpec] = {}

    def config_root(self, folder: Path) -> Path | None:
        """The nearest folder at or above ``folder`` holding a config file or ``.git``."""
        chain: list[Path] = []
        current: Path | None = folder
        found: Path | None = None
        while current is not None:
            if current in self._root_of:
                found = self._root_of[current]
                break
            chain.append(current)
            if any((current / name).is_file() for name in CONFIG_NAMES) or (current / ".git").exists():
                found = current
                break
            current = current.parent if current.parent != current else None
        for folder_seen in chain:
            self._root_of[folder_seen] = found
        return found

    def project_for(self, folder: Path, fallback: Path) -> ProjectSpec:
        root = self.config_root(folder) or fallback
        spec = self._specs.get(root)
        if spec is None:
            spec = ProjectSpec(root, self.explicit or self._load(root))
            self._specs[root] = spec
        return spec

    @staticmethod
    def _load(root: Path) -> Config:
        for name in CONFIG_NAMES:
            path = root / name
            if path.is_file():
                return load_config_file(path)
        return Config()

    def is_project_root(self, folder: Path) -> bool:
        return any((folder / name).is_file() for name in CONFIG_NAMES)


def walk_python_files(
    root: Path, config: Config, finder: ProjectFinder, unreadable: list[str] | None = None
) -> list[Path]:
    """Every ``.py`` file of the project rooted at ``root``, in a stable order.

    Folders that cannot be listed are skipped, each with a line in ``unreadable``:
    a data volume owned by another user must not fail the run, nor pass unseen.
    """
    found: list[Path] = []
    real_root = os.path.realpath(root)
    seen_dirs: set[str] = set()
    stack = [root]
    patterns = config.all_excludes
    while stack:
        folder = stack.pop()
        real = os.path.realpath(folder)
        if real in seen_dirs or not (real == real_root or real.startswith(real_root + os.sep)):
            continue
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            if unreadable is not None:
                reason = error.strerror or str(error)
                unreadable.append(f"{folder}: cannot read folder ({reason}); its files are not checked")
            continue
        subfolders: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            relative = path.relative_to(root).as_posix()
            if is_excluded(relative, patterns):
                continue
            try:
                if entry.is_dir():
                    if not finder.is_project_root(path):
                        subfolders.append(path)
                elif entry.name.endswith(".py") and entry.is_file():
                    if os.path.realpath(path).startswith(real_root + os.sep):
                        found.append(path)
            except OSError:
                continue
        stack.extend(reversed(subfolders))
    return sorted(found)


Targets = dict[Path, tuple[ProjectSpec, list[Path] | None]]


def group_targets(paths: list[Path], finder: ProjectFinder) -> Targets:
    """Projects touched by the given paths and, per project, the files or folders
    to report on (None: the whole project)."""
    projects: Targets = {}

    def add(spec: ProjectSpec, target: Path | None) -> None:
        current = projects.get(spec.root)
        if current is not None and current[1] is None:
            return
        if target is None:
            projects[spec.root] = (spec, None)
        else:
            projects[spec.root] = (spec, [*(current[1] if current else []), target])

    for raw in paths:
        # Normalised, not just absolute: the project search walks up ``.parent``,
        # which on ``svc/../lib/x.py`` would climb back into ``svc``.
        path = Path(os.path.abspath(raw))
        if not path.exists():
            problem = "broken symbolic link" if path.is_symlink() else "no such file or directory"
            raise ConfigError(f"{raw}: {problem}")
        if not path.is_file() and not path.is_dir():
            raise ConfigError(f"{raw}: not a regular file or directory")
        if path.is_file():
            add(finder.project_for(path.parent, fallback=path.parent), path)
            continue
        spec = finder.project_for(path, fallback=path)
        add(spec, None if spec.root == path else path)
        for nested in _nested_projects(path, spec, finder):
            add(nested, None)
    return projects


def _nested_projects(folder: Path, owner: ProjectSpec, finder: ProjectFinder) -> list[ProjectSpec]:
    """Projects whose root lies below ``folder``, skipping folders their parents exclude."""
    nested: list[ProjectSpec] = []
    stack = [(folder, owner)]
    while stack:
        current, current_owner = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):
                continue
            path = Path(entry.path)
            # Patterns of a project enclosing the named folder apply only below
            # that folder: naming an excluded folder (fixtures) checks it.
            base = current_owner.root if folder in (current_owner.root, *current_owner.root.parents) else folder
            if is_excluded(path.relative_to(base).as_posix(), current_owner.config.all_excludes):
                continue
            child_owner = current_owner
            if finder.is_project_root(path):
                child_owner = finder.project_for(path, fallback=path)
                nested.append(child_owner)
            stack.append((path, child_owner))
    return nested
