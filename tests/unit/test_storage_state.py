"""Storage state without a browser: validation by key path, loading, the 0600 writer,
the config fields (hashable, secret-free repr and cache key) and the persistent profile."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from seleniumcrawl import BrowserConfig, CrawlerRunConfig
from seleniumcrawl.browser import storage
from seleniumcrawl.cache import fetch_options
from seleniumcrawl.config import default_profile_dir
from seleniumcrawl.errors import ConfigError
from seleniumcrawl.storage_state import (
    digest,
    importable,
    load,
    validate,
    write_private_json,
)

SECRET = "s3cr3t-token-value"


def _cookie(**changes: Any) -> dict[str, Any]:
    cookie: dict[str, Any] = {
        "name": "session",
        "value": SECRET,
        "domain": "example.com",
        "path": "/",
        "expires": -1,
        "httpOnly": False,
        "secure": False,
        "sameSite": "Lax",
    }
    cookie.update(changes)
    return {k: v for k, v in cookie.items() if v is not _DROP}


_DROP = object()


def _state(**changes: Any) -> dict[str, Any]:
    state: dict[str, Any] = {
        "cookies": [_cookie(), _cookie(name="b"), _cookie(name="c")],
        "origins": [
            {"origin": "https://example.com", "localStorage": [{"name": "token", "value": SECRET}]}
        ],
    }
    state.update(changes)
    return state


def _origin(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "origin": "https://example.com",
        "localStorage": [{"name": "token", "value": SECRET}],
    }
    entry.update(changes)
    return {k: v for k, v in entry.items() if v is not _DROP}


def _third(cookie: dict[str, Any]) -> dict[str, Any]:
    return _state(cookies=[_cookie(), _cookie(name="b"), cookie])


BAD_STATES: list[Any] = [
    pytest.param([], "storage_state: must be an object", id="not-an-object"),
    pytest.param({"cookie": []}, "storage_state: unknown key 'cookie'", id="unknown-top-key"),
    pytest.param({"cookies": {}}, "storage_state.cookies: must be a list", id="cookies-not-list"),
    pytest.param(
        _state(cookies=["x"]), "storage_state.cookies[0]: must be an object", id="cookie-str"
    ),
    pytest.param(_third(_cookie(name=_DROP)), "storage_state.cookies[2].name: missing", id="name"),
    pytest.param(
        _third(_cookie(value=5)), "storage_state.cookies[2].value: must be a string", id="value"
    ),
    pytest.param(
        _third(_cookie(domain=_DROP)), "storage_state.cookies[2].domain: missing", id="domain"
    ),
    pytest.param(
        _third(_cookie(domain="")), "storage_state.cookies[2].domain: must not be empty", id="empty"
    ),
    pytest.param(
        _third(_cookie(domain=_DROP, url="ftp://x")), "cookies[2].url: must be an http(s)", id="url"
    ),
    pytest.param(_third(_cookie(path="x")), "cookies[2].path: must start with '/'", id="path"),
    pytest.param(_third(_cookie(expires="soon")), "cookies[2].expires: must be a number", id="exp"),
    pytest.param(_third(_cookie(expires=True)), "cookies[2].expires: must be a number", id="exp-b"),
    pytest.param(
        _third(_cookie(httpOnly="no")), "cookies[2].httpOnly: must be true or false", id="ho"
    ),
    pytest.param(
        _third(_cookie(secure=1)), "cookies[2].secure: must be true or false", id="secure"
    ),
    pytest.param(_third(_cookie(sameSite="no")), "cookies[2].sameSite: must be one of", id="ss"),
    pytest.param({"origins": "x"}, "storage_state.origins: must be a list", id="origins-not-list"),
    pytest.param({"origins": [1]}, "storage_state.origins[0]: must be an object", id="origin-int"),
    pytest.param(
        {"origins": [_origin(origin=_DROP)]}, "storage_state.origins[0].origin: missing", id="o"
    ),
    pytest.param(
        {"origins": [_origin(origin="https://example.com/app")]},
        "origins[0].origin: must be scheme://host[:port]",
        id="origin-path",
    ),
    pytest.param(
        {"origins": [_origin(localStorage={})]},
        "storage_state.origins[0].localStorage: must be a list",
        id="ls-not-list",
    ),
    pytest.param(
        {"origins": [_origin(), _origin(localStorage=[{"value": "v"}])]},
        "storage_state.origins[1].localStorage[0].name: missing",
        id="ls-name",
    ),
    pytest.param(
        {"origins": [_origin(localStorage=[{"name": "n", "value": None}])]},
        "storage_state.origins[0].localStorage[0].value: must be a string, got null",
        id="ls-value",
    ),
]


@pytest.mark.parametrize(("state", "message"), BAD_STATES)
def test_a_malformed_state_names_its_key_path(state: Any, message: str) -> None:
    """Each wrong key raises ConfigError (a ValueError) naming its path, never a value."""
    with pytest.raises(ConfigError) as caught:
        validate(state)
    assert message in str(caught.value)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(("state", "message"), BAD_STATES[1:6])
def test_browser_config_rejects_a_malformed_state(state: Any, message: str) -> None:
    """BrowserConfig(storage_state=...) validates at construction, prefixed with the class."""
    with pytest.raises(ValueError) as caught:
        BrowserConfig(storage_state=state)
    assert str(caught.value).startswith("BrowserConfig.storage_state")
    assert message.removeprefix("storage_state") in str(caught.value)


def test_a_good_state_and_playwright_extras_pass() -> None:
    """Playwright's own output passes, extra keys inside cookies and origins included."""
    state = _state()
    state["cookies"][0]["partitionKey"] = "https://example.com"
    state["origins"][0]["indexedDB"] = []
    validate(state)
    validate({})
    validate(_state(cookies=[_cookie(domain=_DROP, path=_DROP, url="https://example.com/")]))


def test_load_reads_a_file_or_path_like(tmp_path: Path) -> None:
    """A path (str or os.PathLike) is read as JSON and validated."""
    path = tmp_path / "state.json"
    path.write_text(json.dumps(_state()))
    assert load(path) == _state()
    assert load(str(path)) == _state()


def test_load_reports_a_missing_or_non_json_file(tmp_path: Path) -> None:
    """A missing file and a file that is not JSON are ConfigErrors naming the path only."""
    with pytest.raises(ConfigError, match="no such file"):
        BrowserConfig(storage_state=str(tmp_path / "nope.json"))
    bad = tmp_path / "bad.json"
    bad.write_text('{"cookies": [' + SECRET)
    with pytest.raises(ConfigError, match="is not JSON") as caught:
        BrowserConfig(storage_state=bad)
    assert SECRET not in str(caught.value)
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(_third(_cookie(domain=_DROP))))
    with pytest.raises(ConfigError, match=r"storage_state.cookies\[2\].domain: missing"):
        BrowserConfig(storage_state=wrong)


def test_storage_state_of_the_wrong_type_is_a_type_error() -> None:
    """Neither a path nor a dict: TypeError naming the field."""
    with pytest.raises(TypeError, match=r"BrowserConfig\.storage_state must be a path"):
        BrowserConfig(storage_state=42)  # type: ignore[arg-type]


def test_config_with_a_state_is_hashable_and_keeps_secrets_out_of_repr(tmp_path: Path) -> None:
    """The state is frozen (hashable, equal configs hash equal) and absent from repr."""
    one, two = BrowserConfig(storage_state=_state()), BrowserConfig(storage_state=_state())
    assert one == two and hash(one) == hash(two)
    assert SECRET not in repr(one)
    assert one.storage_state_data == _state()
    path = tmp_path / "s.json"
    path.write_text(json.dumps(_state()))
    from_file = BrowserConfig(storage_state=path)
    assert from_file.storage_state == str(path)
    assert from_file.storage_state_data == _state()
    assert from_file.clone(verbose=True).storage_state_data == _state()


def test_cache_key_holds_a_digest_of_the_state_never_its_values() -> None:
    """A state changes the cache key through its digest; the key's options hold no value."""
    run = CrawlerRunConfig()
    plain = fetch_options(BrowserConfig(), run)
    with_state = fetch_options(BrowserConfig(storage_state=_state()), run)
    other = fetch_options(BrowserConfig(storage_state=_state(origins=[])), run)
    assert "storage_state" not in plain["browser"]
    assert with_state["browser"]["storage_state"] == digest(_state())
    assert with_state != other
    assert SECRET not in json.dumps(with_state)


def test_writer_creates_a_0600_file_whatever_the_umask(tmp_path: Path) -> None:
    """A new file is written 0600 even under umask 0, with the JSON given, and no temp file."""
    old = os.umask(0)
    try:
        path = write_private_json(tmp_path / "state.json", _state())
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == _state()
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_writer_makes_an_existing_wider_file_0600(tmp_path: Path) -> None:
    """A file that existed readable by others ends up 0600 with the new content."""
    path = tmp_path / "state.json"
    path.write_text("old")
    path.chmod(0o644)
    write_private_json(path, {"cookies": [], "origins": []})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {"cookies": [], "origins": []}


def test_writer_into_a_missing_directory_raises_and_leaves_nothing(tmp_path: Path) -> None:
    """A directory that does not exist is an OSError, not a half-written file."""
    with pytest.raises(FileNotFoundError):
        write_private_json(tmp_path / "nope" / "state.json", {})
    assert list(tmp_path.iterdir()) == []


def test_persistent_context_defaults_its_profile_and_one_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """use_persistent_context without a directory uses $SELENIUMCRAWL_HOME/browser_profile
    and one browser (Chromium locks a profile); Crawl4AI's use_managed_browser alike."""
    monkeypatch.setenv("SELENIUMCRAWL_HOME", str(tmp_path))
    config = BrowserConfig(use_persistent_context=True)
    assert config.user_data_dir == default_profile_dir() == str(tmp_path / "browser_profile")
    assert config.max_drivers == 1
    managed = BrowserConfig(use_managed_browser=True, user_data_dir=str(tmp_path / "p"))
    assert managed.use_persistent_context and managed.max_drivers == 1
    assert not BrowserConfig(use_managed_browser=True).use_persistent_context
    assert BrowserConfig(user_data_dir=str(tmp_path / "p"), max_drivers=1).max_drivers == 1


def test_a_profile_with_several_browsers_is_refused() -> None:
    """An explicit max_drivers > 1 with a user_data_dir raises, saying why."""
    with pytest.raises(ValueError, match="max_drivers=3 with a user_data_dir: Chromium locks"):
        BrowserConfig(use_persistent_context=True, user_data_dir="/tmp/p", max_drivers=3)


def test_write_script_embeds_items_per_origin_and_the_marker() -> None:
    """The preload script maps each origin (no trailing slash) to its localStorage and
    sessionStorage items; the marker key and the state's digest are in it, origins
    without items are not."""
    state = {
        "origins": [
            {"origin": "https://a.example/", "localStorage": [{"name": "k", "value": "v"}]},
            {"origin": "https://b.example", "localStorage": []},
            {"origin": "https://c.example", "sessionStorage": [{"name": "s", "value": "t"}]},
        ]
    }
    validate(state)
    script = storage.write_script(state, "MARK")
    assert '{"https://a.example": [[["k", "v"]], []], "https://c.example": [[], [["s", "t"]]]}' in (
        script
    )
    assert storage.MARKER in script and '"MARK"' in script
    assert storage.has_web_storage(state)
    assert not storage.has_web_storage({"origins": [{"origin": "https://b", "localStorage": []}]})


def test_session_storage_is_kept_beside_local_storage_in_the_export() -> None:
    """A snapshot's sessionStorage is exported in its origin's entry (an origin with only
    sessionStorage too, with an empty localStorage as Playwright's format requires), and
    a state's sessionStorage is seeded like its localStorage; merged exports keep both."""
    log = storage.OriginLog()
    owner = storage.OriginLog()
    state = {"origins": [{"origin": "https://a", "sessionStorage": [{"name": "s", "value": "1"}]}]}
    log.seed(owner, None, state, "M")  # type: ignore[arg-type]
    log.record(owner, None, ["https://b", [["k", "v"]], None, [["t", "2"]]])  # type: ignore[arg-type]
    out = storage.as_state(
        [],
        log.origins(owner, None),  # type: ignore[arg-type]
        log.session_origins(owner, None),  # type: ignore[arg-type]
    )
    assert out["origins"] == [
        {
            "origin": "https://a",
            "localStorage": [],
            "sessionStorage": [{"name": "s", "value": "1"}],
        },
        {
            "origin": "https://b",
            "localStorage": [{"name": "k", "value": "v"}],
            "sessionStorage": [{"name": "t", "value": "2"}],
        },
    ]
    validate(out)
    assert storage.merge_states([out, {"cookies": [], "origins": []}]) == out


def test_origin_log_seeds_records_and_exports_in_playwright_shape() -> None:
    """Seeded items stay for unvisited origins, a page's snapshot replaces an origin's,
    and empty origins are left out of the exported state."""
    log = storage.OriginLog()
    owner = storage.OriginLog()  # any weak-referenceable object stands for a browser
    state = {
        "origins": [{"origin": "https://a.example", "localStorage": [{"name": "k", "value": "1"}]}]
    }
    log.seed(owner, None, state)  # type: ignore[arg-type]
    log.record(owner, None, ["https://b.example", [["x", "2"]], None])  # type: ignore[arg-type]
    log.record(owner, None, ["https://c.example", [], None])  # type: ignore[arg-type]
    log.record(owner, None, None)  # type: ignore[arg-type]
    log.record(owner, "ctx", ["https://a.example", [["k", "other"]], None])  # type: ignore[arg-type]
    out = storage.as_state([], log.origins(owner, None))  # type: ignore[arg-type]
    assert out == {
        "cookies": [],
        "origins": [
            {"origin": "https://a.example", "localStorage": [{"name": "k", "value": "1"}]},
            {"origin": "https://b.example", "localStorage": [{"name": "x", "value": "2"}]},
        ],
    }


def test_merge_states_unions_cookies_and_origins() -> None:
    """Several browsers' default contexts: cookies keyed by name/domain/path, items merged."""
    a = {
        "cookies": [_cookie(value="1")],
        "origins": [_origin(localStorage=[{"name": "k", "value": "1"}])],
    }
    b = {
        "cookies": [_cookie(value="2"), _cookie(name="other")],
        "origins": [_origin(localStorage=[{"name": "j", "value": "2"}])],
    }
    merged = storage.merge_states([a, b])
    assert sorted((c["name"], c["value"]) for c in merged["cookies"]) == [
        ("other", SECRET),
        ("session", "2"),
    ]
    assert merged["origins"] == [
        {
            "origin": "https://example.com",
            "localStorage": [{"name": "k", "value": "1"}, {"name": "j", "value": "2"}],
        }
    ]


def test_importable_spells_same_site_and_loads_an_insecure_none_as_lax() -> None:
    """Playwright's and other tools' sameSite spellings in any case load; "None" without
    secure (which Chromium refuses) loads as Lax with a note naming the cookie, not its
    value; a cookie without sameSite stays without."""
    cookies = [
        _cookie(name="lower", sameSite="strict"),
        _cookie(name="open", sameSite="None"),
        _cookie(name="ok", sameSite="None", secure=True),
        _cookie(name="unset", sameSite=_DROP),
    ]
    validate({"cookies": cookies})
    out, notes = importable(cookies, "BrowserConfig.storage_state")
    assert [c.get("sameSite") for c in out] == ["Strict", "Lax", "None", None]
    assert notes == [
        "BrowserConfig.storage_state.cookies[1] ('open') has sameSite None without secure, "
        "which Chromium refuses; loaded as Lax"
    ]
    assert SECRET not in " ".join(notes)
    assert cookies[1]["sameSite"] == "None", "the caller's cookies are left as they were"


def test_origin_log_warns_once_when_a_states_items_were_not_written(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The first page of an origin whose state was applied without its marker being there
    (the items were not written) is a warning naming the origin and the item count, not
    the values; a page with the marker, a later page, an origin outside the state and a
    snapshot too large to take (items None) warn of nothing, and the last keeps the log."""
    log = storage.OriginLog()
    owner = storage.OriginLog()
    state = _state(
        origins=[_origin(origin="https://a.example"), _origin(origin="https://b.example")]
    )
    log.seed(owner, None, state, "mark-1")  # type: ignore[arg-type]
    log.record(owner, None, ["https://a.example", [], None])  # type: ignore[arg-type]
    log.record(owner, None, ["https://a.example", [], None])  # type: ignore[arg-type]
    log.record(owner, None, ["https://b.example", None, "mark-1"])  # type: ignore[arg-type]
    log.record(owner, None, ["https://c.example", [], None])  # type: ignore[arg-type]
    assert [r.getMessage() for r in caplog.records] == [
        "BrowserConfig.storage_state: the localStorage of https://a.example (1 items) was not "
        "in place on its first page: the browser refused it (over quota?) or the page "
        "cleared its storage"
    ]
    assert SECRET not in caplog.text
    origins = log.origins(owner, None)  # type: ignore[arg-type]
    assert origins["https://b.example"] == [["token", SECRET]]
    assert origins["https://a.example"] == []


def test_origin_log_keeps_the_most_recent_origins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A context remembers at most ORIGINS_KEPT origins; the least recently seen go first."""
    monkeypatch.setattr(storage, "ORIGINS_KEPT", 2)
    log = storage.OriginLog()
    owner = storage.OriginLog()
    for origin in ("https://a", "https://b", "https://a", "https://c"):
        log.record(owner, None, [origin, [["k", origin]], None])  # type: ignore[arg-type]
    assert list(log.origins(owner, None)) == ["https://a", "https://c"]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "cookies",
    [f"sid={SECRET}", [f"sid={SECRET}"], [{"name": SECRET, "value": 7, "domain": "h"}]],
    ids=["string", "list-of-strings", "bad-value"],
)
def test_bad_browser_config_cookies_are_named_without_their_values(cookies: Any) -> None:
    """A malformed BrowserConfig.cookies raises naming the field and the wrong type, and
    never quotes what was given (it is a secret)."""
    with pytest.raises((TypeError, ConfigError), match=r"BrowserConfig\.cookies") as raised:
        BrowserConfig(cookies=cookies)
    assert SECRET not in str(raised.value)
