"""Storage state: cookies and localStorage in Playwright's format, in and out of a browser.

A storage state is ``{"cookies": [...], "origins": [{"origin": ..., "localStorage":
[{"name", "value"}]}]}``, the file Playwright's ``context.storage_state(path=...)`` writes
and Crawl4AI's ``BrowserConfig(storage_state=...)`` reads. This module checks one
(:func:`validate`, :func:`load`: a wrong shape raises :class:`ConfigError` naming the key
path, e.g. ``storage_state.cookies[2].domain: missing``), and writes one where only its
owner can read it (:func:`write_private_json`, mode 0600). Applying a state to a browser
and reading it back live in :mod:`seleniumcrawl.browser.storage`.

The values are secrets (session cookies, tokens): no message here ever contains one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from seleniumcrawl.errors import ConfigError

#: Playwright's ``sameSite`` values.
SAME_SITE = ("Strict", "Lax", "None")
_TOP_KEYS = ("cookies", "origins")


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _is_list(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def _check_str(where: str, item: Mapping[str, Any], key: str, required: bool) -> None:
    if key not in item:
        if required:
            raise ConfigError(f"{where}.{key}: missing")
        return
    if not isinstance(item[key], str):
        raise ConfigError(f"{where}.{key}: must be a string, got {_kind(item[key])}")


def _check_cookie(where: str, cookie: object) -> None:
    if not isinstance(cookie, Mapping):
        raise ConfigError(f"{where}: must be an object, got {_kind(cookie)}")
    _check_str(where, cookie, "name", required=True)
    _check_str(where, cookie, "value", required=True)
    _check_str(where, cookie, "url", required=False)
    url = cookie.get("url")
    if url is not None and urlsplit(url).scheme not in ("http", "https"):
        raise ConfigError(f"{where}.url: must be an http(s) URL")
    _check_str(where, cookie, "domain", required=url is None)
    if url is None and not cookie["domain"]:
        raise ConfigError(f"{where}.domain: must not be empty")
    _check_str(where, cookie, "path", required=False)
    path = cookie.get("path")
    if path is not None and not path.startswith("/"):
        raise ConfigError(f"{where}.path: must start with '/'")
    expires = cookie.get("expires")
    if "expires" in cookie and (isinstance(expires, bool) or not isinstance(expires, (int, float))):
        raise ConfigError(
            f"{where}.expires: must be a number (Unix seconds, -1 for a session cookie), "
            f"got {_kind(expires)}"
        )
    for flag in ("httpOnly", "secure"):
        if flag in cookie and not isinstance(cookie[flag], bool):
            raise ConfigError(f"{where}.{flag}: must be true or false, got {_kind(cookie[flag])}")
    if "sameSite" in cookie and str(cookie["sameSite"]).capitalize() not in SAME_SITE:
        raise ConfigError(
            f"{where}.sameSite: must be one of {', '.join(SAME_SITE)} (any case), "
            f"got {cookie['sameSite']!r}"
        )


def _check_origin(where: str, entry: object) -> None:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: must be an object, got {_kind(entry)}")
    _check_str(where, entry, "origin", required=True)
    parts = urlsplit(entry["origin"])
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ConfigError(
            f"{where}.origin: must be scheme://host[:port] (like 'https://example.com'), "
            f"got {entry['origin']!r}"
        )
    for key in ("localStorage", "sessionStorage"):
        items = entry.get(key, [])
        if not _is_list(items):
            raise ConfigError(f"{where}.{key}: must be a list, got {_kind(items)}")
        for j, item in enumerate(items):
            spot = f"{where}.{key}[{j}]"
            if not isinstance(item, Mapping):
                raise ConfigError(f"{spot}: must be an object, got {_kind(item)}")
            _check_str(spot, item, "name", required=True)
            _check_str(spot, item, "value", required=True)


def validate(state: object, where: str = "storage_state") -> None:
    """Raise :class:`ConfigError` naming the key path unless ``state`` has Playwright's shape.

    Keys Playwright may add inside a cookie or an origin (``partitionKey``, ``indexedDB``)
    are accepted and not applied; an unknown top-level key is a mistake and raises.
    """
    if not isinstance(state, Mapping):
        raise ConfigError(
            f"{where}: must be an object with 'cookies' and 'origins', got {_kind(state)}"
        )
    for key in state:
        if key not in _TOP_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} (expected 'cookies' and 'origins')")
    for key, check in (("cookies", _check_cookie), ("origins", _check_origin)):
        entries = state.get(key, [])
        if not _is_list(entries):
            raise ConfigError(f"{where}.{key}: must be a list, got {_kind(entries)}")
        for i, entry in enumerate(entries):
            check(f"{where}.{key}[{i}]", entry)


def importable(
    cookies: Sequence[Mapping[str, Any]], where: str = "storage_state"
) -> tuple[list[dict[str, Any]], list[str]]:
    """The cookies as they go into a browser, and a note (names only, never values) for
    each one changed on the way, or expired (a browser drops those: they are not set).

    ``sameSite`` in any case ("lax", as some tools write it) is spelled Playwright's way.
    ``"None"`` without ``secure`` becomes ``"Lax"``: Chromium refuses a SameSite=None
    cookie that is not Secure, and such an entry is almost always a cookie set without the
    attribute that a tool wrote as "None" (which browsers treat as Lax).
    """
    import time

    now = time.time()
    out: list[dict[str, Any]] = []
    notes: list[str] = []
    for i, cookie in enumerate(cookies):
        plain = dict(cookie)
        expires = plain.get("expires", -1)
        if isinstance(expires, (int, float)) and 0 < expires < now:
            notes.append(f"{where}.cookies[{i}] ({plain.get('name')!r}) expired; not set")
        if "sameSite" in plain:
            plain["sameSite"] = str(plain["sameSite"]).capitalize()
        if plain.get("sameSite") == "None" and not plain.get("secure", False):
            plain["sameSite"] = "Lax"
            notes.append(
                f"{where}.cookies[{i}] ({plain.get('name')!r}) has sameSite None without "
                "secure, which Chromium refuses; loaded as Lax"
            )
        out.append(plain)
    return out, notes


def load(source: str | os.PathLike[str] | Mapping[str, Any], where: str = "storage_state") -> Any:
    """The storage state in ``source`` (a JSON file's path, or the state itself), validated."""
    if isinstance(source, Mapping):
        validate(source, where)
        return source
    path = os.fspath(source)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such file {path!r}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: cannot read {path!r}: {type(exc).__name__}") from None
    try:
        state = json.loads(text)
    except json.JSONDecodeError as exc:
        # The position only: the parser's message never quotes the (secret) text.
        raise ConfigError(
            f"{where}: {path!r} is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    validate(state, where)
    return state


def normalized(state: Mapping[str, Any]) -> dict[str, Any]:
    """A plain ``{"cookies": [...], "origins": [...]}`` with both keys present."""
    from seleniumcrawl.frozen import thaw

    plain = thaw(state)
    return {"cookies": plain.get("cookies", []), "origins": plain.get("origins", [])}


def digest(state: Mapping[str, Any]) -> str:
    """A sha256 hex digest of the state's canonical JSON: stands for it where its values
    must not appear (the cache key, the in-page marker of an applied state)."""
    canonical = json.dumps(normalized(state), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def write_private_json(path: str | os.PathLike[str], data: Any) -> Path:
    """Write ``data`` as JSON to ``path``, readable and writable by its owner only (0600).

    The text goes to a temporary file in the same directory, created 0600
    (``os.open(..., 0o600)`` through :func:`tempfile.mkstemp`), which then replaces
    ``path``: a file that existed with a wider mode is replaced, never left readable, and a
    reader never sees half a file. Returns the absolute path written.
    """
    target = Path(path).expanduser().absolute()
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)  # mkstemp's mode already; said once more, whatever the umask
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    os.chmod(target, 0o600)
    return target


__all__ = [
    "SAME_SITE",
    "digest",
    "importable",
    "load",
    "normalized",
    "validate",
    "write_private_json",
]
