"""Crawl4AI's content options and result fields (issue 14), checked without a browser.

``scrape()`` directly, and ``raw:`` crawls through a crawler (they start no browser), for
what Crawl4AI's link/media and content-selection documentation says.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from seleniumcrawl import CrawlerRunConfig, JsonCssExtractionStrategy, WebCrawler
from seleniumcrawl.content.domains import base_domain, in_domains, normalise_domains
from seleniumcrawl.content.images import DESC_MAX, image_format
from seleniumcrawl.content.scraping import scrape

URL = "https://www.site.test/blog/post.html"

LINKS_PAGE = """<html><head><title>Links</title></head><body>
<a href="/about" title=" About us ">About</a>
<a href="https://blog.site.test/x">Blog</a>
<a href="https://site.test/root">Root</a>
<a href="https://other.test/p" title="Other">Other</a>
<a href="https://www.facebook.com/site">Facebook</a>
<a href="https://twitter.com/site">Twitter</a>
<a href="https://mastodon.social/@site">Mastodon</a>
<a href="https://cdn.ads.com/click">Ad</a>
<img src="https://cdn.ads.com/banner.png" alt="ad banner">
<img src="https://img.site.test/own.png" alt="own">
<img src="https://elsewhere.test/far.jpg" alt="far">
<img src="/local.gif" alt="local">
</body></html>"""


def _hrefs(links: list[dict[str, str]]) -> list[str]:
    return [link["href"] for link in links]


@pytest.fixture(scope="module")
def crawler() -> Iterator[WebCrawler]:
    """A crawler for raw: crawls (no browser is started by them)."""
    with WebCrawler() as c:
        yield c


# -- domains -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("www.example.com", "example.com"),
        ("a.b.example.com", "example.com"),
        ("shop.example.co.uk", "example.co.uk"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("example.com.au", "example.com.au"),
        ("x.y.org", "y.org"),
        ("127.0.0.1", "127.0.0.1"),
        ("::1", "::1"),
        ("localhost", "localhost"),
        ("Example.COM.", "example.com"),
        (None, ""),
    ],
)
def test_base_domain(host: str | None, expected: str) -> None:
    """The registrable domain: subdomains dropped, country second levels kept, IPs as is."""
    assert base_domain(host) == expected


def test_excluded_domains_cover_subdomains() -> None:
    """An excluded domain covers its subdomains; given forms (case, www., dots) normalise."""
    domains = normalise_domains(["WWW.Ads.com.", "tracker.net"])
    assert domains == {"ads.com", "tracker.net"}
    assert in_domains("cdn.ads.com", domains) and in_domains("ads.com", domains)
    assert not in_domains("notads.com", domains) and not in_domains(None, domains)


# -- links -------------------------------------------------------------------------------


def test_link_dicts_have_title_and_base_domain() -> None:
    """Links carry href, text, title and base_domain (Crawl4AI's Link fields)."""
    links = scrape(LINKS_PAGE, URL).links
    assert links["internal"][0] == {
        "href": "https://www.site.test/about",
        "text": "About",
        "title": "About us",
        "base_domain": "site.test",
    }
    other = next(link for link in links["external"] if link["text"] == "Other")
    assert other == {
        "href": "https://other.test/p",
        "text": "Other",
        "title": "Other",
        "base_domain": "other.test",
    }


def test_subdomains_of_the_page_are_internal() -> None:
    """Links on the page's base domain or its subdomains are internal, as in Crawl4AI."""
    links = scrape(LINKS_PAGE, URL).links
    assert _hrefs(links["internal"]) == [
        "https://www.site.test/about",
        "https://blog.site.test/x",
        "https://site.test/root",
    ]
    assert "https://other.test/p" in _hrefs(links["external"])


def test_loopback_pages_on_other_ports_are_one_site() -> None:
    """On 127.0.0.1 the IP is the base domain: another port is internal, localhost is not."""
    html = "<a href='http://127.0.0.1:9/x'>x</a><a href='http://localhost:8000/y'>y</a>"
    links = scrape(html, "http://127.0.0.1:8000/").links
    assert _hrefs(links["internal"]) == ["http://127.0.0.1:9/x"]
    assert _hrefs(links["external"]) == ["http://localhost:8000/y"]
    assert links["internal"][0]["base_domain"] == "127.0.0.1"


def test_exclude_domains_drops_links_and_images_with_subdomains() -> None:
    """exclude_domains drops links and images on those domains (subdomains too); the link
    text stays in the content, the image goes."""
    scraped = scrape(LINKS_PAGE, URL, exclude_domains=["ads.com"])
    every = _hrefs(scraped.links["internal"]) + _hrefs(scraped.links["external"])
    assert "https://cdn.ads.com/click" not in every
    assert "https://other.test/p" in every  # other external links stay
    assert "banner.png" not in json.dumps(scraped.media) and "banner" not in scraped.cleaned_html
    assert "cdn.ads.com" not in scraped.cleaned_html and "Ad" in scraped.cleaned_html


def test_exclude_external_images_keeps_the_sites_own() -> None:
    """exclude_external_images keeps images of the page's domain and subdomains only."""
    scraped = scrape(LINKS_PAGE, URL, exclude_external_images=True)
    assert [img["alt"] for img in scraped.media["images"]] == ["own", "local"]
    assert "far.jpg" not in scraped.cleaned_html and "own.png" in scraped.cleaned_html


def test_social_media_links_through_a_crawl(crawler: WebCrawler) -> None:
    """exclude_social_media_links drops Crawl4AI's networks plus the ones given."""
    base = {"base_url": URL}
    kept = crawler.run("raw:" + LINKS_PAGE, CrawlerRunConfig(**base))  # type: ignore[arg-type]
    assert "https://twitter.com/site" in _hrefs(kept.links["external"])
    config = CrawlerRunConfig(
        exclude_social_media_links=True,
        exclude_social_media_domains=["mastodon.social"],
        **base,  # type: ignore[arg-type]
    )
    dropped = _hrefs(crawler.run("raw:" + LINKS_PAGE, config).links["external"])
    assert dropped == ["https://other.test/p", "https://cdn.ads.com/click"]
    listed_only = CrawlerRunConfig(exclude_social_media_domains=["mastodon.social"], **base)  # type: ignore[arg-type]
    assert "https://mastodon.social/@site" in _hrefs(
        crawler.run("raw:" + LINKS_PAGE, listed_only).links["external"]
    )  # the list alone does nothing, as in Crawl4AI


def test_base_url_resolves_raw_html(crawler: WebCrawler) -> None:
    """base_url gives a raw: page the address its relative links resolve against."""
    html = "raw:<a href='/docs/a'>A</a><img src='pic.png' alt='p'>"
    result = crawler.run(html, CrawlerRunConfig(base_url="https://example.com/guide/"))
    assert result.links["internal"][0]["href"] == "https://example.com/docs/a"
    assert result.links["internal"][0]["base_domain"] == "example.com"
    assert result.media["images"][0]["src"] == "https://example.com/guide/pic.png"
    assert "(https://example.com/docs/a)" in (result.markdown or "")
    bare = crawler.run(html)
    assert bare.links["internal"][0]["href"] == "/docs/a"  # no base: kept as written


# -- images --------------------------------------------------------------------------------

IMAGES_PAGE = """<html><body>
<header><img src="/img/logo.png" alt="Site logo" width="120" height="40"></header>
<nav><img src="/img/menu.svg" width="16" height="16"></nav>
<main><article>
  <h1>Story</h1>
  <figure>
    <img src="/img/hero.jpg" alt="The harbour at dawn" width="1200" height="800"
         srcset="/img/hero-640.jpg 640w, /img/hero-1280.jpg 1280w">
    <figcaption>Boats leave the harbour before sunrise.</figcaption>
  </figure>
  <p>Some text <img src="/img/inline.webp?x=1" width="300px" alt=""> around.</p>
  <picture><source srcset="/img/pic.avif"><img src="/img/pic.png" alt="Picture"></picture>
  <img src="https://cdn.test/render?id=4&fm=webp" alt="cdn">
</article></main>
<footer><img src="/img/pixel.gif" width="1" height="1"></footer>
</body></html>"""


@pytest.fixture(scope="module")
def images() -> list[dict[str, Any]]:
    return scrape(IMAGES_PAGE, "https://site.test/story").media["images"]


def _by_src(images: list[dict[str, Any]], tail: str) -> dict[str, Any]:
    return next(img for img in images if img["src"].endswith(tail))


def test_image_dicts_have_crawl4ais_fields(images: list[dict[str, Any]]) -> None:
    """Every image dict has src, alt, desc, score, type, group_id, format, width (and height)."""
    for img in images:
        assert {"src", "alt", "desc", "score", "type", "group_id", "format", "width"} <= set(img)
        assert img["type"] == "image"
    hero = _by_src(images, "/img/hero.jpg")
    assert (hero["width"], hero["height"], hero["format"]) == (1200, 800, "jpg")
    assert hero["desc"] == "Boats leave the harbour before sunrise."


def test_srcset_variants_share_a_group(images: list[dict[str, Any]]) -> None:
    """srcset candidates are records of their own, in the element's group, with their width."""
    hero = _by_src(images, "/img/hero.jpg")
    small = _by_src(images, "/img/hero-640.jpg")
    large = _by_src(images, "/img/hero-1280.jpg")
    assert hero["group_id"] == small["group_id"] == large["group_id"]
    assert (small["width"], large["width"]) == (640, 1280)
    picture = _by_src(images, "/img/pic.png")
    assert _by_src(images, "/img/pic.avif")["group_id"] == picture["group_id"]


def test_width_and_format_from_attributes_and_address(images: list[dict[str, Any]]) -> None:
    """width reads "300px"; format comes from the extension or an image CDN's fm= parameter."""
    inline = _by_src(images, "/img/inline.webp?x=1")
    assert (inline["width"], inline["format"]) == (300, "webp")
    assert _by_src(images, "fm=webp")["format"] == "webp"
    assert image_format("https://x.test/a/b") is None
    assert image_format("https://x.test/a.JPEG?v=2") == "jpeg"


def test_score_prefers_large_described_content_images(images: list[dict[str, Any]]) -> None:
    """The hero (large, described, in the article, responsive) outscores the others; logos,
    tiny icons and tracking pixels score 0."""
    hero = _by_src(images, "/img/hero.jpg")
    assert hero["score"] == 7
    others = [img for img in images if img["group_id"] != hero["group_id"]]
    assert all(img["score"] < hero["score"] for img in others)
    for tail in ("/img/logo.png", "/img/menu.svg", "/img/pixel.gif"):
        assert _by_src(images, tail)["score"] == 0
    assert _by_src(images, "/img/inline.webp?x=1")["score"] > 0


def test_desc_is_bounded() -> None:
    """desc is the text around the image, cut at DESC_MAX characters."""
    html = f"<div><p>{'word ' * 200}<img src='/a.png'></p></div>"
    desc = scrape(html, "https://x.test/").media["images"][0]["desc"]
    assert desc.startswith("word word") and len(desc) == DESC_MAX


# -- narrowing -----------------------------------------------------------------------------

ARTICLE_PAGE = """<html><head><title>Post</title><meta name="description" content="d"></head>
<body>
<nav><a href="/home">Home</a> <a href="/blog">Blog</a></nav>
<article class="main-content"><h1>Title</h1>
  <p class="item">First paragraph with quite a few words in it for the test.</p>
  <p class="item">Second paragraph, also long enough to keep around here.</p>
  <a href="/in-article">more</a></article>
<aside class="sidebar"><p class="item">Sidebar note that has some words.</p></aside>
<footer><p>Copyright</p><img src="/footer.png" alt="f"></footer>
</body></html>"""

ITEMS = {"baseSelector": "p.item", "fields": [{"name": "t", "type": "text"}]}


def test_target_elements_narrow_content_not_links() -> None:
    """target_elements narrows cleaned_html, markdown and extraction; html, links, images and
    metadata keep the whole page (content-selection.md, 1.2)."""
    scraped = scrape(
        ARTICLE_PAGE,
        "https://site.test/post",
        target_elements=["article.main-content", "aside.sidebar"],
        extraction_strategy=JsonCssExtractionStrategy(ITEMS),
    )
    assert "Title" in scraped.markdown and "Sidebar note" in scraped.markdown
    assert "Home" not in scraped.markdown and "Copyright" not in scraped.cleaned_html
    assert len(json.loads(scraped.extracted_content or "")) == 3
    assert "https://site.test/home" in _hrefs(scraped.links["internal"])
    assert [img["alt"] for img in scraped.media["images"]] == ["f"]
    assert scraped.html == ARTICLE_PAGE and scraped.metadata["title"] == "Post"


def test_css_selector_then_target_elements() -> None:
    """With both, css_selector cuts the page and target_elements narrows within that cut."""
    scraped = scrape(
        ARTICLE_PAGE,
        "https://site.test/post",
        css_selector="article, footer",
        target_elements=["p.item"],
        extraction_strategy=JsonCssExtractionStrategy(ITEMS),
    )
    assert [r["t"][:6] for r in json.loads(scraped.extracted_content or "")] == ["First ", "Second"]
    assert "Title" not in scraped.cleaned_html and "Sidebar" not in scraped.cleaned_html
    assert _hrefs(scraped.links["internal"]) == ["https://site.test/in-article"]
    assert [img["alt"] for img in scraped.media["images"]] == ["f"]


def test_target_element_that_is_a_css_selector_match() -> None:
    """A target selector matching a css_selector match itself keeps that whole match."""
    scraped = scrape(ARTICLE_PAGE, URL, css_selector="aside", target_elements=["aside.sidebar"])
    assert scraped.cleaned_html.startswith('<aside class="sidebar">')


def test_css_selector_narrows_extraction_with_base_on_the_match() -> None:
    """A base selector equal to css_selector finds the matches themselves (a cut-out page
    contains them), for CSS and XPath alike."""
    from seleniumcrawl.extraction_strategy import JsonXPathExtractionStrategy

    xpath = {"baseSelector": "//p[@class='item']", "fields": [{"name": "t", "type": "text"}]}
    for strategy in (JsonCssExtractionStrategy(ITEMS), JsonXPathExtractionStrategy(xpath)):
        scraped = scrape(ARTICLE_PAGE, URL, css_selector="p.item", extraction_strategy=strategy)
        assert len(json.loads(scraped.extracted_content or "")) == 3


# -- word_count_threshold ------------------------------------------------------------------


def test_word_count_threshold_drops_short_blocks() -> None:
    """Text blocks under the threshold leave cleaned_html and markdown; longer ones stay,
    as do blocks holding an image, and links keep the whole page."""
    scraped = scrape(ARTICLE_PAGE, "https://site.test/post", word_count_threshold=5)
    assert "Home" not in scraped.markdown and "Copyright" not in scraped.markdown
    assert "Title" not in scraped.markdown  # a one-word heading is a short block too
    assert "First paragraph" in scraped.markdown and "Sidebar note" in scraped.markdown
    assert "footer.png" in scraped.cleaned_html  # the footer holds an image: kept
    assert "https://site.test/home" in _hrefs(scraped.links["internal"])


def test_default_threshold_only_drops_empty_blocks() -> None:
    """The default (1, Crawl4AI's) drops empty blocks only; 0 keeps everything."""
    html = "<div><p>one</p><div id='app'></div><p> </p></div>"
    assert scrape(html, URL).cleaned_html == "<body><div><p>one</p></div></body>"
    assert scrape(html, URL, word_count_threshold=0).cleaned_html.count("<p>") == 2


def test_emptied_containers_go_too() -> None:
    """A container whose short blocks all went, leaving it under the threshold, goes too."""
    html = "<section><div><p>a b</p><p>c</p></div></section><p>one two three four</p>"
    cleaned = scrape(html, URL, word_count_threshold=3).cleaned_html
    assert cleaned == "<body><p>one two three four</p></body>"
