"""Foreign contracts: the kitchen sinks (OpenAPI 3.1 and 3.0) use every construct the issue lists.

Each must generate, type-check under the project's mypy settings, boot on a real uvicorn, and
answer every operation: 2xx for the CRUD operations of the mapped resource, 501 for all the others
(never 500), 401 for a token signed with another key. /openapi.json must be the input contract.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from generator.load.contract import load_contract
from generator.model.openapi import iter_operations
from tests.support import REPO, Server, make_token, new_user, run_server, specgen

HERE = Path(__file__).parent
CASES = ["kitchen_sink", "kitchen_sink_30"]
CRUD = {"listNotes": 200, "createNote": 201, "getNote": 200, "updateNote": 200, "deleteNote": 204}


@dataclass
class Call:
    """A minimal valid request: the method comes from the contract, `{id}` is a created note's id."""

    path: str
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    data: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    content: bytes | None = None


MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}

# In the order they run: the note is created before it is read, changed and deleted.
CALLS: dict[str, Call] = {
    "createNote": Call("/notes", json={"title": "Groceries"}),
    "listNotes": Call("/notes"),
    "getNote": Call("/notes/{id}"),
    "updateNote": Call("/notes/{id}", headers=MERGE_PATCH, content=b'{"title": "Shopping", "color": "blue"}'),
    "HEAD /notes/{id}": Call("/notes/{id}"),  # declares no operationId
    "archiveNote": Call("/notes/{id}/archive"),
    "deleteNote": Call("/notes/{id}"),
    "listPets": Call("/pets", headers={"X-Api-Version": "1"}),
    "createPet": Call("/pets", json={"name": "Tom", "petType": "cat"}),
    "getPet": Call("/pets/1", headers={"Cookie": "session=s"}),
    "deletePet": Call("/pets/1"),
    "searchAnimals": Call(
        "/animals?class=a&from=2027-01-02&import=true&sort-by=age&page.size=5&1st=x&level=2&ids=1,2&colors=red|blue"
        "&created[gt]=1&created[lt]=9&expand[]=a&expand[]=b&where[radius]=2",
        headers={"X-Flags": "a,b"},
    ),
    "getKind": Call("/kinds/circle"),
    "getSelf": Call(f"/selves/{uuid.uuid4()}"),
    "getTree": Call(
        "/trees/root", headers={"X-Depth": "2", "X-Trace-Id": str(uuid.uuid4()), "Cookie": "session-hint=h"}
    ),
    "putTree": Call("/trees/root", json={"value": "root", "children": [{"value": "leaf"}]}),
    "getPerson": Call("/people/7"),
    "uploadAvatar": Call("/people/7/avatar", files={"file": ("a.png", b"\x89PNG\r\n", "image/png")}),
    "submitForm": Call("/forms", data={"name": "Ann", "age": "30", "tags[0]": "a", "address[city]": "Paris"}),
    "putBlob": Call("/blobs/b1", headers={"Content-Type": "application/octet-stream"}, content=b"\x00\x01\x02"),
    "getReport": Call("/reports/r1"),
    "getReportText": Call("/reports/r1/text"),
    "putSettings": Call("/settings", json={"flags": {"a": True}, "extra": 1}),
    "echoFormats": Call("/formats", json={"day": "2027-01-02", "mail": "a@example.org", "amount": "1.50"}),
    "getDefaults": Call("/defaults"),
    "createAccount": Call("/accounts", json={"login": "ann", "password": "long enough"}),
    "getNullables": Call("/nullables"),
    "postThirtyOne": Call("/thirty-one"),
    "get-legacy.names": Call("/names"),
    "import": Call("/imports", json=[{"name": "Ann"}, {"id": 1}]),
    "3dModel": Call("/3d-models/cube-1"),
    "listCafés": Call("/caf%C3%A9s"),
    "addReptile": Call("/terrariums", json={"resident": {"kind": "lizard"}}),
    "setColor": Call("/colors/current", headers={"x_tenant": "t1"}, json="red"),
    "service": Call("/service-status"),
    "GET /legacy/{id}": Call("/legacy/x"),  # declares no operationId
}


@dataclass
class Generated:
    case: str
    project: Path
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module", params=CASES)
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Generated:
    case = str(request.param)
    project = tmp_path_factory.mktemp(case)
    shutil.copytree(HERE / case / "specs", project / "specs")
    return Generated(case, project, specgen("generate", "--project", str(project)))


@pytest.fixture(scope="module")
def server(generated: Generated) -> Iterator[Server]:
    assert generated.result.returncode == 0, generated.result.stderr
    with run_server(generated.project) as running:
        yield running


def operations(project: Path) -> dict[str, str]:
    """operationId -> method of every operation of the input contract."""
    contract, diags = load_contract(project)
    assert contract is not None and not diags, diags
    return {op.operation_id: op.method for op in iter_operations(contract.document)}


def send(client: httpx.Client, method: str, call: Call, note_id: object = None) -> httpx.Response:
    return client.request(
        method.upper(),
        "/backend" + call.path.replace("{id}", str(note_id)),
        headers=call.headers,
        json=call.json,
        data=call.data,
        files=call.files,
        content=call.content,
    )


def test_generate_exits_0_without_a_traceback(generated: Generated) -> None:
    output = generated.result.stdout + generated.result.stderr
    assert generated.result.returncode == 0, output
    assert "Traceback" not in output and "error[" not in output, output


def test_an_operation_without_operation_id_is_named_in_a_note(generated: Generated) -> None:
    assert "note[operation-id-derived]: GET /legacy/{id} has no operationId" in generated.result.stderr
    assert "settings.get_legacy_id" in generated.result.stderr


def test_webhooks_are_ignored_with_a_note(generated: Generated) -> None:
    if generated.case == "kitchen_sink_30":
        pytest.skip("webhooks are OpenAPI 3.1")
    assert "note[webhooks-ignored]" in generated.result.stderr
    assert "petAdopted" in generated.result.stderr


def mypy(project: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    """mypy on `paths` of a project, under the repository's settings."""
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"), *paths],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_generated_tree_is_clean_under_the_project_mypy_settings(generated: Generated) -> None:
    assert generated.result.returncode == 0, generated.result.stderr
    result = mypy(generated.project, "generated")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_operation_of_the_contract_has_a_request_here(generated: Generated) -> None:
    assert set(CALLS) == set(operations(generated.project))


def test_every_operation_answers_2xx_for_crud_and_501_otherwise(generated: Generated, server: Server) -> None:
    methods = operations(generated.project)
    answers: dict[str, int] = {}
    note_id = None
    with server.client(new_user()) as client:
        for op_id, call in CALLS.items():
            response = send(client, methods[op_id], call, note_id)
            answers[op_id] = response.status_code
            if op_id == "createNote" and response.status_code == 201:
                note_id = response.json()["id"]
            if response.status_code == 501 and methods[op_id] != "head":
                assert response.headers["content-type"] == "application/problem+json", op_id
    expected = {op_id: CRUD.get(op_id, 501) for op_id in CALLS}
    assert answers == expected, server.output()[-3000:]


def test_crud_resource_round_trips_its_values(server: Server) -> None:
    with server.client(new_user()) as client:
        sent = {
            "title": "T",
            "due": "2027-03-01",
            "remind_at": "2027-03-01T08:00:00Z",
            "contact": "ann@example.org",
            "link": "https://example.org/notes/1",
            "ref": "0b7f3c9e-2f4b-4c55-9a56-4c1a9d5f9e11",
            "price": "12.50",
            "payload": "aGVsbG8=",
            "stars": 3,
            "level": 2,
            "tags": ["a", "b"],
            "secret": "s",
        }
        created = client.post("/backend/notes", json=sent)
        assert created.status_code == 201, created.text
        body = created.json()
        assert {k: body[k] for k in sent if k != "secret"} == {k: v for k, v in sent.items() if k != "secret"}
        assert "secret" not in body, "write-only fields are never returned"
        habitat = {"resident": {"kind": "lizard", "legs": 3}, "label": "mine"}
        nested = client.post("/backend/notes", json={"title": "N", "habitat": habitat}).json()
        assert nested["habitat"] == {"resident": {"kind": "lizard", "legs": 3}}, "a nested read-only field is not taken"
        assert body["color"] == "red", "defaults applied"
        assert client.get(f"/backend/notes/{body['id']}").json() == body
        page = client.get("/backend/notes", params={"color": "red"}).json()
        assert page["items"] == [body, nested] and page["total"] == 2


@pytest.mark.parametrize(
    ("op_id", "bad", "status"),
    [
        ("getPerson", Call("/people/abc"), 404),  # a path that cannot name anything names nothing
        ("getKind", Call("/kinds/triangle"), 404),
        ("3dModel", Call("/3d-models/Not_Valid"), 404),
        ("listPets", Call("/pets"), 422),  # the required header is missing
        ("getTree", Call("/trees/root", headers={"X-Depth": "11"}), 422),
        ("getTree", Call("/trees/root", headers={"X-Depth": "1", "X-Trace-Id": "not-a-uuid"}), 422),
        ("searchAnimals", Call("/animals?level=4"), 422),
        ("searchAnimals", Call("/animals?page.size=0"), 422),
        ("searchAnimals", Call("/animals?ids=1,x"), 422),  # each item of a delimited array is validated
        ("searchAnimals", Call("/animals?colors=red|purple"), 422),
        ("searchAnimals", Call("/animals?created[gt]=soon"), 422),  # deepObject values are validated
        ("searchAnimals", Call("/animals?where[radius]=0"), 422),  # exclusiveMinimum 0
        ("searchAnimals", Call("/animals?created=5&expand[0]=a"), 501),  # the scalar side of the union
        ("submitForm", Call("/forms", data={"age": "30"}), 422),  # the required field is missing
        ("submitForm", Call("/forms", data={"name": "Ann", "age": "thirty"}), 422),
        ("submitForm", Call("/forms", data={"name": "Ann", "address[zip]": "x"}), 422),  # deepObject form field
        ("uploadAvatar", Call("/people/7/avatar", data={"caption": "no file"}), 422),
        ("createPet", Call("/pets", json={"name": "Rex", "petType": "dog"}), 422),  # a dog needs packSize
        ("createPet", Call("/pets", data={"name": "Rex", "petType": "dog"}), 422),  # JSON is the one accepted
        ("createAccount", Call("/accounts", json={"login": "ann", "password": "short"}), 422),
        ("setColor", Call("/colors/current", headers={"x_tenant": "t1"}, json="purple"), 422),
        ("addReptile", Call("/terrariums", json={"resident": {"kind": "turtle"}}), 422),
        ("putBlob", Call("/blobs/b1"), 501),  # the octet-stream body is optional: this one is fine
    ],
)
def test_typed_routes_refuse_what_the_contract_refuses(
    generated: Generated, server: Server, op_id: str, bad: Call, status: int
) -> None:
    with server.client(new_user()) as client:
        response = send(client, operations(generated.project)[op_id], bad)
    assert response.status_code == status, response.text


def test_a_token_signed_with_another_key_is_401_for_every_operation(generated: Generated, server: Server) -> None:
    methods = operations(generated.project)
    forged = make_token(new_user(), secret="another-secret-" + "x" * 40)
    with server.client(token=forged) as client:
        answers = {op_id: send(client, methods[op_id], call, 1).status_code for op_id, call in CALLS.items()}
    assert answers == dict.fromkeys(CALLS, 401)


# --- what cannot be supported is refused, located -----------------------------------------------


@pytest.mark.parametrize(
    ("file", "anchor", "insert", "rule"),
    [
        # a remote $ref in a file the root reaches: specgen never fetches
        (
            "pets/pets.yaml",
            "            wingspan: {type: number}\n",
            "            beak:\n              $ref: 'https://example.org/beak.yaml#/Beak'\n",
            "ref-remote",
        ),
        # an object in a header: FastAPI cannot parse it
        (
            "openapi.yaml",
            "        - name: X-Depth ",
            "        - name: X-Box\n          in: header\n          schema: {type: object}\n",
            "parameter-unsupported",
        ),
    ],
)
def test_an_unsupported_construct_is_refused_where_it_is_written(
    tmp_path: Path, file: str, anchor: str, insert: str, rule: str
) -> None:
    project = tmp_path / "project"
    shutil.copytree(HERE / "kitchen_sink" / "specs", project / "specs")
    path = project / "specs" / "api" / file
    text = path.read_text(encoding="utf-8")
    assert text.count(anchor) == 1, anchor
    path.write_text(text.replace(anchor, insert + anchor), encoding="utf-8")
    result = specgen("validate", "--project", str(project), "--format", "json")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stdout + result.stderr
    errors = [d for d in json.loads(result.stdout) if d["severity"] == "error"]
    line = text[: text.index(anchor)].count("\n") + 1  # the inserted text starts there
    assert [(d["file"], d["rule"]) for d in errors] == [(f"specs/api/{file}", rule)], errors
    assert line <= errors[0]["line"] <= line + insert.count("\n"), errors


# --- custom/ implementations of the typed routes ------------------------------------------------


@pytest.fixture(scope="module")
def custom_project(generated: Generated, tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert generated.result.returncode == 0, generated.result.stderr
    project = tmp_path_factory.mktemp(generated.case + "_custom")
    for part in ("specs", "generated"):
        shutil.copytree(generated.project / part, project / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(HERE / "kitchen_sink_custom", project / "custom", ignore=shutil.ignore_patterns("__pycache__"))
    return project


@pytest.fixture(scope="module")
def custom_server(custom_project: Path) -> Iterator[Server]:
    with run_server(custom_project) as running:
        yield running


def test_custom_overrides_type_check_against_the_generated_services(custom_project: Path) -> None:
    result = mypy(custom_project, "generated", "custom")
    assert result.returncode == 0, result.stdout + result.stderr


def test_custom_overrides_get_files_forms_bytes_and_typed_values(custom_server: Server) -> None:
    with custom_server.client(new_user()) as c:
        upload = c.post("/backend/people/7/avatar", files={"file": ("a.png", b"\x89PNG\r\n", "image/png")})
        assert (upload.status_code, upload.json()) == (201, {"size": 6})

        assert c.put("/backend/blobs/b1", content=b"\x00\x01").status_code == 204
        text = c.get("/backend/reports/b1/text")
        assert (text.status_code, text.content) == (200, b"blob \x00\x01")
        assert text.headers["content-type"].startswith("text/plain")

        form = {
            "name": "Ann",
            "age": "30",
            "tags[0]": "a",
            "tags[1]": "b",
            "address[city]": "Paris",
            "address[zip]": "75",
        }
        assert c.post("/backend/forms", data=form).status_code == 204
        assert json.loads(c.get("/backend/reports/form/text").content.removeprefix(b"blob ")) == [
            "Ann",
            30,
            ["a", "b"],
            {"city": "Paris", "zip": 75},
        ]

        headers = {"X-Depth": "2", "Cookie": "session-hint=h"}
        tree = c.get("/backend/trees/root", headers=headers).json()
        assert tree["value"] == "h:2" and tree["parent"] == tree["children"][0] == {
            "value": "root",
            "children": [],
            "parent": None,
        }

        color = c.put("/backend/colors/current", headers={"x_tenant": "t1"}, json="blue")
        assert color.json() == {"tenant": "t1", "color": "blue"}

        pet = c.get("/backend/pets/3").json()
        assert pet == {"name": "cat 3", "petType": "cat", "huntingSkill": "lazy"}


def test_every_parameter_style_reaches_the_service_parsed(custom_server: Server) -> None:
    query = (
        "class=c&from=2027-01-02&import=false&sort-by=age&sort_by=raw&page.size=7&1st=one&na%C3%AFve=n&level=3"
        "&tags=a&tags=b&ids=1,2,3&colors=red|blue&created[gt]=1&created[lt]=9&expand[]=x&expand[]=y"
        "&where[radius]=2.5&maybe=4"
    )
    with custom_server.client(new_user()) as c:
        response = c.get(f"/backend/animals?{query}", headers={"X-Flags": "f1,f2"})
        assert response.status_code == 200, response.text
        seen = json.loads(response.json()[0]["name"])
        assert seen == {
            "class": "c",
            "from": "2027-01-02",
            "import": False,
            "sort-by": "age",
            "sort_by": "raw",
            "page.size": 7,
            "1st": "one",
            "naïve": "n",
            "level": 3,
            "tags": ["a", "b"],
            "ids": [1, 2, 3],
            "colors": ["red", "blue"],
            "created": {"gt": 1, "lt": 9},
            "expand": ["x", "y"],
            "where": {"radius": 2.5},
            "X-Flags": ["f1", "f2"],
            "maybe": 4,
        }
        scalar = json.loads(c.get("/backend/animals?created=5&expand[0]=z").json()[0]["name"])
        assert (scalar["created"], scalar["expand"], scalar["page.size"]) == (5, ["z"], 10)


def test_defaults_and_read_write_views_reach_the_client(custom_server: Server) -> None:
    with custom_server.client(new_user()) as c:
        assert c.get("/backend/defaults").json() == {
            "text": "hello",
            "count": 3,
            "ratio": 1.5,
            "on": True,
            "list": [1, 2],
            "object": {"a": 1},
            "color": "green",
            "level": 2,
            "size": "small",
            "nothing": None,
        }
        account = c.post("/backend/accounts", json={"login": "ann", "password": "long enough"})
        assert account.status_code == 201, account.text
        assert account.json() == {
            "id": "00000000-0000-0000-0000-00000000000b",
            "login": "ann",
            "created": "2027-01-02T00:00:00Z",
        }, "read-only fields come back, the write-only password does not"


# --- the served contract ------------------------------------------------------------------------


def test_openapi_json_is_the_bundled_input_contract(generated: Generated, server: Server) -> None:
    """The served document equals the bundle, apart from what docs/contract.md says is added for
    the mapped resource: Create/Update request bodies and the create response's links."""
    served = httpx.get(server.url + "/openapi.json").json()
    contract, _ = load_contract(generated.project)
    assert contract is not None
    assert _without_resource_additions(served) == json.loads(json.dumps(contract.document))


def test_openapi_json_means_what_the_input_files_say(generated: Generated, server: Server) -> None:
    """Independently of the bundler: every operation, with every $ref followed, is the same in the
    served document as in the YAML files the designer wrote."""
    served = _without_resource_additions(httpx.get(server.url + "/openapi.json").json())
    files = _Files(generated.project / "specs" / "api")
    root = files.load("openapi.yaml")
    assert set(served["paths"]) == set(root["paths"])
    for path, item in root["paths"].items():
        assert files.resolve(item, "openapi.yaml") == _resolve_served(served, served["paths"][path]), path


def _without_resource_additions(served: dict[str, Any]) -> dict[str, Any]:
    served = json.loads(json.dumps(served))
    schemas = served["components"]["schemas"]
    for name, partial in (("NoteCreate", False), ("NoteUpdate", True)):
        derived = schemas.pop(name)
        assert derived["additionalProperties"] is False and "owner_id" not in derived["properties"], derived
        assert ("required" in derived) is not partial
    note_ref = {"$ref": "#/components/schemas/Note"}
    for path, method, media, name in (
        ("/notes", "post", "application/json", "NoteCreate"),
        ("/notes/{id}", "patch", "application/merge-patch+json", "NoteUpdate"),
    ):
        content = served["paths"][path][method]["requestBody"]["content"][media]
        assert content["schema"] == {"$ref": f"#/components/schemas/{name}"}
        content["schema"] = note_ref
    links = served["paths"]["/notes"]["post"]["responses"]["201"].pop("links")
    assert {link.get("operationId") for link in links.values()} >= {"getNote", "updateNote", "deleteNote"}
    assert {"operationRef": "#/paths/~1notes~1{id}/head", "parameters": {"id": "$response.body#/id"}} in list(
        links.values()
    ), "an operation without operationId is linked by reference"
    return served


class _Files:
    """The contract's YAML files, and their $refs followed file by file (recursion marked by name)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.cache: dict[str, Any] = {}

    def load(self, name: str) -> Any:
        if name not in self.cache:
            self.cache[name] = yaml.load((self.base / name).read_text(), Loader=_Yaml12Loader)  # noqa: S506
        return self.cache[name]

    def resolve(self, node: Any, file: str, stack: tuple[tuple[str, str], ...] = ()) -> Any:
        if isinstance(node, list):
            return [self.resolve(item, file, stack) for item in node]
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("$ref"), str):
            target_file, _, pointer = node["$ref"].partition("#")
            target_file = (
                posixpath.normpath(posixpath.join(posixpath.dirname(file), target_file)) if target_file else file
            )
            key = (target_file, pointer)
            siblings = {k: self.resolve(v, file, stack) for k, v in node.items() if k != "$ref"}
            if key in stack:
                return {"$recursive": pointer.rsplit("/", 1)[-1], **siblings}
            target = _at(self.load(target_file), pointer)
            resolved = self.resolve(target, target_file, (*stack, key))
            return {**resolved, **siblings} if isinstance(resolved, dict) else resolved
        out = {k: self.resolve(v, file, stack) for k, v in node.items()}
        if isinstance(node.get("mapping"), dict) and "propertyName" in node:
            out["mapping"] = {k: str(v).rsplit("/", 1)[-1] for k, v in node["mapping"].items()}
        return out


def _resolve_served(doc: dict[str, Any], node: Any, stack: tuple[str, ...] = ()) -> Any:
    if isinstance(node, list):
        return [_resolve_served(doc, item, stack) for item in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("$ref"), str):
        pointer = node["$ref"].partition("#")[2]
        siblings = {k: _resolve_served(doc, v, stack) for k, v in node.items() if k != "$ref"}
        if pointer in stack:
            return {"$recursive": pointer.rsplit("/", 1)[-1], **siblings}
        resolved = _resolve_served(doc, _at(doc, pointer), (*stack, pointer))
        return {**resolved, **siblings} if isinstance(resolved, dict) else resolved
    out = {k: _resolve_served(doc, v, stack) for k, v in node.items()}
    if isinstance(node.get("mapping"), dict) and "propertyName" in node:
        out["mapping"] = {k: str(v).rsplit("/", 1)[-1] for k, v in node["mapping"].items()}
    return out


def _at(document: Any, pointer: str) -> Any:
    node = document
    for token in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


class _Yaml12Loader(yaml.SafeLoader):
    """Keys as strings and only true/false as booleans, as OpenAPI's YAML means them."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def _string_keys(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, Any]:
    return {str(loader.construct_object(k, deep=True)): loader.construct_object(v, deep=True) for k, v in node.value}


_Yaml12Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _string_keys)
