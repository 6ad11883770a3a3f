"""Immutable, hashable forms of JSON-like values, for the frozen configs.

:func:`freeze` turns dicts into :class:`FrozenDict` and lists into tuples, all the
way down; :func:`thaw` turns them back into plain dicts and lists where a JSON value
is needed (cache keys, CDP parameters).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

#: Types freeze() returns as they are without looking further.
_ATOMS = frozenset({str, int, float, bool, bytes, type(None)})

_K = TypeVar("_K")
_V = TypeVar("_V")


class FrozenDict(Mapping[_K, _V]):
    """A read-only mapping that is hashable; its values are frozen too.

    It compares equal to any mapping with the same items (a plain dict included),
    and equal ``FrozenDict`` objects hash equal whatever their key order.
    """

    __slots__ = ("_data", "_hash")

    _data: dict[_K, _V]
    _hash: int | None

    def __init__(self, items: Mapping[_K, _V] | None = None, /) -> None:
        data = {} if items is None else {key: freeze(value) for key, value in items.items()}
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "_hash", None)

    def __getitem__(self, key: _K) -> _V:
        return self._data[key]

    def __iter__(self) -> Iterator[_K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenDict):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        cached = self._hash
        if cached is None:
            cached = hash(frozenset(self._data.items()))
            object.__setattr__(self, "_hash", cached)
        return cached

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"FrozenDict is read-only (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"FrozenDict is read-only (cannot delete {name!r})")

    def __repr__(self) -> str:
        return f"FrozenDict({self._data!r})"

    def __reduce__(self) -> tuple[type[FrozenDict[_K, _V]], tuple[dict[_K, _V]]]:
        return (type(self), (self._data,))


def freeze(value: Any) -> Any:
    """``value`` with every mapping made a :class:`FrozenDict` and every list or tuple a tuple.

    Anything else (strings, numbers, callables, objects) is returned unchanged.
    """
    kind = type(value)
    if kind in _ATOMS or kind is FrozenDict:
        return value
    if kind is list or kind is tuple:  # the common cases, before the slower ABC checks
        return tuple([freeze(item) for item in value])
    if isinstance(value, Mapping):
        return FrozenDict(value)
    if is_sequence(value):
        return tuple([freeze(item) for item in value])
    return value


def thaw(value: Any) -> Any:
    """``value`` with every mapping made a dict and every tuple a list (a plain JSON value)."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if is_sequence(value):
        return [thaw(item) for item in value]
    return value


def is_sequence(value: object) -> bool:
    """Whether ``value`` is a sequence other than a string (str, bytes, bytearray)."""
    kind = type(value)
    if kind is list or kind is tuple:
        return True
    if kind in _ATOMS:
        return False
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


__all__ = ["FrozenDict", "freeze", "is_sequence", "thaw"]
