"""Configs are immutable all the way down and hashable; FrozenDict, freeze and thaw."""

from __future__ import annotations

import collections
import copy
import json
import pickle
import types
from collections.abc import Callable
from typing import Any

import pytest

from seleniumcrawl.cache import cache_key, fetch_options
from seleniumcrawl.config import BrowserConfig, CrawlerRunConfig
from seleniumcrawl.frozen import FrozenDict, freeze, thaw

URL = "http://127.0.0.1/page"
COOKIE = {"name": "n", "value": "v", "url": "http://127.0.0.1/", "partitionKey": {"a": [1, 2]}}


def _browser(**changes: Any) -> BrowserConfig:
    values: dict[str, Any] = {
        "extra_args": ["--lang=de"],
        "cookies": [COOKIE],
        "headers": {"X-A": "1", "B": "2"},
    }
    values.update(changes)
    return BrowserConfig(**values)


def _run(**changes: Any) -> CrawlerRunConfig:
    values: dict[str, Any] = {
        "js_code": ["return 1", "return 2"],
        "excluded_tags": ["nav"],
        "url_matcher": ["*/a/*", "*/b/*"],
    }
    values.update(changes)
    return CrawlerRunConfig(**values)


# -- FrozenDict, freeze, thaw --------------------------------------------------------------


def test_frozen_dict_refuses_every_mutation() -> None:
    """Item assignment, deletion and attribute assignment all fail on a FrozenDict."""
    frozen: Any = FrozenDict({"a": 1})
    with pytest.raises(TypeError):
        frozen["b"] = 2
    with pytest.raises(TypeError):
        del frozen["a"]
    with pytest.raises(AttributeError):
        frozen.update({"b": 2})
    with pytest.raises(AttributeError):
        frozen._data = {}
    assert dict(frozen) == {"a": 1}


def test_frozen_dict_equality_and_hash_ignore_key_order() -> None:
    """FrozenDicts with the same items are equal (to each other and to a dict) and hash equal."""
    a = FrozenDict({"x": 1, "y": 2})
    b = FrozenDict({"y": 2, "x": 1})
    assert a == b and hash(a) == hash(b)
    assert a == {"x": 1, "y": 2} and a != {"x": 1} and a != FrozenDict({"x": 2, "y": 2})
    assert a != [("x", 1), ("y", 2)]
    assert len({a, b}) == 1


def test_frozen_dict_freezes_its_values() -> None:
    """Nested dicts and lists inside a FrozenDict become FrozenDicts and tuples."""
    frozen = FrozenDict({"a": {"b": [1, {"c": []}]}})
    assert frozen["a"] == FrozenDict({"b": (1, FrozenDict({"c": ()}))})
    assert isinstance(frozen["a"], FrozenDict) and isinstance(frozen["a"]["b"], tuple)
    assert hash(frozen) == hash(FrozenDict({"a": {"b": (1, {"c": ()})}}))


def test_frozen_dict_survives_pickle_and_deepcopy() -> None:
    """Pickling and deep-copying give an equal FrozenDict."""
    frozen = FrozenDict({"a": (1, 2), "b": FrozenDict({"c": "d"})})
    for clone in (pickle.loads(pickle.dumps(frozen)), copy.deepcopy(frozen)):
        assert isinstance(clone, FrozenDict) and clone == frozen and hash(clone) == hash(frozen)


def test_frozen_dict_repr_shows_the_items() -> None:
    """repr() names the type and shows the items."""
    assert repr(FrozenDict({"a": 1})) == "FrozenDict({'a': 1})"


def test_freeze_and_thaw_round_trip_json_values() -> None:
    """freeze gives hashable tuples/FrozenDicts; thaw gives back the same plain JSON value."""
    value = {"a": [1, "x", {"b": [True, None, 2.5]}], "c": {}}
    frozen = freeze(value)
    hash(frozen)
    assert thaw(frozen) == value
    assert json.dumps(thaw(frozen), sort_keys=True) == json.dumps(value, sort_keys=True)
    assert type(thaw(frozen)["a"]) is list and type(thaw(frozen)["c"]) is dict


def test_freeze_leaves_scalars_and_strings_alone() -> None:
    """Strings, bytes, numbers, None and callables are returned as they are."""
    for value in ("abc", b"abc", 3, 2.5, None, len):
        assert freeze(value) is value


def test_freeze_turns_other_sequences_and_mappings_into_frozen_forms() -> None:
    """Any non-string sequence becomes a tuple and any mapping a FrozenDict."""
    assert freeze(range(3)) == (0, 1, 2)
    frozen = freeze(types.MappingProxyType({"a": [1]}))
    assert isinstance(frozen, FrozenDict) and frozen == {"a": (1,)}
    assert CrawlerRunConfig(excluded_tags=collections.deque(["nav"])).excluded_tags == ("nav",)


# -- the configs -----------------------------------------------------------------------------


def test_list_and_dict_fields_read_back_frozen() -> None:
    """Lists given by the user come back as tuples and dicts as FrozenDicts, nested ones too."""
    browser, run = _browser(), _run()
    assert browser.extra_args == ("--lang=de",)
    assert isinstance(browser.headers, FrozenDict) and browser.headers == {"X-A": "1", "B": "2"}
    assert isinstance(browser.cookies, tuple) and isinstance(browser.cookies[0], FrozenDict)
    assert browser.cookies[0]["partitionKey"] == FrozenDict({"a": (1, 2)})
    assert run.js_code == ("return 1", "return 2") and run.excluded_tags == ("nav",)
    assert run.url_matcher == ("*/a/*", "*/b/*")
    assert CrawlerRunConfig(js_code="return 1").js_code == "return 1"


MUTATIONS: list[tuple[str, Callable[[Any, Any], object]]] = [
    ("append extra_args", lambda b, r: b.extra_args.append("--x")),
    ("set extra_args[0]", lambda b, r: b.extra_args.__setitem__(0, "--x")),
    ("add a header", lambda b, r: b.headers.__setitem__("X-B", "2")),
    ("clear headers", lambda b, r: b.headers.clear()),
    ("append a cookie", lambda b, r: b.cookies.append({})),
    ("change a cookie", lambda b, r: b.cookies[0].__setitem__("value", "stolen")),
    ("change a nested cookie value", lambda b, r: b.cookies[0]["partitionKey"].pop("a")),
    ("append js_code", lambda b, r: r.js_code.append("return 3")),
    ("append excluded_tags", lambda b, r: r.excluded_tags.append("footer")),
    ("append url_matcher", lambda b, r: r.url_matcher.append("*")),
]


@pytest.mark.parametrize(("what", "mutate"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutating_a_config_in_place_fails(what: str, mutate: Callable[[Any, Any], object]) -> None:
    """No list or dict held by a config can be changed in place."""
    browser, run = _browser(), _run()
    with pytest.raises((TypeError, AttributeError)):
        mutate(browser, run)
    assert browser == _browser() and run == _run()


def test_the_callers_lists_and_dicts_are_not_shared() -> None:
    """Changing the list or dict given at construction does not change the config."""
    args, headers, cookie = ["--a"], {"X": "1"}, dict(COOKIE)
    config = BrowserConfig(extra_args=args, headers=headers, cookies=[cookie])
    args.append("--b")
    headers["Y"] = "2"
    cookie["value"] = "changed"
    assert config.extra_args == ("--a",) and config.headers == {"X": "1"}
    assert config.cookies[0]["value"] == "v"


@pytest.mark.parametrize("make", [_browser, _run, BrowserConfig, CrawlerRunConfig])
def test_equal_configs_hash_equal(make: Callable[..., Any]) -> None:
    """hash() works on both configs, and equal configs (built apart) hash equal."""
    a, b = make(), make()
    assert a is not b and a == b and hash(a) == hash(b)
    assert len({a, b}) == 1


def test_lists_and_tuples_give_equal_configs() -> None:
    """A list and a tuple with the same items, or reordered dict keys, make equal configs."""
    assert _browser(extra_args=("--lang=de",)) == _browser()
    assert _browser(headers={"B": "2", "X-A": "1"}) == _browser()
    assert hash(_browser(headers={"B": "2", "X-A": "1"})) == hash(_browser())
    assert _run(js_code=("return 1", "return 2")) == _run()


def test_different_configs_are_not_equal() -> None:
    """A different header, cookie or script makes a different config."""
    assert _browser(headers={"X-A": "2"}) != _browser()
    assert _browser(cookies=[{**COOKIE, "value": "w"}]) != _browser()
    assert _run(js_code=["return 2", "return 1"]) != _run()


def test_configs_can_key_a_dict() -> None:
    """Configs work as dict keys: an equal config finds the entry."""
    table = {_browser(): "browser", _run(): "run"}
    assert table[_browser()] == "browser" and table[_run()] == "run"


def test_config_with_a_callable_url_matcher_is_hashable() -> None:
    """A predicate in url_matcher (alone or in a list) keeps the config hashable."""

    def matcher(url: str) -> bool:
        return "a" in url

    assert hash(_run(url_matcher=matcher)) == hash(_run(url_matcher=matcher))
    assert _run(url_matcher=["*", matcher]).url_matcher == ("*", matcher)


def test_clone_keeps_values_frozen_and_validates() -> None:
    """clone() freezes new lists and dicts, keeps the others, and still rejects bad values."""
    browser = _browser().clone(headers={"Z": "9"})
    assert browser.headers == FrozenDict({"Z": "9"}) and browser.extra_args == ("--lang=de",)
    run = _run().clone(excluded_tags=["aside"])
    assert run.excluded_tags == ("aside",) and run.js_code == ("return 1", "return 2")
    with pytest.raises(TypeError, match="headers"):
        _browser().clone(headers={"Z": 9})
    with pytest.raises(TypeError, match=r"extra_args\[0\]"):
        _browser().clone(extra_args=[1])
    with pytest.raises(ValueError, match=r"cookies\[0\]"):
        _browser().clone(cookies=[{"name": "a", "value": "b"}])
    with pytest.raises(TypeError, match="cookies"):
        _browser().clone(cookies={"name": "a", "value": "b", "url": "http://x/"})


# -- consumers that need plain JSON --------------------------------------------------------


def test_fetch_options_are_plain_json() -> None:
    """fetch_options() thaws the configs' values into dicts and lists."""
    options = fetch_options(_browser(), _run())
    browser = options["browser"]
    assert type(browser["headers"]) is dict and type(browser["cookies"]) is list
    assert type(browser["cookies"][0]) is dict and type(browser["extra_args"]) is list
    assert browser["cookies"][0]["partitionKey"] == {"a": [1, 2]}
    assert options["js_code"] == ["return 1", "return 2"]


@pytest.mark.parametrize(
    ("browser", "run", "key"),
    [
        (
            BrowserConfig(),
            CrawlerRunConfig(),
            "78bce4d2fa73dea9586e2bb02233a5a89d31b10e86c77997af24dd4fe46e7e8e",
        ),
        (
            BrowserConfig(
                headers={"X-A": "1", "B": "2"},
                cookies=[{"name": "n", "value": "v", "url": "http://127.0.0.1/", "httpOnly": True}],
                extra_args=["--lang=de"],
            ),
            CrawlerRunConfig(js_code=["return 1", "return 2"], wait_for="css:p"),
            "49c59fbecc9e41ffc62d86dabf15cc78f685c1dbf7538b5df987f97c3e682ea7",
        ),
    ],
    ids=["defaults", "headers-cookies-args-scripts"],
)
def test_cache_keys_are_those_of_mutable_configs(
    browser: BrowserConfig, run: CrawlerRunConfig, key: str
) -> None:
    """Keys are the ones computed before configs were frozen, so existing caches stay valid."""
    # The digests were computed with the list/dict configs of commit 4940c00.
    assert cache_key(URL, fetch_options(browser, run)) == key


_CONTAINER_TYPES = ("dict", "list", "set", "Mapping", "Sequence")


@pytest.mark.parametrize("cls", [BrowserConfig, CrawlerRunConfig])
def test_every_container_field_has_a_freezing_converter(cls: type) -> None:
    """A config field typed as a list, dict or mapping has one of the freezing converters
    (lists to tuples, dicts to FrozenDicts), so a field added later cannot let a mutable
    value into a hashable config."""
    import attrs

    from seleniumcrawl.config import validators as module

    freezers = {
        value
        for name, value in vars(module).items()
        if name.startswith(("_to_", "_frozen_")) and callable(value)
    }
    loose = [
        field.name
        for field in attrs.fields(cls)
        if any(kind in str(field.type) for kind in _CONTAINER_TYPES)
        and field.converter not in freezers
    ]
    assert loose == []


def test_viewport_reads_back_frozen_and_hashable() -> None:
    """viewport (Crawl4AI's dict) is a FrozenDict: it cannot be changed, and the config hashes."""
    given = {"width": 800, "height": 500}
    config = BrowserConfig(viewport=given)
    given["width"] = 1
    assert isinstance(config.viewport, FrozenDict) and config.viewport == {
        "width": 800,
        "height": 500,
    }
    assert (config.viewport_width, config.viewport_height) == (800, 500)
    with pytest.raises(TypeError):
        config.viewport["width"] = 2  # type: ignore[index]
    assert hash(config) == hash(BrowserConfig(viewport={"height": 500, "width": 800}))
