"""PruningContentFilter and BM25ContentFilter: Crawl4AI's parameters, queries and thresholds."""

from __future__ import annotations

import pickle

import pytest

from seleniumcrawl.content.filters import (
    BM25ContentFilter,
    PruningContentFilter,
    RelevantContentFilter,
    bm25_scores,
)
from seleniumcrawl.content.generation import DefaultMarkdownGenerator
from seleniumcrawl.content.scraping import scrape

URL = "https://garden.test/guide"
PAGE = """<html><head><title>Growing tomatoes and keeping bees</title>
<meta name="description" content="A gardening guide"></head><body>
<header><a href="/">Garden Guide</a></header>
<nav><ul><li><a href="/a">Roses</a></li><li><a href="/b">Lawns</a></li></ul></nav>
<div class="content">
<h2>Tomatoes</h2>
<p>Tomatoes need a sunny, sheltered spot and regular watering once the fruit begins to
swell. Pinch out the side shoots of cordon tomatoes every week during the summer.</p>
<p>Feed tomatoes with a high potash feed every fortnight once the first truss has set,
and stop watering the compost so heavily when the fruit starts to ripen.</p>
<h2>Bees</h2>
<p>A beehive should face south east, away from paths, so that the bees fly up and over
people rather than straight into them. Inspect the colony every week in spring.</p>
<p>Bees need water close to the hive on hot days; a shallow dish with stones lets them
drink without drowning.</p>
<div class="links"><a href="/x">Buy seeds</a> <a href="/y">Buy a hive</a>
<a href="/z">Shop</a></div>
</div>
<footer>Garden Guide, all rights reserved</footer>
</body></html>"""


#: BM25 scores grow with the number of chunks a page has; this small page's best chunks
#: score about 1, so the BM25 tests use a lower threshold than the default 1.0.
LOW = 0.3


def fit(content_filter: RelevantContentFilter) -> str:
    generator = DefaultMarkdownGenerator(content_filter=content_filter)
    return scrape(PAGE, URL, markdown_generator=generator).markdown.fit_markdown


# -- BM25 -------------------------------------------------------------------------------


def test_bm25_query_narrows_to_matching_chunks() -> None:
    """A query about bees keeps the bee paragraphs and heading and drops the tomato ones."""
    text = fit(BM25ContentFilter(user_query="bees hive colony", bm25_threshold=LOW))
    assert "beehive should face south east" in text and "## Bees" in text
    assert "Tomatoes need a sunny" not in text and "potash" not in text
    tomatoes = fit(BM25ContentFilter(user_query="sunny potash", bm25_threshold=LOW))
    assert "Tomatoes need a sunny" in tomatoes and "potash feed" in tomatoes
    assert "beehive" not in tomatoes


def test_bm25_stemming_matches_word_forms() -> None:
    """With stemming (the default) 'pinched' matches 'Pinch'; without, it does not."""
    assert "Pinch out the side" in fit(BM25ContentFilter(user_query="pinched", bm25_threshold=LOW))
    unstemmed = BM25ContentFilter(user_query="pinched", bm25_threshold=LOW, use_stemming=False)
    assert fit(unstemmed) == ""


def test_bm25_higher_threshold_keeps_fewer_chunks() -> None:
    """Raising bm25_threshold never adds chunks, and a high enough one removes all."""
    sizes = [
        len(fit(BM25ContentFilter(user_query="bees water hive", bm25_threshold=t)))
        for t in (0.0, 1.0, 3.0, 100.0)
    ]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] > sizes[2] and sizes[-1] == 0


def test_bm25_without_query_uses_the_page_title() -> None:
    """No user_query: the page's title, h1, keywords and description form the query."""
    text = fit(BM25ContentFilter(bm25_threshold=LOW))
    assert "## Tomatoes" in text and "## Bees" in text  # the title names both
    assert "Roses" not in text and "Buy seeds" not in text


def test_bm25_filter_content_returns_html_chunks() -> None:
    """filter_content(html) is Crawl4AI's contract: HTML strings in page order."""
    chunks = BM25ContentFilter(user_query="beehive", bm25_threshold=LOW).filter_content(PAGE)
    assert chunks and all(chunk.startswith("<") for chunk in chunks)
    assert any("beehive" in chunk for chunk in chunks)
    assert BM25ContentFilter(user_query="beehive").filter_content("") == []


def test_bm25_scores_rank_matching_documents_first() -> None:
    """Okapi BM25: a document holding the query term outscores one that does not."""
    scores = bm25_scores([["bee", "hive"], ["tomato", "feed"], ["rose"]], ["bee"])
    assert scores[0] > 0 and scores[1] == 0 and scores[2] == 0
    common = bm25_scores([["a", "x"], ["a", "y"], ["a", "z"], ["b"]], ["a"])
    assert all(s > 0 for s in common[:3])  # in most documents: floored IDF, still counts
    assert common[3] == 0


def test_bm25_parameters_are_checked_and_it_pickles() -> None:
    """Bad parameters raise naming them; the filter survives pickling with its stemmer."""
    with pytest.raises(TypeError, match="bm25_threshold"):
        BM25ContentFilter(bm25_threshold="high")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="user_query"):
        BM25ContentFilter(user_query=["bees"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="language"):
        BM25ContentFilter(language="klingon")
    restored = pickle.loads(
        pickle.dumps(BM25ContentFilter(user_query="beehive", bm25_threshold=LOW))
    )
    assert "beehive" in fit(restored)


# -- Pruning ----------------------------------------------------------------------------


def test_pruning_removes_navigation_and_link_blocks() -> None:
    """Pruning drops nav/header/footer and low-scoring link lists, keeps the paragraphs."""
    text = fit(PruningContentFilter())
    assert "Tomatoes need a sunny" in text and "beehive" in text
    assert "Roses" not in text and "all rights reserved" not in text


def test_pruning_threshold_orders_what_is_kept() -> None:
    """A higher threshold keeps less; a threshold above every score keeps nothing."""
    sizes = [len(fit(PruningContentFilter(threshold=t))) for t in (0.1, 0.48, 0.7, 5.0)]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] > 0 and sizes[-1] == 0


def test_pruning_min_word_threshold_removes_short_blocks() -> None:
    """min_word_threshold removes nodes with fewer words (the headings here), keeps long ones."""
    text = fit(PruningContentFilter(min_word_threshold=5))
    assert "## Tomatoes" not in text or "## Bees" not in text
    assert "Pinch out the side shoots" in text


def test_pruning_scores_as_documented() -> None:
    """The score mixes text density, link density, tag weight and log text length."""
    pruning = PruningContentFilter()
    dense = pruning.score(text_len=400, tag_len=420, link_len=0, tag="p", words=70)
    linky = pruning.score(text_len=12, tag_len=200, link_len=12, tag="div", words=2)
    assert dense > 0.48 > linky
    assert PruningContentFilter(min_word_threshold=10).score(400, 420, 0, "p", 9) == -1.0


def test_pruning_dynamic_threshold_differs_from_fixed() -> None:
    """threshold_type='dynamic' lowers the bar for important tags and dense text."""
    fixed = fit(PruningContentFilter(threshold=0.6))
    dynamic = fit(PruningContentFilter(threshold=0.6, threshold_type="dynamic"))
    assert len(dynamic) >= len(fixed)
    assert "Pinch out" in dynamic


def test_pruning_parameters_are_checked() -> None:
    """Bad threshold_type, threshold or min_word_threshold raise, naming the parameter."""
    with pytest.raises(ValueError, match="threshold_type"):
        PruningContentFilter(threshold_type="adaptive")
    with pytest.raises(TypeError, match="threshold must be a number"):
        PruningContentFilter(threshold="0.5")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="min_word_threshold"):
        PruningContentFilter(min_word_threshold=-1)
    assert PruningContentFilter(user_query="ignored").user_query == "ignored"
