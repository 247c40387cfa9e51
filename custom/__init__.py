"""Handwritten behaviour. The one registration point: `services()`.

specgen never writes here. Each override subclasses the generated default
service of its group and replaces methods by operationId (snake_case); mypy and
the startup check compare their signatures with the contract.
"""

from custom.tasks import TasksOverrides
from generated.services import Services


def services() -> Services:
    return Services(tasks=TasksOverrides())
