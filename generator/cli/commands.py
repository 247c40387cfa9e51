"""The specgen command line. Exit codes: 0 ok, 1 contract errors or drift, 2 usage errors."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from generator.base.diagnostics import format_diagnostics

project_option = click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Project directory (holding specs/, generated/, custom/).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """specgen: compile OpenAPI contracts into an owner-scoped FastAPI + SQLModel backend."""


def _report(result_diags: list, fmt: str) -> None:  # type: ignore[type-arg]
    if fmt == "json":
        click.echo(format_diagnostics(result_diags, "json"))
    elif result_diags:
        click.echo(format_diagnostics(result_diags, "text"), err=True)


@main.command()
@project_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def validate(project: Path, fmt: str) -> None:
    """Check the contracts; report every problem as file:line:col."""
    from generator.pipeline import check_contracts

    _, result = check_contracts(project)
    _report(result.diagnostics, fmt)
    if not result.ok:
        if fmt == "text":
            click.echo(f"{len(result.diagnostics)} problem(s) found.", err=True)
        sys.exit(1)
    if fmt == "text":
        click.echo("Contracts are valid.")


@main.command()
@project_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when generated/ is out of date.")
@click.option("--force", is_flag=True, help="Compile even when nothing changed since the last run.")
def generate(project: Path, check: bool, force: bool) -> None:
    """Validate, then (re)write generated/."""
    started = time.perf_counter()
    if not check and not force:
        # `specgen generate` alone is answered in quick.py before click is imported; this is for `python -m`
        from generator.cli.quick import SKIPPED
        from generator.emit.manifest import up_to_date

        if up_to_date(project, project / "generated"):
            click.echo(SKIPPED.format(time.perf_counter() - started))
            return
    from generator.base.pysource import EmitError
    from generator.pipeline import generate as run

    try:
        result = run(project, check=check, reuse=not force)
    except EmitError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    _report(result.diagnostics, "text")
    if not result.ok:
        click.echo(f"{len(result.diagnostics)} problem(s) found; generated/ left unchanged.", err=True)
        sys.exit(1)
    if check:
        if result.changed:
            click.echo("generated/ is out of date; run `specgen generate`:", err=True)
            for path in result.changed:
                click.echo(f"  generated/{path}", err=True)
            sys.exit(1)
        click.echo("generated/ is up to date.")
        return
    elapsed = time.perf_counter() - started
    reused = f" ({', '.join(result.reused)} reused: its inputs did not change)" if result.reused else ""
    if result.changed:
        click.echo(f"generated/: {len(result.changed)} file(s) updated in {elapsed:.2f}s{reused}.")
    else:
        click.echo(f"generated/ is up to date ({elapsed:.2f}s){reused}.")


@main.command()
@project_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--reload", is_flag=True, help="Restart when generated/ or custom/ change.")
def serve(project: Path, host: str, port: int, workers: int, reload: bool) -> None:
    """Serve the generated app with its custom overrides under uvicorn."""
    from specgen_runtime.server import ServeError
    from specgen_runtime.server import serve as run

    try:
        run(project, host, port, workers, reload)
    except ServeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


@main.command()
@project_option
@click.option(
    "--time",
    "seconds",
    default=120,
    show_default=True,
    type=click.IntRange(5, 24 * 3600),
    help="Time budget in seconds.",
)
@click.option("--database-url", default=None, help="Fuzz against this database instead of a fresh SQLite file.")
@click.option("--seed", default=None, type=int, help="Schemathesis seed, to reproduce a run.")
@click.option(
    "--report",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write JUnit and NDJSON reports here.",
)
def fuzz(project: Path, seconds: int, database_url: str | None, seed: int | None, report: Path | None) -> None:
    """Schemathesis against the served contract: all checks, all phases, two identities."""
    try:
        import schemathesis  # noqa: F401
    except ImportError:
        click.echo("error: schemathesis is not installed: pip install 'specgen[dev]'", err=True)
        sys.exit(1)
    from generator.devtools.fuzz import run_fuzz

    try:
        code = run_fuzz(
            project, seconds, database_url=database_url, seed=seed, report=report.resolve() if report else None
        )
    except RuntimeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    sys.exit(code)


@main.command()
@project_option
@click.option("--database-url", default=None, help="Run against this database instead of a fresh SQLite file.")
def features(project: Path, database_url: str | None) -> None:
    """Run the scenarios in specs/feature/ against the served app."""
    from generator.devtools.feature_runner import run_all

    try:
        failures, total = run_all(project.resolve(), database_url)
    except RuntimeError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    for failure in failures:
        click.echo(f"FAIL {failure}\n", err=True)
    click.echo(f"{total - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures or total == 0 else 0)


def _migration(action: str, project: Path, revision_or_message: str) -> None:
    from specgen_runtime import migrations

    try:
        getattr(migrations, action)(project.resolve(), revision_or_message)
    except migrations.MigrationError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)


@main.command()
@project_option
@click.option("-m", "--message", required=True, help="What the revision changes.")
def migrate(project: Path, message: str) -> None:
    """Write a migration revision: the compiled tables compared with the database (review it!)."""
    _migration("migrate", project, message)


@main.command()
@project_option
@click.option("--revision", default="head", show_default=True)
def upgrade(project: Path, revision: str) -> None:
    """Apply migration revisions to the database."""
    _migration("upgrade", project, revision)


@main.command()
@project_option
@click.option("--revision", required=True, help="Where to go back to: -1 for one step, base for nothing.")
def downgrade(project: Path, revision: str) -> None:
    """Undo migration revisions."""
    _migration("downgrade", project, revision)


RESERVED_CLAIMS = {"sub", "exp", "iat", "nbf", "iss", "aud"}


@main.command()
@project_option
@click.option("--sub", required=True, help="The user id (the `sub` claim).")
@click.option(
    "--ttl", default=3600, show_default=True, type=click.IntRange(1, 10 * 365 * 86400), help="Seconds until expiry."
)
@click.option("--claim", "claims", multiple=True, metavar="KEY=VALUE", help="An extra claim (repeatable).")
def token(project: Path, sub: str, ttl: int, claims: tuple[str, ...]) -> None:
    """Print a development JWT signed with the configured HS secret."""
    import jwt

    from specgen_runtime.config import HS_ALGORITHMS, ConfigError, load_settings

    try:
        settings = load_settings(project.resolve())
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if settings.jwt_secret is None or settings.jwt_algorithms[0] not in HS_ALGORITHMS:
        click.echo("error: specgen token signs with JWT_SECRET; this deployment uses asymmetric keys", err=True)
        sys.exit(1)
    now = int(time.time())
    payload: dict[str, object] = {"sub": sub, "iat": now, "exp": now + ttl}
    if settings.jwt_issuer:
        payload["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        payload["aud"] = settings.jwt_audience
    for item in claims:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--claim")
        if key in RESERVED_CLAIMS:
            raise click.BadParameter(f"{key} is set by --sub/--ttl or the configuration", param_hint="--claim")
        payload[key] = value
    click.echo(jwt.encode(payload, settings.jwt_secret, algorithm=settings.jwt_algorithms[0]))


def entry() -> None:
    """The console script: click handles usage errors (exit 2); a crash never shows a traceback."""
    try:
        main(prog_name="specgen")
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("SPECGEN_DEBUG"):
            raise
        click.echo(
            f"specgen: internal error ({type(exc).__name__}); this is a bug in specgen, not in your contract. "
            "Rerun with SPECGEN_DEBUG=1 to see the traceback.",
            err=True,
        )
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    entry()
