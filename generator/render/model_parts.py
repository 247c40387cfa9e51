"""models.py from datamodel-code-generator, run in parts side by side.

datamodel-code-generator is single-threaded, and on a large contract it is most of
`specgen generate` (GitHub's contract: 2,800 model schemas, 7 s in one run). So they are dealt into
parts; each part's document also holds every schema its models reference, so it stands alone.
The parts run in separate processes and their outputs are merged:
- a model class is taken from the part it was dealt to; the copies other parts made of it, as
  references, are dropped;
- a class datamodel-code-generator named itself (an inline schema) is kept where a kept class
  uses it, renamed when another part chose the same name;
- imports are merged, enums go first (a default may name a member), and a class comes after
  the classes its bases name.
How many parts, and which schema goes where, depend only on the contract, never on the machine,
so the output does too.
"""

from __future__ import annotations

import ast
import gc
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from generator.base.background import Background
from generator.base.names import unique
from generator.model.schemas import referenced_schemas

# One part per this many model schemas, at most MAX_PARTS: below it a fork costs more than it saves.
SCHEMAS_PER_PART = 300
MAX_PARTS = 2  # the machines we measure on have two cores; more parts would repeat more shared schemas
_ENUM_BASES = {"Enum", "StrEnum", "IntEnum"}


class MergeError(Exception):
    """The parts cannot be merged safely; the models are generated in one run instead."""


@dataclass
class Block:
    """One top-level definition of a part's output."""

    name: str
    text: bytes  # UTF-8, as ast's column offsets count
    spots: list[tuple[int, int, str]]  # (start, end, name) in text of each name this part may rename
    uses: set[str]  # the names of this part's own classes it mentions
    needs: set[str]  # names evaluated when it runs: bases, decorators, values (not the lazy annotations)
    enum: bool


@dataclass
class Part:
    imports: dict[tuple[str, int], dict[tuple[str, str | None], None]] = field(default_factory=dict)
    plain_imports: dict[str, None] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    # statements after the definitions, e.g. `TreeNode.model_rebuild()`, by the class they act on
    # ("" when they are something else, which only a single part can keep)
    tail: list[Block] = field(default_factory=list)


def deal(schemas: dict[str, Any], closure: dict[str, set[str]]) -> list[list[str]]:
    """The model schemas of each part, balanced by the size of what each part has to render."""
    count = max(1, min(MAX_PARTS, len(schemas) // SCHEMAS_PER_PART))
    if count == 1:
        return [list(schemas)]
    size = {name: len(json.dumps(schema, default=str)) for name, schema in schemas.items()}
    weight = {name: sum(size[n] for n in closure[name]) for name in schemas}
    held: list[set[str]] = [set() for _ in range(count)]
    load = [0] * count
    parts: list[list[str]] = [[] for _ in range(count)]
    # the heaviest first, each where it adds the least, so shared schemas tend to stay together
    for name in sorted(schemas, key=lambda n: (-weight[n], n)):
        added = [sum(size[n] for n in closure[name] - held[i]) for i in range(count)]
        best = min(range(count), key=lambda i: (load[i] + added[i], i))
        parts[best].append(name)
        held[best] |= closure[name]
        load[best] += added[best]
    order = {name: i for i, name in enumerate(schemas)}
    return [sorted(p, key=order.__getitem__) for p in parts if p]


def part_document(schemas: dict[str, Any], home: list[str], closure: dict[str, set[str]], title: str) -> dict[str, Any]:
    wanted: set[str] = set()
    for name in home:
        wanted |= closure[name]
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "0"},
        "paths": {},
        "components": {"schemas": {n: s for n, s in schemas.items() if n in wanted}},  # contract order kept
    }


class PartsJob:
    """The parts of the models, started at once in processes of their own; `result()` merges them.

    Each part runs in a child of this process (background.py), so the parts and whatever this
    process does meanwhile (the spec validator) share the cores.
    """

    def __init__(
        self,
        schemas: dict[str, Any],
        title: str,
        generate: Callable[[dict[str, Any]], str],
        reserved: frozenset[str] = frozenset(),
    ) -> None:
        """`reserved`: names models.py binds besides the classes (aliases), which no invented class may take."""
        refs = {name: referenced_schemas(schema) & schemas.keys() for name, schema in schemas.items()}
        self._closure = {name: _closure(name, refs) for name in schemas}
        self._schemas, self._title, self._generate, self._reserved = schemas, title, generate, reserved
        self._homes = deal(schemas, self._closure)
        self._jobs = [Background(_parsed_part, generate, self._document(home)) for home in self._homes]

    def _document(self, home: list[str]) -> dict[str, Any]:
        return part_document(self._schemas, home, self._closure, self._title)

    def result(self) -> tuple[str, set[str]]:
        """The merged models (imports, then definitions) and the names they define."""
        parts = [job.result() for job in self._jobs]
        models = set(self._schemas)
        try:
            return merge(parts, self._homes, models, self._reserved)
        except MergeError:
            if len(parts) == 1:
                raise
        whole = list(self._schemas)  # correct but slower: one run over the whole document
        return merge([_parsed_part(self._generate, self._document(whole))], [whole], models, self._reserved)

    def cancel(self) -> None:
        for job in self._jobs:
            job.cancel()


def generate_in_parts(
    schemas: dict[str, Any], title: str, generate: Callable[[dict[str, Any]], str]
) -> tuple[str, set[str]]:
    return PartsJob(schemas, title, generate).result()


def _parsed_part(generate: Callable[[dict[str, Any]], str], document: dict[str, Any]) -> Part:
    models = set(document["components"]["schemas"])
    gc_was_on = gc.isenabled()  # off in a child of background.py; on when run here
    gc.disable()  # a short run that makes millions of objects and frees few: collecting is a fifth of it
    try:
        with warnings.catch_warnings():
            # e.g. "max_length dropped for AnyUrl": the column's length still bounds the value
            warnings.simplefilter("ignore")
            return parse_part(generate(document), models)
    finally:
        if gc_was_on:
            gc.enable()


def parse_part(code: str, models: set[str]) -> Part:
    """A part's output, cut into its definitions; `models` are the classes the contract names."""
    tree = ast.parse(code)
    lines = code.encode("utf-8").splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    invented = {
        n.name if isinstance(n, ast.ClassDef) else n.targets[0].id  # type: ignore[attr-defined]
        for n in tree.body
        if isinstance(n, ast.ClassDef) or (isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name))
    } - models
    part = Part()

    def block(name: str, node: ast.stmt, needs: set[str]) -> Block:
        decorators = getattr(node, "decorator_list", None) or []
        first = min([node.lineno] + [d.lineno for d in decorators])
        base = starts[first - 1]
        found = [n for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in invented]
        spots = [
            (starts[n.lineno - 1] - base + n.col_offset, starts[n.lineno - 1] - base + (n.end_col_offset or 0), n.id)
            for n in found
        ]
        if isinstance(node, ast.ClassDef) and name in invented:  # the class's own name is not an ast.Name
            at = starts[node.lineno - 1] - base + lines[node.lineno - 1].index(b"class ") + len(b"class ")
            spots.append((at, at + len(name.encode()), name))
        text = b"".join(lines[first - 1 : node.end_lineno or node.lineno])
        enum = isinstance(node, ast.ClassDef) and any(
            isinstance(b, ast.Name) and b.id in _ENUM_BASES for b in node.bases
        )
        return Block(name, text, spots, {n.id for n in found}, needs, enum)

    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            names = part.imports.setdefault((node.module or "", node.level), {})
            for alias in node.names:
                names[(alias.name, alias.asname)] = None
        elif isinstance(node, ast.Import):
            for alias in node.names:
                part.plain_imports[f"{alias.name} as {alias.asname}" if alias.asname else alias.name] = None
        elif isinstance(node, ast.ClassDef):
            part.blocks.append(block(node.name, node, _class_needs(node)))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            part.blocks.append(block(node.targets[0].id, node, _mentions(node.value)))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring
        else:
            call = node.value if isinstance(node, ast.Expr) else None
            func = call.func if isinstance(call, ast.Call) else None
            target = func.value if isinstance(func, ast.Attribute) else None
            part.tail.append(block(target.id if isinstance(target, ast.Name) else "", node, set()))
    return part


def _mentions(node: ast.AST | None) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} if node is not None else set()


def _class_needs(node: ast.ClassDef) -> set[str]:
    needs: set[str] = set()
    for item in [*node.bases, *node.keywords, *node.decorator_list]:
        needs |= _mentions(item)
    for statement in node.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)):
            needs |= _mentions(statement.value)  # annotations are lazy: `from __future__ import annotations`
    return needs


def merge(
    parts: list[Part], homes: list[list[str]], models: set[str], reserved: frozenset[str] = frozenset()
) -> tuple[str, set[str]]:
    imported = {alias or name.split(".")[0] for p in parts for names in p.imports.values() for name, alias in names}
    imported |= {entry.split(" as ")[-1].split(".")[0] for p in parts for entry in p.plain_imports}
    taken = set(models) | imported | reserved
    kept: list[Block] = []
    tail: dict[bytes, Block] = {}
    for part, home in zip(parts, homes, strict=True):
        defined = {b.name: b for b in part.blocks}
        missing = set(home) - defined.keys()
        if missing and len(parts) > 1:  # one run reports them itself (render.py)
            raise MergeError(f"a part did not define {', '.join(sorted(missing))}")
        keep = set(home) - missing
        stack = list(keep)
        while stack:  # the classes this part invented that its own models use
            for name in defined[stack.pop()].uses:
                if name in defined and name not in models and name not in keep:
                    keep.add(name)
                    stack.append(name)
        renames: dict[str, str] = {}
        for block in part.blocks:
            if block.name in keep and block.name not in models:
                if block.name in taken:
                    renames[block.name] = unique(block.name.rstrip("0123456789") or block.name, taken)
                else:
                    taken.add(block.name)
        kept += [_renamed(b, renames) for b in part.blocks if b.name in keep]
        for statement in part.tail:
            if len(parts) > 1 and not statement.name:
                raise MergeError(f"a statement the merge cannot place: {statement.text[:80]!r}")
            if len(parts) == 1 or statement.name in keep:  # a copy's statements come with its home part
                renamed = _renamed(statement, renames)
                tail.setdefault(renamed.text, renamed)
    blocks = _ordered(kept) + list(tail.values())
    text = _imports(parts) + "\n\n" + "\n\n".join(b.text.decode("utf-8").rstrip("\n") for b in blocks)
    return text + "\n", {b.name for b in kept}


def _renamed(block: Block, renames: dict[str, str]) -> Block:
    edits = sorted((spot for spot in block.spots if spot[2] in renames), reverse=True)
    if not edits:
        return block
    text = block.text
    for start, end, name in edits:  # right to left, so earlier offsets stay valid
        text = text[:start] + renames[name].encode() + text[end:]

    def new(name: str) -> str:
        return renames.get(name, name)

    return Block(new(block.name), text, [], {new(n) for n in block.uses}, {new(n) for n in block.needs}, block.enum)


def _ordered(blocks: list[Block]) -> list[Block]:
    """Enums first, then the order given, except that a block comes after what it needs to run."""
    by_name = {b.name: b for b in blocks}
    done: dict[str, None] = {}

    def visit(block: Block, path: set[str]) -> None:
        if block.name in done or block.name in path:
            return
        path.add(block.name)
        for need in sorted(block.needs):
            if need in by_name and need != block.name:
                visit(by_name[need], path)
        done[block.name] = None

    for block in [b for b in blocks if b.enum] + [b for b in blocks if not b.enum]:
        visit(block, set())
    return [by_name[name] for name in done]


def _imports(parts: list[Part]) -> str:
    merged: dict[tuple[str, int], dict[tuple[str, str | None], None]] = {}
    plain: dict[str, None] = {}
    for part in parts:
        for key, names in part.imports.items():
            merged.setdefault(key, {}).update(names)
        plain.update(part.plain_imports)
    lines = [f"import {entry}" for entry in sorted(plain)]
    for (module, level), names in sorted(merged.items(), key=lambda kv: (kv[0][0] != "__future__", kv[0])):
        listed = ", ".join(f"{n} as {a}" if a else n for n, a in sorted(names, key=lambda na: (na[0], na[1] or "")))
        lines.append(f"from {'.' * level}{module} import {listed}")
    future = [line for line in lines if line.startswith("from __future__")]
    return "\n".join(future + [line for line in lines if line not in future])


def _closure(name: str, refs: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    stack = [name]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(refs.get(current, ()))
    return seen
