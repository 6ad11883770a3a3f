"""Schema-driven extraction: Crawl4AI's ``JsonCssExtractionStrategy`` schema, CSS or XPath.

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

The schema is validated and compiled once, at construction: every selector is
compiled (soupsieve for CSS, lxml for XPath), every pattern too, so a malformed
schema fails fast with a :class:`~seleniumcrawl.errors.SchemaError` naming the field
path (``fields[1].fields[0].selector``) and extraction itself only runs
precompiled matchers. Semantics follow Crawl4AI; where they differ it is stated on
the function that differs.
"""

from __future__ import annotations

import json
import logging
import re
from abc import abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import soupsieve as sv
from bs4 import BeautifulSoup, Tag
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
)
from lxml import etree

from seleniumcrawl.errors import SchemaError
from seleniumcrawl.scraping import parse_html

logger = logging.getLogger(__name__)

_E = TypeVar("_E")  # an element of the backend's tree (bs4 Tag or lxml element)
_S = TypeVar("_S")  # a compiled selector of the backend

_VALUE_TYPES = ("text", "attribute", "html", "regex")
_STRUCTURE_TYPES = ("nested", "list", "nested_list")
_ALL_TYPES = (*_VALUE_TYPES, *_STRUCTURE_TYPES, "computed")
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
class _Field(Generic[_S]):
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
    fields: tuple[_Field[_S], ...] = ()
    function: Callable[[dict[str, Any]], Any] | None = None


class ExtractionStrategy:
    """Base class: turns a parsed page into a list of records.

    Subclasses implement :meth:`extract_from_soup`; the crawler calls :meth:`run` on
    the tree it already parsed for the page, so a page is parsed once per crawl.
    """

    def extract(self, url: str, html: str) -> list[dict[str, Any]]:
        """Extract records from ``html``, parsed here (for use without a crawler)."""
        return self.extract_from_soup(url, parse_html(html))

    def extract_from_soup(self, url: str, soup: BeautifulSoup) -> list[dict[str, Any]]:
        """Extract records from an already parsed page; ``soup`` is left unchanged."""
        raise NotImplementedError

    def run(self, url: str, soup: BeautifulSoup) -> str:
        """Extract and serialise to the JSON array stored in ``extracted_content``.

        Values a ``computed`` function returns that JSON cannot encode are written as
        their ``str()`` rather than failing the crawl after the page was fetched.
        """
        return json.dumps(self.extract_from_soup(url, soup), ensure_ascii=False, default=str)


class _JsonElementStrategy(ExtractionStrategy, Generic[_E, _S]):
    """The schema engine, independent of the selector language.

    Subclasses supply the tree operations (select, text, attribute, sibling); the
    field semantics live here once, so CSS and XPath cannot drift apart.
    """

    def __init__(self, schema: dict[str, Any], verbose: bool = False) -> None:
        if not isinstance(verbose, bool):
            raise TypeError(f"verbose must be a bool, got {verbose!r}")
        self.schema = schema
        self.verbose = verbose
        self._base, self._base_fields, self._fields = self._compile_schema(schema)

    # -- backend hooks ----------------------------------------------------------------

    @abstractmethod
    def _compile_selector(self, expr: str, path: str) -> _S:
        """Compile ``expr`` or raise SchemaError naming ``path``."""

    @abstractmethod
    def _compile_source(self, expr: str, path: str) -> _S:
        """Compile the selector after ``+`` in a ``source`` key."""

    @abstractmethod
    def _select_all(self, element: _E, selector: _S) -> list[_E]: ...

    @abstractmethod
    def _select_first(self, element: _E, selector: _S) -> _E | None: ...

    def _first_element(self, element: _E, selector: _S) -> _E | None:
        """Like :meth:`_select_first`, for fields that need an element, not a value."""
        return self._select_first(element, selector)

    @abstractmethod
    def _next_sibling(self, element: _E, selector: _S) -> _E | None:
        """First following sibling element matching ``selector``."""

    @abstractmethod
    def _text(self, element: _E) -> str: ...

    @abstractmethod
    def _html(self, element: _E) -> str: ...

    @abstractmethod
    def _attribute(self, element: _E, name: str) -> str | None: ...

    # -- extraction -------------------------------------------------------------------

    def _extract_root(self, root: _E) -> list[dict[str, Any]]:
        """One record per base element; records with no field at all are dropped (Crawl4AI)."""
        records: list[dict[str, Any]] = []
        base_fields, fields = self._base_fields, self._fields
        for element in self._select_all(root, self._base):
            item: dict[str, Any] = {}
            # Divergence: computed fields also see the baseFields (Crawl4AI's see only
            # ``fields``); the merged record is the same.
            self._fill(element, base_fields, item)
            self._fill(element, fields, item)
            if item:
                records.append(item)
        return records

    def _fill(self, element: _E, fields: Sequence[_Field[_S]], item: dict[str, Any]) -> None:
        for field in fields:
            value = self._field_value(element, field, item)
            if value is None:
                value = field.default
            if value is not None:
                item[field.name] = value

    def _field_value(self, element: _E, field: _Field[_S], item: dict[str, Any]) -> Any:
        kind = field.kind
        if kind == "computed":
            return self._computed(field, item)
        target: _E | None = element
        if field.source is not None:
            target = self._next_sibling(element, field.source)
            if target is None:
                return None
        if kind == "value":
            if field.selector is not None:
                target = self._select_first(target, field.selector)  # type: ignore[arg-type]
            return None if target is None else self._value(target, field)
        if kind == "nested":
            if field.selector is not None:
                target = self._first_element(target, field.selector)  # type: ignore[arg-type]
            if target is None:
                return {} if field.default is None else None
            nested: dict[str, Any] = {}
            self._fill(target, field.fields, nested)
            return nested
        matches = self._select_all(target, field.selector)  # type: ignore[arg-type]
        if not matches and field.default is not None:
            return None
        records = []
        for match in matches:
            record: dict[str, Any] = {}
            self._fill(match, field.fields, record)
            records.append(record)
        return records

    def _value(self, element: _E, field: _Field[_S]) -> str | None:
        """Run a value field's stages: the first reads the element, the rest the value."""
        first = field.stages[0]
        value: str | None
        if first == "text":
            value = self._text(element)
        elif first == "attribute":
            value = self._attribute(element, field.attribute)  # type: ignore[arg-type]
        elif first == "html":
            value = self._html(element)
        else:  # "regex" as the first stage reads the element's text
            value = self._regex(self._text(element), field)
        if len(field.stages) > 1 and value is not None:  # validation: a later stage is "regex"
            value = self._regex(value, field)
        if value is not None and field.transform is not None:
            value = field.transform(value)
        return value

    @staticmethod
    def _regex(text: str, field: _Field[_S]) -> str | None:
        match = field.pattern.search(text)  # type: ignore[union-attr]
        return None if match is None else match.group(field.group)

    def _computed(self, field: _Field[_S], item: dict[str, Any]) -> Any:
        try:
            return field.function(item)  # type: ignore[misc]
        except Exception:  # a user's function: its failure gives the default, as in Crawl4AI
            log = logger.warning if self.verbose else logger.debug
            log("computed field %r failed; using its default", field.name, exc_info=True)
            return None

    # -- schema validation --------------------------------------------------------------

    def _compile_schema(
        self, schema: Any
    ) -> tuple[_S, tuple[_Field[_S], ...], tuple[_Field[_S], ...]]:
        if not isinstance(schema, dict):
            raise SchemaError(f"schema: must be a dict, got {type(schema).__name__}")
        for key in schema:
            if key not in _SCHEMA_KEYS:
                raise SchemaError(f"{key}: unknown schema key (expected {sorted(_SCHEMA_KEYS)})")
        if "baseSelector" not in schema:
            raise SchemaError("baseSelector: required")
        base = self._compile_selector(
            _string(schema["baseSelector"], "baseSelector"), "baseSelector"
        )
        base_fields = self._compile_fields(schema.get("baseFields", []), "baseFields", True)
        fields = self._compile_fields(schema.get("fields", []), "fields", False)
        return base, base_fields, fields

    def _compile_fields(self, fields: Any, path: str, values_only: bool) -> tuple[_Field[_S], ...]:
        if not isinstance(fields, list):
            raise SchemaError(f"{path}: must be a list of fields, got {type(fields).__name__}")
        return tuple(
            self._compile_field(field, f"{path}[{i}]", values_only)
            for i, field in enumerate(fields)
        )

    def _compile_field(self, spec: Any, path: str, values_only: bool) -> _Field[_S]:
        if not isinstance(spec, dict):
            raise SchemaError(f"{path}: must be a dict, got {type(spec).__name__}")
        for key in spec:
            if key not in _FIELD_KEYS:
                raise SchemaError(f"{path}.{key}: unknown field key")
        name = _string(spec.get("name"), f"{path}.name")
        if "type" not in spec:
            raise SchemaError(f"{path}.type: required")
        stages = _stages(spec["type"], f"{path}.type")
        kind = "value" if stages[0] in _VALUE_TYPES else stages[0]
        if values_only and kind != "value":
            # Divergence: Crawl4AI silently yields nothing for these; a list item or a
            # base field is one value read from one element.
            raise SchemaError(
                f"{path}.type: {kind!r} is not allowed here (only {', '.join(_VALUE_TYPES)}; "
                "use nested_list for records of records)"
            )
        _only_for(spec, path, kind, stages)
        default = spec.get("default")
        if kind == "computed":
            return _Field(name, kind, default=default, function=_function(spec, path))
        selector = None
        if "selector" in spec:
            expr = _string(spec["selector"], f"{path}.selector")
            selector = self._compile_selector(expr, f"{path}.selector")
        elif kind in ("list", "nested_list"):
            raise SchemaError(f"{path}.selector: required for type {kind!r}")
        source = None
        if "source" in spec:
            source = self._source(spec["source"], f"{path}.source")
        if kind != "value":
            sub = spec.get("fields")
            if not isinstance(sub, list) or not sub:
                raise SchemaError(f"{path}.fields: a non-empty list is required for type {kind!r}")
            return _Field(
                name,
                kind,
                selector=selector,
                source=source,
                default=default,
                fields=self._compile_fields(sub, f"{path}.fields", kind == "list"),
            )
        pattern, group = _pattern(spec, path) if "regex" in stages else (None, 1)
        return _Field(
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
        )

    def _source(self, source: Any, path: str) -> _S:
        text = _string(source, path).strip()
        if not text.startswith("+") or not text[1:].strip():
            raise SchemaError(f"{path}: must be '+ <selector>' (the next sibling matching it)")
        return self._compile_source(text[1:].strip(), path)


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
        if stage not in _VALUE_TYPES:
            raise SchemaError(
                f"{path}[{i}]: {stage!r} cannot be a pipeline stage "
                f"(expected one of {_VALUE_TYPES})"
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
        "fields": kind in _STRUCTURE_TYPES,
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


class JsonCssExtractionStrategy(_JsonElementStrategy[Tag, "_CssSelector"]):
    """Crawl4AI's schema with CSS selectors, run on a BeautifulSoup tree.

    ``text`` is the element's text content, stripped. Divergence: Crawl4AI uses
    ``get_text(strip=True)``, which glues ``<b>a</b> <b>b</b>`` into ``"ab"``; here
    inner whitespace is kept (``"a b"``), as XPath's ``string()`` and the browser's
    ``textContent`` do. Multi-valued attributes (``class``, ``rel``) come back as one
    space-separated string, as in the HTML source.
    """

    def extract_from_soup(self, url: str, soup: BeautifulSoup) -> list[dict[str, Any]]:
        """Extract records from ``soup`` (read only)."""
        return self._extract_root(soup)

    def _compile_selector(self, expr: str, path: str) -> _CssSelector:
        return _CssSelector(expr, path)

    def _compile_source(self, expr: str, path: str) -> _CssSelector:
        return _CssSelector(expr, path)

    def _select_all(self, element: Tag, selector: _CssSelector) -> list[Tag]:
        return selector.select(element)

    def _select_first(self, element: Tag, selector: _CssSelector) -> Tag | None:
        return selector.select_one(element)

    def _next_sibling(self, element: Tag, selector: _CssSelector) -> Tag | None:
        # Crawl4AI's "+ sel" is find_next_sibling: the first *following* sibling that
        # matches, not only the adjacent one.
        for sibling in element.next_siblings:
            if isinstance(sibling, Tag) and selector.match(sibling):
                return sibling
        return None

    def _text(self, element: Tag) -> str:
        return element.get_text().strip()

    def _html(self, element: Tag) -> str:
        return str(element)

    def _attribute(self, element: Tag, name: str) -> str | None:
        value = element.get(name)
        if isinstance(value, list):  # bs4 splits class, rel, ... into lists
            return " ".join(value)
        return value


_COMPOUND = re.compile(r"(?P<tag>[a-z][a-z0-9-]*)?(?P<rest>(?:[.#][A-Za-z_][\w-]*)*)")
_SELECTOR_TOKENS = re.compile(r"[^\s>]+|>")


@dataclass(frozen=True, slots=True)
class _Compound:
    """``tag.class#id``: what the fast path matches without soupsieve."""

    tag: str | None
    classes: tuple[str, ...]
    id: str | None
    child: bool  # joined to the compound before it by ">" (else by a space)

    def matches(self, element: Tag) -> bool:
        if self.tag is not None and element.name != self.tag:
            return False
        attrs = element.attrs
        if self.id is not None and attrs.get("id") != self.id:
            return False
        if self.classes:
            value = attrs.get("class")
            if not value:
                return False
            classes = value.split() if isinstance(value, str) else value
            for cls in self.classes:
                if cls not in classes:
                    return False
        return True


def _fast_form(text: str) -> tuple[_Compound, ...] | None:
    """``text`` as compounds joined by descendant/child combinators, or None if it is more."""
    compounds: list[_Compound] = []
    child = False
    for token in _SELECTOR_TOKENS.findall(text):
        if token == ">":
            if child or not compounds:
                return None
            child = True
            continue
        form = _COMPOUND.fullmatch(token)
        if form is None or not token:
            return None
        parts = re.findall(r"[.#][^.#]+", form["rest"])
        ids = [p[1:] for p in parts if p[0] == "#"]
        if len(ids) > 1:
            return None
        classes = tuple(p[1:] for p in parts if p[0] == ".")
        compounds.append(_Compound(form["tag"], classes, ids[0] if ids else None, child))
        child = False
    return tuple(compounds) if compounds and not child else None


class _CssSelector:
    """A soupsieve selector compiled once, with a fast path for the common forms.

    soupsieve's general matcher costs several microseconds per element. Most schema
    selectors are ``tag.class#id`` compounds joined by descendant or child
    combinators (``h2.title a``, ``ul > li``), which direct attribute checks answer
    several times faster; anything else (attributes, pseudo-classes, lists) goes to
    soupsieve. Both give the same matches: like soupsieve, ancestors above the
    element selected from count, and ``<template>`` contents are not entered.
    """

    __slots__ = ("_compiled", "_fast", "text")

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        try:
            self._compiled = sv.compile(text)
        except (sv.SelectorSyntaxError, NotImplementedError, ValueError, TypeError) as exc:
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SchemaError(f"{path}: invalid CSS selector {text!r}: {first_line}") from exc
        self._fast = _fast_form(text)

    def match(self, element: Tag) -> bool:
        if self._fast is None:
            return bool(self._compiled.match(element))
        return self._match_fast(element, len(self._fast) - 1)

    def select(self, root: Tag) -> list[Tag]:
        if self._fast is None:
            return self._compiled.select(root)
        last = len(self._fast) - 1
        match = self._match_fast
        return [element for element in _tag_descendants(root) if match(element, last)]

    def select_one(self, root: Tag) -> Tag | None:
        if self._fast is None:
            return self._compiled.select_one(root)
        last = len(self._fast) - 1
        match = self._match_fast
        for element in _tag_descendants(root):
            if match(element, last):
                return element
        return None

    def _match_fast(self, element: Tag, index: int) -> bool:
        """Whether ``element`` matches compound ``index`` and those before it, right to left."""
        compounds = self._fast
        assert compounds is not None
        compound = compounds[index]
        if not compound.matches(element):
            return False
        if index == 0:
            return True
        parent = element.parent
        if compound.child:
            return (
                parent is not None
                and not isinstance(parent, BeautifulSoup)
                and self._match_fast(parent, index - 1)
            )
        while parent is not None and not isinstance(parent, BeautifulSoup):
            if self._match_fast(parent, index - 1):  # backtracks to a higher ancestor if not
                return True
            parent = parent.parent
        return False


def _tag_descendants(root: Tag) -> Iterator[Tag]:
    """Tags under ``root`` in document order, not entering ``<template>`` contents.

    Mirrors soupsieve, for which a template's contents are not part of the document
    (they are reached only by selecting from the template itself).
    """
    stack = [iter(root.contents)]
    while stack:
        for node in stack[-1]:
            if isinstance(node, Tag):
                yield node
                if node.contents and node.name != "template":
                    stack.append(iter(node.contents))
                    break
        else:
            stack.pop()


# -- XPath (lxml) -------------------------------------------------------------------------

_XPATH_SIBLING_SHORTHAND = re.compile(r"(?P<tag>[A-Za-z*][\w-]*)?(?P<classes>(?:\.[\w-]+)+)")
_TEXT_CONTAINERS = frozenset({"script", "style", "template", "rt", "rp"})
_NOT_TEXT = (Declaration, Doctype, ProcessingInstruction)  # bs4 strings that are not text


class JsonXPathExtractionStrategy(_JsonElementStrategy[Any, Any]):
    """The same schema with XPath selectors, evaluated with lxml.

    A field selector starting with ``/`` is made relative to the current element
    (``//span`` searches under it), as Crawl4AI does; other expressions are plain
    XPath relative to it (divergence: Crawl4AI rewrites a bare ``span`` into
    ``.//span``; here it means the child ``span``, as XPath says). ``source`` takes
    ``"+ <step>"``: ``+ tr`` or ``+ tr[@class='x']`` is the first following sibling
    matching the step; Crawl4AI's ``+ tr.subtext`` class shorthand is understood too.

    ``extract(url, html)`` parses with lxml directly; ``extract_from_soup`` (what a
    crawl uses) copies the already parsed BeautifulSoup tree into lxml elements, a
    tree walk rather than a second parse of the HTML.
    """

    def extract(self, url: str, html: str) -> list[dict[str, Any]]:
        """Extract records from ``html``, parsed with lxml (no BeautifulSoup needed)."""
        parser = etree.HTMLParser(encoding="utf-8")
        root = etree.fromstring(html.encode("utf-8"), parser) if html.strip() else None
        return [] if root is None else self._extract_root(root)

    def extract_from_soup(self, url: str, soup: BeautifulSoup) -> list[dict[str, Any]]:
        """Extract records from ``soup`` (read only), through an lxml copy of its tree."""
        return self._extract_root(_soup_to_lxml(soup))

    def _compile_selector(self, expr: str, path: str) -> Any:
        relative = "." + expr if expr.startswith("/") and path != "baseSelector" else expr
        return _compile_xpath(relative, expr, path)

    def _compile_source(self, expr: str, path: str) -> Any:
        shorthand = _XPATH_SIBLING_SHORTHAND.fullmatch(expr)
        if shorthand is not None:
            step = shorthand["tag"] or "*"
            for cls in shorthand["classes"].split(".")[1:]:
                step += f"[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]"
        else:
            step = expr
        return _compile_xpath(f"following-sibling::{step}[1]", expr, path)

    def _select_all(self, element: Any, selector: Any) -> list[Any]:
        found = selector(element)
        return (
            [node for node in found if _is_xpath_element(node)] if isinstance(found, list) else []
        )

    def _select_first(self, element: Any, selector: Any) -> Any:
        # A value field may select an attribute or a text node (``.//a/@href``).
        found = selector(element)
        if isinstance(found, list):
            for node in found:
                if isinstance(node, str) or _is_xpath_element(node):
                    return node
        return None

    def _first_element(self, element: Any, selector: Any) -> Any:
        found = self._select_all(element, selector)
        return found[0] if found else None

    def _next_sibling(self, element: Any, selector: Any) -> Any:
        return self._first_element(element, selector)

    def _text(self, element: Any) -> str:
        if isinstance(element, str):  # an attribute or text node selected by the XPath
            return str(element).strip()
        return _lxml_text(element).strip()

    def _html(self, element: Any) -> str:
        if isinstance(element, str):
            return str(element)
        return str(etree.tostring(element, encoding="unicode", method="html", with_tail=False))

    def _attribute(self, element: Any, name: str) -> str | None:
        if isinstance(element, str):
            return None
        value = element.get(name)
        return None if value is None else str(value)


def _compile_xpath(expr: str, shown: str, path: str) -> Any:
    try:
        return etree.XPath(expr)
    except etree.XPathSyntaxError as exc:
        raise SchemaError(f"{path}: invalid XPath {shown!r}: {exc}") from exc


def _is_xpath_element(node: Any) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def _lxml_text(element: Any) -> str:
    """Text content as BeautifulSoup's ``get_text`` gives it, for parity with CSS.

    Leaves out comments and the text of ``script``/``style``/``template``/``rt``/``rp``
    descendants (bs4 types those strings apart), unless the element is one of them.
    """
    if element.tag in _TEXT_CONTAINERS:
        return "".join(element.itertext())
    parts: list[str] = []
    stack: list[Any] = [element]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)
            continue
        if node.text and isinstance(node.tag, str):
            parts.append(node.text)
        # Children are pushed in reverse, each followed by its tail, to pop in order.
        for child in reversed(node):
            if child.tail:
                stack.append(child.tail)
            if isinstance(child.tag, str) and child.tag not in _TEXT_CONTAINERS:
                stack.append(child)
    return "".join(parts)


def _soup_to_lxml(soup: BeautifulSoup) -> Any:
    """Copy a BeautifulSoup tree into lxml elements, so XPath runs on the same parse."""
    parser = etree.HTMLParser()
    html_tag = soup.find("html", recursive=False)
    top = html_tag.contents if isinstance(html_tag, Tag) else soup.contents
    root = parser.makeelement("html", _lxml_attrs(html_tag) if isinstance(html_tag, Tag) else {})
    try:
        _copy_children(top, root)
    except ValueError:
        # lxml refused a name or a control character the parser let through: fall
        # back to serialising and parsing once more rather than failing the crawl.
        logger.debug("copying the soup into lxml failed; re-parsing its HTML", exc_info=True)
        return etree.fromstring(str(soup).encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
    return root


def _copy_children(contents: list[Any], parent: Any) -> None:
    stack: list[tuple[list[Any], Any]] = [(contents, parent)]
    while stack:
        children, target = stack.pop()
        last = None
        for node in children:
            if isinstance(node, Tag):
                last = etree.SubElement(target, node.name, _lxml_attrs(node))
                if node.contents:
                    stack.append((node.contents, last))
            elif isinstance(node, Comment):
                last = etree.Comment(_xml_comment(str(node)))
                target.append(last)
            elif isinstance(node, NavigableString) and not isinstance(node, _NOT_TEXT):
                if last is None:
                    target.text = (target.text or "") + node
                else:
                    last.tail = (last.tail or "") + node


def _xml_comment(text: str) -> str:
    """An HTML comment's text made acceptable to lxml (no "--", no trailing "-")."""
    text = text.replace("--", "- -")
    return text + " " if text.endswith("-") else text


def _lxml_attrs(tag: Tag) -> dict[str, str]:
    return {
        key: " ".join(value) if isinstance(value, list) else str(value)
        for key, value in tag.attrs.items()
    }


__all__ = ["ExtractionStrategy", "JsonCssExtractionStrategy", "JsonXPathExtractionStrategy"]
