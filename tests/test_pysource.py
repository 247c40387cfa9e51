"""The emitters (generator/pysource.py): contract text becomes Python source only through them."""

from __future__ import annotations

import ast

import pytest

from generator.pysource import EmitError, annotation, comment, docstring, identifier, literal


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

    from generator.render import _env

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
