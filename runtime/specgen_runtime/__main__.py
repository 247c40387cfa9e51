"""`python -m specgen_runtime serve|upgrade|downgrade`: a generated project where the compiler is not installed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from specgen_runtime import migrations
from specgen_runtime.server import ServeError, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m specgen_runtime", description=__doc__)
    actions = parser.add_subparsers(dest="action", required=True)
    server = actions.add_parser("serve", help="Serve the generated app with its custom overrides under uvicorn.")
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=8000)
    server.add_argument("--workers", type=int, default=1)
    upgrade = actions.add_parser("upgrade", help="Apply migration revisions to the database.")
    upgrade.add_argument("--revision", default="head")
    downgrade = actions.add_parser("downgrade", help="Undo migration revisions.")
    downgrade.add_argument("--revision", required=True, help="-1 for one step, base for nothing.")
    for action in (server, upgrade, downgrade):
        action.add_argument("--project", type=Path, default=Path("."), help="The project folder (default: here).")
    args = parser.parse_args(argv)
    try:
        if args.action == "serve":
            serve(args.project, args.host, args.port, args.workers)
        else:
            getattr(migrations, args.action)(args.project.resolve(), args.revision)
    except (ServeError, migrations.MigrationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
