"""``result.markdown`` and the markdown generators (Crawl4AI's names and parameters).

:class:`MarkdownGenerationResult` is a ``str`` whose text is the raw markdown, so code
that treats ``result.markdown`` as a string keeps working, with Crawl4AI's attributes:

- ``raw_markdown``: the text itself;
- ``markdown_with_citations`` and ``references_markdown``: links as ``text⟨1⟩`` and the
  numbered list of their URLs, computed from the raw markdown on first access;
- ``fit_markdown`` and ``fit_html``: the page's main content (or, with a content
  filter, what the filter keeps), computed on first access from the cleaned HTML,
  which the result holds. The raw markdown comes from the crawl's one parse; the fit
  is built from an lxml parse of the cleaned HTML (C only, ~1 ms) made only when asked.

A result pickles with what it needs to compute its lazy attributes later; cached crawls
rebuild it from the cached HTML like every other product of a page.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from seleniumcrawl.content.filters import RelevantContentFilter, _TreeFilter
from seleniumcrawl.content.main_content import main_content as main_content
from seleniumcrawl.content.markdown import lxml_to_markdown, tree_to_markdown

log = logging.getLogger(__name__)

#: Options of Crawl4AI's html2text that change the output here.
SUPPORTED_OPTIONS = frozenset({"ignore_links", "ignore_images", "ignore_emphasis"})
#: html2text options accepted so Crawl4AI code runs unchanged; they have no effect
#: (this converter never wraps lines, always fences code and does not escape text).
ACCEPTED_OPTIONS = frozenset(
    {
        "body_width", "escape_snob", "mark_code", "single_line_break", "protect_links",
        "skip_internal_links", "inline_links", "wrap_links", "wrap_list_items", "wrap_tables",
        "unicode_snob", "images_to_alt", "images_as_html", "default_image_alt", "bypass_tables",
        "pad_tables", "links_each_paragraph", "use_automatic_links", "ul_item_mark",
        "emphasis_mark", "strong_mark", "decode_errors", "include_sup_sub", "hide_strikethrough",
        "google_doc", "open_quote", "close_quote", "handle_code_in_pre", "preserve_tags",
        "escape_html",
    }
)  # fmt: skip
CONTENT_SOURCES = ("cleaned_html",)

_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)(?:\s+\"([^\"]*)\")?\)")
#: An image, or a link whose text may hold images; found left to right in one scan.
_IMAGE_OR_LINK = re.compile(
    _IMAGE.pattern + r"|\[((?:[^\[\]]|!\[[^\]]*\]\([^)]*\))*)\]\(([^)\s]+)(?:\s+\"([^\"]*)\")?\)"
)


class _Source:
    """What a lazy result needs to compute its fit: the cleaned HTML and how to filter it."""

    def __init__(
        self,
        cleaned_html: str,
        base_url: str,
        page: Mapping[str, Any],
        content_filter: RelevantContentFilter | None,
        options: Mapping[str, bool],
    ) -> None:
        self.cleaned_html = cleaned_html
        self.base_url = base_url
        self.page = dict(page)
        self.content_filter = content_filter
        self.options = dict(options)


class MarkdownGenerationResult(str):
    """The raw markdown as a ``str``, with Crawl4AI's markdown attributes (see module doc).

    Constructed with keywords (as Crawl4AI's model is), every attribute is as given;
    ``markdown_with_citations``/``references_markdown`` left out are derived from the
    raw markdown, ``fit_markdown``/``fit_html`` left out are empty.
    """

    _citations: tuple[str, str] | None
    _fit: tuple[str, str] | None
    _source: _Source | None

    def __new__(
        cls,
        raw_markdown: str = "",
        markdown_with_citations: str | None = None,
        references_markdown: str | None = None,
        fit_markdown: str | None = None,
        fit_html: str | None = None,
    ) -> MarkdownGenerationResult:
        self = super().__new__(cls, raw_markdown)
        self._citations = (
            None
            if markdown_with_citations is None
            else (markdown_with_citations, references_markdown or "")
        )
        self._fit = None if fit_markdown is None else (fit_markdown, fit_html or "")
        self._source = None
        return self

    @classmethod
    def _lazy(cls, raw_markdown: str, source: _Source) -> MarkdownGenerationResult:
        result = cls(raw_markdown)
        result._source = source
        return result

    @property
    def raw_markdown(self) -> str:
        """The markdown of the whole (cleaned) page, as a plain ``str``."""
        return str.__str__(self)

    @property
    def markdown_with_citations(self) -> str:
        """The raw markdown with each link written ``text⟨n⟩`` (images ``![alt⟨n⟩]``)."""
        return self._citations_pair()[0]

    @property
    def references_markdown(self) -> str:
        """``## References`` and one ``⟨n⟩ url: text`` line per distinct link ("" if none)."""
        return self._citations_pair()[1]

    @property
    def fit_markdown(self) -> str:
        """The main content's markdown (or the content filter's choice)."""
        return self._fit_pair()[0]

    @property
    def fit_html(self) -> str:
        """The HTML that ``fit_markdown`` was made from."""
        return self._fit_pair()[1]

    def _citations_pair(self) -> tuple[str, str]:
        if self._citations is None:
            base = self._source.base_url if self._source is not None else ""
            self._citations = links_to_citations(self.raw_markdown, base)
        return self._citations

    def _fit_pair(self) -> tuple[str, str]:
        if self._fit is None:
            self._fit = _fit_of(self._source) if self._source is not None else ("", "")
        return self._fit

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.raw_markdown, self._citations, self._fit, self._source))


def _rebuild(
    raw: str,
    citations: tuple[str, str] | None,
    fit: tuple[str, str] | None,
    source: _Source | None,
) -> MarkdownGenerationResult:
    result = MarkdownGenerationResult(raw)
    result._citations, result._fit, result._source = citations, fit, source
    return result


def links_to_citations(markdown: str, base_url: str = "") -> tuple[str, str]:
    """(markdown with ``text⟨n⟩`` citations, the references list), numbered by first use."""
    numbers: dict[str, int] = {}
    labels: dict[str, str] = {}

    def number(url: str, text: str, title: str | None) -> int:
        if base_url and not url.startswith(("http://", "https://", "mailto:", "#")):
            url = urljoin(base_url, url)
        if url not in numbers:
            numbers[url] = len(numbers) + 1
            labels[url] = " - ".join(part for part in (title, text) if part)
        return numbers[url]

    def image(m: re.Match[str]) -> str:
        alt, url, title = m.group(1, 2, 3)
        return f"![{alt}⟨{number(url, alt, title)}⟩]"

    def cite(m: re.Match[str]) -> str:
        if m.group(2) is not None:
            return image(m)
        text, url, title = m.group(4, 5, 6)
        text = _IMAGE.sub(image, text)
        return f"{text}⟨{number(url, text, title)}⟩"

    cited = _IMAGE_OR_LINK.sub(cite, markdown)
    if not numbers:
        return cited, ""
    lines = [
        f"⟨{n}⟩ {url}" + (f": {labels[url]}" if labels[url] else "") for url, n in numbers.items()
    ]
    return cited, "\n\n## References\n\n" + "\n".join(lines) + "\n"


def _to_html(el: Any) -> str:
    return str(etree.tostring(el, encoding="unicode", method="html", with_tail=False))


def _fit_of(source: _Source) -> tuple[str, str]:
    """(fit markdown, fit HTML) of a page; a failing filter is logged and gives ("", "")."""
    if not source.cleaned_html.strip():
        return "", ""
    try:
        document = lxml.html.document_fromstring(source.cleaned_html)
        body = document.find("body")
        body = body if body is not None else document
        chosen = source.content_filter
        if chosen is None:
            elements = main_content(body, source.page.get("title"))
            fit_html = "\n".join(_to_html(el) for el in elements)
        elif isinstance(chosen, _TreeFilter):
            elements = chosen.filter_elements(body, source.page)
            fit_html = "\n".join(f"<div>{_to_html(el)}</div>" for el in elements)
        else:  # a user's filter: Crawl4AI's contract, HTML chunks
            chunks = chosen.filter_content(source.cleaned_html)
            fit_html = "\n".join(f"<div>{chunk}</div>" for chunk in chunks)
            elements = (
                [lxml.html.fragment_fromstring(fit_html, create_parent="div")] if chunks else []
            )
        return lxml_to_markdown(elements, **source.options), fit_html
    except Exception:
        log.warning("fit markdown failed for %s", source.base_url or "a page", exc_info=True)
        return "", ""


class MarkdownGenerationStrategy(ABC):
    """Base of markdown generators (Crawl4AI's): ``generate_markdown(html) -> result``."""

    def __init__(
        self,
        content_filter: RelevantContentFilter | None = None,
        options: Mapping[str, Any] | None = None,
        verbose: bool = False,
        content_source: str = "cleaned_html",
    ) -> None:
        if content_filter is not None and not isinstance(content_filter, RelevantContentFilter):
            raise TypeError(
                "content_filter must be a RelevantContentFilter (e.g. PruningContentFilter()) "
                f"or None, got {type(content_filter).__name__}"
            )
        if content_source not in CONTENT_SOURCES:
            raise ValueError(
                f"content_source: only {', '.join(map(repr, CONTENT_SOURCES))} is supported, "
                f"got {content_source!r}"
            )
        self.content_filter = content_filter
        self.options = dict(_checked_options(options))
        self.verbose = verbose
        self.content_source = content_source

    @abstractmethod
    def generate_markdown(
        self,
        input_html: str,
        base_url: str = "",
        html2text_options: Mapping[str, Any] | None = None,
        content_filter: RelevantContentFilter | None = None,
        citations: bool = True,
        **kwargs: Any,
    ) -> MarkdownGenerationResult:
        """Markdown of ``input_html`` (its fit and citations computed on first access)."""

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(content_filter={self.content_filter!r}, "
            f"options={self.options!r})"
        )


class DefaultMarkdownGenerator(MarkdownGenerationStrategy):
    """Markdown from the page's tree; ``fit_markdown`` from ``content_filter``, or the
    page's main content when there is none.

    ``options`` takes html2text's option names: ``ignore_links``, ``ignore_images`` and
    ``ignore_emphasis`` apply; the other html2text options are accepted and have no effect
    (:data:`ACCEPTED_OPTIONS`); an unknown name raises ``ValueError``.
    """

    def __init__(
        self,
        content_filter: RelevantContentFilter | None = None,
        options: Mapping[str, Any] | None = None,
        content_source: str = "cleaned_html",
    ) -> None:
        super().__init__(content_filter, options, verbose=False, content_source=content_source)

    def generate_markdown(
        self,
        input_html: str,
        base_url: str = "",
        html2text_options: Mapping[str, Any] | None = None,
        content_filter: RelevantContentFilter | None = None,
        citations: bool = True,
        **kwargs: Any,
    ) -> MarkdownGenerationResult:
        """Markdown of an HTML string (parsed here with lxml)."""
        options = _checked_options(html2text_options or kwargs.get("options") or self.options)
        if not isinstance(input_html, str) or not input_html.strip():
            return MarkdownGenerationResult("", "", "", "", "")
        document = lxml.html.document_fromstring(input_html)
        body = document.find("body")
        raw = lxml_to_markdown([body if body is not None else document], **options)
        source = _Source(input_html, base_url, {}, content_filter or self.content_filter, options)
        result = MarkdownGenerationResult._lazy(raw, source)
        if not citations:
            result._citations = (raw, "")
        return result

    def convert_links_to_citations(self, markdown: str, base_url: str = "") -> tuple[str, str]:
        """Crawl4AI's method: (markdown with ``⟨n⟩`` citations, references)."""
        return links_to_citations(markdown, base_url)

    def _for_tree(
        self, roots: Sequence[Any], cleaned_html: str, base_url: str, page: Mapping[str, Any]
    ) -> MarkdownGenerationResult:
        """The crawl's path: raw markdown from the crawl's one parse (lxml or BeautifulSoup)."""
        options = _converter_options(self.options)
        raw = tree_to_markdown(roots, **options)
        source = _Source(cleaned_html, base_url, page, self.content_filter, options)
        return MarkdownGenerationResult._lazy(raw, source)


def _checked_options(options: Mapping[str, Any] | None) -> dict[str, Any]:
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise TypeError(f"options must be a dict of html2text options, got {options!r}")
    for key in options:
        if key not in SUPPORTED_OPTIONS and key not in ACCEPTED_OPTIONS:
            raise ValueError(
                f"options[{key!r}]: unknown markdown option; supported: "
                f"{', '.join(sorted(SUPPORTED_OPTIONS))}"
            )
    return dict(options)


def _converter_options(options: Mapping[str, Any]) -> dict[str, bool]:
    return {key: bool(value) for key, value in options.items() if key in SUPPORTED_OPTIONS}


DEFAULT_GENERATOR = DefaultMarkdownGenerator()


def page_markdown(
    generator: MarkdownGenerationStrategy | None,
    roots: Sequence[Any],
    cleaned_html: str,
    base_url: str,
    page: Mapping[str, Any],
) -> MarkdownGenerationResult:
    """``result.markdown`` of a crawled page, from its cleaned tree (``roots``).

    A :class:`DefaultMarkdownGenerator` converts the tree itself; another strategy gets
    Crawl4AI's call, ``generate_markdown(cleaned_html, base_url)``.
    """
    generator = DEFAULT_GENERATOR if generator is None else generator
    if isinstance(generator, DefaultMarkdownGenerator):
        return generator._for_tree(roots, cleaned_html, base_url, page)
    made = generator.generate_markdown(cleaned_html, base_url=base_url)
    if isinstance(made, MarkdownGenerationResult):
        return made
    return MarkdownGenerationResult(
        str(getattr(made, "raw_markdown", made) or ""),
        getattr(made, "markdown_with_citations", None),
        getattr(made, "references_markdown", None),
        getattr(made, "fit_markdown", None),
        getattr(made, "fit_html", None),
    )


__all__ = [
    "ACCEPTED_OPTIONS",
    "SUPPORTED_OPTIONS",
    "DefaultMarkdownGenerator",
    "MarkdownGenerationResult",
    "MarkdownGenerationStrategy",
    "links_to_citations",
    "page_markdown",
]
