"""The field engine: one record per base element, each field read per its compiled spec.

:class:`JsonElementStrategy` holds the field semantics (value stages, ``source``
siblings, nested records, computed fields, defaults) once; a backend (CSS in
:mod:`~seleniumcrawl.content.extraction.css`, XPath in
:mod:`~seleniumcrawl.content.extraction.xpath`) supplies the tree operations, so the
two cannot drift apart. Semantics follow Crawl4AI; where they differ it is stated on
the function that differs.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from seleniumcrawl.content.extraction.base import ExtractionStrategy
from seleniumcrawl.content.extraction.schema import Field, SchemaCompiler

logger = logging.getLogger(__name__)

_E = TypeVar("_E")  # an element of the backend's tree (bs4 Tag or lxml element)
_S = TypeVar("_S")  # a compiled selector of the backend


class JsonElementStrategy(ExtractionStrategy, Generic[_E, _S]):
    """The schema engine, independent of the selector language.

    Subclasses supply the tree operations (select, text, attribute, sibling); the
    field semantics live here once, so CSS and XPath cannot drift apart.
    """

    def __init__(self, schema: dict[str, Any], verbose: bool = False) -> None:
        if not isinstance(verbose, bool):
            raise TypeError(f"verbose must be a bool, got {verbose!r}")
        self.schema = schema
        self.verbose = verbose
        compiled = SchemaCompiler(self._compile_selector, self._compile_source).compile(schema)
        self._base, self._base_fields, self._fields = (
            compiled.base,
            compiled.base_fields,
            compiled.fields,
        )

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

    def _matches(self, element: _E, selector: _S) -> bool:
        """Whether ``element`` itself matches ``selector`` (for :meth:`_extract_root`)."""
        raise NotImplementedError

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

    def _extract_root(self, root: _E, include_root: bool = False) -> list[dict[str, Any]]:
        """One record per base element; records with no field at all are dropped (Crawl4AI).

        With ``include_root``, ``root`` itself is a base element when it matches (a part
        of a page, cut out by ``css_selector``, is read as a page that contains it).
        """
        records: list[dict[str, Any]] = []
        base_fields, fields = self._base_fields, self._fields
        elements = self._select_all(root, self._base)
        if include_root and self._matches(root, self._base):
            elements.insert(0, root)
        for element in elements:
            item: dict[str, Any] = {}
            # Divergence: computed fields also see the baseFields (Crawl4AI's see only
            # ``fields``); the merged record is the same.
            self._fill(element, base_fields, item)
            self._fill(element, fields, item)
            if item:
                records.append(item)
        return records

    def _fill(self, element: _E, fields: Sequence[Field[_S]], item: dict[str, Any]) -> None:
        for field in fields:
            value = self._field_value(element, field, item)
            if value is None:
                value = field.default
            if value is not None:
                item[field.name] = value

    def _field_value(self, element: _E, field: Field[_S], item: dict[str, Any]) -> Any:
        kind = field.kind
        if kind == "computed":
            return self._computed(field, item)
        if field.unreachable:
            return None
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

    def _value(self, element: _E, field: Field[_S]) -> str | None:
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
    def _regex(text: str, field: Field[_S]) -> str | None:
        match = field.pattern.search(text)  # type: ignore[union-attr]
        return None if match is None else match.group(field.group)

    def _computed(self, field: Field[_S], item: dict[str, Any]) -> Any:
        try:
            return field.function(item)  # type: ignore[misc]
        except Exception:  # a user's function: its failure gives the default, as in Crawl4AI
            log = logger.warning if self.verbose else logger.debug
            log("computed field %r failed; using its default", field.name, exc_info=True)
            return None


__all__ = ["JsonElementStrategy"]
