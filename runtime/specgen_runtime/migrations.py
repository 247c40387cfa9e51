"""Alembic migrations for a specgen project, kept in <project>/migrations/.

`specgen migrate -m MSG` autogenerates a revision from the difference between the
compiled tables (generated/tables.py) and the database; a human reviews it and
commits it. `specgen upgrade` / `specgen downgrade` apply revisions. The server
itself never creates or alters tables unless SPECGEN_CREATE_TABLES=1 (throwaway
test databases only).
"""

from __future__ import annotations

from pathlib import Path

MIGRATIONS_DIR = "migrations"

ENV_PY = '''"""Alembic environment of this project, written once by `specgen migrate`: yours to edit."""

from alembic import context

from specgen_runtime.migration_env import run_migrations

run_migrations(context)
'''

SCRIPT_MAKO = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}

revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''


class MigrationError(Exception):
    pass


def _config(project: Path) -> object:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(project / MIGRATIONS_DIR))
    config.set_main_option("specgen_project", str(project))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def ensure_migrations_dir(project: Path) -> bool:
    """Create migrations/ with its env.py on first use; True when it was created."""
    directory = project / MIGRATIONS_DIR
    if (directory / "env.py").is_file():
        return False
    (directory / "versions").mkdir(parents=True, exist_ok=True)
    (directory / "env.py").write_text(ENV_PY, encoding="utf-8")
    (directory / "script.py.mako").write_text(SCRIPT_MAKO, encoding="utf-8")
    return True


def _run(action: str, project: Path, *args: object, **kwargs: object) -> None:
    from alembic import command
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    try:
        getattr(command, action)(_config(project), *args, **kwargs)
    except CommandError as exc:
        raise MigrationError(str(exc)) from None
    except SQLAlchemyError as exc:
        raise MigrationError(
            f"the database refused the migration: {type(exc).__name__}: {str(exc.orig if hasattr(exc, 'orig') else exc)[:300]}"
        ) from None


def migrate(project: Path, message: str) -> None:
    ensure_migrations_dir(project)
    _run("revision", project, message=message, autogenerate=True)


def upgrade(project: Path, revision: str = "head") -> None:
    if not (project / MIGRATIONS_DIR / "env.py").is_file():
        raise MigrationError("no migrations/ yet: run `specgen migrate -m initial` first")
    _run("upgrade", project, revision)


def downgrade(project: Path, revision: str) -> None:
    _run("downgrade", project, revision)
