"""The rule registry (generator/base/rules.py) is the one list of rules: the docs show it, each rule
is reported where it says, and each is tripped by a fixture or by the test it names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.base.diagnostics import Diagnostic
from generator.base.rules import RULES, Rule, markdown_table
from generator.load.loader import load_yaml
from tests.rules.test_rules import expected_of, rule_fixture_names
from tests.support import REPO

TABLE = re.compile(r"^\|[^\n]*\|\n\|---\|[^\n]*\n(?:\|[^\n]*\|\n)+", re.M)


@pytest.mark.parametrize(("doc", "path"), [("contract", "docs/contract.md"), ("features", "docs/features.md")])
def test_the_docs_show_the_registry_as_it_is(doc: str, path: str) -> None:
    tables = TABLE.findall((REPO / path).read_text(encoding="utf-8"))
    expected = markdown_table(doc)
    assert expected in tables, f"{path}: replace its rule table with\n{expected}"


@pytest.mark.parametrize("rule", RULES.values(), ids=lambda r: r.id)
def test_each_rule_is_reported_by_the_modules_it_names(rule: Rule) -> None:
    for module in rule.modules:
        assert f'"{rule.id}"' in (REPO / "generator" / module).read_text(encoding="utf-8"), module


def test_each_rule_is_tripped_by_a_fixture_or_by_the_test_it_names() -> None:
    by_fixture = {d["rule"] for name in rule_fixture_names() for d in expected_of(name)}
    untested = [
        r.id
        for r in RULES.values()
        if r.id not in by_fixture
        and (r.tested_by is None or r.id not in (REPO / r.tested_by).read_text(encoding="utf-8"))
    ]
    assert untested == []


def test_a_diagnostic_with_an_undeclared_rule_is_a_bug_and_raises() -> None:
    with pytest.raises(ValueError, match="not in generator/base/rules.py"):
        Diagnostic("specs/api/openapi.yaml", "", "no-such-rule", "x")


def test_a_diagnostic_takes_its_severity_from_the_registry() -> None:
    assert Diagnostic("specs/api/openapi.yaml", "/webhooks", "webhooks-ignored", "x").severity == "note"
    assert Diagnostic("specs/api/openapi.yaml", "", "yaml-syntax", "x").severity == "error"


def test_a_file_that_vanished_is_file_missing_and_a_folder_is_file_unreadable(tmp_path: Path) -> None:
    source, diags = load_yaml(tmp_path / "gone.yaml", "specs/api/gone.yaml")
    assert source is None and [(d.file, d.rule) for d in diags] == [("specs/api/gone.yaml", "file-missing")]
    (tmp_path / "folder.yaml").mkdir()
    source, diags = load_yaml(tmp_path / "folder.yaml", "specs/api/folder.yaml")
    assert source is None and [d.rule for d in diags] == ["file-unreadable"]
