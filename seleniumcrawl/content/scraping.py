"""Page content: one parse of a page's HTML gives every product a crawl returns.

:func:`scrape` parses the HTML once with BeautifulSoup and derives, from that one
tree, the metadata, the schema extraction, the narrowed HTML, the cleaned HTML, the
links, the images and the Markdown. The steps are ordered so that no copy of the
tree is needed: everything that reads the whole page (metadata, extraction, the
``css_selector`` narrowing) runs first; cleaning then removes nodes from that same
tree in place, and links, images and Markdown read what is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import attrs
import soupsieve as sv
from bs4 import BeautifulSoup, Comment, Tag

from seleniumcrawl.content.generation import MarkdownGenerationResult, page_markdown
from seleniumcrawl.content.parse import PARSER, parse_html
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
    #: ``{"internal": [{"href", "text"}], "external": [...]}``, absolute, deduplicated.
    links: dict[str, list[dict[str, str]]]
    #: ``{"images": [{"src", "alt"}]}`` with absolute ``src``.
    media: dict[str, list[dict[str, Any]]]
    #: title, description, keywords, author, canonical, ``og:*`` and ``twitter:*``.
    metadata: dict[str, Any]
    #: JSON array from the extraction strategy, or None without one.
    extracted_content: str | None


def scrape(
    html: str,
    url: str,
    *,
    css_selector: str | None = None,
    excluded_tags: Sequence[str] = (),
    exclude_external_links: bool = False,
    extraction_strategy: ExtractionStrategy | None = None,
    markdown_generator: MarkdownGenerationStrategy | None = None,
) -> ScrapedPage:
    """Derive every content product of a page from a single parse of ``html``.

    ``url`` is the page's address (``raw:`` pages included): relative links and image
    sources are resolved against it, or against the page's ``<base href>``.
    Extraction runs on the whole page, as in Crawl4AI; ``css_selector`` narrows
    the HTML, cleaned HTML, links, images and Markdown. Link and image addresses
    in the cleaned HTML and Markdown are made absolute, so both stand on their own.
    With ``exclude_external_links`` the external links are dropped from ``links``
    and unwrapped (text kept, link removed) in the cleaned HTML and Markdown.
    ``markdown_generator`` (default: a plain ``DefaultMarkdownGenerator``) decides the
    Markdown options and what ``markdown.fit_markdown`` keeps.
    """
    selector = _compile_css_selector(css_selector)
    removed = frozenset(ALWAYS_REMOVED).union(_tag_names(excluded_tags))
    soup = parse_html(html)

    # Read-only steps on the whole page, before cleaning mutates the tree.
    base_url = _base_url(soup, url)
    metadata = _metadata(soup, base_url)
    extracted = extraction_strategy.run(url, soup) if extraction_strategy is not None else None
    if selector is None:
        body = _section(soup, "body")
        roots: list[Tag] = [body if body is not None else soup]
        page_html = html
    else:
        roots = _outermost(selector.select(soup))
        page_html = "\n".join(str(root) for root in roots)

    # From here on the tree is cleaned in place: nothing above reads it again.
    anchors, images = _clean(roots, removed)
    links = _links(anchors, base_url, url)
    _absolutize(anchors, "href", base_url)
    for img in images:  # a lazy image's address is in data-src until a script moves it
        if not img.get("src") and isinstance(img.get("data-src"), str):
            img["src"] = img["data-src"]
    _absolutize(images, "src", base_url)
    if exclude_external_links:
        external = {link["href"] for link in links["external"]}
        for anchor in anchors:
            if anchor.get("href") in external:
                anchor.unwrap()
        links["external"] = []
    cleaned_html = "\n".join(str(root) for root in roots)
    return ScrapedPage(
        html=page_html,
        cleaned_html=cleaned_html,
        markdown=page_markdown(markdown_generator, roots, cleaned_html, base_url, metadata),
        links=links,
        media={"images": _images(images, base_url)},
        metadata=metadata,
        extracted_content=extracted,
    )


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


def _clean(roots: list[Tag], removed: frozenset[str]) -> tuple[list[Tag], list[Tag]]:
    """Remove unwanted nodes in place; return the anchors and images that remain.

    One walk collects everything; removal happens after it, since removing while
    walking would cut the walk's own path through the tree.
    """
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


def _section(soup: BeautifulSoup, name: str) -> Tag | None:
    """``<head>`` or ``<body>``, looked up where parsers put them (not by a full search)."""
    html = soup.find("html", recursive=False)
    parent = html if isinstance(html, Tag) else soup
    found = parent.find(name, recursive=False)
    return found if isinstance(found, Tag) else None


def _base_url(soup: BeautifulSoup, url: str) -> str:
    """The URL relative references resolve against: ``<base href>`` if the page has one."""
    head = _section(soup, "head")
    base = head.find("base", href=True) if head is not None else None
    href = base.get("href") if isinstance(base, Tag) else None
    if isinstance(href, str) and href.strip():
        return _resolve(url, href) or url
    return url


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
                tag[attribute] = absolute


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _links(anchors: list[Tag], base_url: str, page_url: str) -> dict[str, list[dict[str, str]]]:
    """Internal (same host as the page) and external links, first occurrence of each href.

    In-page anchors (``href="#top"``) are not links to a page and are left out, as
    are non-page schemes. Relative links that cannot be resolved (a ``raw:`` page
    has no base) are kept as written and count as internal.
    """
    page_host = _host(page_url)
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
        internal = not parts.scheme or parts.hostname == page_host
        text = " ".join(anchor.get_text(" ").split())
        links["internal" if internal else "external"].append({"href": href, "text": text})
    return links


def _images(images: list[Tag], base_url: str) -> list[dict[str, Any]]:
    """Images with an absolute ``src`` (``data-src`` for lazy-loaded ones), once each.

    Inline ``data:`` images are left out: they are not addresses, and can be large.
    """
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for img in images:
        src = _resolve(base_url, img.get("src") or img.get("data-src"))
        if src is None or src.startswith("data:") or src in seen:
            continue
        seen.add(src)
        alt = img.get("alt")
        found.append({"src": src, "alt": alt if isinstance(alt, str) else ""})
    return found


def _metadata(soup: BeautifulSoup, base_url: str) -> dict[str, Any]:
    """The page's title and ``<meta>`` data; missing standard keys are None."""
    head = _section(soup, "head")
    scope: Tag = head if head is not None else soup
    title = scope.find("title")
    metadata: dict[str, Any] = {
        "title": " ".join(title.get_text().split()) if isinstance(title, Tag) else None,
        "description": None,
        "keywords": None,
        "author": None,
        "canonical": None,
    }
    for meta in scope.find_all("meta"):
        key = meta.get("name") or meta.get("property")
        content = meta.get("content")
        if not isinstance(key, str) or not isinstance(content, str):
            continue
        key = key.strip().lower()
        if key in ("description", "keywords", "author") or key.startswith(("og:", "twitter:")):
            metadata[key] = content.strip()
    for link in scope.find_all("link", href=True):
        rel = link.get("rel")
        rels: list[str] = rel.split() if isinstance(rel, str) else list(rel or [])
        if "canonical" in (r.lower() for r in rels):
            metadata["canonical"] = _resolve(base_url, link.get("href"))
            break
    return metadata


__all__ = ["ALWAYS_REMOVED", "PARSER", "ScrapedPage", "parse_html", "scrape"]
