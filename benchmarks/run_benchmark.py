"""Cold-run timing of fastapi-guard against plain flake8 on a tree of many services.

Builds a tree outside the repository (the repository's own config excludes
nothing there): N copies of ``examples/`` as separate services
(each with its own pyproject.toml), then times, in the same run, a cold
``fastapi-guard check`` and ``flake8 -j 2`` restricted to pycodestyle and
pyflakes codes (no plugins). Needs flake8 (``pip install -e '.[bench]'``).

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
    flake8 = [str(bin_dir / "flake8"), "-j", str(args.jobs), "--select", "E,W,F,C90", "."]
    guard_seconds, guard_run = timed(guard, args.repeat)
    flake8_seconds, flake8_run = timed(flake8, args.repeat)
    if guard_run.returncode not in (0, 1):
        sys.exit(f"fastapi-guard failed: {guard_run.stderr}")
    print(f"tree: {args.copies} services, {lines} lines of Python")
    print(f"fastapi-guard check -j {args.jobs}: {guard_seconds:.2f}s median of {args.repeat} "
          f"({len(guard_run.stdout.splitlines())} findings)")
    print(f"flake8 -j {args.jobs} (pycodestyle + pyflakes): {flake8_seconds:.2f}s median of {args.repeat} "
          f"({len(flake8_run.stdout.splitlines())} findings)")
    print(f"ratio fastapi-guard / flake8: {guard_seconds / flake8_seconds:.2f}")


if __name__ == "__main__":
    main()
