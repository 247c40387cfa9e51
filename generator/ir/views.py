"""Request and response views of schemas with readOnly or writeOnly properties.

A schema is one shape in the contract, but a client never sends its readOnly properties and never
receives its writeOnly ones: a required readOnly `id` must not make every request body a 422, nor
a required writeOnly `password` every response a 500. Where a schema has such properties (itself or
through what it references), request bodies use `<Name>Write` (readOnly properties left out) and
responses `<Name>Read` (writeOnly ones left out). Resources have their own Create/Update/Public
models and are left alone. Everything here works on model schemas, named by their Python classes.
"""

from __future__ import annotations

from typing import Any

from generator.base.names import unique
from generator.model.schemas import SCHEMA_PREFIX, deref, referenced_schemas

WRITE = "write"  # what a client sends: readOnly properties are left out
READ = "read"  # what the server returns: writeOnly properties are left out
_HIDDEN = {WRITE: "readOnly", READ: "writeOnly"}
_SUFFIX = {WRITE: "Write", READ: "Read"}
_SUBSCHEMA = ("items", "additionalProperties", "not", "contains", "if", "then", "else", "propertyNames")
_SUBSCHEMA_LISTS = ("allOf", "oneOf", "anyOf", "prefixItems")


class Views:
    def __init__(self, model_schemas: dict[str, Any], fixed: set[str], taken: set[str]) -> None:
        self.schemas = model_schemas
        self.fixed = fixed  # never split: the resources' own models
        self.taken = taken
        self.made: dict[tuple[str, str], str] = {}
        self._doc = {"components": {"schemas": model_schemas}}
        self._split = {mode: self._affected(mode) for mode in (WRITE, READ)}

    def request_models(self) -> set[str]:
        return {name for (_, mode), name in self.made.items() if mode == WRITE}

    def class_for(self, name: str, mode: str) -> str:
        """The class of component `name` as seen in one direction."""
        if name not in self._split[mode]:
            return name
        key = (name, mode)
        if key not in self.made:
            variant = unique(name + _SUFFIX[mode], self.taken)
            self.made[key] = variant
            self.schemas[variant] = {}  # reserved first: a recursive schema refers to its own view
            self.schemas[variant] = self.view(self.schemas[name], mode)
        return self.made[key]

    def view(self, schema: Any, mode: str) -> Any:
        """A copy of `schema` without the properties hidden in this direction, refs to views."""
        if isinstance(schema, list):
            return [self.view(item, mode) for item in schema]
        if not isinstance(schema, dict):
            return schema
        out: dict[str, Any] = {}
        hidden: set[str] = set()
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(SCHEMA_PREFIX):
                out[key] = SCHEMA_PREFIX + self.class_for(value[len(SCHEMA_PREFIX) :], mode)
            elif key == "properties" and isinstance(value, dict):
                hidden = {p for p, sub in value.items() if self._hidden(sub, mode)}
                out[key] = {p: self.view(sub, mode) for p, sub in value.items() if p not in hidden}
            elif key in _SUBSCHEMA:
                out[key] = self.view(value, mode)
            elif key in _SUBSCHEMA_LISTS and isinstance(value, list):
                out[key] = [self.view(item, mode) for item in value]
            elif key == "discriminator" and isinstance(value, dict) and isinstance(value.get("mapping"), dict):
                mapping = {
                    k: SCHEMA_PREFIX + self.class_for(v[len(SCHEMA_PREFIX) :], mode)
                    if isinstance(v, str) and v.startswith(SCHEMA_PREFIX)
                    else v
                    for k, v in value["mapping"].items()
                }
                out[key] = {**value, "mapping": mapping}
            else:
                out[key] = value
        if hidden and isinstance(out.get("required"), list):
            out["required"] = [r for r in out["required"] if r not in hidden]
            if not out["required"]:
                del out["required"]
        return out

    def _hidden(self, prop: Any, mode: str) -> bool:
        flag = _HIDDEN[mode]
        if isinstance(prop, dict) and prop.get(flag) is True:
            return True
        resolved = deref(self._doc, prop)
        return isinstance(resolved, dict) and resolved.get(flag) is True

    def _declares_hidden(self, schema: Any, mode: str) -> bool:
        """Whether this schema's own properties (nested and in allOf parts, not through refs) hide any."""
        if isinstance(schema, list):
            return any(self._declares_hidden(item, mode) for item in schema)
        if not isinstance(schema, dict) or "$ref" in schema:
            return False
        props = schema.get("properties")
        if isinstance(props, dict) and any(self._hidden(sub, mode) for sub in props.values()):
            return True
        nested = [schema.get(k) for k in (*_SUBSCHEMA, *_SUBSCHEMA_LISTS)]
        nested += list(props.values()) if isinstance(props, dict) else []
        return any(self._declares_hidden(item, mode) for item in nested if item is not None)

    def _affected(self, mode: str) -> set[str]:
        """Models with a property hidden in this direction, and every model that references one."""
        refs = {name: referenced_schemas(schema) for name, schema in self.schemas.items() if name not in self.fixed}
        affected = {name for name in refs if self._declares_hidden(self.schemas[name], mode)}
        grown = True
        while grown:
            more = {name for name, targets in refs.items() if targets & affected} - affected
            affected |= more
            grown = bool(more)
        return affected
