"""Schema validation: a malformed schema fails at construction, naming the field path."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

from seleniumcrawl.errors import SchemaError
from seleniumcrawl.extraction_strategy import JsonCssExtractionStrategy, JsonXPathExtractionStrategy


def _text(name: str = "t", selector: str = "p") -> dict[str, Any]:
    return {"name": name, "selector": selector, "type": "text"}


def _schema(*fields: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"baseSelector": "div", "fields": list(fields), **top}


# (case, schema, path named in the error, a phrase of the explanation)
INVALID: list[tuple[str, Any, str, str]] = [
    ("not a dict", ["baseSelector"], "schema", "must be a dict"),
    ("missing baseSelector", {"fields": [_text()]}, "baseSelector", "required"),
    ("empty baseSelector", {"baseSelector": " ", "fields": []}, "baseSelector", "non-empty"),
    ("unknown schema key", _schema(_text(), baseSelectr="div"), "baseSelectr", "unknown"),
    ("fields not a list", {"baseSelector": "div", "fields": {"a": 1}}, "fields", "list"),
    ("field not a dict", _schema("title"), "fields[0]", "must be a dict"),  # type: ignore[arg-type]
    (
        "unknown type",
        _schema(_text(), _text(), {"name": "x", "selector": "p", "type": "txt"}),
        "fields[2].type",
        "unknown type 'txt'",
    ),
    ("missing type", _schema({"name": "x", "selector": "p"}), "fields[0].type", "required"),
    ("missing name", _schema({"selector": "p", "type": "text"}), "fields[0].name", "non-empty"),
    (
        "attribute without attribute",
        _schema({"name": "x", "selector": "a", "type": "attribute"}),
        "fields[0].attribute",
        "required",
    ),
    (
        "regex without pattern",
        _schema(_text(), {"name": "x", "selector": "a", "type": "regex"}),
        "fields[1].pattern",
        "required",
    ),
    (
        "pattern that does not compile",
        _schema({"name": "x", "type": "regex", "pattern": "(unclosed"}),
        "fields[0].pattern",
        "does not compile",
    ),
    (
        "group beyond the pattern's groups",
        _schema({"name": "x", "type": "regex", "pattern": r"(\d+)", "group": 2}),
        "fields[0].group",
        "no group 2",
    ),
    (
        "unknown group name",
        _schema({"name": "x", "type": "regex", "pattern": r"(?P<n>\d+)", "group": "m"}),
        "fields[0].group",
        "no group named 'm'",
    ),
    (
        "group of the wrong type",
        _schema({"name": "x", "type": "regex", "pattern": r"(\d+)", "group": True}),
        "fields[0].group",
        "group number or name",
    ),
    ("invalid CSS baseSelector", {"baseSelector": "div[", "fields": []}, "baseSelector", "CSS"),
    ("CSS pseudo-element", {"baseSelector": "p::before", "fields": []}, "baseSelector", "CSS"),
    (
        "invalid CSS selector in a nested field",
        _schema(
            _text(),
            {"name": "n", "selector": "div", "type": "nested", "fields": [_text(selector="p:::x")]},
        ),
        "fields[1].fields[0].selector",
        "invalid CSS selector 'p:::x'",
    ),
    ("unknown field key", _schema({**_text(), "colour": "red"}), "fields[0].colour", "unknown"),
    (
        "non-callable computed",
        _schema({"name": "c", "type": "computed", "function": 42}),
        "fields[0].function",
        "callable",
    ),
    (
        "string expression",
        _schema({"name": "c", "type": "computed", "expression": "price * 2"}),
        "fields[0].expression",
        "never evaluated",
    ),
    (
        "computed without a callable",
        _schema({"name": "c", "type": "computed"}),
        "fields[0].function",
        "exactly one callable",
    ),
    (
        "unknown transform",
        _schema({**_text(), "transform": "titlecase"}),
        "fields[0].transform",
        "unknown transform 'titlecase'",
    ),
    (
        "key the type ignores",
        _schema({**_text(), "pattern": r"\d+"}),
        "fields[0].pattern",
        "not used by type 'text'",
    ),
    (
        "transform on a nested field",
        _schema({"name": "n", "type": "nested", "fields": [_text()], "transform": "strip"}),
        "fields[0].transform",
        "not used",
    ),
    (
        "list without selector",
        _schema({"name": "l", "type": "list", "fields": [_text()]}),
        "fields[0].selector",
        "required for type 'list'",
    ),
    (
        "nested without fields",
        _schema({"name": "n", "selector": "p", "type": "nested"}),
        "fields[0].fields",
        "non-empty list",
    ),
    (
        "nested field inside a list item",
        _schema(
            {
                "name": "l",
                "selector": "li",
                "type": "list",
                "fields": [{"name": "n", "type": "nested", "fields": [_text()]}],
            }
        ),
        "fields[0].fields[0].type",
        "use nested_list",
    ),
    (
        "computed base field",
        _schema(_text(), baseFields=[{"name": "c", "type": "computed", "function": len}]),
        "baseFields[0].type",
        "not allowed here",
    ),
    (
        "pipeline reading an element after the first stage",
        _schema({"name": "x", "type": ["regex", "attribute"], "pattern": "a", "attribute": "b"}),
        "fields[0].type[1]",
        "only be the first stage",
    ),
    (
        "pipeline with a structure type",
        _schema({"name": "x", "type": ["text", "nested"]}),
        "fields[0].type[1]",
        "cannot be a pipeline stage",
    ),
    (
        "pipeline with two regex stages",
        _schema({"name": "x", "type": ["regex", "regex"], "pattern": "a"}),
        "fields[0].type",
        "once",
    ),
    ("empty pipeline", _schema({"name": "x", "type": []}), "fields[0].type", "non-empty list"),
    (
        "source that is only '+'",
        _schema({**_text(), "source": " + "}),
        "fields[0].source",
        "'+ <selector>'",
    ),
    (
        "source with an invalid selector",
        _schema(_text(), {**_text(), "source": "+ tr["}),
        "fields[1].source",
        "invalid CSS selector",
    ),
]


@pytest.mark.parametrize(
    ("schema", "path", "phrase"),
    [case[1:] for case in INVALID],
    ids=[case[0] for case in INVALID],
)
def test_invalid_css_schema_names_the_path(schema: Any, path: str, phrase: str) -> None:
    """Each malformed schema raises SchemaError whose message starts with the field path."""
    with pytest.raises(SchemaError) as info:
        JsonCssExtractionStrategy(schema)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert phrase in message


def test_schema_error_is_a_value_error() -> None:
    """SchemaError is a ValueError, so callers catching ValueError see bad schemas."""
    with pytest.raises(ValueError, match=r"^baseSelector: required$"):
        JsonCssExtractionStrategy({"fields": []})


def test_string_expression_is_never_evaluated(monkeypatch: pytest.MonkeyPatch) -> None:
    """A string 'expression' is refused before anything could run it."""
    monkeypatch.delenv("SELENIUMCRAWL_EVAL_RAN", raising=False)
    sneaky = "__import__('os').environ.setdefault('SELENIUMCRAWL_EVAL_RAN', '1')"
    schema = _schema({"name": "c", "type": "computed", "expression": sneaky})
    with pytest.raises(SchemaError):
        JsonCssExtractionStrategy(schema).extract("u", "<div><p>x</p></div>")
    assert "SELENIUMCRAWL_EVAL_RAN" not in os.environ


def test_callable_expression_is_accepted() -> None:
    """A callable under 'expression' is accepted like 'function' (Crawl4AI's two spellings)."""
    strategy = JsonCssExtractionStrategy(
        _schema(_text(), {"name": "c", "type": "computed", "expression": lambda item: 1})
    )
    assert strategy.extract("u", "<div><p>x</p></div>") == [{"t": "x", "c": 1}]


def test_verbose_must_be_a_bool() -> None:
    """A non-bool verbose is a TypeError naming it."""
    with pytest.raises(TypeError, match="verbose"):
        JsonCssExtractionStrategy(_schema(_text()), verbose="yes")  # type: ignore[arg-type]


XPATH_INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("baseSelector", {"baseSelector": "//div[", "fields": []}, "baseSelector"),
    (
        "field selector",
        {"baseSelector": "//div", "fields": [_text(), _text(selector=".//p[@")]},
        "fields[1].selector",
    ),
    (
        "nested field selector",
        {
            "baseSelector": "//div",
            "fields": [
                {
                    "name": "n",
                    "selector": ".//p",
                    "type": "nested_list",
                    "fields": [_text(selector="]]")],
                }
            ],
        },
        "fields[0].fields[0].selector",
    ),
    (
        "source step",
        {"baseSelector": "//div", "fields": [{**_text(selector=".//p"), "source": "+ tr[@"}]},
        "fields[0].source",
    ),
]


@pytest.mark.parametrize(
    ("schema", "path"), [case[1:] for case in XPATH_INVALID], ids=[c[0] for c in XPATH_INVALID]
)
def test_invalid_xpath_names_the_path(schema: dict[str, Any], path: str) -> None:
    """An XPath lxml cannot compile raises SchemaError naming the field path."""
    with pytest.raises(SchemaError, match=rf"^{re.escape(path)}: invalid XPath"):
        JsonXPathExtractionStrategy(schema)


def test_xpath_strategy_validates_the_rest_of_the_schema_too() -> None:
    """Schema rules other than selectors are the same for the XPath strategy."""
    schema = {"baseSelector": "//div", "fields": [{"name": "x", "type": "attribute"}]}
    with pytest.raises(SchemaError, match=r"^fields\[0\]\.attribute: required"):
        JsonXPathExtractionStrategy(schema)


def test_valid_schema_with_every_feature_is_accepted() -> None:
    """A schema using every key and type constructs without error."""
    schema = {
        "name": "everything",
        "baseSelector": "li.item",
        "baseFields": [{"name": "id", "type": "attribute", "attribute": "data-id"}],
        "fields": [
            {"name": "a", "selector": "a", "type": "text", "transform": "strip", "default": ""},
            {"name": "b", "type": ["attribute", "regex"], "attribute": "href", "pattern": "(x)"},
            {"name": "c", "selector": "p", "type": "html", "source": "+ li"},
            {"name": "d", "type": "regex", "pattern": "(?P<g>x)", "group": "g"},
            {"name": "e", "selector": "div", "type": "nested", "fields": [_text()]},
            {"name": "f", "selector": "span", "type": "list", "fields": [_text()]},
            {"name": "g", "selector": "ul", "type": "nested_list", "fields": [_text()]},
            {"name": "h", "type": "computed", "function": len, "default": 0},
        ],
    }
    assert JsonCssExtractionStrategy(schema).schema is schema
