"""Crawl4AI's extraction schema: validation and compilation, independent of the selector language.

A schema names a ``baseSelector`` (one record per match), ``baseFields`` read from the
base element itself, and ``fields``::

    {"baseSelector": "li.product",
     "baseFields": [{"name": "id", "type": "attribute", "attribute": "data-id"}],
     "fields": [
        {"name": "title", "selector": "h2", "type": "text", "transform": "strip"},
        {"name": "price", "selector": ".price", "type": "regex", "pattern": r"([\\d.]+)"},
        {"name": "sku", "selector": "a", "type": ["attribute", "regex"],
         "attribute": "href", "pattern": r"/p/(\\d+)"},
        {"name": "score", "source": "+ tr", "selector": ".score", "type": "text"},
        {"name": "seller", "selector": ".seller", "type": "nested", "fields": [...]},
        {"name": "tags", "selector": ".tag", "type": "list", "fields": [...]},
        {"name": "reviews", "selector": ".review", "type": "nested_list", "fields": [...]},
        {"name": "label", "type": "computed", "function": lambda item: ...}]}

:class:`SchemaCompiler` validates a schema once and compiles every selector (through
the two callables a backend gives it: CSS or XPath) and every pattern, so a malformed
schema fails fast with a :class:`~seleniumcrawl.errors.SchemaError` naming the field
path (``fields[1].fields[0].selector``) and extraction only runs precompiled matchers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from seleniumcrawl.errors import SchemaError

_S = TypeVar("_S")  # a compiled selector of the backend

logger = logging.getLogger(__name__)

VALUE_TYPES = ("text", "attribute", "html", "regex")
STRUCTURE_TYPES = ("nested", "list", "nested_list")
_ALL_TYPES = (*VALUE_TYPES, *STRUCTURE_TYPES, "computed")
_FIELD_KEYS = frozenset(
    {
        "name",
        "selector",
        "type",
        "attribute",
        "pattern",
        "group",
        "default",
        "transform",
        "source",
        "fields",
        "function",
        "expression",
    }
)
_SCHEMA_KEYS = frozenset({"name", "baseSelector", "baseFields", "fields"})
_TRANSFORMS: dict[str, Callable[[str], str]] = {
    "lowercase": str.lower,
    "uppercase": str.upper,
    "strip": str.strip,
}


@dataclass(frozen=True, slots=True)
class Field(Generic[_S]):
    """One validated schema field, with its selectors and pattern compiled."""

    name: str
    kind: str  # "value", "computed" or one of _STRUCTURE_TYPES
    selector: _S | None = None
    source: _S | None = None
    stages: tuple[str, ...] = ()  # value fields: element stage, then value stages
    attribute: str | None = None
    pattern: re.Pattern[str] | None = None
    group: int | str = 1
    default: Any = None
    transform: Callable[[str], str] | None = None
    fields: tuple[Field[_S], ...] = ()
    function: Callable[[dict[str, Any]], Any] | None = None
    #: ``source`` without the leading ``+`` names no sibling: the field gives its default.
    unreachable: bool = False


@dataclass(frozen=True, slots=True)
class CompiledSchema(Generic[_S]):
    """A validated schema: the base selector and the compiled fields."""

    base: _S
    base_fields: tuple[Field[_S], ...]
    fields: tuple[Field[_S], ...]


class SchemaCompiler(Generic[_S]):
    """Validates a schema and compiles it with a backend's selector compilers.

    ``selector(expr, path)`` compiles a field or base selector, ``sibling(expr, path)``
    the selector after ``+`` in a ``source`` key; both raise SchemaError naming ``path``.
    """

    def __init__(
        self, selector: Callable[[str, str], _S], sibling: Callable[[str, str], _S]
    ) -> None:
        self._selector = selector
        self._sibling = sibling

    def compile(self, schema: Any) -> CompiledSchema[_S]:
        """Validate ``schema`` and compile it; raises SchemaError naming the field path."""
        if not isinstance(schema, dict):
            raise SchemaError(f"schema: must be a dict, got {type(schema).__name__}")
        for key in schema:
            if key not in _SCHEMA_KEYS:
                raise SchemaError(f"{key}: unknown schema key (expected {sorted(_SCHEMA_KEYS)})")
        if "baseSelector" not in schema:
            raise SchemaError("baseSelector: required")
        base = self._selector(_string(schema["baseSelector"], "baseSelector"), "baseSelector")
        base_fields = self._compile_fields(schema.get("baseFields", []), "baseFields", True)
        fields = self._compile_fields(schema.get("fields", []), "fields", False)
        return CompiledSchema(base, base_fields, fields)

    def _compile_fields(self, fields: Any, path: str, values_only: bool) -> tuple[Field[_S], ...]:
        if not isinstance(fields, list):
            raise SchemaError(f"{path}: must be a list of fields, got {type(fields).__name__}")
        return tuple(
            self._compile_field(field, f"{path}[{i}]", values_only)
            for i, field in enumerate(fields)
        )

    def _compile_field(self, spec: Any, path: str, values_only: bool) -> Field[_S]:
        if not isinstance(spec, dict):
            raise SchemaError(f"{path}: must be a dict, got {type(spec).__name__}")
        for key in spec:
            if key not in _FIELD_KEYS:
                raise SchemaError(f"{path}.{key}: unknown field key")
        name = _string(spec.get("name"), f"{path}.name")
        if "type" not in spec:
            raise SchemaError(f"{path}.type: required")
        stages = _stages(spec["type"], f"{path}.type")
        kind = "value" if stages[0] in VALUE_TYPES else stages[0]
        if values_only and kind != "value":
            # Divergence: Crawl4AI silently yields nothing for these; a list item or a
            # base field is one value read from one element.
            raise SchemaError(
                f"{path}.type: {kind!r} is not allowed here (only {', '.join(VALUE_TYPES)}; "
                "use nested_list for records of records)"
            )
        _only_for(spec, path, kind, stages)
        default = spec.get("default")
        if kind == "computed":
            return Field(name, kind, default=default, function=_function(spec, path))
        selector = None
        if "selector" in spec:
            expr = _string(spec["selector"], f"{path}.selector")
            selector = self._selector(expr, f"{path}.selector")
        elif kind in ("list", "nested_list"):
            raise SchemaError(f"{path}.selector: required for type {kind!r}")
        source, unreachable = None, False
        if "source" in spec:
            source = self._source(spec["source"], f"{path}.source")
            unreachable = source is None
        if kind != "value":
            sub = spec.get("fields")
            if not isinstance(sub, list) or not sub:
                raise SchemaError(f"{path}.fields: a non-empty list is required for type {kind!r}")
            return Field(
                name,
                kind,
                selector=selector,
                source=source,
                default=default,
                fields=self._compile_fields(sub, f"{path}.fields", kind == "list"),
                unreachable=unreachable,
            )
        pattern, group = _pattern(spec, path) if "regex" in stages else (None, 1)
        return Field(
            name,
            kind,
            selector=selector,
            source=source,
            stages=stages,
            attribute=_string(spec["attribute"], f"{path}.attribute")
            if "attribute" in stages
            else None,
            pattern=pattern,
            group=group,
            default=default,
            transform=_transform(spec, path),
            unreachable=unreachable,
        )

    def _source(self, source: Any, path: str) -> _S | None:
        """The compiled sibling selector of ``"+ <selector>"``.

        A source without the leading ``+`` gives None: the field then always gives its
        default, as in Crawl4AI (which supports only the ``+`` form and returns the
        default for anything else); it is logged, since it is most likely a typo.
        """
        text = _string(source, path).strip()
        if not text.startswith("+"):
            logger.warning(
                "%s: %r lacks the leading '+' ('+ <selector>' is the next sibling matching "
                "it), so this field always gives its default",
                path,
                text,
            )
            return None
        if not text[1:].strip():
            raise SchemaError(f"{path}: must be '+ <selector>' (the next sibling matching it)")
        return self._sibling(text[1:].strip(), path)


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SchemaError(f"{path}: must be a non-empty string, got {value!r}")
    return value


def _stages(value: Any, path: str) -> tuple[str, ...]:
    """A type or a pipeline of types; only the first stage of a pipeline reads the element."""
    if isinstance(value, str):
        if value not in _ALL_TYPES:
            raise SchemaError(f"{path}: unknown type {value!r} (expected one of {_ALL_TYPES})")
        return (value,)
    if not isinstance(value, list) or not value:
        raise SchemaError(f"{path}: must be a type name or a non-empty list of them")
    for i, stage in enumerate(value):
        if stage not in VALUE_TYPES:
            raise SchemaError(
                f"{path}[{i}]: {stage!r} cannot be a pipeline stage (expected one of {VALUE_TYPES})"
            )
        if i and stage != "regex":
            raise SchemaError(
                f"{path}[{i}]: {stage!r} reads an element, so it can only be the first stage"
            )
    if value.count("regex") > 1:
        raise SchemaError(f"{path}: 'regex' can appear once (a field has one pattern)")
    return tuple(value)


def _only_for(spec: dict[str, Any], path: str, kind: str, stages: tuple[str, ...]) -> None:
    """Refuse keys the field's type would ignore: a stray key is usually a typo'd type."""
    allowed_by = {
        "attribute": "attribute" in stages,
        "pattern": "regex" in stages,
        "group": "regex" in stages,
        "transform": kind == "value",
        "fields": kind in STRUCTURE_TYPES,
        "function": kind == "computed",
        "expression": kind == "computed",
        "selector": kind != "computed",
        "source": kind != "computed",
    }
    for key, allowed in allowed_by.items():
        if key in spec and not allowed:
            raise SchemaError(f"{path}.{key}: not used by type {spec['type']!r}")
    if "attribute" in stages and "attribute" not in spec:
        raise SchemaError(f"{path}.attribute: required for type 'attribute'")
    if "regex" in stages and "pattern" not in spec:
        raise SchemaError(f"{path}.pattern: required for type 'regex'")


def _pattern(spec: dict[str, Any], path: str) -> tuple[re.Pattern[str], int | str]:
    text = _string(spec["pattern"], f"{path}.pattern")
    try:
        pattern = re.compile(text)
    except re.error as exc:
        raise SchemaError(f"{path}.pattern: does not compile: {exc}") from exc
    if "group" not in spec:
        # Divergence: Crawl4AI always takes group 1, so a pattern without groups only
        # ever gave the default; here it gives the whole match.
        return pattern, 1 if pattern.groups else 0
    group = spec["group"]
    if isinstance(group, bool) or not isinstance(group, (int, str)):
        raise SchemaError(f"{path}.group: must be a group number or name, got {group!r}")
    if isinstance(group, int) and not 0 <= group <= pattern.groups:
        raise SchemaError(f"{path}.group: pattern has no group {group} ({pattern.groups} groups)")
    if isinstance(group, str) and group not in pattern.groupindex:
        raise SchemaError(f"{path}.group: pattern has no group named {group!r}")
    return pattern, group


def _transform(spec: dict[str, Any], path: str) -> Callable[[str], str] | None:
    if "transform" not in spec:
        return None
    name = spec["transform"]
    if name not in _TRANSFORMS:
        raise SchemaError(
            f"{path}.transform: unknown transform {name!r} (expected one of {sorted(_TRANSFORMS)})"
        )
    return _TRANSFORMS[name]


def _function(spec: dict[str, Any], path: str) -> Callable[[dict[str, Any]], Any]:
    """The callable of a computed field; string expressions are refused, never evaluated."""
    keys = [key for key in ("function", "expression") if key in spec]
    if len(keys) != 1:
        raise SchemaError(f"{path}.function: a computed field needs exactly one callable")
    value = spec[keys[0]]
    if isinstance(value, str):
        raise SchemaError(
            f"{path}.{keys[0]}: string expressions are never evaluated; pass a Python callable "
            "that takes the record built so far"
        )
    if not callable(value):
        raise SchemaError(f"{path}.{keys[0]}: must be callable, got {type(value).__name__}")
    return value  # type: ignore[no-any-return]


# -- CSS (BeautifulSoup + soupsieve) -------------------------------------------------------


__all__ = ["STRUCTURE_TYPES", "VALUE_TYPES", "CompiledSchema", "Field", "SchemaCompiler"]
