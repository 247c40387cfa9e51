"""Mutated contracts for the loader/validator fuzz test: real projects, broken at random.

A seed is a real project's specs/ (the example, the golden cases, the rule fixtures' base). A mutant
changes one of its files either structurally (parse, change the data, dump as YAML or JSON) or
textually (bytes inserted, deleted, flipped; lines moved or re-indented). All randomness comes from
the `random.Random` passed in, so a case is reproduced by its seed:

    python -m tests.corpus.mutate --source notes --seed 1234 /tmp/case   # writes the mutant project
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the harness must not dominate
_Dumper: type = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

SOURCES = {
    "notes": REPO / "tests" / "rules" / "fixtures" / "_valid",  # 3.1, two API files
    "minimal": REPO / "tests" / "golden" / "minimal",  # 3.0.3
    "types": REPO / "tests" / "golden" / "types",  # 3.1, every column type
    "example": REPO,  # the full example: 3.1, common.yaml, three tables, feature specs
    "split30": REPO / "tests" / "corpus" / "seeds" / "split30",  # 3.0.3 over directories, whole-file refs
}


def seed_files(source: str) -> dict[str, bytes]:
    root = SOURCES[source]
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted((root / "specs").rglob("*"))
        if p.is_file() and p.suffix in (".yaml", ".yml")
    }


def write_files(project: Path, files: dict[str, bytes]) -> None:
    for rel, content in files.items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


@dataclass
class Mutant:
    target: str  # the one file that differs from the seed
    content: bytes
    log: list[str] = field(default_factory=list)


# --- values a contract should never contain, or only rarely -------------------------------------

REF_STRINGS = [
    "",
    "#",
    "#/",
    "#foo",
    "~",
    "#/components",
    "#/components/schemas",
    "#/components/schemas/Missing",
    "#/components/schemas/Note/properties",
    "#/components/schemas/Note/properties/id",
    "#/components/schemas/Note~",
    "#/components/schemas/%4Eote",
    "#/paths/~1notes/get",
    "#/paths/~1notes/get/responses",
    "#/info/title",
    "#/openapi",
    "#/security/0",
    "./common.yaml",
    "./common.yaml#",
    "./common.yaml#/components/responses/NotFound",
    "./common.yaml#/components/responses",
    "./common.yaml#/components/schemas/Problem",
    "common.yaml#/components/x/y/z",
    "./openapi.yaml",
    "./openapi.yaml#/components/schemas",
    "../database/tables.yaml#/tables",
    "../../../../../../etc/passwd",
    "./",
    ".",
    "/etc/hosts#/x",
    "C:\\specs\\x.yaml",
    "specs/api/common.yaml#/x",
    "http://example.com/x.yaml#/a",
    "https://example.com/x.yaml",
    "//example.com/x",
    "file:///etc/passwd",
    "mailto:a@b",
    "#/components/schemas/\u00e9\u00e8",
    "#/\x00",
    "./\u2603.yaml#/x",
]

WEIRD_STRINGS = [
    "",
    " ",
    "\t",
    "\u00e9t\u00e9",
    "\u2603\u2603",
    "\U0001f600",
    "\u202eevil",
    "\u0000",
    "a" * 5000,
    "{id}",
    "{",
    "/",
    "//",
    "/{x}/{x}",
    "~1",
    "$ref",
    "x-owner-scoped",
    "null",
    "true",
    "1e999",
    "class",
    "def",
    "None",
    "__init__",
    "1abc",
    "a-b",
    "a b",
    "\\",
    "'\"",
    "${x}",
    "{{ x }}",
    "*/*",
    "application/json",
    "text/plain",
    "bearer",
    "readOnly",
]

KEYS = [
    "$ref",
    "type",
    "format",
    "nullable",
    "readOnly",
    "writeOnly",
    "required",
    "properties",
    "items",
    "enum",
    "const",
    "default",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "additionalProperties",
    "x-owner-scoped",
    "operationId",
    "parameters",
    "requestBody",
    "responses",
    "content",
    "schema",
    "security",
    "servers",
    "tags",
    "links",
    "in",
    "name",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "pattern",
    "primary_key",
    "table",
    "timestamps",
    "indexes",
    "unique",
    "foreign_keys",
    "on_delete",
    "references",
    "columns",
    "200",
    "get",
    "post",
    "patch",
    "/",
    "/{id}",
]


def weird_value(rnd: random.Random, doc: Any) -> Any:
    kind = rnd.randrange(16)
    if kind == 0:
        return None
    if kind == 1:
        return rnd.choice([True, False])
    if kind == 2:
        return rnd.choice([0, -1, 1, 2**31, 2**63, 2**64 + 1, -(2**70), 10**40])
    if kind == 3:
        return rnd.choice([0.5, -0.0, 1e308, 3.0, 3.1, float("inf"), float("-inf"), float("nan")])
    if kind == 4:
        return rnd.choice(WEIRD_STRINGS)
    if kind == 5:
        return []
    if kind == 6:
        return {}
    if kind == 7:
        return nested(rnd.randrange(1, 120), rnd)
    if kind == 8:
        return {"$ref": rnd.choice(REF_STRINGS)}
    if kind == 9:
        return copy.deepcopy(random_node(rnd, doc)[1])  # some other part of the same document
    if kind == 10:
        return [copy.deepcopy(random_node(rnd, doc)[1])]
    if kind == 11:
        return rnd.choice(["string", "integer", "number", "boolean", "object", "array", "null", "file", "any"])
    if kind == 12:
        return rnd.choice([["string", "null"], ["null"], [], ["integer", "string"], ["object", "array"]])
    if kind == 13:
        return rnd.choice(["3.0.0", "3.0.3", "3.1.0", "3.1.1", "3.2.0", "2.0", "4.0.0", "3", "3.1.0-rc1", ""])
    if kind == 14:
        return {rnd.choice(KEYS): weird_value(rnd, doc)}
    return "".join(chr(rnd.choice([rnd.randrange(32, 127), rnd.randrange(0xA0, 0xD7FF)])) for _ in range(8))


def nested(depth: int, rnd: random.Random) -> Any:
    node: Any = rnd.choice([1, "x", None, {}])
    for _ in range(depth):
        node = {rnd.choice(KEYS): node} if rnd.random() < 0.5 else [node]
    return node


# --- walking the data -----------------------------------------------------------------------------


def containers(doc: Any) -> list[tuple[list[Any], Any]]:
    """Every dict and list of the document with its path (iteratively: mutants may be deep)."""
    found: list[tuple[list[Any], Any]] = []
    stack: list[tuple[list[Any], Any]] = [([], doc)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            found.append((path, node))
            stack.extend((path + [k], v) for k, v in node.items())
        elif isinstance(node, list):
            found.append((path, node))
            stack.extend((path + [i], v) for i, v in enumerate(node))
    return found


def random_node(rnd: random.Random, doc: Any) -> tuple[list[Any], Any]:
    """A random container, biased towards deep ones (that is where schemas and operations are)."""
    found = containers(doc)
    found.sort(key=lambda item: len(item[0]))
    return found[min(len(found) - 1, int(len(found) * rnd.random() ** 0.5))]


def structural(rnd: random.Random, doc: Any, log: list[str]) -> Any:
    """One change to the parsed data; returns the (possibly new) root."""
    if not isinstance(doc, (dict, list)) or not doc:
        log.append("root replaced")
        return weird_value(rnd, {})
    path, node = random_node(rnd, doc)
    keys = list(node) if isinstance(node, dict) else list(range(len(node)))
    op = rnd.randrange(9)
    if not keys or op == 0:  # add a key or item
        value = weird_value(rnd, doc)
        if isinstance(node, dict):
            key: Any = rnd.choice(KEYS + WEIRD_STRINGS + [0, 200, 1.5, True, None])
            node[key] = value
        else:
            key = len(node)
            node.append(value)
        log.append(f"add {path}+{key!r} = {short(value)}")
        return doc
    key = rnd.choice(keys)
    if op == 1:
        del node[key]
        log.append(f"delete {path + [key]}")
    elif op in (2, 3, 4):
        node[key] = weird_value(rnd, doc)
        log.append(f"replace {path + [key]} = {short(node[key])}")
    elif op == 5 and isinstance(node, dict):  # rename a key
        new = rnd.choice(KEYS + WEIRD_STRINGS + [0, 404, None, False])
        node[new] = node.pop(key)
        log.append(f"rename {path + [key]} -> {new!r}")
    elif op == 6:  # duplicate a subtree into another place
        other_path, other = random_node(rnd, doc)
        target = rnd.choice(KEYS) if isinstance(other, dict) else len(other)
        if isinstance(other, dict):
            other[target] = copy.deepcopy(node[key])
        else:
            other.append(copy.deepcopy(node[key]))
        log.append(f"copy {path + [key]} to {other_path}+{target!r}")
    elif op == 7:  # swap two subtrees
        other_path, other = random_node(rnd, doc)
        other_keys = list(other) if isinstance(other, dict) else list(range(len(other)))
        if other_keys:
            other_key = rnd.choice(other_keys)
            a, b = node[key], other[other_key]
            if a is not other and b is not node:  # never make a structure contain itself
                node[key], other[other_key] = copy.deepcopy(b), copy.deepcopy(a)
                log.append(f"swap {path + [key]} <-> {other_path + [other_key]}")
    else:  # wrap a value in a list or a mapping
        node[key] = [node[key]] if rnd.random() < 0.5 else {rnd.choice(KEYS): node[key]}
        log.append(f"wrap {path + [key]}")
    return doc


def short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


YAML_BITS = [
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "'",
    '"',
    "#",
    "&a ",
    "*a",
    "*nope",
    "? ",
    "|",
    ">-",
    "!!binary ",
    "!!python/object:os.system ",
    "!custom ",
    "%YAML 1.1\n---\n",
    "---\n",
    "...\n",
    "<<: *a\n",
    "\t",
    "\n",
    "  ",
    "\x00",
    "\x1b",
    "\ufeff",
    "\u2028",
    "$ref: '#'\n",
    "$ref: ./common.yaml\n",
    "[" * 200,
    "{a: " * 60,
]


def textual(rnd: random.Random, data: bytes, log: list[str]) -> bytes:
    """One change to the bytes of a file."""
    pos = rnd.randrange(len(data) + 1)
    op = rnd.randrange(9)
    if op == 0:
        bit = rnd.choice(YAML_BITS).encode()
        log.append(f"insert {bit[:20]!r} at byte {pos}")
        return data[:pos] + bit + data[pos:]
    if op == 1:
        blob = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 6)))
        log.append(f"insert bytes {blob!r} at byte {pos}")
        return data[:pos] + blob + data[pos:]
    if op == 2:
        end = min(len(data), pos + rnd.randrange(1, 40))
        log.append(f"delete bytes {pos}..{end}")
        return data[:pos] + data[end:]
    if op == 3 and data:
        pos = min(pos, len(data) - 1)
        flipped = data[pos] ^ (1 << rnd.randrange(8))
        log.append(f"flip byte {pos} to {flipped:#x}")
        return data[:pos] + bytes([flipped]) + data[pos + 1 :]
    if op == 4:
        log.append(f"truncate at byte {pos}")
        return data[:pos]
    lines = data.split(b"\n")
    i = rnd.randrange(len(lines))
    if op == 5:
        j = rnd.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        log.append(f"swap lines {i + 1} and {j + 1}")
    elif op == 6:
        lines.insert(rnd.randrange(len(lines) + 1), lines[i])
        log.append(f"duplicate line {i + 1}")
    elif op == 7:
        del lines[i]
        log.append(f"delete line {i + 1}")
    else:
        indent = rnd.choice([b" ", b"  ", b"\t", b"   "])
        if rnd.random() < 0.5:
            lines[i] = indent + lines[i]
            log.append(f"indent line {i + 1} by {indent!r}")
        else:
            lines[i] = lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i].lstrip()
            log.append(f"dedent line {i + 1}")
    return b"\n".join(lines)


def dump(rnd: random.Random, data: Any, log: list[str]) -> bytes:
    if rnd.random() < 0.15:
        log.append("written as JSON")
        try:
            return json.dumps(data, ensure_ascii=rnd.random() < 0.5, indent=rnd.choice([None, 2])).encode()
        except (TypeError, ValueError):  # keys JSON cannot hold (None, tuples): YAML can
            pass
    width = rnd.choice([80, 10_000])
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=width).encode()


def mutate(files: dict[str, bytes], rnd: random.Random, textual_share: float = 0.5) -> Mutant:
    """One to four mutations of one file (the root contract half of the time)."""
    log: list[str] = []
    names = sorted(files)
    root = next(n for n in names if n.endswith("api/openapi.yaml"))
    target = root if rnd.random() < 0.5 else rnd.choice(names)
    count = rnd.choice([1, 1, 1, 2, 2, 3, 4])
    if rnd.random() < textual_share:
        data = files[target]
        for _ in range(count):
            data = textual(rnd, data, log)
    else:
        doc = yaml.load(files[target], Loader=_Loader)  # noqa: S506 - a safe loader
        for _ in range(count):
            doc = structural(rnd, doc, log)
        data = dump(rnd, doc, log)
    return Mutant(target, data, [f"file {target}:", *log])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", choices=sorted(SOURCES), required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--textual-share", type=float, default=0.5)
    parser.add_argument("dest", type=Path)
    args = parser.parse_args(argv)
    files = seed_files(args.source)
    mutant = mutate(files, random.Random(args.seed), args.textual_share)
    write_files(args.dest, {**files, mutant.target: mutant.content})
    print("\n".join(mutant.log))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
