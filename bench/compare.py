"""Compare this tree's speed with another checkout's, on the same inputs, run alternately (so that the
machine's drift hits both alike): the 50-case issue build, check throughput, and the reference render.

    git worktree add /tmp/before <commit>
    .venv/bin/python bench/compare.py /tmp/before [--runs 2]

The other checkout is imported through PYTHONPATH with this tree's virtual environment, so both use the
same libraries; only casepub differs.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from issue_bench import make_issue
from synthetic import make_images

HERE = Path(__file__).resolve().parent
CLI = Path(sys.executable).with_name("casepub")


def _env(tree: Path | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return {**env, "PYTHONPATH": str(tree)} if tree else env


def issue_seconds(manifest: Path, out: Path, tree: Path | None) -> float:
    started = time.perf_counter()
    # cwd: the workers' forkserver puts the current folder first on sys.path; it must hold no casepub/
    subprocess.run([str(CLI), "build", str(manifest), "-o", str(out), "-q"], env=_env(tree), check=True,
                   capture_output=True, cwd=manifest.parent)
    return time.perf_counter() - started


def bench_figure(script: str, pattern: str, tree: Path | None) -> float:
    """A number a benchmark script prints, found by `pattern` (its group 1)."""
    run = subprocess.run([sys.executable, str(HERE / script)], env=_env(tree), check=True, capture_output=True,
                         text=True, cwd=tree or HERE.parent)
    found = re.search(pattern, run.stdout)
    if not found:
        raise SystemExit(f"{script} printed no {pattern!r}:\n{run.stdout}")
    return float(found.group(1))


def _templates_beside(tree: Path) -> None:
    """The wheel maps the top-level templates/ to the package casepub.templates; an editable install maps it to
    this tree's folder. So that the other checkout renders with its own templates, link them into its package."""
    link = tree / "casepub" / "templates"
    if not link.exists() and (tree / "templates").is_dir():
        link.symlink_to("../templates")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("before", type=Path, help="the other checkout (its casepub/ is imported)")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": None}
    _templates_beside(trees["before"])
    results: dict[str, dict[str, list[float]]] = {name: {} for name in trees}
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        rng = random.Random(11)
        manifest = make_issue(root, 50, rng, make_images(root / "pool", 40, rng), unique=True, deposits=False)
        for run in range(args.runs):
            for name, tree in trees.items():
                figures = results[name]
                figures.setdefault("issue cold build, 50 cases (s)", []).append(
                    issue_seconds(manifest, root / f"out-{name}-{run}", tree))
                figures.setdefault("check, one process (cases/s)", []).append(
                    bench_figure("check_bench.py", r"one process: (\d+) cases/s", tree))
                figures.setdefault("render, cold CLI, empty panel cache (s)", []).append(
                    bench_figure("render_bench.py", r"cold CLI, empty panel cache: ([\d.]+) s", tree))
                figures.setdefault("render, warm, with PDF (s)", []).append(
                    bench_figure("render_bench.py", r"warm in one process: ([\d.]+) s with PDF", tree))
    print(json.dumps({name: {key: statistics.median(values) for key, values in figures.items()}
                      for name, figures in results.items()}, indent=2))
    for key in results["after"]:
        before, after = statistics.median(results["before"][key]), statistics.median(results["after"][key])
        print(f"{key}: {before:g} before, {after:g} after ({(after - before) / before * 100:+.1f}%)")


if __name__ == "__main__":
    main()
