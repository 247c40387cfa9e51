"""fast_yaml builds exactly what PyYAML's SafeLoader builds, or leaves the file to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.base.diagnostics import join_pointer
from generator.load import fast_yaml
from generator.load.loader import _UniqueKeyLoader, load_yaml

REPO = Path(__file__).resolve().parents[1]

SCALARS = [
    "a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: False",
    "a: 0x1F\nb: 0o17\nc: 017\nd: 1_000\ne: 190:20:30\nf: -12\ng: +7\nh: 0b101",
    "a: 1.5e3\nb: .inf\nc: -.Inf\nd: 6.8523015e+5\ne: 1_000.5\nf: 190:20:30.15\ng: .5",
    "a: ~\nb: null\nc: ''\nd:\ne: Null",
    "a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\nc: 2001-12-14 21:59:43.10\nd: '2001-12-14'",
    "a: '123'\nb: \"true\"\nc: !!str 123\nd: !!int '7'\ne: !!float 1\nf: !!binary aGVsbG8=\ng: !!bool 'yes'",
    "a: |\n  block\n  text\nb: >\n  folded\n  text\nc: \"esc\\u00e9\\n\"\nd: 'it''s'",
    "200: ok\n1.5: x\n~: n\ntrue: t\n2001-01-01: d\n'404': quoted",
    "? explicit\n: value\nplain key with spaces: v\n",
    "[1, 2, {a: b}, [c, [d]], '', ~]",
    "- &x {a: 1}\n- *x\n- &s scalar\n- *s\n- {*s : 3}",
    "---\na: 1\n...\n",
    "1: a\ntrue: b",  # keys are the text written: "1" and "true" are two keys
    "",
    "# only a comment\n",
    "just a scalar",
    "a: ! 12\nb: !!map {c: 1}\nc: !!seq [1]",
    "a: 12:30\nb: 1e3\nc: 0.\nd: -0",
    "a: !!binary '%%%'",
]

LEFT_TO_PYYAML = [
    "a: 1\na: 2",
    "base: &b {a: 1}\nderived:\n  <<: *b\n  c: 2",
    "a: !custom x",
    "? [a]\n: 1",
    "---\na: 1\n---\nb: 2",
    "a: [unclosed",
    "&a [*a]",
    "a: !!set {x, y}",
    "a: !!omap [x: 1]",
    "a: *undefined",
    "e: =",
    "[" * 150 + "]" * 150,
]


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 == 1.0 == True would hide a difference)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(k, k2) and same(a[k], b[k2]) for k, k2 in zip(a, b, strict=True))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b or (a != a and b != b)  # NaN


def pyyaml(text: str) -> Any:
    return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass


@pytest.mark.parametrize("text", SCALARS)
def test_contract_yaml_is_built_as_pyyaml_builds_it(text: str) -> None:
    assert same(fast_yaml.load(text), pyyaml(text))


@pytest.mark.parametrize("text", LEFT_TO_PYYAML)
def test_anything_else_is_left_to_pyyaml(text: str) -> None:
    with pytest.raises(fast_yaml.Unsupported):
        fast_yaml.load(text)


def test_every_yaml_file_of_the_repository_loads_the_same() -> None:
    files = [p for p in REPO.glob("**/*.y*ml") if ".venv" not in p.parts and ".cache" not in p.parts]
    assert len(files) > 50
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            fast = fast_yaml.load(text)
        except fast_yaml.Unsupported:
            continue  # PyYAML's answer is used as it is
        assert same(fast, pyyaml(text)), path


def test_aliases_share_the_object_as_in_pyyaml() -> None:
    data = fast_yaml.load("a: &x {k: 1}\nb: *x\n")
    assert data["a"] is data["b"]


def test_a_duplicate_key_is_still_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("a: 1\nb: 2\na: 3\n")
    source, diags = load_yaml(path, "dup.yaml")
    assert source is None
    assert [(d.rule, d.line) for d in diags] == [("yaml-syntax", 3)]


def pointers_of(data: Any, prefix: str = "") -> list[str]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += pointers_of(value, join_pointer(prefix, str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out += pointers_of(value, join_pointer(prefix, index))
    return out


LOCATE = [
    "a:\n  b: [1, {c: 2}]\n  'd/e': x\n",
    "base: &b {k: 1, deep: {x: 2}}\nuse: *b\nname: &n key\n*n : value\n",
    "- a\n- - b\n  - c\n- {? complex : 1, plain: 2}\n",
    "",
    "just a scalar",
]


@pytest.mark.parametrize("text", LOCATE)
def test_prefetched_positions_are_those_of_the_node_tree(tmp_path: Path, text: str) -> None:
    check_positions(tmp_path, text)


def test_prefetched_positions_match_on_the_example_contract(tmp_path: Path) -> None:
    for path in (REPO / "specs").rglob("*.yaml"):
        check_positions(tmp_path, path.read_text())


def check_positions(tmp_path: Path, text: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(text)
    composed, _ = load_yaml(path, "f.yaml")
    fast, _ = load_yaml(path, "f.yaml")
    assert composed is not None and fast is not None
    pointers = [*pointers_of(composed.data), "/missing", "/0/missing/deeper", "/use/deep/x"]
    fast.prefetch(pointers)
    for pointer in pointers:
        assert fast.locate(pointer) == composed.locate(pointer), pointer
