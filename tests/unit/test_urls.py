"""URL resolution: what is accepted, and clear errors for the rest."""

from __future__ import annotations

import pytest

from seleniumcrawl.errors import NavigationError
from seleniumcrawl.urls import normalize_url, resolve


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:8000/a", "http"),
        ("https://example.com", "http"),
        ("HTTP://EXAMPLE.COM/", "http"),
        ("http://[::1]:80/", "http"),
    ],
)
def test_http_urls_are_accepted(url: str, kind: str) -> None:
    """http(s) URLs with a host resolve to a navigable target."""
    assert resolve(url).kind == kind


def test_raw_html_keeps_the_html_and_the_given_url() -> None:
    """``raw:`` and ``raw://`` carry the HTML; the result URL is what the user gave."""
    target = resolve("raw:<p>hi</p>")
    assert (target.kind, target.raw_html, target.url) == ("raw", "<p>hi</p>", "raw:<p>hi</p>")
    assert resolve("raw://<b>x</b>").raw_html == "<b>x</b>"
    assert target.base_url == "about:blank"


def test_file_urls_must_exist(tmp_path: pytest.TempPathFactory) -> None:
    """file:// URLs resolve when the file exists, else fail naming the path."""
    page = tmp_path / "p.html"  # type: ignore[operator]
    page.write_text("<p>x</p>")
    assert resolve(page.as_uri()).kind == "file"
    with pytest.raises(NavigationError, match="no such file"):
        resolve((tmp_path / "missing.html").as_uri())  # type: ignore[operator]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/f", "Unsupported URL scheme 'ftp'"),
        ("javascript:alert(1)", "Unsupported URL scheme 'javascript'"),
        ("mailto:a@b.c", "Unsupported URL scheme 'mailto'"),
        ("notaurl", "no scheme"),
        ("http://[::1", "Invalid URL"),
        ("http://", "no host"),
        ("http://example.com:99999/", "Invalid URL"),
        ("", "Invalid URL"),
        ("   ", "Invalid URL"),
        (None, "Invalid URL"),
    ],
)
def test_bad_urls_fail_clearly(url: object, message: str) -> None:
    """Unsupported or malformed URLs raise NavigationError saying what is wrong."""
    with pytest.raises(NavigationError, match=message.replace("(", r"\(").replace("[", r"\[")):
        resolve(url)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("10.0.0.1", False),
        ("grid.example", False),
        ("", False),
        (None, False),
    ],
)
def test_loopback_hosts(host: str | None, loopback: bool) -> None:
    """Loopback detection decides --no-sandbox for a local Grid and proxy bypass."""
    from seleniumcrawl.urls import is_loopback_host

    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize(
    ("href", "base", "expected"),
    [
        ("http://Example.COM", None, "http://example.com/"),
        ("HTTPS://example.com:443/a?b=1#frag", None, "https://example.com/a?b=1"),
        ("http://example.com:80/x", None, "http://example.com/x"),
        ("http://example.com:8080", None, "http://example.com:8080/"),
        ("https://example.com:80/", None, "https://example.com:80/"),
        ("/b?z=2&a=1#top", "http://h.test/dir/page", "http://h.test/b?z=2&a=1"),
        ("next", "http://h.test/dir/page", "http://h.test/dir/next"),
        ("//cdn.test/x", "https://h.test/", "https://cdn.test/x"),
        ("http://[::1]:80/p", None, "http://[::1]/p"),
        ("http://h.test/A/B/", None, "http://h.test/A/B/"),
        ("http://h.test/a?", None, "http://h.test/a"),
    ],
)
def test_normalize_url(href: str, base: str | None, expected: str) -> None:
    """Fragment dropped, scheme and host lower-cased, default port removed, bare host gets
    "/", query and path kept as written; relative links resolved against the base."""
    assert normalize_url(href, base) == expected


@pytest.mark.parametrize(
    "href", ["mailto:a@b.test", "javascript:void(0)", "ftp://h.test/x", "", "http://h.test:99999/"]
)
def test_normalize_url_refuses_what_is_not_an_http_page(href: str) -> None:
    """Anything but an http(s) URL with a host (and a valid port) normalises to None."""
    assert normalize_url(href, "http://h.test/") is None
