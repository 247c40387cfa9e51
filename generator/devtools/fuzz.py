"""`specgen fuzz`: schemathesis against the real server, with every check, every phase
and two identities, so object-level authorization has a peer to probe with."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from generator.devtools.devserver import background_server, sign, throwaway_env

IDENTITIES = ("alice", "bob")
PHASES = "examples,coverage,fuzzing,stateful"

# Strings the contract's `type: string` admits but no database can store (lone surrogates,
# NUL) are refused with 422 by design (docs/security.md); generate only storable text.
CONFIG = """\
[generation]
codec = "utf-8"
allow-x00 = false

[auth.wfc]
path = "{auth}"
peers = {peers}
"""


def _auth_document(secret: str, ttl: int) -> dict[str, object]:
    return {
        "auth": [
            {
                "name": name,
                "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {sign(secret, f'fuzz-{name}', ttl)}"}],
            }
            for name in IDENTITIES
        ]
    }


def run_fuzz(
    project: Path, seconds: int, database_url: str | None = None, seed: int | None = None, report: Path | None = None
) -> int:
    """Serve the project's generated app on a fresh database and fuzz its served contract; returns the exit code."""
    project = project.resolve()
    with tempfile.TemporaryDirectory(prefix="specgen-fuzz-") as tmp:
        work = Path(tmp)
        secret = secrets.token_urlsafe(48)
        env = throwaway_env(secret, database_url or f"sqlite:///{work / 'fuzz.db'}")
        auth = work / "auth.json"
        auth.write_text(json.dumps(_auth_document(secret, ttl=seconds + 3600)))
        config = work / "schemathesis.toml"
        config.write_text(CONFIG.format(auth=auth.as_posix(), peers=json.dumps(list(IDENTITIES))))
        with background_server(project, env, work / "server.log") as server:
            command = [
                sys.executable,
                "-c",
                "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())",
                "--config-file",
                str(config),
                "run",
                f"{server.url}/openapi.json",
                "--checks",
                "all",
                "--phases",
                PHASES,
                "--max-time",
                str(seconds),
                "--workers",
                "1",
            ]
            if seed is not None:
                command += ["--seed", str(seed)]
            if report is not None:
                command += ["--report", "junit,ndjson", "--report-dir", str(report)]
            result = subprocess.run(command, cwd=work, check=False)
            if result.returncode != 0:
                log = server.output()
                errors = [line for line in log.splitlines() if "ERROR" in line or "Traceback" in line]
                if errors:
                    print("server errors during the run:\n" + "\n".join(errors[:40]), file=sys.stderr)
            return result.returncode
