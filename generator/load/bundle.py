"""Join a contract split over several files into one document.

External `$ref`s to `components/<kind>/<Name>` are hoisted into the root
document's components (renamed on a clash) and rewritten as local refs; other
external refs are inlined. Every piece of the bundle remembers the file and
JSON pointer it came from, so later diagnostics point at the designer's file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.base.diagnostics import Diagnostic, join_pointer, split_pointer
from generator.load.loader import SourceFile, load_yaml

MISSING = object()
SCHEMA_COLLECTIONS = ("$defs", "definitions")  # `<file>#/$defs/<Name>` is hoisted into components/schemas


def resolve_pointer(data: Any, pointer: str) -> Any:
    node = data
    for token in split_pointer(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return MISSING
    return node


@dataclass
class Bundle:
    document: dict[str, Any]
    files: dict[str, SourceFile]
    root: str
    # bundled pointer prefix -> (file, pointer) it was copied from
    origins: dict[str, tuple[str, str]] = field(default_factory=dict)

    def source_of(self, pointer: str) -> tuple[str, str]:
        prefix = pointer
        while prefix:  # the longest prefix that was copied from another place
            if prefix in self.origins:
                file, origin = self.origins[prefix]
                return (file, origin + pointer[len(prefix) :])
            prefix = prefix.rpartition("/")[0]
        return (self.root, pointer)

    def locate(self, file: str, pointer: str) -> tuple[int, int]:
        source = self.files.get(file)
        return source.locate(pointer) if source else (1, 1)


SPECS_DIR = "specs"


def inside_specs(project: Path, path: Path) -> bool:
    """Whether `path`, every link resolved, is a file under the project's specs/."""
    try:
        path.resolve().relative_to((project / SPECS_DIR).resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False
    return True


class _Bundler:
    def __init__(self, project: Path, root: SourceFile) -> None:
        self.project = project
        self.root = root
        self.files: dict[str, SourceFile] = {root.display: root}
        self.diags: list[Diagnostic] = []
        self.hoisted: dict[tuple[str, str], str] = {}  # (file, pointer) -> local ref
        self.hoisted_names: dict[str, set[str]] = {}  # kind -> names given to hoisted components
        self.origins: dict[str, tuple[str, str]] = {}
        self.document: dict[str, Any] = {}
        self.inlining: set[tuple[str, str]] = set()
        self.unloadable: set[str] = set()

    def load(self, display: str) -> SourceFile | None:
        if display in self.files:
            return self.files[display]
        if display in self.unloadable:
            return None
        source, diags = load_yaml(self.project / display, display)
        if source is None:
            self.unloadable.add(display)  # report a broken file once, however often it is referenced
            self.diags.extend(d for d in diags if d.rule == "yaml-syntax")
            return None
        self.files[display] = source
        return source

    def display_of(self, base: str, relative: str) -> str | None:
        """The referenced file relative to the project, if it lies under specs/ (links followed):
        anything else (`../../.env`) would be inlined into the contract the server publishes."""
        target = (self.project / base).parent / relative
        if not inside_specs(self.project, target):
            return None
        return target.resolve().relative_to(self.project.resolve()).as_posix()

    def run(self) -> dict[str, Any]:
        data = self.root.data
        self.document = {key: None for key in data}
        for key, value in data.items():
            walked = self.walk(value, self.root.display, join_pointer("", key), join_pointer("", key))
            if key == "components" and isinstance(walked, dict):
                hoisted = self.document.get("components") or {}
                for kind, entries in hoisted.items():
                    section = walked.setdefault(kind, {})
                    if isinstance(section, dict):
                        for name, value_ in entries.items():
                            section.setdefault(name, value_)
            self.document[key] = walked
        return self.document

    def walk(self, node: Any, file: str, src: str, dst: str) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                replaced = self.follow(ref, node, file, src, dst)
                if replaced is not None:
                    return replaced
            elif "$ref" in node and not _names_or_data(src):
                # the spec validator lets `$ref: true` through in a schema, and later stages would trip on it
                self.error(
                    file,
                    join_pointer(src, "$ref"),
                    "ref-unresolved",
                    f"$ref must be a string such as './common.yaml#/components/schemas/Problem', not {_kind(ref)}",
                )
            # scalars are most of a contract: copied as they are, without building their pointers
            out = {
                k: self.walk(v, file, join_pointer(src, k), join_pointer(dst, k)) if isinstance(v, dict | list) else v
                for k, v in node.items()
            }
            if isinstance(node.get("propertyName"), str) and isinstance(node.get("mapping"), dict):
                out["mapping"] = self.mapping(node["mapping"], file, join_pointer(src, "mapping"))
            return out
        if isinstance(node, list):
            return [
                self.walk(v, file, join_pointer(src, i), join_pointer(dst, i)) if isinstance(v, dict | list) else v
                for i, v in enumerate(node)
            ]
        return node

    def mapping(self, mapping: dict[str, Any], file: str, src: str) -> dict[str, Any]:
        """A discriminator mapping's values are references too (unless they are bare schema names)."""
        out = {}
        for key, value in mapping.items():
            out[key] = value
            fragment = value.partition("#")[2] if isinstance(value, str) else ""
            parts = split_pointer(fragment) if fragment.startswith("/") else []
            if len(parts) == 3 and parts[0] == "components":  # what hoisting can rename
                replaced = self.follow(value, {"$ref": value}, file, join_pointer(src, key), "")
                if isinstance(replaced, dict) and isinstance(replaced.get("$ref"), str):
                    out[key] = replaced["$ref"]
        return out

    def error(self, file: str, pointer: str, rule: str, message: str) -> None:
        self.diags.append(Diagnostic(file, pointer, rule, message))

    def follow(self, ref: str, node: dict[str, Any], file: str, src: str, dst: str) -> Any:
        """Rewrite one `$ref`; returns the replacement node, or None to keep it as it is."""
        ref_ptr = join_pointer(src, "$ref")
        if "://" in ref or ref.startswith("//"):
            self.error(
                file,
                ref_ptr,
                "ref-remote",
                f"remote $ref {ref!r} is not supported: specgen never fetches at generate time; copy the file into specs/",
            )
            return None
        target_path, _, fragment = ref.partition("#")
        if fragment and not fragment.startswith("/"):
            self.error(
                file, ref_ptr, "ref-unresolved", f"$ref {ref!r}: the fragment must be a JSON pointer starting with '/'"
            )
            return None
        target_file = file
        if target_path:
            resolved = self.display_of(file, target_path)
            if resolved is None:
                self.error(
                    file,
                    ref_ptr,
                    "ref-outside-specs",
                    f"$ref {ref!r} points outside specs/: a contract may only use files under specs/",
                )
                return None
            target_file = resolved
        source = self.load(target_file)
        if source is None:
            self.error(file, ref_ptr, "ref-unresolved", f"$ref {ref!r}: file {target_file} not found or not valid YAML")
            return None
        target = resolve_pointer(source.data, fragment)
        if target is MISSING:
            self.error(
                file,
                ref_ptr,
                "ref-unresolved",
                f"$ref {ref!r} does not resolve: nothing at {fragment or '/'} in {target_file}",
            )
            return None
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if target_file == self.root.display and not split_pointer(fragment):
            self.error(file, ref_ptr, "ref-cycle", f"$ref {ref!r} is the whole contract, which cannot contain itself")
            return None
        if target_file == self.root.display:
            if not siblings and ref.startswith("#") and file == self.root.display:
                return None  # a local ref of the root file stays as it is
            new_ref = "#" + fragment  # a ref into the root file, from anywhere, becomes local
        else:
            parts = split_pointer(fragment)
            hoist_into = None
            if len(parts) == 3 and parts[0] == "components":
                hoist_into = (parts[1], parts[2])
            elif len(parts) == 2 and parts[0] in SCHEMA_COLLECTIONS:
                # JSON Schema's places for named schemas: named (and possibly recursive) like components
                hoist_into = ("schemas", parts[1])
            if hoist_into is not None:
                hoisted = self.hoist(target_file, fragment, *hoist_into, target)
                if hoisted is None:
                    self.error(
                        file,
                        ref_ptr,
                        "ref-unresolved",
                        f"$ref {ref!r} cannot be brought into components/{hoist_into[0]}: the contract's is not a mapping",
                    )
                    return None
                new_ref = hoisted
            else:
                key = (target_file, fragment)
                if key in self.inlining:
                    self.error(
                        file,
                        ref_ptr,
                        "ref-cycle",
                        f"$ref {ref!r} inlines itself; move the target under components/ to make it recursive",
                    )
                    return None
                self.inlining.add(key)
                self.origins[dst] = (target_file, fragment)
                inlined = self.walk(target, target_file, fragment, dst)
                self.inlining.discard(key)
                if isinstance(inlined, dict):
                    inlined = {
                        **inlined,
                        **{
                            k: self.walk(v, file, join_pointer(src, k), join_pointer(dst, k))
                            for k, v in siblings.items()
                        },
                    }
                return inlined
        out: dict[str, Any] = {"$ref": new_ref}
        for k, v in siblings.items():
            out[k] = self.walk(v, file, join_pointer(src, k), join_pointer(dst, k))
        return out

    def hoist(self, file: str, fragment: str, kind: str, name: str, target: Any) -> str | None:
        key = (file, fragment)
        if key in self.hoisted:
            return self.hoisted[key]
        components = self.document.setdefault("components", {})
        if not isinstance(components, dict):
            components = self.document["components"] = {}
        section = components.setdefault(kind, {})
        if not isinstance(section, dict):
            return None  # the root's own components/<kind> is not a mapping: nowhere to put it
        root_components = self.root.data.get("components") if isinstance(self.root.data, dict) else None
        root_section = root_components.get(kind) if isinstance(root_components, dict) else None
        in_root = root_section if isinstance(root_section, dict) else {}
        hoisted = self.hoisted_names.setdefault(kind, set())

        def taken(candidate: str) -> bool:  # membership tests only: hoisting many components stays linear
            return candidate in section or candidate in in_root or candidate in hoisted

        final = name
        n = 2
        while taken(final):
            final = f"{name}{n}"
            n += 1
        hoisted.add(final)
        new_ref = f"#/components/{kind}/{final}"
        self.hoisted[key] = new_ref
        dst = join_pointer("/components", kind, final)
        self.origins[dst] = (file, fragment)
        section[final] = None  # reserve the slot before walking: recursion sees the name
        section[final] = self.walk(target, file, fragment, dst)
        return new_ref


# Maps whose keys are names (a property called "$ref" is allowed) and values that are plain data.
_NAME_MAPS = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "schemas"}
_DATA_KEYS = {"example", "examples", "default", "const", "enum"}


def _names_or_data(pointer: str) -> bool:
    tokens = split_pointer(pointer)
    return (bool(tokens) and tokens[-1] in _NAME_MAPS) or any(t in _DATA_KEYS for t in tokens)


def _names(section: Any) -> set[str]:
    return {k for k in section if isinstance(k, str)} if isinstance(section, dict) else set()


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a mapping"
    return "a list" if isinstance(value, list) else f"the number {value}"


def bundle(project: Path, root: SourceFile) -> tuple[Bundle, list[Diagnostic]]:
    bundler = _Bundler(project, root)
    document = bundler.run()
    # components hoisted while walking the root's own components end up merged here
    result = Bundle(document=document, files=bundler.files, root=root.display, origins=bundler.origins)
    return result, bundler.diags
