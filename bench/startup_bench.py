"""Startup: seconds from `specgen serve` being launched to its first 200 on /health.

For the example project, the hand-written baseline (for reference), and the synthetic contract
with N resources (bench/synthetic.py; N = 200 is 1,200 operations). SQLite, one worker.

    python bench/startup_bench.py [--runs 3] [--resources 200]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.server_bench import command, cpu_seconds, wait_healthy  # noqa: E402
from generator.devtools.devserver import free_port  # noqa: E402


def ready_after(app: str, project: Path) -> tuple[float, float]:
    """(wall seconds until /health answers 200, CPU seconds the server used until then)."""
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/startup.db",
            "JWT_SECRET": "startup-benchmark-secret-of-enough-length",
            "SPECGEN_CREATE_TABLES": "1",
        }
        started = time.monotonic()
        process = subprocess.Popen(
            command(app, port, project), cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_healthy(f"http://127.0.0.1:{port}", process)
            wall = time.monotonic() - started
            cpu = cpu_seconds(process)
        finally:
            process.terminate()
            process.wait(timeout=20)
    return wall, cpu


def synthetic_project(n: int, root: Path) -> Path:
    project = root / f"synthetic-{n}"
    subprocess.run([sys.executable, str(REPO / "bench" / "synthetic.py"), str(n), str(project)], check=True)
    (project / "custom").mkdir(exist_ok=True)
    (project / "custom" / "__init__.py").write_text("")
    subprocess.run([sys.executable, "-m", "generator", "generate", "--project", str(project)], check=True)
    return project


def bench(runs: int, resources: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="specgen-startup-") as tmp:
        example = Path(tmp) / "example"
        for part in ("specs", "generated", "custom"):
            shutil.copytree(REPO / part, example / part, ignore=shutil.ignore_patterns("__pycache__"))
        big = synthetic_project(resources, Path(tmp))
        cases = [
            ("example (6 operations)", "specgen", example, 1.5),
            ("hand-written baseline (3 operations)", "handwritten", example, None),
            (f"synthetic, {resources} resources ({resources * 6} operations)", "specgen", big, 5.0),
        ]
        for label, app, project, target in cases:
            figures = [ready_after(app, project) for _ in range(runs)]
            results[label] = {"wall_s": [f[0] for f in figures], "cpu_s": [f[1] for f in figures], "target_s": target}
            print(label, [round(f[0], 2) for f in figures], flush=True)
    return results


def markdown(results: dict[str, Any]) -> str:
    def cell(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"

    lines = ["| app | ready after, s | CPU used, s | target |", "|---|---|---|---|"]
    for label, row in results.items():
        target = f"under {row['target_s']} s" if row["target_s"] else "(reference)"
        lines.append(f"| {label} | {cell(row['wall_s'])} | {cell(row['cpu_s'])} | {target} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--resources", type=int, default=200)
    args = parser.parse_args()
    print(markdown(bench(args.runs, args.resources)))
