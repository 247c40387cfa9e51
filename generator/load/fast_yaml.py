"""Build Python data straight from libyaml's event stream.

PyYAML's loaders compose a node tree (one Python object per scalar, with a regex resolver
call each) and then construct data from it; on a 10 MB contract that is most of the load
time. libyaml's events alone cost a tenth of it. This builder turns events into dicts, lists
and scalars, resolving each distinct plain scalar once.

It only handles what contracts are made of: mappings, sequences, the scalars of SafeLoader
(booleans as YAML 1.2 has them), anchors and aliases. Anything else (a duplicate key, a merge key `<<`, a custom
tag, a complex key, several documents, deep nesting, a syntax error) raises `Unsupported`,
and loader.py parses the file again with PyYAML, which gives the data or the located error
exactly as before. The fast path therefore never decides anything PyYAML would decide otherwise.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

try:
    _Parser: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - without libyaml the slow path is all there is
    _Parser = yaml.SafeLoader

STR = "tag:yaml.org,2002:str"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"
SCALARS = {STR} | {f"tag:yaml.org,2002:{t}" for t in ("int", "float", "bool", "null", "timestamp", "binary")}
MAX_DEPTH = 100  # deeper than any contract; PyYAML decides what happens past it


class Unsupported(Exception):
    """Leave this file to PyYAML."""


BOOL = "tag:yaml.org,2002:bool"


class Yaml12Resolver(yaml.resolver.Resolver):
    """SafeLoader's implicit types, except that only true/false are booleans (YAML 1.2, as JSON and
    OpenAPI mean them): YAML 1.1 reads `on`, `off`, `yes`, `no`, `y`, `n`, so `enum: [NO, SE]` held False."""


Yaml12Resolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != BOOL]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
Yaml12Resolver.add_implicit_resolver(BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))

_resolver: Any = Yaml12Resolver()
_constructor: Any = yaml.SafeLoader("")


def _scalar(tag: str, value: str) -> Any:
    node = yaml.ScalarNode(tag, value)
    return _constructor.yaml_constructors[tag](_constructor, node)


class _Frame:
    __slots__ = ("container", "key", "awaiting_key")

    def __init__(self, container: dict[Any, Any] | list[Any]) -> None:
        self.container = container
        self.key: Any = None
        self.awaiting_key = isinstance(container, dict)


def load(text: str) -> Any:
    """The document's data, as yaml.load(text, SafeLoader) would give it; Unsupported otherwise."""
    return load_noting_aliases(text)[0]


def load_noting_aliases(text: str) -> tuple[Any, bool]:
    """load(), and whether the document used an alias (whose expansion the caller may want to bound)."""
    parser = _Parser(text)
    try:
        return _build(parser)
    except Unsupported:
        raise
    except Exception as exc:  # a syntax error, an odd scalar: PyYAML reports it properly
        raise Unsupported from exc
    finally:
        parser.dispose()


def _build(parser: Any) -> tuple[Any, bool]:
    tags: dict[str, str] = {}  # plain scalar -> resolved tag
    values: dict[tuple[str, str], Any] = {}  # (tag, scalar) -> constructed value, for non-strings
    anchors: dict[str, Any] = {}
    open_containers: set[int] = set()
    stack: list[_Frame] = []
    root: Any = None
    documents = 0
    aliased = False

    def add(value: Any, is_scalar: bool) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        frame = stack[-1]
        container = frame.container
        if isinstance(container, list):
            container.append(value)
        elif frame.awaiting_key:
            if not is_scalar or value in container:  # a complex or duplicate key
                raise Unsupported
            frame.key = value
            frame.awaiting_key = False
        else:
            container[frame.key] = value
            frame.awaiting_key = True

    while parser.check_event():
        event = parser.get_event()
        kind = type(event)
        if kind is ScalarEvent:
            tag = event.tag
            if stack and stack[-1].awaiting_key:
                # keys are kept as the text written (see loader._UniqueKeyLoader): `200:` is "200"
                if tag not in (None, "!", STR) or event.anchor is not None or event.value == "<<":
                    raise Unsupported  # tagged or anchored keys and merges: PyYAML's path decides
                add(event.value, True)
                continue
            if tag is None or tag == "!":
                if event.implicit[0]:
                    tag = tags.get(event.value)
                    if tag is None:
                        tag = tags[event.value] = _resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
                else:
                    tag = STR
            if tag == STR:
                value: Any = event.value
            elif tag in SCALARS:
                key = (tag, event.value)
                if key not in values:
                    values[key] = _scalar(tag, event.value)
                value = values[key]
            else:
                raise Unsupported
            if event.anchor is not None:
                _anchor(anchors, event.anchor, value)
            add(value, True)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            expected = MAP if kind is MappingStartEvent else SEQ
            if event.tag not in (None, "!", expected) or len(stack) >= MAX_DEPTH:
                raise Unsupported
            container: dict[Any, Any] | list[Any] = {} if kind is MappingStartEvent else []
            if event.anchor is not None:
                _anchor(anchors, event.anchor, container)
            open_containers.add(id(container))
            stack.append(_Frame(container))
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            done = stack.pop().container
            open_containers.discard(id(done))
            add(done, False)
        elif kind is AliasEvent:
            aliased = True
            if event.anchor not in anchors:
                raise Unsupported
            target = anchors[event.anchor]
            if id(target) in open_containers:  # a node that contains itself
                raise Unsupported
            add(target, not isinstance(target, dict | list))
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise Unsupported
    return root, aliased


def _anchor(anchors: dict[str, Any], name: str, value: Any) -> None:
    if name in anchors:
        raise Unsupported  # PyYAML decides whether a redefined anchor is an error
    anchors[name] = value


class _Walk:
    __slots__ = ("wanted", "prefix", "mapping", "expect_key", "next", "index")

    def __init__(self, wanted: dict[str, Any] | None, prefix: tuple[str, ...], mapping: bool) -> None:
        self.wanted = wanted  # the part of the pointer trie below this container, None when nothing is
        self.prefix = prefix
        self.mapping = mapping
        self.expect_key = True
        self.next: tuple[dict[str, Any], tuple[str, ...]] | None = None
        self.index = 0


def marks(text: str, paths: list[tuple[str, ...]]) -> dict[tuple[str, ...], tuple[int, int]]:
    """0-based (line, column) of every prefix of `paths` that the document has, from one event pass.

    The same positions as walking the composed node tree (SourceFile.locate): the root node's
    start, a mapping entry's key, a sequence item. Raises Unsupported when a wanted path goes
    through an alias (the node tree would follow it) or the text does not parse.
    """
    trie: dict[str, Any] = {}
    for path in paths:
        node = trie
        for token in path:
            node = node.setdefault(token, {})
    found: dict[tuple[str, ...], tuple[int, int]] = {}
    scalar_anchors: dict[str, str] = {}
    stack: list[_Walk] = []
    parser = _Parser(text)
    try:
        while parser.check_event():
            event = parser.get_event()
            kind = type(event)
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                stack.pop()
                continue
            if kind not in (ScalarEvent, MappingStartEvent, SequenceStartEvent, AliasEvent):
                continue
            mark = (event.start_mark.line, event.start_mark.column)
            wanted: dict[str, Any] | None = None
            prefix: tuple[str, ...] = ()
            if not stack:
                wanted = trie
                found[()] = mark
            else:
                frame = stack[-1]
                if frame.mapping and frame.expect_key:
                    frame.expect_key, frame.next = False, None
                    key = None
                    if kind is ScalarEvent:
                        key = event.value
                    elif kind is AliasEvent:
                        key = scalar_anchors.get(event.anchor)
                    if frame.wanted is not None and key is not None and key in frame.wanted:
                        path = (*frame.prefix, key)
                        if path not in found:  # the first of equal keys, as the node walk does
                            found[path] = mark
                            frame.next = (frame.wanted[key], path)
                elif frame.mapping:
                    frame.expect_key = True
                    if frame.next is not None:
                        wanted, prefix = frame.next
                else:
                    token = str(frame.index)
                    frame.index += 1
                    if frame.wanted is not None and token in frame.wanted:
                        prefix = (*frame.prefix, token)
                        found[prefix] = mark
                        wanted = frame.wanted[token]
            if kind is AliasEvent:
                if wanted:  # a wanted path continues inside the anchored node
                    raise Unsupported
            elif kind is ScalarEvent:
                if event.anchor is not None:
                    scalar_anchors[event.anchor] = event.value
            else:
                stack.append(_Walk(wanted or None, prefix, kind is MappingStartEvent))
    except yaml.YAMLError as exc:
        raise Unsupported from exc
    finally:
        parser.dispose()
    return found
