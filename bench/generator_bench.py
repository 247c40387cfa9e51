"""Generator benchmark: specgen beside openapi-generator-cli's python-fastapi, same files, same run.

1. The synthetic contract (bench/synthetic.py, N resources): `specgen generate` from nothing,
   `specgen generate` again with nothing changed, `specgen validate`, and openapi-generator.
2. A large real contract, GitHub's REST API description (npm package @octokit/openapi), given
   the house rules (servers /backend, a bearer JWT scheme required on every operation), as
   YAML: `specgen validate`, `specgen generate` and openapi-generator on that one file.
3. Stripe's and GitHub's contracts as openapi-spec-validator's sdist ships them, house-ruled:
   `specgen generate --force` and openapi-generator one after the other in each run (`--side-by-side`
   runs only this part).

Every figure is the median of RUNS runs with min and max. Each run is a separate process; its
CPU time and largest resident set come from wait4(), its whole process tree's resident set is
sampled every 20 ms. openapi-generator-cli (PyPI) goes into a venv under bench/.cache/, the
npm package is fetched there too; nothing of it is committed.

    python bench/generator_bench.py [--runs 3] [--n 200] [--no-real] [--side-by-side] [--write docs/performance.md]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.machine import hardware  # noqa: E402

CACHE = REPO / "bench" / ".cache"
SPECGEN = [sys.executable, "-m", "generator"]
OPENAPI_GENERATOR_VENV = CACHE / "openapi-generator"
OPENAPI_GENERATOR = OPENAPI_GENERATOR_VENV / "bin" / "openapi-generator-cli"
# openapi-generator refuses YAML over 3 MiB unless told otherwise
JAVA_OPTS = "-DmaxYamlCodePoints=2147483647"
GITHUB_PACKAGE = "@octokit/openapi"
GITHUB_FILE = "package/generated/api.github.com.json"
OSV_SDIST = "openapi-spec-validator==0.9.0"
SDIST_SPECS = {"stripe": "tests/bench/specs/stripe.yaml", "github-osv": "tests/bench/specs/github.yaml"}
TARGET_RATIO = 0.75  # specgen generate (boot check included) at most this fraction of openapi-generator's time
SECTION_START = "<!-- generator-bench:start -->"
SECTION_END = "<!-- generator-bench:end -->"
TARGETS = {"cold": "≤ 10 s", "rerun": "≤ 0.5 s", "rss": "< 1024 MB"}


@dataclass
class Run:
    wall: float
    cpu: float
    max_rss_mb: float  # the largest single process (wait4)
    tree_rss_mb: float  # the whole process tree, sampled
    code: int
    stdout: str
    stderr: str


@dataclass
class Measure:
    name: str
    command: str
    runs: list[Run] = field(default_factory=list)
    produced: str = ""

    def stat(self, attr: str) -> tuple[float, float, float]:
        values = [getattr(r, attr) for r in self.runs]
        return statistics.median(values), min(values), max(values)


def _tree_rss_kb(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except (OSError, AttributeError, ValueError):
            continue
    return total


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """One process, to its end: wall time, CPU of it and its children, resident set."""
    started = time.perf_counter()
    process = subprocess.Popen(
        cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    output: dict[str, bytes] = {}
    peak = 0
    done = threading.Event()

    def drain(name: str, stream: Any) -> None:
        output[name] = stream.read()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            done.wait(0.02)

    threads = [
        threading.Thread(target=drain, args=("out", process.stdout)),
        threading.Thread(target=drain, args=("err", process.stderr)),
        threading.Thread(target=sample),
    ]
    for thread in threads:
        thread.start()
    _, status, usage = os.wait4(process.pid, 0)  # rusage of this process tree alone
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    for thread in threads:
        thread.join()
    return Run(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,
        tree_rss_mb=peak / 1024,
        code=process.returncode,
        stdout=output["out"].decode(errors="replace"),
        stderr=output["err"].decode(errors="replace"),
    )


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(f"{name} is not installed")
    return path


# --- the projects -------------------------------------------------------------------------------


def synthetic_project(n: int) -> Path:
    sys.path.insert(0, str(REPO / "bench"))
    from synthetic import write

    project = CACHE / f"synthetic-{n}"
    shutil.rmtree(project, ignore_errors=True)
    write(n, project)
    return project


def house_rules(document: dict[str, Any]) -> dict[str, Any]:
    """Mounted at /backend, and a bearer JWT required on every operation (nothing else changed)."""
    document["servers"] = [{"url": "/backend"}]
    document.setdefault("components", {})["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    document["security"] = [{"bearer": []}]
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "security" in operation:
                operation["security"] = [{"bearer": []}]
    return document


def without_user_id_parameters(document: dict[str, Any]) -> dict[str, Any]:
    """The house rule owner-field-exposed refuses path parameters named user_id: rename them account_id."""
    for parameter in document.get("components", {}).get("parameters", {}).values():
        if parameter.get("name") == "user_id" and parameter.get("in") == "path":
            parameter["name"] = "account_id"
    document["paths"] = {path.replace("{user_id}", "{account_id}"): item for path, item in document["paths"].items()}
    return document


def github_projects() -> tuple[dict[str, Path], str]:
    """The house-ruled GitHub contract as YAML (and a variant without user_id parameters), and its origin."""
    npm_dir = CACHE / "npm"
    npm_dir.mkdir(parents=True, exist_ok=True)
    tarballs = sorted(npm_dir.glob("octokit-openapi-*.tgz"))
    if not tarballs:
        subprocess.run(
            [tool("npm"), "pack", GITHUB_PACKAGE, "--pack-destination", str(npm_dir)], check=True, cwd=npm_dir
        )
        tarballs = sorted(npm_dir.glob("octokit-openapi-*.tgz"))
    tarball = tarballs[-1]
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(GITHUB_FILE)
        assert member is not None
        source = member.read()
    projects = {}
    for name, adapt in (("github", house_rules), ("github-no-user-id", without_user_id_parameters)):
        document = house_rules(json.loads(source))
        document = adapt(document)
        project = CACHE / name
        spec = project / "specs" / "api" / "openapi.yaml"
        spec.parent.mkdir(parents=True, exist_ok=True)
        spec.write_text(yaml.dump(document, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True))
        shutil.rmtree(project / "generated", ignore_errors=True)
        projects[name] = project
    size = (projects["github"] / "specs" / "api" / "openapi.yaml").stat().st_size / 1e6
    return projects, f"{tarball.name} ({GITHUB_FILE}), {size:.1f} MB of YAML"


def sdist_projects() -> tuple[dict[str, Path], str]:
    """Stripe's and GitHub's contracts as openapi-spec-validator's sdist ships them (its benchmark specs),
    each with the house rules the corpus applies (corpus/house.py), in a project of its own."""
    from corpus.house import apply_house_rules
    from corpus.sources import fetch_sdists

    (unpacked,) = fetch_sdists(CACHE / "sdists", (OSV_SDIST,))
    root = unpacked / OSV_SDIST.replace("-", "_").replace("==", "-")
    projects = {}
    for name, rel in SDIST_SPECS.items():
        with (root / rel).open("rb") as handle:
            document = yaml.load(handle, Loader=yaml.CSafeLoader)  # noqa: S506 - a safe loader
        project = CACHE / name
        spec = project / "specs" / "api" / "openapi.yaml"
        spec.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.dump(apply_house_rules(document), Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)
        spec.write_text(text, encoding="utf-8")
        shutil.rmtree(project / "generated", ignore_errors=True)
        projects[name] = project
    return projects, f"{OSV_SDIST} sdist ({', '.join(SDIST_SPECS.values())})"


def ensure_openapi_generator() -> str:
    if not OPENAPI_GENERATOR.exists():
        subprocess.run([sys.executable, "-m", "venv", str(OPENAPI_GENERATOR_VENV)], check=True)
        pip = OPENAPI_GENERATOR_VENV / "bin" / "pip"
        subprocess.run([str(pip), "install", "--quiet", "openapi-generator-cli"], check=True)
    out = subprocess.run([str(OPENAPI_GENERATOR), "version"], capture_output=True, text=True, check=False)
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "unknown"


# --- measuring ----------------------------------------------------------------------------------


def specgen(*args: str) -> list[str]:
    return [*SPECGEN, *args]


def openapi_generator(spec: Path, out: Path) -> list[str]:
    return [str(OPENAPI_GENERATOR), "generate", "-g", "python-fastapi", "-i", str(spec), "-o", str(out)]


def shown(cmd: list[str], env: dict[str, str] | None = None) -> str:
    text = " ".join(cmd).replace(sys.executable, "python").replace(str(REPO) + "/", "")
    return (" ".join(f"{k}={v}" for k, v in (env or {}).items()) + " " + text).strip()


def measure(name: str, cmd: list[str], cwd: Path, runs: int, before: Any = None, env: Any = None) -> Measure:
    result = Measure(name, shown(cmd, env))
    for _ in range(runs):
        if before is not None:
            before()
        result.runs.append(run(cmd, cwd, env))
        print(f"  {name}: {result.runs[-1].wall:.2f} s (exit {result.runs[-1].code})", file=sys.stderr)
    return result


def python_files(root: Path) -> tuple[int, int, int]:
    """(files, .py files, .py files that do not compile)."""
    files = [p for p in root.rglob("*") if p.is_file()]
    py = [p for p in files if p.suffix == ".py"]
    broken = 0
    for path in py:
        try:
            compile(path.read_bytes(), str(path), "exec")
        except (SyntaxError, ValueError):
            broken += 1
    return len(files), len(py), broken


def specgen_produced(m: Measure, project: Path) -> str:
    last = m.runs[-1]
    if last.code == 0 and "generate" in m.command:
        files, py, broken = python_files(project / "generated")
        return f"{files} files in generated/ ({py} .py, {py - broken} compile)"
    if last.code == 0:
        return "contract valid"
    rules = re.findall(r": error\[([a-z0-9-]+)\]:", last.stderr)
    if rules:
        counts = ", ".join(f"{rule} × {rules.count(rule)}" for rule in sorted(set(rules)))
        first = [ln for ln in last.stderr.splitlines() if ": error[" in ln][:2]
        return f"refused with {len(rules)} located diagnostic(s) ({counts}), e.g. " + " / ".join(
            f"`{line if len(line) < 150 else line[:147] + '...'}`" for line in first
        )
    lines = [ln for ln in last.stderr.splitlines() if ln.strip()]
    return "failed: " + " / ".join(f"`{ln[:150]}`" for ln in lines[:3])


def openapi_generator_produced(m: Measure, out: Path) -> str:
    last = m.runs[-1]
    if last.code != 0:
        return f"failed (exit {last.code})"
    files, py, broken = python_files(out)
    return f"{files} files ({py} .py, {py - broken} compile)"


def measure_openapi_generator(label: str, spec: Path, out: Path, runs: int, env: dict[str, str]) -> Measure:
    """openapi-generator into an emptied `out` each run, and what it wrote there."""
    m = measure(
        f"{label}: openapi-generator",
        openapi_generator(spec, out),
        REPO,
        runs,
        before=lambda: shutil.rmtree(out, ignore_errors=True),
        env=env,
    )
    m.produced = openapi_generator_produced(m, out)
    return m


def side_by_side(runs: int, java_env: dict[str, str]) -> dict[str, Any]:
    """Stripe's and GitHub's contracts from openapi-spec-validator's sdist: `specgen generate --force`
    (boot check included) and openapi-generator, one after the other in each run, so both see the same
    load; the figure is specgen's time as a fraction of openapi-generator's."""
    results: dict[str, Any] = {}
    try:
        projects, origin = sdist_projects()
    except (subprocess.CalledProcessError, OSError, ValueError) as exc:
        return {"error": f"openapi-spec-validator's sdist could not be fetched: {exc}"}
    results["origin"] = origin
    out = CACHE / "openapi-generator-out"
    for name, project in projects.items():
        spec = project / "specs" / "api" / "openapi.yaml"
        ours_cmd = specgen("generate", "--force", "--project", str(project))
        theirs_cmd = openapi_generator(spec, out)
        ours = Measure(f"{name}: specgen generate", shown(ours_cmd))
        theirs = Measure(f"{name}: openapi-generator", shown(theirs_cmd, java_env))
        for _ in range(runs):
            ours.runs.append(run(ours_cmd, REPO))
            shutil.rmtree(out, ignore_errors=True)
            theirs.runs.append(run(theirs_cmd, REPO, java_env))
            print(
                f"  {name}: specgen {ours.runs[-1].wall:.2f} s (exit {ours.runs[-1].code}), "
                f"openapi-generator {theirs.runs[-1].wall:.2f} s (exit {theirs.runs[-1].code})",
                file=sys.stderr,
            )
        ours.produced = specgen_produced(ours, project)
        theirs.produced = openapi_generator_produced(theirs, out)
        results[name] = {"specgen": ours, "openapi_generator": theirs}
    return results


def ratio(ours: Measure, theirs: Measure, attr: str = "wall") -> float:
    return ours.stat(attr)[0] / theirs.stat(attr)[0]


def bench(runs: int, n: int, real: bool) -> dict[str, Any]:
    CACHE.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"load_before": os.getloadavg()[0], "n": n}
    results["openapi_generator"] = ensure_openapi_generator()
    java_env = {"JAVA_OPTS": JAVA_OPTS}

    project = synthetic_project(n)
    spec = project / "specs" / "api" / "openapi.yaml"
    out = CACHE / "openapi-generator-out"
    generated = project / "generated"
    synthetic = results["synthetic"] = {}
    synthetic["cold"] = measure(
        "synthetic: specgen generate (no generated/)",
        specgen("generate", "--project", str(project)),
        REPO,
        runs,
        before=lambda: shutil.rmtree(generated, ignore_errors=True),
    )
    synthetic["cold"].produced = specgen_produced(synthetic["cold"], project)
    original = spec.read_text()
    edits = iter(range(1, 1000))

    def edit_one_summary() -> None:  # a change that touches routers and openapi.json, not the models
        summary = f"operationId: listItem0\n      summary: Edit {next(edits)}\n"
        spec.write_text(original.replace("operationId: listItem0\n", summary, 1))

    synthetic["edit"] = measure(
        "synthetic: specgen generate (one operation summary edited)",
        specgen("generate", "--project", str(project)),
        REPO,
        runs,
        before=edit_one_summary,
    )
    synthetic["edit"].produced = synthetic["edit"].runs[-1].stdout.strip()
    synthetic["rerun"] = measure(
        "synthetic: specgen generate (nothing changed)",
        specgen("generate", "--project", str(project)),
        REPO,
        max(runs, 5),
    )
    synthetic["validate"] = measure(
        "synthetic: specgen validate", specgen("validate", "--project", str(project)), REPO, runs
    )
    synthetic["openapi_generator"] = measure_openapi_generator("synthetic", spec, out, runs, java_env)

    if real:
        try:
            projects, origin = github_projects()
        except (subprocess.CalledProcessError, OSError, KeyError) as exc:
            results["real_error"] = f"GitHub's contract could not be fetched: {exc}"
        else:
            results["real_origin"] = origin
            github = projects["github"]
            spec = github / "specs" / "api" / "openapi.yaml"
            real_results = results["real"] = {}
            for key, args in (("validate", ("validate",)), ("generate", ("generate", "--force"))):
                m = measure(f"github: specgen {key}", specgen(*args, "--project", str(github)), REPO, runs)
                m.produced = specgen_produced(m, github)
                real_results[key] = m
            adapted = projects["github-no-user-id"]
            m = measure(
                "github without user_id: specgen generate",
                specgen("generate", "--force", "--project", str(adapted)),
                REPO,
                runs,
            )
            m.produced = specgen_produced(m, adapted)
            real_results["generate_adapted"] = m
            real_results["openapi_generator"] = measure_openapi_generator("github", spec, out, runs, java_env)
        results["side_by_side"] = side_by_side(runs, java_env)
    results["load_after"] = os.getloadavg()[0]
    return results


# --- reporting ----------------------------------------------------------------------------------


def cell(m: Measure | None, attr: str = "wall", unit: str = "s") -> str:
    if m is None or not m.runs:
        return "—"
    median, low, high = m.stat(attr)
    digits = 0 if unit == "MB" else 2
    return f"{median:.{digits}f} {unit} ({low:.{digits}f}–{high:.{digits}f})"


def rss_cell(m: Measure) -> str:
    return f"{cell(m, 'max_rss_mb', 'MB')} / {cell(m, 'tree_rss_mb', 'MB')}"


def machine() -> str:
    java = subprocess.run([tool("java"), "-version"], capture_output=True, text=True, check=False).stderr.splitlines()
    return f"{hardware()}; {java[0] if java else 'no java'}"


def versions() -> str:
    from importlib.metadata import version

    commit = subprocess.run([tool("git"), "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    names = ("datamodel-code-generator", "openapi-spec-validator", "jsonschema-rs", "ruff")
    return f"specgen {commit.stdout.strip() or '?'}; " + ", ".join(f"{n} {version(n)}" for n in names)


def markdown(results: dict[str, Any]) -> str:
    s = results["synthetic"]
    n = results["n"]
    lines = [
        "## Generator",
        "",
        f"Machine: {machine()}. Versions: {versions()}; openapi-generator-cli {results['openapi_generator']}.",
        f"Load average {results['load_before']:.1f} before and {results['load_after']:.1f} after the run: "
        "the machine is shared, so wall time includes waiting for a core; CPU time (user + system, "
        "children included) is beside it. Every figure: median of the runs (min–max). Peak memory: the "
        "largest single process (exact, from wait4) and the whole process tree (its resident sets "
        "added up, sampled every 20 ms, so a short peak can be missed).",
        "",
        f"### Synthetic contract, N = {n} ({n * 6} operations)",
        "",
        "| Figure | specgen | openapi-generator python-fastapi | Target |",
        "|---|---|---|---|",
        f"| generate from nothing, wall | {cell(s['cold'])} | {cell(s['openapi_generator'])} | {TARGETS['cold']} |",
        f"| generate from nothing, CPU | {cell(s['cold'], 'cpu')} | {cell(s['openapi_generator'], 'cpu')} | |",
        f"| peak memory: largest process / whole process tree | {rss_cell(s['cold'])} "
        f"| {rss_cell(s['openapi_generator'])} | {TARGETS['rss']} |",
        f"| generate again, nothing changed, wall | {cell(s['rerun'])} | — | {TARGETS['rerun']} |",
        f"| generate after editing one operation's summary, wall | {cell(s['edit'])} | — | |",
        f"| validate only, wall | {cell(s['validate'])} | — | |",
        "",
        f"specgen wrote {s['cold'].produced}; openapi-generator wrote {s['openapi_generator'].produced}. "
        f"After the edit specgen said: `{s['edit'].produced}`",
    ]
    if "real" in results:
        r = results["real"]
        lines += [
            "",
            "### A large real contract: GitHub's REST API",
            "",
            f"From npm: {results['real_origin']}, with the house rules added (servers `/backend`, a bearer "
            "JWT scheme required on every operation). Both tools read the same YAML file.",
            "",
            "| Step | wall | CPU | peak memory: largest process / whole tree | what it produced |",
            "|---|---|---|---|---|",
        ]
        rows = (
            ("specgen validate", r["validate"]),
            ("specgen generate", r["generate"]),
            ("specgen generate, `user_id` path parameters renamed", r["generate_adapted"]),
            ("openapi-generator python-fastapi generate", r["openapi_generator"]),
        )
        for label, m in rows:
            lines.append(f"| {label} | {cell(m)} | {cell(m, 'cpu')} | {rss_cell(m)} | {m.produced} |")
    elif "real_error" in results:
        lines += ["", f"Real contract: skipped ({results['real_error']})."]
    if "side_by_side" in results:
        lines += side_by_side_markdown(results["side_by_side"])
    commands = [m.command for group in ("synthetic", "real") for m in results.get(group, {}).values()]
    commands += [
        m.command
        for name in SDIST_SPECS
        for m in results.get("side_by_side", {}).get(name, {}).values()
        if isinstance(m, Measure)
    ]
    lines += [
        "",
        "Commands (from the repository root; `bench/.cache/` is made by the benchmark):",
        "",
        "```",
        f"python bench/generator_bench.py --runs {len(s['cold'].runs)} --n {n}",
        *dict.fromkeys(commands),
        "```",
        "",
    ]
    return "\n".join(lines)


def side_by_side_markdown(results: dict[str, Any]) -> list[str]:
    if "error" in results:
        return ["", f"Stripe and GitHub side by side: skipped ({results['error']})."]
    lines = [
        "",
        "### Stripe and GitHub, side by side with openapi-generator",
        "",
        f"From {results['origin']}, with the house rules of the corpus (corpus/house.py). In each run "
        "`specgen generate --force` (the boot check included: the app is imported and built before the swap) "
        "and then openapi-generator python-fastapi, on the same YAML file. Target: specgen at most "
        f"{TARGET_RATIO}x openapi-generator's wall time.",
        "",
        "| Contract | specgen generate, wall | openapi-generator, wall | ratio (medians) | specgen CPU "
        "| openapi-generator CPU | specgen wrote | openapi-generator wrote |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in SDIST_SPECS:
        ours, theirs = results[name]["specgen"], results[name]["openapi_generator"]
        verdict = "met" if ratio(ours, theirs) <= TARGET_RATIO else "not met"
        lines.append(
            f"| {name} | {cell(ours)} | {cell(theirs)} | {ratio(ours, theirs):.2f} ({verdict}) "
            f"| {cell(ours, 'cpu')} | {cell(theirs, 'cpu')} | {ours.produced} | {theirs.produced} |"
        )
    return lines


def write_section(path: Path, text: str) -> None:
    """Put the section between its markers in path, replacing an older one."""
    block = f"{SECTION_START}\n{text}\n{SECTION_END}\n"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n\n"
    if SECTION_START in current and SECTION_END in current:
        head, rest = current.split(SECTION_START, 1)
        tail = rest.split(SECTION_END, 1)[1].lstrip("\n")
        current = head + block + tail
    else:
        current = current.rstrip("\n") + "\n\n" + block
    path.write_text(current, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--no-real", action="store_true", help="Only the synthetic contract.")
    parser.add_argument("--write", type=Path, help="Write the section into this markdown file (docs/performance.md).")
    parser.add_argument(
        "--side-by-side", action="store_true", help="Only Stripe and GitHub beside openapi-generator (no --write)."
    )
    args = parser.parse_args()
    if args.side_by_side:
        CACHE.mkdir(parents=True, exist_ok=True)
        version = ensure_openapi_generator()
        load = os.getloadavg()[0]
        lines = side_by_side_markdown(side_by_side(args.runs, {"JAVA_OPTS": JAVA_OPTS}))
        print(f"openapi-generator-cli {version}; load average {load:.1f} before, {os.getloadavg()[0]:.1f} after")
        print("\n".join(lines))
        return
    text = markdown(bench(args.runs, args.n, not args.no_real))
    print(text)
    if args.write:
        write_section(args.write, text)


if __name__ == "__main__":
    main()
