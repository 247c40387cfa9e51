"""The rule registry: every diagnostic specgen can report, declared once.

A `Diagnostic` with an id that is not here is a bug (it raises), so a new rule starts with a line
here. docs/contract.md ("Validation rules") and docs/features.md ("Validation") show these tables
as written here, and `tests/rules/test_registry.py` checks that: the tables, that each rule's
`modules` really report it, and that each is tripped by a fixture under tests/rules/fixtures/ or by
the test named in `tested_by`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    meaning: str
    modules: tuple[str, ...]  # under generator/, where the rule is reported
    severity: str = "error"  # "note": shown, and the exit code stays 0
    doc: str = "contract"  # the table it is listed in: "contract" (docs/contract.md) or "features" (docs/features.md)
    tested_by: str | None = None  # a test file, for a rule no fixture project can trip


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {rule.id: rule for rule in rules}


RULES = _rules(
    Rule(
        "file-missing",
        "a contract file does not exist",
        ("load/loader.py",),
        tested_by="tests/rules/test_registry.py",  # a race or a folder: no fixture project holds one
    ),
    Rule(
        "file-unreadable",
        "a contract file cannot be read",
        ("load/loader.py",),
        tested_by="tests/rules/test_registry.py",  # a race or a folder: no fixture project holds one
    ),
    Rule(
        "yaml-syntax",
        "not UTF-8, invalid YAML, the same mapping key twice, a recursive alias, or aliases expanding a file by more than 100,000 values",
        ("load/bundle.py", "load/loader.py"),
    ),
    Rule(
        "contract-missing",
        "no root contract in `specs/api/`",
        ("load/contract.py",),
    ),
    Rule(
        "contract-ambiguous",
        "several files in `specs/api/` look like a root and none is named `openapi.yaml`",
        ("load/contract.py",),
    ),
    Rule(
        "openapi-invalid",
        "the root contract is not a YAML mapping",
        ("load/contract.py",),
        tested_by="tests/cli/test_yaml_input.py",
    ),
    Rule(
        "ref-remote",
        "a `$ref` to a URL; specs are never fetched",
        ("load/bundle.py",),
    ),
    Rule(
        "ref-outside-specs",
        "a `$ref` to a file outside `specs/` (after following links), or a contract file that is a link to one: the bundled contract is published at `/openapi.json`",
        ("load/bundle.py", "load/contract.py"),
    ),
    Rule(
        "ref-unresolved",
        "a `$ref` to a missing file or pointer, with a fragment that is not a JSON pointer, or that is not a string",
        ("load/bundle.py",),
    ),
    Rule(
        "ref-cycle",
        "an inlined `$ref` that includes itself (put the target under `components/`), a `$ref` to the whole root contract, or a component that is only a `$ref` chain back to itself",
        ("load/bundle.py", "validate/spec_check.py"),
    ),
    Rule(
        "openapi-version",
        "`openapi` is missing, empty, a number, or not 3.0.x / 3.1.x; or the contract is Swagger 2.0 (no other rule runs then)",
        ("load/contract.py", "validate/spec_check.py"),
    ),
    Rule(
        "openapi-schema",
        "openapi-spec-validator found the document invalid",
        ("validate/spec_check.py",),
    ),
    Rule(
        "mount-path",
        "`servers[0].url` is not a plain absolute path (letters, digits, `.`, `_`, `~`, `-` between slashes; no host, query or template)",
        ("validate/api_rules.py",),
    ),
    Rule(
        "operation-id-duplicate",
        "two operations share an `operationId`",
        ("validate/api_rules.py",),
    ),
    Rule(
        "link-unknown-operation",
        "a response link names an `operationId` no operation has",
        ("validate/api_rules.py",),
    ),
    Rule(
        "security-bearer-required",
        "no bearer JWT scheme, or an operation that does not require it in every alternative",
        ("validate/api_rules.py",),
    ),
    Rule(
        "path-param-undeclared",
        "a `{param}` in the path with no `in: path` parameter",
        ("validate/api_rules.py",),
    ),
    Rule(
        "path-param-unused",
        "an `in: path` parameter not in the path",
        ("validate/api_rules.py",),
    ),
    Rule(
        "path-param-repeated",
        "a path that names one `{param}` twice (`/a/{id}/b/{id}`): a route binds each once",
        ("validate/api_rules.py",),
    ),
    Rule(
        "parameter-unsupported",
        "a parameter the route cannot parse: an object that is not a `deepObject` query parameter, `deepObject` outside the query, an array or object in the path, a `matrix`/`label` path style",
        ("validate/api_rules.py",),
    ),
    Rule(
        "owner-scope-invalid",
        "`x-owner-scoped` is not `true` or `{field, claim}`",
        ("validate/api_rules.py",),
    ),
    Rule(
        "owner-scope-field",
        "the owner field is not a property of the schema, or not `readOnly`",
        ("validate/api_rules.py",),
    ),
    Rule(
        "owner-field-exposed",
        "a parameter, or a writable top-level body field (through `$ref`/`allOf`), named like an owner field (`owner_id` and `user_id` too, when any resource is owner-scoped), names compared after NFKC as Python compares them (`ｏwner_id` is `owner_id`)",
        ("validate/api_rules.py",),
    ),
    Rule(
        "database-invalid",
        "malformed table mapping: not a `tables` mapping, a schema mapped twice, unknown key, bad table name or one used twice (in any case: `Notes` is `notes`), bad `timestamps`/`indexes`/`unique`/`foreign_keys`, unknown `on_delete`",
        ("validate/database_rules.py",),
    ),
    Rule(
        "database-unknown-resource",
        "a mapped schema or a foreign-key target that is not in the contract or the mapping",
        ("validate/database_rules.py",),
    ),
    Rule(
        "database-field-name",
        "a property of a table-backed resource that cannot be a column name (not an identifier, a Python keyword, or starting with `_`)",
        ("validate/database_rules.py",),
    ),
    Rule(
        "read-only-unset",
        "a `readOnly` property nothing sets: required, without a default, and not the integer primary key, the owner field or a timestamp; or a non-integer read-only primary key",
        ("validate/database_rules.py",),
    ),
    Rule(
        "name-clash",
        "two table-mapped schemas that become one Python class (`Project` and `project` are both `ProjectTable`)",
        ("validate/database_rules.py",),
    ),
    Rule(
        "text-unprintable",
        "a key or string holding NUL, another control character (tab, newline and carriage return are fine) or a lone surrogate",
        ("validate/text_rules.py",),
    ),
    Rule(
        "number-not-finite",
        "`.inf`, `-.inf` or `.nan`: JSON, and so OpenAPI, has no such number",
        ("validate/text_rules.py",),
    ),
    Rule(
        "pattern-unsupported",
        "a `pattern` (or `patternProperties` key) the server's linear-time regex engine cannot compile: look-around, backreferences, or invalid syntax; such a pattern would otherwise run on Python's backtracking `re`, where one request can stall the server",
        ("validate/text_rules.py",),
    ),
    Rule(
        "name-not-normalized",
        "a property name that Python reads as another (identifiers are NFKC-normalised: `ｔag` is `tag`)",
        ("validate/text_rules.py",),
    ),
    Rule(
        "file-name-unprintable",
        "a file under `specs/` whose name holds a newline or another unprintable character",
        ("validate/text_rules.py",),
        tested_by="tests/security/test_hostile_contracts.py",
    ),
    Rule(
        "project-missing",
        "`--project` names a directory that does not exist",
        ("pipeline.py",),
        tested_by="tests/cli/test_commands.py",
    ),
    Rule(
        "database-unknown-field",
        "`primary_key`, a timestamp, an index/unique column or an FK column that is not a property of the schema",
        ("validate/database_rules.py",),
    ),
    Rule(
        "app-does-not-start",
        "`specgen generate` only: the new tree, with custom/, does not import or its app cannot be built (placed at the custom/ line, the operation, schema or table the failing generated line came from, or that generated line); generated/ is left as it was",
        ("emit/boot.py",),
        tested_by="tests/test_boot_check.py",
    ),
    Rule(
        "webhooks-ignored",
        "a note, not an error (exit 0): the contract's 3.1 `webhooks` are not served",
        ("ir/build.py",),
        severity="note",
        tested_by="tests/corpus/test_kitchen_sink.py",
    ),
    Rule(
        "operation-id-derived",
        "a note, not an error: an operation without `operationId`, and the service method it gets",
        ("ir/build.py",),
        severity="note",
        tested_by="tests/corpus/test_kitchen_sink.py",
    ),
    Rule(
        "feature-invalid",
        "the file, a scenario, a step or `expect` is malformed, or keys are unknown",
        ("validate/features.py",),
        doc="features",
        tested_by="tests/features/test_feature_validation.py",
    ),
    Rule(
        "feature-unknown-actor",
        "a step's actor is not declared (and is not `anonymous`)",
        ("validate/features.py",),
        doc="features",
        tested_by="tests/features/test_feature_validation.py",
    ),
    Rule(
        "feature-unknown-operation",
        "no operation has that operationId",
        ("validate/features.py",),
        doc="features",
        tested_by="tests/features/test_feature_validation.py",
    ),
    Rule(
        "feature-unknown-parameter",
        "a parameter the operation does not declare, or a path parameter left out",
        ("validate/features.py",),
        doc="features",
        tested_by="tests/features/test_feature_validation.py",
    ),
    Rule(
        "feature-body-invalid",
        "a step that expects a 2xx sends a body its operation's request schema refuses (steps that expect an error may send anything), or the operation takes no body",
        ("validate/features.py",),
        doc="features",
        tested_by="tests/features/test_feature_validation.py",
    ),
    Rule(
        "feature-unknown-capture",
        "a placeholder names something no earlier step saved, or an undeclared actor",
        ("validate/features.py",),
        doc="features",
        tested_by="tests/features/test_feature_validation.py",
    ),
)


def markdown_table(doc: str) -> str:
    """The table of rules of one document, as the docs show it."""
    if doc == "features":
        rows = ["| rule | when |", "|---|---|"]
        rows += [f"| `{r.id}` | {r.meaning} |" for r in RULES.values() if r.doc == doc]
    else:
        rows = ["| Rule id | Source | Meaning |", "|---|---|---|"]
        rows += [f"| `{r.id}` | {', '.join(r.modules)} | {r.meaning} |" for r in RULES.values() if r.doc == doc]
    return "\n".join(rows) + "\n"
