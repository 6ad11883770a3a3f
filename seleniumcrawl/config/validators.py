"""Converters and validators shared by the configuration classes.

Converters turn lists into tuples and dicts into FrozenDicts; a value of the wrong kind
is left as it is, for the validator to reject with a message naming the field.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias, cast

import attrs

from seleniumcrawl.config.network import to_body_filter as _to_body_filter
from seleniumcrawl.config.network import to_globs as _to_globs
from seleniumcrawl.config.network import to_kinds as _to_kinds
from seleniumcrawl.config.network import to_path as _to_path
from seleniumcrawl.errors import ConfigError
from seleniumcrawl.frozen import FrozenDict, freeze, is_sequence

#: What ``url_matcher`` holds: a glob, a predicate, or several of them.
UrlMatcher: TypeAlias = "str | Callable[[str], bool]"


# -- converters


def _frozen_sequence(value: object) -> Any:
    return freeze(value) if is_sequence(value) else value


def _frozen_mapping(value: object) -> Any:
    return freeze(value) if isinstance(value, Mapping) else value


def _to_strings(value: Sequence[str]) -> tuple[str, ...]:
    return cast("tuple[str, ...]", _frozen_sequence(value))


def _to_cookies(value: Sequence[Mapping[str, Any]]) -> tuple[FrozenDict[str, Any], ...]:
    return cast("tuple[FrozenDict[str, Any], ...]", _frozen_sequence(value))


def _to_headers(value: Mapping[str, str]) -> FrozenDict[str, str]:
    return cast("FrozenDict[str, str]", _frozen_mapping(value))


def _to_storage_state(
    value: str | os.PathLike[str] | Mapping[str, Any] | None,
) -> str | FrozenDict[str, Any] | None:
    """A path becomes a str, a mapping a FrozenDict; other values stay for the validator."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return cast("str | FrozenDict[str, Any] | None", _frozen_mapping(value))


def _to_js_code(value: str | Sequence[str] | None) -> str | tuple[str, ...] | None:
    return cast("str | tuple[str, ...] | None", _frozen_sequence(value))


def _to_url_matcher(
    value: UrlMatcher | Sequence[UrlMatcher] | None,
) -> UrlMatcher | tuple[UrlMatcher, ...] | None:
    return cast("UrlMatcher | tuple[UrlMatcher, ...] | None", _frozen_sequence(value))


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value not in ("0", "false", "no", "off")


def _non_negative(instance: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and value < 0:
        raise ConfigError(f"{type(instance).__name__}.{attribute.name} must be >= 0, got {value!r}")


def _positive(instance: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and value <= 0:
        raise ConfigError(f"{type(instance).__name__}.{attribute.name} must be > 0, got {value!r}")


def _number(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Accept int/float but not bool (``True`` is an int to Python, never a timeout to us)."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise TypeError(
            f"{type(instance).__name__}.{attribute.name} must be a number, "
            f"got {type(value).__name__} {value!r}"
        )


def _int(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(
            f"{type(instance).__name__}.{attribute.name} must be an int, "
            f"got {type(value).__name__} {value!r}"
        )


def _typed(kind: type | tuple[type, ...], optional: bool = False) -> Callable[..., None]:
    """Like ``attrs.validators.instance_of`` but the message names class, field and value."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None and optional:
            return
        if not isinstance(value, kind):
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            raise TypeError(
                f"{type(instance).__name__}.{attribute.name} must be {names}, "
                f"got {type(value).__name__} {value!r}"
            )

    return check


def _str_list(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(
            f"{type(instance).__name__}.{attribute.name} must be a list of str, got {value!r}"
        )
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise TypeError(
                f"{type(instance).__name__}.{attribute.name}[{i}] must be str, got {item!r}"
            )


def _existing_file(instance: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and not os.path.isfile(value):
        raise ConfigError(f"{type(instance).__name__}.{attribute.name}: no such file {value!r}")


def _absolute_path(value: str | os.PathLike[str] | None) -> str | None:
    """A path given as str or PathLike is stored absolute (the browser needs one); a
    value of another type is left for the validator."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, str):
        return os.path.abspath(os.path.expanduser(value))
    return value


def _to_tuple(value: Any) -> Any:
    """A list given by the user is stored as a tuple (a str is left for the validator)."""
    return tuple(value) if isinstance(value, list) else value


# The resource policy's freezing converters (config/network.py), listed with the others.
__freezers__ = (_to_body_filter, _to_globs, _to_kinds, _to_path)
