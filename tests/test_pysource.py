"""The emitters (generator/base/pysource.py): contract text becomes Python source only through them."""

from __future__ import annotations

import ast

import pytest

from generator.base.pysource import EmitError, annotation, comment, docstring, identifier, literal


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), "a'\"\\\n\x00\ud800", {"k": [1.5, None]}])
def test_literal_reads_back_as_the_value(value: object) -> None:
    source = literal(value)
    tree = ast.parse(source, mode="eval")
    if isinstance(value, float):
        back = eval(compile(tree, "<literal>", "eval"), {"__builtins__": {"float": float}})  # noqa: S307
        assert repr(back) == repr(value)
    else:
        assert ast.literal_eval(tree) == value


@pytest.mark.parametrize("name", ["owner_id\n", "ｏwner_id", "class", "match", "a-b", "", "1a", "x;import os"])
def test_identifier_refuses_what_is_not_exactly_a_name(name: str) -> None:
    with pytest.raises(EmitError):
        identifier(name)


@pytest.mark.parametrize("text", ["__import__('os').system('x')", "int; import os", "x if y else z", "lambda: 0"])
def test_annotation_refuses_anything_but_a_type_expression(text: str) -> None:
    with pytest.raises(EmitError):
        annotation(text)


def test_docstring_reads_back_exactly() -> None:
    text = 'end """ here \\ and \n newline \x00 \u202e'
    module = ast.parse(f'"""{docstring(text)}"""')
    assert ast.get_docstring(module, clean=False) == text


def test_no_template_writes_raw_text() -> None:
    """Every value a template writes comes from an emitter: one that does not fails at generate time."""
    import jinja2

    from generator.render.tree import _env

    raw = _env.from_string("x = {{ value }}\n")
    with pytest.raises(EmitError, match="without an emitter"):
        raw.render(value="1; import os")
    assert raw.render(value=literal("1; import os")) == "x = '1; import os'\n"
    assert isinstance(_env.undefined, type) and issubclass(_env.undefined, jinja2.StrictUndefined)


def test_comment_is_one_line_that_reads_back() -> None:
    name = "specs/database/t\nimport os;os.system('x')#\r\x00.yaml"
    text = "# " + comment(name) + "\n"
    assert ast.parse(text).body == [] and text.count("\n") == 1
    assert ast.literal_eval('"' + comment(name).replace('"', '\\"') + '"') == name


def test_no_contract_name_can_take_a_name_the_generated_modules_import() -> None:
    """Routers and services import the contract's classes by name beside FastAPI's, pydantic's and the
    runtime's (a schema `BeforeValidator` once shadowed pydantic's): those names are reserved. tables.py
    and deps.py import only `<Name>Public` models and define `<Name>Table` classes and upper-case
    constants: their other imports must not be able to meet those shapes."""
    from generator.base.names import RESERVED_CLASS_NAMES, RESERVED_CONSTANT_NAMES
    from generator.pipeline import check_contracts
    from generator.render.tree import render_tree
    from tests.support import REPO

    _, result = check_contracts(REPO)
    assert result.project is not None
    for rel, text in render_tree(result.project, models=lambda: "").items():
        if not rel.endswith(".py"):
            continue
        imported = {
            alias.asname or alias.name
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.ImportFrom) and not (node.module or "").startswith("generated")
            for alias in node.names
        }
        classes = {name for name in imported if name[:1].isupper()}
        if rel.startswith(("routers/", "services/")):
            assert classes <= RESERVED_CLASS_NAMES, (rel, sorted(classes - RESERVED_CLASS_NAMES))
        else:
            constants = {name for name in classes if name.isupper()}
            assert constants <= RESERVED_CONSTANT_NAMES, (rel, sorted(constants - RESERVED_CONSTANT_NAMES))
            assert not any(name.endswith(("Public", "Table")) for name in classes), (rel, sorted(classes))
