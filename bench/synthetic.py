"""A synthetic contract: N owner-scoped resources, each with CRUD, one custom operation and ten
fields of mixed types. `python bench/synthetic.py N DIR` writes DIR/specs/{api,database}."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

FIELDS: dict[str, dict[str, Any]] = {
    "title": {"type": "string", "minLength": 1, "maxLength": 200},
    "notes": {"type": ["string", "null"], "maxLength": 2000},
    "done": {"type": "boolean", "default": False},
    "level": {"type": "string", "enum": ["low", "medium", "high"], "default": "medium"},
    "due": {"type": ["string", "null"], "format": "date"},
    "seen_at": {"type": ["string", "null"], "format": "date-time"},
    "amount": {"type": ["string", "null"], "format": "decimal"},
    "score": {"type": ["number", "null"]},
    "count": {"type": ["integer", "null"], "format": "int32", "minimum": 0},
    "ref": {"type": ["string", "null"], "format": "uuid"},
}


def _responses(schema: dict[str, Any] | None, code: str = "200", extra: tuple[str, ...] = ("404",)) -> dict[str, Any]:
    out: dict[str, Any] = {code: {"description": "ok"}}
    if schema is not None:
        out[code]["content"] = {"application/json": {"schema": schema}}
    for status in ("401", "422", *extra):
        out[status] = {"$ref": f"#/components/responses/E{status}"}
    return out


def contract(n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    tables: dict[str, Any] = {}
    for i in range(n):
        name, plural = f"Item{i}", f"items{i}"
        ref = {"$ref": f"#/components/schemas/{name}"}
        schemas[name] = {
            "type": "object",
            "additionalProperties": False,
            "x-owner-scoped": True,
            "required": ["id", "title", "owner_id"],
            "properties": {
                "id": {"type": "integer", "format": "int64", "readOnly": True},
                **FIELDS,
                "owner_id": {"type": "string", "readOnly": True},
            },
        }
        schemas[f"{name}List"] = {
            "type": "object",
            "required": ["items", "total", "limit", "offset"],
            "properties": {
                "items": {"type": "array", "items": ref},
                "total": {"type": "integer"},
                "limit": {"type": "integer"},
                "offset": {"type": "integer"},
            },
        }
        tables[name] = {"table": plural}
        key = {
            "name": "item_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "format": "int64", "minimum": 1},
        }
        body = {"required": True, "content": {"application/json": {"schema": ref}}}
        paths[f"/{plural}"] = {
            "get": {
                "operationId": f"list{name}",
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
                    },
                    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
                    {"name": "done", "in": "query", "schema": {"type": "boolean"}},
                ],
                "responses": _responses({"$ref": f"#/components/schemas/{name}List"}, extra=()),
            },
            "post": {
                "operationId": f"create{name}",
                "requestBody": body,
                "responses": _responses(ref, "201", ("409",)),
            },
        }
        paths[f"/{plural}/{{item_id}}"] = {
            "parameters": [key],
            "get": {"operationId": f"get{name}", "responses": _responses(ref)},
            "patch": {
                "operationId": f"update{name}",
                "requestBody": body,
                "responses": _responses(ref, extra=("404", "409")),
            },
            "delete": {"operationId": f"delete{name}", "responses": _responses(None, "204")},
        }
        paths[f"/{plural}/{{item_id}}/archive"] = {
            "parameters": [key],
            "post": {"operationId": f"archive{name}", "responses": _responses(ref)},
        }
    problem = {
        "application/problem+json": {
            "schema": {"type": "object", "properties": {"status": {"type": "integer"}, "title": {"type": "string"}}}
        }
    }
    api = {
        "openapi": "3.1.0",
        "info": {"title": f"Synthetic {n}", "version": "1"},
        "servers": [{"url": "/backend"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
            "responses": {f"E{s}": {"description": s, "content": problem} for s in ("401", "404", "409", "422")},
        },
    }
    return api, {"tables": tables}


class _NoAliasDumper(yaml.SafeDumper):
    """Written out in full, as a designer would: no &anchors (openapi-generator's YAML parser allows only 50)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write(n: int, project: Path) -> None:
    api, database = contract(n)
    (project / "specs" / "api").mkdir(parents=True, exist_ok=True)
    (project / "specs" / "database").mkdir(parents=True, exist_ok=True)
    (project / "specs" / "api" / "openapi.yaml").write_text(yaml.dump(api, Dumper=_NoAliasDumper, sort_keys=False))
    (project / "specs" / "database" / "tables.yaml").write_text(
        yaml.dump(database, Dumper=_NoAliasDumper, sort_keys=False)
    )


if __name__ == "__main__":
    write(int(sys.argv[1]), Path(sys.argv[2]))
