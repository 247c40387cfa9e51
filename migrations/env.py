"""Alembic environment of this project, written once by `specgen migrate`: yours to edit."""

from alembic import context

from specgen_runtime.migration_env import run_migrations

run_migrations(context)
