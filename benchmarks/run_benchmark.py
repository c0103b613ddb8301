"""Cold-run timing of fastapi-guard against plain flake8 on a tree of many services.

Builds a tree outside the repository (the repository's own config excludes
nothing there): N copies of ``examples/`` as separate services
(each with its own pyproject.toml), then times, in the same run, a cold
``fastapi-guard check`` and plain ``flake8 -j 2`` (pycodestyle and pyflakes).
flake8 runs from a virtual environment of its own, made on first use in the
temp folder, because fastapi-guard registers itself as a flake8 plugin and
would otherwise run inside the flake8 being measured.

    python benchmarks/run_benchmark.py --copies 50 --repeat 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples"
TREE = Path(tempfile.gettempdir()) / "fastapi-guard-benchmark-tree"


def build_tree(copies: int) -> int:
    if TREE.exists():
        shutil.rmtree(TREE)
    for index in range(copies):
        shutil.copytree(EXAMPLE, TREE / f"service_{index:03d}", ignore=shutil.ignore_patterns("__pycache__"))
    return sum(len(path.read_text(encoding="utf-8").splitlines()) for path in TREE.rglob("*.py"))


FLAKE8_VENV = Path(tempfile.gettempdir()) / "fastapi-guard-benchmark-flake8"


def plain_flake8() -> Path:
    """A flake8 with no plugins but its own (pycodestyle, pyflakes, mccabe)."""
    executable = FLAKE8_VENV / "bin" / "flake8"
    if not executable.exists():
        subprocess.run([sys.executable, "-m", "venv", str(FLAKE8_VENV)], check=True)
        subprocess.run([str(FLAKE8_VENV / "bin" / "pip"), "install", "--quiet", "flake8"], check=True)
    return executable


def timed(command: list[str], repeat: int) -> tuple[float, subprocess.CompletedProcess[str]]:
    runs: list[float] = []
    completed: subprocess.CompletedProcess[str] | None = None
    for _ in range(repeat):
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=TREE, capture_output=True, text=True, check=False)
        runs.append(time.perf_counter() - started)
    assert completed is not None
    return statistics.median(runs), completed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    lines = build_tree(args.copies)
    bin_dir = Path(sys.executable).parent
    guard = [str(bin_dir / "fastapi-guard"), "check", ".", "--format", "concise", "-j", str(args.jobs)]
    flake8 = [str(plain_flake8()), "-j", str(args.jobs), "."]
    guard_seconds, guard_run = timed(guard, args.repeat)
    flake8_seconds, flake8_run = timed(flake8, args.repeat)
    if guard_run.returncode not in (0, 1):
        sys.exit(f"fastapi-guard failed: {guard_run.stderr}")
    print(f"tree: {args.copies} services, {lines} lines of Python")
    print(f"fastapi-guard check -j {args.jobs}: {guard_seconds:.2f}s median of {args.repeat} "
          f"({len(guard_run.stdout.splitlines())} findings)")
    print(f"flake8 -j {args.jobs} (pycodestyle + pyflakes, no plugins): {flake8_seconds:.2f}s median of {args.repeat} "
          f"({len(flake8_run.stdout.splitlines())} findings)")
    print(f"ratio fastapi-guard / flake8: {guard_seconds / flake8_seconds:.2f}")


if __name__ == "__main__":
    main()
