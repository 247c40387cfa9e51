"""Where every rule reports: a diagnostic at a file and pointer, located later by the pipeline."""

from __future__ import annotations

from generator.base.diagnostics import Diagnostic
from generator.load.contract import Contract


class Reporter:
    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.diags: list[Diagnostic] = []

    def api(self, pointer: str, rule: str, message: str) -> None:
        file, ptr = self.contract.api.source_of(pointer)
        self.diags.append(Diagnostic(file, ptr, rule, message))

    def at(self, file: str, pointer: str, rule: str, message: str) -> None:
        self.diags.append(Diagnostic(file, pointer, rule, message))
