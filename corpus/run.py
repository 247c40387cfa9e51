"""`make corpus`: specgen and its peers on every foreign contract of the corpus; prints a markdown table and
the rates, and writes both to docs/corpus.md.

    python -m corpus.run [--only TEXT]... [--no-peers] [--max-bytes N] [--output FILE]
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .house import LayoutError, house_ruled_project
from .ours import OursResult, run_specgen
from .peers import FASTAPI_CODEGEN, OPENAPI_GENERATOR, PEERS, PeerResult, ensure_peers_venv, run_peer
from .sources import DEFAULT_CACHE, INVALID, REMOTE, REPO, SKIPPED, VALID, CorpusContract, collect

PEER_TIMEOUT = 300  # seconds per peer step (generate, boot): the largest contracts need a minute or more


@dataclass
class Row:
    contract: CorpusContract
    ours: OursResult
    peers: dict[str, PeerResult] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """The target: generated, booted, no 5xx other than 501 (for a remote-ref contract: a located refusal)."""
        if self.contract.kind == REMOTE:
            return not self.ours.validated and self.ours.located and "ref-remote" in self.ours.rules
        return self.ours.generated and self.ours.booted and self.ours.server_errors == 0 and not self.ours.crashed


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[-120:]


def run_contract(
    contract: CorpusContract, work: Path, peers_bin: Path | None, timeout: float, workarounds: bool = False
) -> Row:
    shutil.rmtree(work, ignore_errors=True)
    project = work / "project"
    try:
        house_ruled_project(contract, project, workarounds)
    except LayoutError as exc:
        return Row(contract, OursResult(error=f"layout: {exc}"))
    row = Row(contract, run_specgen(project, timeout=timeout))
    if peers_bin is not None:
        for peer in PEERS:
            # The peers read a pristine copy, so nothing specgen wrote can help or hinder them.
            peer_project = work / peer
            house_ruled_project(contract, peer_project / "input", workarounds)
            row.peers[peer] = run_peer(
                peer,
                peers_bin,
                peer_project / "input" / "specs" / "api" / "openapi.yaml",
                peer_project,
                timeout=PEER_TIMEOUT,
            )
    return row


def _mark(flag: bool) -> str:
    return "yes" if flag else "no"


def _statuses(result: OursResult) -> str:
    return " ".join(f"{code}×{count}" for code, count in sorted(result.statuses.items())) or "-"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:220]


def _peer_cell(result: PeerResult | None) -> str:
    if result is None:
        return "-"
    if result.booted:
        return "booted"
    return "generated, no boot" if result.generated else "failed"


def render(rows: list[Row], others: list[CorpusContract], with_peers: bool, elapsed: float) -> str:
    valid = [r for r in rows if r.contract.kind == VALID]
    remote = [r for r in rows if r.contract.kind == REMOTE]
    lines = [
        "| contract | ops | validated? | generated? | booted? | 5xx (not 501) | responses | s |"
        + (f" {FASTAPI_CODEGEN} | {OPENAPI_GENERATOR} |" if with_peers else "")
        + " specgen: first diagnostic / error |",
        "|---|---:|---|---|---|---:|---|---:|" + ("---|---|" if with_peers else "") + "---|",
    ]
    for row in rows:
        ours = row.ours
        name = row.contract.name + (" (remote $ref)" if row.contract.kind == REMOTE else "")
        cells = [
            name,
            str(row.contract.operations),
            _mark(ours.validated),
            _mark(ours.generated),
            _mark(ours.booted),
            str(ours.server_errors) if ours.booted else "-",
            _statuses(ours),
            f"{ours.seconds:.1f}"
            + (f" ({'/'.join(f'{v:.0f}' for v in ours.steps.values())})" if ours.seconds >= 20 else ""),
        ]
        if with_peers:
            cells += [_peer_cell(row.peers.get(p)) for p in PEERS]
        cells.append(_cell(ours.error))
        lines.append("| " + " | ".join(cells) + " |")
    n = len(valid)
    ours_ok = sum(1 for r in valid if r.ours.generated and r.ours.booted)
    clean = sum(1 for r in valid if r.passed)
    summary = [
        f"specgen generated+booted {ours_ok}/{n}"
        + "".join(
            f", {p} {sum(1 for r in valid if r.peers.get(p) and r.peers[p].booted)}/{n}" for p in PEERS if with_peers
        ),
        f"specgen generated+booted with no 5xx other than 501: {clean}/{n}; "
        f"refused with a located diagnostic: {sum(1 for r in valid if not r.ours.validated and r.ours.located)}/{n}; "
        f"crashed (internal error or no location): {sum(1 for r in valid if r.ours.crashed or (not r.ours.validated and not r.ours.located))}/{n}",
    ]
    booted = [r for r in valid if r.ours.served_as_input is not None]
    summary.append(
        f"served /openapi.json equals the bundled input contract: {sum(1 for r in booted if r.ours.served_as_input)}"
        f"/{len(booted)} booted"
    )
    if remote:
        summary.append(
            f"remote-ref contracts refused with a located ref-remote diagnostic: {sum(1 for r in remote if r.passed)}/{len(remote)}"
        )
    if with_peers:
        for peer in PEERS:
            generated = sum(1 for r in valid if r.peers.get(peer) and r.peers[peer].generated)
            summary.append(
                f"{peer}: generated {generated}/{n}, booted {sum(1 for r in valid if r.peers.get(peer) and r.peers[peer].booted)}/{n}"
            )
    invalid = [c for c in others if c.kind == INVALID]
    skipped = [c for c in others if c.kind == SKIPPED]
    out = ["\n".join(lines), "", *[f"- {line}" for line in summary], ""]
    out.append(
        f"Not run: {len(invalid)} invalid documents (openapi-spec-validator refuses them), {len(skipped)} skipped."
    )
    out.append("")
    for contract in invalid + skipped:
        out.append(f"- {contract.kind}: {contract.name}: {_cell(contract.reason)}")
    differing = [(r.contract.name, r.ours.served_difference) for r in rows if r.ours.served_difference]
    if differing:
        out += ["", "specgen: served contract differs from the input:", ""]
        out += [f"- {name}: {_cell(difference)}" for name, difference in differing]
    notable = [(r.contract.name, call) for r in rows for call in r.ours.notable_calls]
    if notable:
        out += ["", "specgen: calls answered other than 501 (first 200 characters of the body):", ""]
        out += [f"- {name}: {_cell(call)}" for name, call in notable]
    if with_peers:
        failures = [
            (r.contract.name, p, r.peers[p]) for r in valid for p in PEERS if p in r.peers and not r.peers[p].booted
        ]
        if failures:
            out += ["", "Peer failures (first error line):", ""]
            out += [f"- {peer} on {name}: {_cell(res.error)}" for name, peer, res in failures]
    out += ["", f"Total {elapsed:.0f}s."]
    return "\n".join(out) + "\n"


def _versions() -> str:
    names = ["openapi-spec-validator", "datamodel-code-generator", "fastapi"]
    return ", ".join(f"{n} {importlib.metadata.version(n)}" for n in names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m corpus.run", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="downloads, peers' venv and work dirs")
    parser.add_argument("--only", action="append", default=[], help="run only contracts whose name contains this")
    parser.add_argument("--no-peers", action="store_true", help="run specgen only")
    parser.add_argument("--max-bytes", type=int, default=None, help="skip contracts larger than this")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per specgen step")
    parser.add_argument("--output", default=str(REPO / "docs" / "corpus.md"), help="markdown report ('-': none)")
    parser.add_argument(
        "--workarounds",
        action="store_true",
        help="derive missing operationIds and quote integer response codes first, to see what fails next "
        "(a diagnostic run: its table is not specgen's rate)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 unless every contract meets the target")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    contracts = collect(args.cache)
    if args.only:
        contracts = [c for c in contracts if any(text in c.name for text in args.only)]
    runnable = [c for c in contracts if c.kind in (VALID, REMOTE)]
    if args.max_bytes is not None:
        runnable = [c for c in runnable if c.size <= args.max_bytes]
    others = [c for c in contracts if c.kind not in (VALID, REMOTE)]
    peers_bin = None if args.no_peers else ensure_peers_venv(args.cache)
    rows = []
    for index, contract in enumerate(runnable, 1):
        print(f"[{index}/{len(runnable)}] {contract.name} ({contract.operations} ops)", file=sys.stderr, flush=True)
        row = run_contract(
            contract, args.cache / "runs" / _slug(contract.name), peers_bin, args.timeout, args.workarounds
        )
        verdict = "ok" if row.passed else f"FAIL: {row.ours.error[:160]}"
        print(f"    specgen {verdict} ({row.ours.seconds:.1f}s)", file=sys.stderr, flush=True)
        rows.append(row)
    report = render(rows, others, peers_bin is not None, time.perf_counter() - started)
    print(report)
    if args.output != "-":
        command = "make corpus" if not argv else "python -m corpus.run " + " ".join(argv)
        header = (
            "# Foreign-contract corpus\n\n"
            + (
                "**Diagnostic run with `--workarounds`: missing operationIds were derived and integer response "
                "codes quoted before specgen saw the contracts; these are not specgen's rates.**\n\n"
                if args.workarounds
                else ""
            )
            + f"Produced by `{command}` on {datetime.date.today().isoformat()} ({_versions()}). "
            "How the corpus is built and what each column means: [corpus/README.md](../corpus/README.md).\n\n"
        )
        Path(args.output).write_text(header + report, encoding="utf-8")
    return 1 if args.strict and not all(r.passed for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
