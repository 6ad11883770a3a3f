"""result.markdown: a str with Crawl4AI's attributes, computed lazily, that pickles."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import pytest

from seleniumcrawl.config import CrawlerRunConfig
from seleniumcrawl.content import generation
from seleniumcrawl.content.filters import PruningContentFilter, RelevantContentFilter
from seleniumcrawl.content.generation import (
    DefaultMarkdownGenerator,
    MarkdownGenerationResult,
    links_to_citations,
)
from seleniumcrawl.content.scraping import scrape
from seleniumcrawl.models import CrawlResult

URL = "https://news.test/story/1"
PAGE = """<html><head><title>Storm closes the harbour | News</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Storm closes the harbour</h1>
<p>The harbour was closed on Monday as a storm brought gusts of ninety kilometres an hour
to the coast, and ferries stayed in port all day.</p>
<p>The harbour master said it would reopen once the wind dropped below gale force, which
forecasters expect on Tuesday morning. See <a href="/forecast">the forecast</a>.</p>
<p>Fishing boats were moved to the inner basin, and the <a href="/forecast">forecast page</a>
is updated hourly.</p></article>
<footer><p>Copyright News Ltd. <a href="/privacy">Privacy</a></p></footer>
</body></html>"""


@pytest.fixture
def markdown() -> MarkdownGenerationResult:
    return scrape(PAGE, URL).markdown


def test_markdown_is_a_str_of_the_raw_markdown(markdown: MarkdownGenerationResult) -> None:
    """It is a str equal to raw_markdown: comparisons, slicing, json and 'in' all work."""
    assert isinstance(markdown, str)
    assert markdown == markdown.raw_markdown
    assert type(markdown.raw_markdown) is str
    assert "# Storm closes the harbour" in markdown
    assert markdown.startswith("[Home](https://news.test/)")
    assert json.loads(json.dumps({"m": markdown})) == {"m": markdown.raw_markdown}
    assert markdown + "!" == markdown.raw_markdown + "!"


def test_fit_markdown_is_the_article(markdown: MarkdownGenerationResult) -> None:
    """fit_markdown keeps the title and paragraphs and drops navigation and footer."""
    fit = markdown.fit_markdown
    assert fit.startswith("# Storm closes the harbour\n\nThe harbour was closed")
    assert "forecast page" in fit
    assert "World" not in fit and "Copyright" not in fit
    assert "<article>" in markdown.fit_html and "<nav>" not in markdown.fit_html


def test_fit_is_computed_on_first_access_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scraping does not compute the fit; the first access does, once."""
    calls: list[Any] = []
    real = generation.main_content

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(generation, "main_content", counting)
    result = scrape(PAGE, URL).markdown
    assert calls == []
    first = result.fit_markdown
    assert result.fit_html and result.fit_markdown == first
    assert len(calls) == 1


def test_citations_number_each_url_once(markdown: MarkdownGenerationResult) -> None:
    """Links become text⟨n⟩, numbered by first use; references list each URL once."""
    cited = markdown.markdown_with_citations
    assert cited.startswith("Home⟨1⟩ World⟨2⟩ Sport⟨3⟩")
    assert "See the forecast⟨4⟩." in cited
    assert "forecast page⟨4⟩" in cited
    refs = markdown.references_markdown
    assert refs.startswith("\n\n## References\n\n⟨1⟩ https://news.test/: Home\n")
    assert refs.count("https://news.test/forecast") == 1


def test_citations_of_images_relative_urls_and_titles() -> None:
    """Images cite as ![alt⟨n⟩], a link around an image cites both, relative URLs resolve."""
    cited, refs = links_to_citations(
        '[a](/x "T") ![i](https://c.test/i.png) [![logo](/l.png)](/)', "https://s.test/p/"
    )
    assert cited == "a⟨1⟩ ![i⟨2⟩] ![logo⟨3⟩]⟨4⟩"
    assert "⟨1⟩ https://s.test/x: T - a\n" in refs
    assert "⟨3⟩ https://s.test/l.png: logo\n" in refs
    assert links_to_citations("no links here") == ("no links here", "")


def test_pickles_before_and_after_the_fit() -> None:
    """A result pickles and copies; one unpickled before access still computes its fit."""
    fresh = scrape(PAGE, URL).markdown
    restored = pickle.loads(pickle.dumps(fresh))
    assert restored == fresh and isinstance(restored, MarkdownGenerationResult)
    assert restored.fit_markdown == scrape(PAGE, URL).markdown.fit_markdown
    again = pickle.loads(pickle.dumps(restored))
    assert again.fit_html == restored.fit_html
    assert copy.deepcopy(restored).references_markdown == restored.references_markdown


def test_keyword_construction_like_crawl4ai() -> None:
    """Built from keywords, attributes are as given; missing citations are derived."""
    made = MarkdownGenerationResult(
        raw_markdown="see [x](https://x.test/)", fit_markdown="fit", fit_html="<p>fit</p>"
    )
    assert made == "see [x](https://x.test/)"
    assert (made.fit_markdown, made.fit_html) == ("fit", "<p>fit</p>")
    assert made.markdown_with_citations == "see x⟨1⟩"
    assert MarkdownGenerationResult("plain").fit_markdown == ""


def test_crawl_result_wraps_a_plain_string() -> None:
    """CrawlResult(markdown="...") gives a markdown result; None stays None."""
    result = CrawlResult(url="u", success=True, markdown="# T")
    assert isinstance(result.markdown, MarkdownGenerationResult)
    assert result.markdown.raw_markdown == "# T" and result.markdown.fit_markdown == ""
    assert CrawlResult(url="u", success=False).markdown is None


def test_generate_markdown_on_an_html_string() -> None:
    """generate_markdown(html) works without a crawl; citations=False leaves links as they are."""
    generator = DefaultMarkdownGenerator()
    result = generator.generate_markdown(PAGE, base_url=URL)
    assert "# Storm closes the harbour" in result and "[Home](/)" in result
    assert "Fishing boats" in result.fit_markdown and "Sport" not in result.fit_markdown
    plain = generator.generate_markdown(PAGE, base_url=URL, citations=False)
    assert plain.markdown_with_citations == plain.raw_markdown
    assert generator.generate_markdown("") == ""


def test_generator_options_and_validation() -> None:
    """Supported html2text options apply; unknown ones and bad filters raise, naming them."""
    no_links = scrape(
        PAGE, URL, markdown_generator=DefaultMarkdownGenerator(options={"ignore_links": True})
    ).markdown
    assert "](" not in no_links and "the forecast" in no_links
    assert "](" not in no_links.fit_markdown
    DefaultMarkdownGenerator(options={"body_width": 0, "escape_snob": True})  # accepted
    with pytest.raises(ValueError, match=r"options\['bogus'\]"):
        DefaultMarkdownGenerator(options={"bogus": 1})
    with pytest.raises(TypeError, match="content_filter"):
        DefaultMarkdownGenerator(content_filter="pruning")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="content_source"):
        DefaultMarkdownGenerator(content_source="raw_html")


def test_custom_filter_uses_crawl4ais_contract() -> None:
    """A user's RelevantContentFilter returns HTML chunks; fit_html wraps each in <div>."""

    class FirstParagraph(RelevantContentFilter):
        def filter_content(self, html: str, min_word_threshold: int | None = None) -> list[str]:
            start = html.index("<p>")
            return [html[start : html.index("</p>", start) + 4]]

    generator = DefaultMarkdownGenerator(content_filter=FirstParagraph())
    markdown = scrape(PAGE, URL, markdown_generator=generator).markdown
    assert markdown.fit_html.startswith("<div><p>The harbour was closed")
    assert markdown.fit_markdown.startswith("The harbour was closed")
    assert "Fishing" not in markdown.fit_markdown


def test_failing_filter_gives_empty_fit_and_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """A filter that raises leaves fit_markdown empty and logs why, not an exception."""

    class Broken(RelevantContentFilter):
        def filter_content(self, html: str, min_word_threshold: int | None = None) -> list[str]:
            raise RuntimeError("boom")

    markdown = scrape(
        PAGE, URL, markdown_generator=DefaultMarkdownGenerator(content_filter=Broken())
    ).markdown
    assert (markdown.fit_markdown, markdown.fit_html) == ("", "")
    assert "fit markdown failed" in caplog.text


def test_run_config_takes_a_generator_and_checks_its_type() -> None:
    """CrawlerRunConfig(markdown_generator=...) takes a generator; anything else: TypeError."""
    generator = DefaultMarkdownGenerator(content_filter=PruningContentFilter())
    assert CrawlerRunConfig(markdown_generator=generator).markdown_generator is generator
    with pytest.raises(TypeError, match=r"CrawlerRunConfig\.markdown_generator must be"):
        CrawlerRunConfig(markdown_generator=PruningContentFilter())  # type: ignore[arg-type]


def test_empty_page_gives_empty_strings() -> None:
    """A page without content has "" for every attribute."""
    markdown = scrape("<html><body></body></html>", URL).markdown
    assert markdown == ""
    assert (markdown.fit_markdown, markdown.fit_html, markdown.references_markdown) == ("", "", "")
