"""Page content: one parse of a page's HTML gives every product a crawl returns.

:func:`scrape` parses the HTML once and derives, from that one tree, the metadata,
the schema extraction, the narrowed HTML, the cleaned HTML, the links, the images and
the Markdown. The steps are ordered so that no copy of the
tree is needed: everything that reads the tree as the page gave it (metadata, the
``css_selector`` and ``target_elements`` narrowing, schema extraction) runs first;
cleaning then removes nodes from that same tree in place, and links, images and
Markdown read what is left. A strategy that reads text (``RegexExtractionStrategy``)
runs last, on the product it asks for.

The tree is lxml's unless CSS matching needs BeautifulSoup's (``css_selector``,
``target_elements``, an extraction strategy that reads the tree): on the Python
documentation's pages the lxml tree takes a scrape from about 31 ms to about 7 ms (median)
with the same products (see :mod:`seleniumcrawl.content.parse`). The steps read either
tree through :mod:`seleniumcrawl.content.nodes`.

Narrowing, as in Crawl4AI: ``css_selector`` cuts the page down to its matches for
every product but the metadata; ``target_elements`` then narrows only the content
(``cleaned_html``, Markdown, extraction), while links and images still come from the
whole (``css_selector``-narrowed) page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import attrs
import lxml.etree
import lxml.html
import soupsieve as sv
from bs4 import BeautifulSoup, Comment, Tag

from seleniumcrawl.content.domains import (
    base_domain,
    host_of,
    in_domains,
    normalise_domains,
    on_domain,
)
from seleniumcrawl.content.generation import MarkdownGenerationResult, page_markdown
from seleniumcrawl.content.images import image_records
from seleniumcrawl.content.nodes import (
    first,
    is_soup,
    name_of,
    parent_of,
    remove,
    set_attr,
    text_of,
    unwrap,
    words_of,
)
from seleniumcrawl.content.parse import PARSER, parse_html, parse_lxml
from seleniumcrawl.content.tables import (
    DEFAULT_SCORE_THRESHOLD,
    DefaultTableExtraction,
    NoTableExtraction,
    TableExtractionStrategy,
)
from seleniumcrawl.errors import ConfigError

if TYPE_CHECKING:
    from seleniumcrawl.content.extraction.base import ExtractionStrategy
    from seleniumcrawl.content.generation import MarkdownGenerationStrategy

#: Removed from the cleaned content on every page, besides ``excluded_tags``.
ALWAYS_REMOVED = ("script", "style", "noscript")

#: Link targets that lead to a page; ``mailto:``, ``javascript:``, ``tel:``... do not.
_PAGE_SCHEMES = frozenset({"http", "https", "file"})


@attrs.frozen
class ScrapedPage:
    """What :func:`scrape` derived from one page."""

    #: The page HTML, narrowed to the ``css_selector`` matches when one is given.
    html: str
    #: The content without scripts, styles, noscript, comments and ``excluded_tags``.
    cleaned_html: str
    #: Markdown of the cleaned content; fit markdown and citations on first access.
    markdown: MarkdownGenerationResult
    #: ``{"internal": [{"href", "text", "title", "base_domain"}], "external": [...]}``,
    #: absolute, deduplicated.
    links: dict[str, list[dict[str, str]]]
    #: ``{"images": [{"src", "alt", "desc", "score", "type", "group_id", "format",
    #: "width", "height"}]}`` with absolute ``src`` (see :mod:`seleniumcrawl.content.images`).
    media: dict[str, list[dict[str, Any]]]
    #: title, description, keywords, author, canonical, ``og:*`` and ``twitter:*``.
    metadata: dict[str, Any]
    #: JSON array from the extraction strategy, or None without one.
    extracted_content: str | None
    #: Data tables of the cleaned content (see :mod:`seleniumcrawl.content.tables`).
    tables: list[dict[str, Any]] = attrs.field(factory=list)


def scrape(
    html: str,
    url: str,
    *,
    css_selector: str | None = None,
    target_elements: Sequence[str] | None = None,
    excluded_tags: Sequence[str] = (),
    exclude_external_links: bool = False,
    exclude_external_images: bool = False,
    exclude_domains: Iterable[str] = (),
    word_count_threshold: int = 1,
    extraction_strategy: ExtractionStrategy | None = None,
    markdown_generator: MarkdownGenerationStrategy | None = None,
    table_extraction: TableExtractionStrategy | None = None,
    table_score_threshold: float = DEFAULT_SCORE_THRESHOLD,
) -> ScrapedPage:
    """Derive every content product of a page from a single parse of ``html``.

    ``url`` is the page's address (``raw:`` pages included): relative links and image
    sources are resolved against it, or against the page's ``<base href>``, and links
    on its base domain (or a subdomain) are internal. ``css_selector`` narrows every
    product but the metadata to its matches; ``target_elements`` then narrows the
    cleaned HTML, Markdown and extraction further (links and images keep the page).
    Link and image addresses in the cleaned HTML and Markdown are made absolute, so
    both stand on their own. With ``exclude_external_links`` the external links, and
    with ``exclude_domains`` the links on those domains (or their subdomains), are
    dropped from ``links`` and unwrapped (text kept, link removed) in the content;
    images on those domains, or with ``exclude_external_images`` on another site than
    the page's, are dropped from ``media`` and the content. Text blocks of fewer than
    ``word_count_threshold`` words are left out of the cleaned HTML and Markdown.
    ``markdown_generator`` (default: a plain ``DefaultMarkdownGenerator``) decides the
    Markdown options and what ``markdown.fit_markdown`` keeps. ``tables`` holds the
    cleaned content's data tables, found by ``table_extraction`` (default:
    ``DefaultTableExtraction(table_score_threshold=table_score_threshold)``); none when
    ``table`` is among ``excluded_tags``.
    """
    selector = _compile_css_selector(css_selector)
    targets = _compile_target_elements(target_elements)
    removed = frozenset(ALWAYS_REMOVED).union(_tag_names(excluded_tags))
    excluded_domains = normalise_domains(exclude_domains)
    reads_tree = extraction_strategy is not None and extraction_strategy.reads_tree
    # The lxml tree serves every crawl that needs no CSS matching on the tree; the
    # BeautifulSoup tree is the CSS schema extraction's contract (see content.parse).
    document = None if selector or targets or reads_tree else parse_lxml(html)
    tree: Any = document if document is not None else parse_html(html)

    # Read-only steps on the page as given, before cleaning mutates the tree.
    head, body = _sections(tree)
    base_url = _base_url(head, url)
    metadata = _metadata(head if head is not None else tree, base_url)
    if selector is None:
        roots: list[Any] = [body if body is not None else tree]
        page_html = html
    else:
        roots = _outermost(selector.select(tree))
        page_html = "\n".join(str(root) for root in roots)
    content = roots if targets is None else _targets(roots, targets)
    extracted = None
    if extraction_strategy is not None and reads_tree:
        narrowed = selector is not None or targets is not None
        extracted = extraction_strategy.run(url, tree, content if narrowed else None)

    # From here on the tree is cleaned in place: nothing above reads it again.
    anchors, images = _clean(roots, removed)
    links = _links(anchors, base_url, url)
    _absolutize(anchors, "href", base_url)
    for img in images:  # a lazy image's address is in data-src until a script moves it
        if not img.get("src") and isinstance(img.get("data-src"), str):
            set_attr(img, "src", img.get("data-src"))
    _absolutize(images, "src", base_url)
    _drop_links(links, anchors, exclude_external_links, excluded_domains)
    images = _drop_images(images, url, exclude_external_images, excluded_domains)
    if word_count_threshold > 0:
        _prune_short_blocks(content, word_count_threshold)

    cleaned_html = "\n".join(_serialise(root) for root in content)
    markdown = page_markdown(markdown_generator, content, cleaned_html, base_url, metadata)
    if extraction_strategy is not None and not reads_tree:
        text = {
            "html": lambda: page_html,
            "markdown": lambda: str(markdown),
            "text": lambda: "\n".join(words_of(root) for root in content),
        }.get(getattr(extraction_strategy, "input_format", ""), lambda: cleaned_html)()
        extracted = extraction_strategy.run_on_text(url, text)
    return ScrapedPage(
        html=page_html,
        cleaned_html=cleaned_html,
        markdown=markdown,
        links=links,
        media={"images": image_records(images, lambda href: _resolve(base_url, href))},
        metadata=metadata,
        extracted_content=extracted,
        tables=_tables(cleaned_html, removed, table_extraction, table_score_threshold),
    )


def _tables(
    cleaned_html: str,
    removed: frozenset[str],
    strategy: TableExtractionStrategy | None,
    threshold: float,
) -> list[dict[str, Any]]:
    """The data tables of the cleaned content; its lxml parse only when it has a table."""
    if "table" in removed or isinstance(strategy, NoTableExtraction):
        return []
    if "<table" not in cleaned_html:
        return []
    if strategy is None:
        strategy = DefaultTableExtraction(table_score_threshold=threshold)
    body = lxml.html.document_fromstring(cleaned_html).find("body")
    return strategy.extract_tables(body) if body is not None else []


def _serialise(root: Any) -> str:
    if is_soup(root):
        return str(root)
    return str(lxml.html.tostring(root, encoding="unicode", with_tail=False))


def _compile_css_selector(css_selector: str | None) -> sv.SoupSieve | None:
    if css_selector is None:
        return None
    try:
        return sv.compile(css_selector)
    except (sv.SelectorSyntaxError, NotImplementedError, ValueError, TypeError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(
            f"css_selector: invalid CSS selector {css_selector!r}: {first_line}"
        ) from exc


def _compile_target_elements(target_elements: Sequence[str] | None) -> sv.SoupSieve | None:
    if target_elements is None:
        return None
    if isinstance(target_elements, str) or not all(isinstance(t, str) for t in target_elements):
        raise ConfigError(
            f"target_elements: must be a list of CSS selectors, got {target_elements!r}"
        )
    if not target_elements:
        return None
    try:
        return sv.compile(", ".join(target_elements))
    except (sv.SelectorSyntaxError, NotImplementedError, ValueError, TypeError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(
            f"target_elements: invalid CSS selector in {list(target_elements)!r}: {first_line}"
        ) from exc


def _targets(roots: list[Tag], targets: sv.SoupSieve) -> list[Tag]:
    """The outermost ``target_elements`` matches within ``roots`` (a root itself included)."""
    found: list[Tag] = []
    for root in roots:
        if isinstance(root, Tag) and not isinstance(root, BeautifulSoup) and targets.match(root):
            found.append(root)
        else:
            found.extend(targets.select(root))
    return _outermost(found)


def _tag_names(excluded_tags: Sequence[str]) -> set[str]:
    if isinstance(excluded_tags, str) or not all(isinstance(t, str) for t in excluded_tags):
        raise ConfigError(f"excluded_tags: must be a list of tag names, got {excluded_tags!r}")
    return {tag.lower() for tag in excluded_tags}


def _outermost(matches: list[Tag]) -> list[Tag]:
    """Matches that are not inside another match, so no content is emitted twice."""
    kept: list[Tag] = []
    seen: set[int] = set()
    for match in matches:
        if not any(id(parent) in seen for parent in match.parents):
            kept.append(match)
        seen.add(id(match))
    return kept


def _clean(roots: list[Any], removed: frozenset[str]) -> tuple[list[Any], list[Any]]:
    """Remove unwanted nodes in place; return the anchors and images that remain.

    One walk collects everything; removal happens after it, since removing while
    walking would cut the walk's own path through the tree.
    """
    if roots and not is_soup(roots[0]):
        return _clean_lxml(roots, removed)
    doomed: list[Tag] = []
    comments: list[Comment] = []
    anchors: list[Tag] = []
    images: list[Tag] = []
    for root in roots:
        for node in root.descendants:
            if isinstance(node, Tag):
                name = node.name
                if name in removed:
                    doomed.append(node)
                elif name == "a":
                    anchors.append(node)
                elif name == "img":
                    images.append(node)
            elif isinstance(node, Comment):
                comments.append(node)
    for comment in comments:  # before decompose(), which wipes the comments inside
        comment.extract()
    for tag in doomed:
        if not tag.decomposed:  # an excluded tag inside another one is already gone
            tag.decompose()
    return (
        [a for a in anchors if not a.decomposed],
        [img for img in images if not img.decomposed],
    )


def _clean_lxml(roots: list[Any], removed: frozenset[str]) -> tuple[list[Any], list[Any]]:
    """:func:`_clean` on lxml elements: lxml finds the nodes (in C), then the anchors and
    images left once they are gone."""
    for root in roots:
        for node in list(root.iter(lxml.etree.Comment, *removed)):
            if node is not root:  # dropping an ancestor first leaves a detached copy
                node.drop_tree()
    return (
        [a for root in roots for a in root.iter("a")],
        [img for root in roots for img in root.iter("img")],
    )


def _sections(tree: Any) -> tuple[Any, Any]:
    """``<head>`` and ``<body>``, looked up where parsers put them (not by a full search)."""
    if not is_soup(tree):
        return tree.find("head"), tree.find("body")
    html = tree.find("html", recursive=False)
    parent = html if isinstance(html, Tag) else tree
    head, body = parent.find("head", recursive=False), parent.find("body", recursive=False)
    return (head if isinstance(head, Tag) else None), (body if isinstance(body, Tag) else None)


def _base_url(head: Any, url: str) -> str:
    """The URL relative references resolve against: ``<base href>`` if the page has one."""
    if head is None:
        return url
    base = next((b for b in _elements(head, "base") if b.get("href") is not None), None)
    href = base.get("href") if base is not None else None
    if isinstance(href, str) and href.strip():
        return _resolve(url, href) or url
    return url


def _elements(node: Any, name: str) -> Iterable[Any]:
    """The ``name`` elements under ``node``, in document order."""
    found: Iterable[Any] = node.find_all(name) if is_soup(node) else node.iterdescendants(name)
    return found


def _resolve(base_url: str, href: Any) -> str | None:
    """``href`` made absolute against ``base_url``; None when it is not a usable URL."""
    if not isinstance(href, str):
        return None
    href = href.strip()
    if not href:
        return None
    try:
        return str(urljoin(base_url, href))
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None


def _absolutize(tags: list[Tag], attribute: str, base_url: str) -> None:
    """Rewrite ``attribute`` to an absolute URL; in-page ``#anchors`` stay as written."""
    for tag in tags:
        value = tag.get(attribute)
        if isinstance(value, str) and not value.strip().startswith("#"):
            absolute = _resolve(base_url, value)
            if absolute is not None and absolute != value:
                set_attr(tag, attribute, absolute)


def _links(anchors: list[Tag], base_url: str, page_url: str) -> dict[str, list[dict[str, str]]]:
    """Internal and external links, first occurrence of each href.

    A link is internal when its host is the page's base domain or under it
    (``blog.example.com`` on ``www.example.com``), as in Crawl4AI. Each link carries
    its ``text`` (whitespace collapsed), its ``title`` attribute (or ``""``) and the
    ``base_domain`` of its host. In-page anchors (``href="#top"``) are not links to a
    page and are left out, as are non-page schemes. Relative links that cannot be
    resolved (a ``raw:`` page has no base) are kept as written and count as internal.
    """
    page_domain = base_domain(host_of(page_url))
    links: dict[str, list[dict[str, str]]] = {"internal": [], "external": []}
    seen: set[str] = set()
    for anchor in anchors:
        raw = anchor.get("href")
        if not isinstance(raw, str) or raw.strip().startswith("#"):
            continue
        href = _resolve(base_url, raw)
        if href is None or href in seen:
            continue
        try:
            parts = urlsplit(href)
        except ValueError:
            continue
        if parts.scheme and parts.scheme.lower() not in _PAGE_SCHEMES:
            continue
        seen.add(href)
        host = host_of(href)
        internal = not parts.scheme or on_domain(host, page_domain) or host == page_domain
        title = anchor.get("title")
        links["internal" if internal else "external"].append(
            {
                "href": href,
                "text": words_of(anchor),
                "title": title.strip() if isinstance(title, str) else "",
                "base_domain": base_domain(host) if host else page_domain,
            }
        )
    return links


def _drop_links(
    links: dict[str, list[dict[str, str]]],
    anchors: list[Tag],
    external: bool,
    domains: frozenset[str],
) -> None:
    """Drop external links (``external``) and links on ``domains`` from ``links``, and
    unwrap their anchors in the content (the text stays)."""
    if not external and not domains:
        return
    dropped: set[str] = set()
    for kind in ("internal", "external"):
        kept = []
        for link in links[kind]:
            if (external and kind == "external") or in_domains(host_of(link["href"]), domains):
                dropped.add(link["href"])
            else:
                kept.append(link)
        links[kind] = kept
    for anchor in anchors:
        if anchor.get("href") in dropped:
            unwrap(anchor)


def _drop_images(
    images: list[Tag], page_url: str, external: bool, domains: frozenset[str]
) -> list[Tag]:
    """The images kept; those on ``domains`` or (``external``) on another site than the
    page's are removed from the content. Relative sources of a ``raw:`` page count as
    the page's own."""
    if not external and not domains:
        return images
    page_domain = base_domain(host_of(page_url))
    kept = []
    for img in images:
        src = img.get("src")
        host = host_of(src) if isinstance(src, str) else None
        foreign = external and host is not None and not on_domain(host, page_domain)
        if foreign or in_domains(host, domains):
            remove(img)
        else:
            kept.append(img)
    return kept


#: Elements that make up a text block for ``word_count_threshold``.
_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "aside", "header", "footer", "nav", "main",
        "li", "dd", "dt", "blockquote", "figcaption", "address", "summary",
        "h1", "h2", "h3", "h4", "h5", "h6",
    }
)  # fmt: skip
#: Elements a block holding them is kept for, whatever its word count.
_KEEPERS = _BLOCKS | {
    "img", "picture", "video", "audio", "iframe", "svg", "canvas", "table", "pre",
    "form", "input", "select", "textarea", "button", "hr",
}  # fmt: skip


def _prune_short_blocks(roots: list[Any], threshold: int) -> None:
    """Remove text blocks (a block element holding no other block, no media, no table,
    no form control) of fewer than ``threshold`` words.

    Elements are visited innermost first (reverse document order), so a container whose
    blocks all went, leaving it short of words, goes too. The roots themselves stay. One
    walk, no ``find`` calls: bs4's name matching costs more than the whole check.
    """
    tags = [node for root in roots for node in _descendant_elements(root)]
    holding: set[int] = set()  # elements with a kept block or a keeper below them
    for tag in reversed(tags):
        name = name_of(tag)
        short = name in _BLOCKS and id(tag) not in holding
        if short and len(text_of(tag, " ").split()) < threshold:
            remove(tag)
            continue
        if name in _KEEPERS or id(tag) in holding:
            parent = parent_of(tag)
            if parent is not None:
                holding.add(id(parent))


def _descendant_elements(root: Any) -> Iterable[Any]:
    if is_soup(root):
        return (node for node in root.descendants if isinstance(node, Tag))
    # The caller's list keeps every proxy alive, so id() names one element for the walk.
    elements: Iterable[Any] = root.iterdescendants(lxml.etree.Element)
    return elements


def _metadata(scope: Any, base_url: str) -> dict[str, Any]:
    """The page's title and ``<meta>`` data (from ``<head>``, or the whole page without
    one); missing standard keys are None."""
    title = first(scope, "title")
    metadata: dict[str, Any] = {
        "title": " ".join(text_of(title).split()) if title is not None else None,
        "description": None,
        "keywords": None,
        "author": None,
        "canonical": None,
    }
    for meta in _elements(scope, "meta"):
        key = meta.get("name") or meta.get("property")
        content = meta.get("content")
        if not isinstance(key, str) or not isinstance(content, str):
            continue
        key = key.strip().lower()
        if key in ("description", "keywords", "author") or key.startswith(("og:", "twitter:")):
            metadata[key] = content.strip()
    for link in _elements(scope, "link"):
        if link.get("href") is None:
            continue
        rel = link.get("rel")
        rels: list[str] = rel.split() if isinstance(rel, str) else list(rel or [])
        if "canonical" in (r.lower() for r in rels):
            metadata["canonical"] = _resolve(base_url, link.get("href"))
            break
    return metadata


__all__ = ["ALWAYS_REMOVED", "PARSER", "ScrapedPage", "parse_html", "scrape"]
