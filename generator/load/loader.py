"""Load contract files: YAML parsed with libyaml, positions found on demand.

Parsing is done once with libyaml into plain Python data: by fast_yaml.py from
the event stream, or, for anything it leaves alone, by PyYAML's C loader. When a
diagnostic must be shown, the file is composed again into a node tree that
keeps marks, and the JSON pointer is walked down that tree to a line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.base.diagnostics import Diagnostic, split_pointer
from generator.load import fast_yaml

try:  # libyaml is an order of magnitude faster; fall back for odd builds
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


class _UniqueKeyLoader(_Loader):  # type: ignore[misc]
    """A YAML mapping with the same key twice is a contract error, not last-wins; only true/false are
    booleans (YAML 1.2)."""


MERGE_TAG = "tag:yaml.org,2002:merge"
# only true/false are booleans, on both paths (see fast_yaml.Yaml12Resolver)
_UniqueKeyLoader.yaml_implicit_resolvers = fast_yaml.Yaml12Resolver.yaml_implicit_resolvers
_PLAIN_KEY_TAGS = {f"tag:yaml.org,2002:{kind}" for kind in ("str", "int", "float", "bool", "null")}


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
    """Keys are kept as written, as strings: OpenAPI is a JSON model, so `200:` means "200" (an int key
    crashes the spec validator's backend), and `on:` or `null:` stay the names the designer typed."""
    seen: set[str] = set()
    for key_node, _ in node.value:
        if key_node.tag == MERGE_TAG:
            continue  # `<<: *anchor` merges are flattened below; explicit keys may override them
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value, not a list or mapping", key_node.start_mark
            )
        if key_node.tag not in _PLAIN_KEY_TAGS:
            loader.construct_object(key_node)  # an unknown tag (!!python/...) fails here as on a value
        if key_node.value in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
            )
        seen.add(key_node.value)
    loader.flatten_mapping(node)
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):  # a merged mapping's own key
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value, not a list or mapping", key_node.start_mark
            )
        mapping[key_node.value] = loader.construct_object(value_node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class SourceFile:
    path: Path
    display: str  # path relative to the project, as shown in diagnostics
    text: str
    data: Any
    _nodes: yaml.Node | None = field(default=None, repr=False)
    _marks: dict[tuple[str, ...], tuple[int, int]] = field(default_factory=dict, repr=False)
    _prefetched: set[tuple[str, ...]] = field(default_factory=set, repr=False)

    def prefetch(self, pointers: list[str]) -> None:
        """Find the positions of many pointers in one pass over libyaml's events, far cheaper on a
        large file than composing the node tree; locate() then answers them from there."""
        paths = [tuple(split_pointer(p)) for p in pointers]
        try:
            self._marks.update(fast_yaml.marks(self.text, paths))
        except fast_yaml.Unsupported:
            return  # locate() composes the node tree, as before
        self._prefetched.update(paths)

    def locate(self, pointer: str) -> tuple[int, int]:
        """Line and column (1-based) of the deepest node the pointer reaches."""
        path = tuple(split_pointer(pointer))
        if path in self._prefetched:
            if () not in self._marks:
                return (1, 1)
            line, col = self._marks[()]
            for i in range(1, len(path) + 1):
                if path[:i] not in self._marks:
                    break
                line, col = self._marks[path[:i]]
            return (line + 1, col + 1)
        if self._nodes is None:
            try:
                self._nodes = yaml.compose(self.text, Loader=_Loader)
            except yaml.YAMLError:
                return (1, 1)
        node = self._nodes
        if node is None:
            return (1, 1)
        best = node.start_mark
        for token in split_pointer(pointer):
            child = None
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if str(key_node.value) == token:
                        child = value_node
                        best = key_node.start_mark
                        break
            elif isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
                child = node.value[int(token)]
                best = child.start_mark
            if child is None:
                break
            node = child
        return (best.line + 1, best.column + 1)


def load_yaml(path: Path, display: str) -> tuple[SourceFile | None, list[Diagnostic]]:
    """Read and parse one YAML file; problems come back as diagnostics."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Diagnostic(display, "", "file-missing", "file not found")]
    except OSError as exc:
        return None, [Diagnostic(display, "", "file-unreadable", f"cannot read file: {exc.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = raw[exc.start]
        return None, [
            Diagnostic(
                display, "", "yaml-syntax", f"file is not UTF-8: byte 0x{bad:02X} cannot be decoded", line=line, col=col
            )
        ]
    try:
        data, aliased = fast_yaml.load_noting_aliases(text)
        parsed = True
    except fast_yaml.Unsupported:  # PyYAML gives the same data, or the located error (below)
        data, aliased, parsed = None, True, False
    # aliases share their node, so loading cannot blow up; walking the data later could
    alias_problem = _alias_problem(text) if aliased else None
    if alias_problem is not None:
        (line, col), message = alias_problem
        return None, [Diagnostic(display, "", "yaml-syntax", message, line=line, col=col)]
    if not parsed:
        data, diags = _load_with_pyyaml(text, display)
        if diags:
            return None, diags
    return SourceFile(path=path, display=display, text=text, data=data), []


def _load_with_pyyaml(text: str, display: str) -> tuple[Any, list[Diagnostic]]:
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        (line, col), problem = _syntax_error(text, exc)
        return None, [Diagnostic(display, "", "yaml-syntax", problem, line=line, col=col)]
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow anywhere
        index = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        index = index if index >= 0 else min(exc.position, len(text))
        line = text.count("\n", 0, index) + 1
        col = index - (text.rfind("\n", 0, index) + 1) + 1
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        return None, [
            Diagnostic(display, "", "yaml-syntax", f"character {char} is not allowed in YAML", line=line, col=col)
        ]
    except RecursionError:
        line, col = _deepest_line(text)
        return None, [
            Diagnostic(display, "", "yaml-syntax", "the YAML is nested too deeply to be a contract", line=line, col=col)
        ]
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        return None, [Diagnostic(display, "", "yaml-syntax", f"invalid YAML: {type(exc).__name__}", line=1, col=1)]
    return data, []


def _syntax_error(text: str, exc: yaml.MarkedYAMLError) -> tuple[tuple[int, int], str]:
    """Where a syntax error is, and what it is, in the designer's terms."""
    last_line = max(text.count("\n") + (0 if text.endswith("\n") else 1), 1)
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "invalid YAML"
    if exc.context:
        problem = f"{exc.context}: {problem}"
    at_end = mark is None or mark.line + 1 > last_line or mark.index >= len(text.rstrip())
    context = exc.context or ""
    if at_end and exc.context_mark is not None and ("flow" in context or "quoted" in context):
        # an unclosed quote or bracket only fails at the end of the file: show where it opened
        mark = exc.context_mark
        what = context.removeprefix("while parsing ").removeprefix("while scanning ")
        problem = f"{what} that starts here is not closed by the end of the file ({exc.problem})"
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if line > last_line:
        line, col = last_line, 1
    opened = _runaway_quote(text, line)
    if opened is not None:
        return opened, f"a quoted value opened here runs on to line {line}; is its closing quote missing? ({problem})"
    return (line, col), problem


def _runaway_quote(text: str, error_line: int) -> tuple[int, int] | None:
    """The start of a quoted scalar that spans several lines and ends on the error line: an unclosed
    quote swallows the lines after it and YAML only fails where the next quote closes it."""
    last: tuple[int, int] | None = None
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                start, end = token.start_mark, token.end_mark
                last = (
                    (start.line + 1, start.column + 1) if end.line > start.line and end.line + 1 == error_line else None
                )
    except yaml.YAMLError:
        pass
    return last


# Aliases share one parsed value, but every later stage walks each use of it: a few lines of anchors
# can stand for billions of values. Beyond this many values added by aliases, the file is refused.
ALIAS_EXPANSION_LIMIT = 100_000


def _alias_problem(text: str) -> tuple[tuple[int, int], str] | None:
    """A recursive alias, or aliases that expand the document past the limit (from the event stream)."""
    if "&" not in text:
        return None  # no anchor, no alias to expand
    sizes: dict[str, int] = {}  # anchor -> values it stands for
    open_anchors: list[str | None] = []
    counts: list[int] = [0]
    added = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            mark = event.start_mark
            where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            if isinstance(event, yaml.AliasEvent):
                if event.anchor in open_anchors:
                    return (
                        where,
                        f"alias *{event.anchor} is inside its own anchor &{event.anchor}: a value cannot contain itself",
                    )
                size = sizes.get(event.anchor or "", 1)
                added += size
                counts[-1] += size
                if added > ALIAS_EXPANSION_LIMIT:
                    return where, (
                        f"aliases expand this file by more than {ALIAS_EXPANSION_LIMIT} values (*{event.anchor} "
                        f"alone stands for {size}); write the values out or share them with $ref"
                    )
            elif isinstance(event, yaml.ScalarEvent):
                counts[-1] += 1
                if event.anchor:
                    sizes[event.anchor] = 1
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                open_anchors.append(event.anchor)
                counts.append(1)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                size = counts.pop()
                anchor = open_anchors.pop()
                if anchor:
                    sizes[anchor] = size
                counts[-1] += size
    except yaml.YAMLError:
        return None  # the loader reports the syntax error itself
    return None


def _deepest_line(text: str, limit: int = 100) -> tuple[int, int]:
    """Where nesting first goes past `limit` levels (walked without recursion)."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError):
        return (1, 1)
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        if node is None:
            continue
        if depth > limit:
            return (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            stack.extend((value, depth + 1) for _, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
    return (1, 1)
