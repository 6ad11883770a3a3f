"""Content filters for ``fit_markdown``, with Crawl4AI's parameters and meaning.

A filter picks the parts of a page's cleaned HTML worth keeping. Crawl4AI's extension
point is kept: a subclass of :class:`RelevantContentFilter` implements
``filter_content(html) -> list[str]`` (HTML chunks). The two built-in filters work on
an lxml tree (:meth:`RelevantContentFilter.filter_elements`), so the markdown generator
hands them the tree it already has instead of HTML to parse again.

- :class:`PruningContentFilter` scores every node, top down, on text density, link
  density, tag weight and text length, and removes the nodes scoring under
  ``threshold`` with everything in them (``threshold_type="dynamic"`` adjusts the
  threshold per node). Like Crawl4AI's, it takes ``user_query`` but does not use it.
- :class:`BM25ContentFilter` splits the page into text chunks (one per block element),
  ranks them with Okapi BM25 against ``user_query`` (or, without one, a query made of
  the page's title, first heading, and meta keywords and description), weights
  headings and emphasis higher, and keeps the chunks scoring at least
  ``bm25_threshold``, in page order.
"""

from __future__ import annotations

import copy
import math
import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Mapping
from typing import Any

import lxml.html
from lxml import etree

from seleniumcrawl.content.main_content import remove_keeping_tail

#: Removed before either filter looks at a page (Crawl4AI's ``excluded_tags``).
EXCLUDED_TAGS = frozenset(
    {"nav", "footer", "header", "aside", "script", "style", "form", "iframe", "noscript"}
)
_INLINE = frozenset(
    {
        "a", "abbr", "acronym", "b", "bdo", "big", "br", "button", "cite", "code", "dfn", "em",
        "i", "img", "input", "kbd", "label", "map", "object", "q", "samp", "script", "select",
        "small", "span", "strong", "sub", "sup", "textarea", "time", "tt", "var",
    }
)  # fmt: skip
_STOP_WORDS = frozenset(
    [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have",
        "he", "her", "his", "i", "if", "in", "into", "is", "it", "its", "of", "on", "or", "our",
        "she", "so", "than", "that", "the", "their", "them", "then", "there", "these", "they",
        "this", "to", "up", "was", "we", "were", "what", "when", "where", "which", "who",
        "will", "with", "you", "your",
    ]
)  # fmt: skip


class RelevantContentFilter(ABC):
    """Base of content filters: ``filter_content(html)`` returns the HTML chunks to keep."""

    def __init__(self, user_query: str | None = None) -> None:
        if user_query is not None and not isinstance(user_query, str):
            raise TypeError(f"user_query must be a string or None, got {user_query!r}")
        self.user_query = user_query

    @abstractmethod
    def filter_content(self, html: str, min_word_threshold: int | None = None) -> list[str]:
        """The chunks of ``html`` worth keeping, as HTML strings in page order."""

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"


class _TreeFilter(RelevantContentFilter):
    """A filter that works on an lxml tree; ``filter_content`` parses for it."""

    def filter_content(self, html: str, min_word_threshold: int | None = None) -> list[str]:
        if not html or not isinstance(html, str):
            return []
        body = _body(lxml.html.document_fromstring(html))
        return [_to_html(el) for el in self.filter_elements(body, {}, min_word_threshold)]

    @abstractmethod
    def filter_elements(
        self, body: Any, page: Mapping[str, Any], min_word_threshold: int | None = None
    ) -> list[Any]:
        """The elements of ``body`` worth keeping (``body`` may be modified).

        ``page`` holds the page's metadata (``title``, ``description``, ``keywords``)
        when the caller has it; cleaned HTML has no ``<head>`` to read them from.
        """


class PruningContentFilter(_TreeFilter):
    """Remove low-value nodes: thin, link-heavy or short blocks (Crawl4AI's scoring)."""

    def __init__(
        self,
        user_query: str | None = None,
        min_word_threshold: int | None = None,
        threshold_type: str = "fixed",
        threshold: float = 0.48,
    ) -> None:
        super().__init__(user_query)
        if min_word_threshold is not None and (
            isinstance(min_word_threshold, bool)
            or not isinstance(min_word_threshold, int)
            or min_word_threshold < 0
        ):
            raise ValueError(
                f"min_word_threshold must be a non-negative int or None, got {min_word_threshold!r}"
            )
        if threshold_type not in ("fixed", "dynamic"):
            raise ValueError(f"threshold_type must be 'fixed' or 'dynamic', got {threshold_type!r}")
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
            raise TypeError(f"threshold must be a number, got {threshold!r}")
        self.min_word_threshold = min_word_threshold
        self.threshold_type = threshold_type
        self.threshold = float(threshold)

    #: Weights of the score's parts; they sum to 1.
    METRIC_WEIGHTS: Mapping[str, float] = {
        "text_density": 0.4,
        "link_density": 0.2,
        "tag_weight": 0.2,
        "class_id_weight": 0.1,
        "text_length": 0.1,
    }
    TAG_WEIGHTS: Mapping[str, float] = {
        "div": 0.5, "p": 1.0, "article": 1.5, "section": 1.0, "span": 0.3, "li": 0.5,
        "ul": 0.5, "ol": 0.5, "h1": 1.2, "h2": 1.1, "h3": 1.0, "h4": 0.9, "h5": 0.8, "h6": 0.7,
    }  # fmt: skip
    #: For ``threshold_type="dynamic"``: tags whose threshold is lowered.
    TAG_IMPORTANCE: Mapping[str, float] = {
        "article": 1.5, "main": 1.4, "section": 1.3, "p": 1.2, "h1": 1.4, "h2": 1.3, "h3": 1.2,
        "div": 0.7, "span": 0.6,
    }  # fmt: skip

    def filter_elements(
        self, body: Any, page: Mapping[str, Any], min_word_threshold: int | None = None
    ) -> list[Any]:
        _remove_excluded(body)
        self._prune(body, _Sizes(body), top=True)
        return [child for child in body if isinstance(child.tag, str) and _has_text(child)]

    def score(self, text_len: int, tag_len: int, link_len: int, tag: str, words: int) -> float:
        """A node's score in [0, ~1.5]: higher means more likely content."""
        if self.min_word_threshold and words < self.min_word_threshold:
            return -1.0
        w = self.METRIC_WEIGHTS
        score = w["text_density"] * (text_len / tag_len if tag_len else 0.0)
        score += w["link_density"] * (1 - (link_len / text_len if text_len else 0.0))
        score += w["tag_weight"] * self.TAG_WEIGHTS.get(tag, 0.5)
        # Crawl4AI's class/id part only ever subtracts and is then clamped at zero:
        # it adds its weight to the total and nothing to the score. Kept for equal scores.
        score += w["text_length"] * math.log(text_len + 1)
        return score / sum(w.values())

    def _threshold_for(self, tag: str, text_len: int, tag_len: int, link_len: int) -> float:
        if self.threshold_type == "fixed":
            return self.threshold
        threshold = self.threshold
        if self.TAG_IMPORTANCE.get(tag, 0.7) > 1:
            threshold *= 0.8
        if (text_len / tag_len if tag_len else 0.0) > 0.4:
            threshold *= 0.9
        if (link_len / text_len if text_len else 1.0) > 0.6:
            threshold *= 1.2
        return threshold

    def _prune(self, node: Any, sizes: _Sizes, top: bool = False) -> None:
        tag = node.tag.lower()
        text_len, tag_len, words = sizes.of(node)
        link_len = sum(len(a.text.strip()) for a in node if a.tag == "a" and a.text and not len(a))
        score = self.score(text_len, tag_len, link_len, tag, words)
        if score < self._threshold_for(tag, text_len, tag_len, link_len):
            if top:  # the body itself: nothing of it is kept
                node.clear()
            else:
                remove_keeping_tail(node)
            return
        for child in list(node):
            if isinstance(child.tag, str):
                self._prune(child, sizes)


class BM25ContentFilter(_TreeFilter):
    """Keep the text chunks that match a query (BM25 scores, Crawl4AI's weighting)."""

    PRIORITY_TAGS: Mapping[str, float] = {
        "h1": 5.0, "h2": 4.0, "h3": 3.0, "title": 4.0, "strong": 2.0, "b": 1.5, "em": 1.5,
        "blockquote": 2.0, "code": 2.0, "pre": 1.5, "th": 1.5,
    }  # fmt: skip

    def __init__(
        self,
        user_query: str | None = None,
        bm25_threshold: float = 1.0,
        language: str = "english",
        use_stemming: bool = True,
    ) -> None:
        super().__init__(user_query)
        if isinstance(bm25_threshold, bool) or not isinstance(bm25_threshold, (int, float)):
            raise TypeError(f"bm25_threshold must be a number, got {bm25_threshold!r}")
        if not isinstance(use_stemming, bool):
            raise TypeError(f"use_stemming must be a bool, got {use_stemming!r}")
        self.bm25_threshold = float(bm25_threshold)
        self.language = language
        self.use_stemming = use_stemming
        self._stemmer = _stemmer(language) if use_stemming else None

    def filter_elements(
        self, body: Any, page: Mapping[str, Any], min_word_threshold: int | None = None
    ) -> list[Any]:
        _remove_excluded(body)
        query = self.user_query or _page_query(body, page)
        chunks = _chunks(body)
        if min_word_threshold:
            chunks = [c for c in chunks if len(c[1].split()) >= min_word_threshold]
        if not query or not chunks:
            return []
        corpus = [self._tokens(text) for _, text in chunks]
        scores = bm25_scores(corpus, self._tokens(query))
        kept, seen = [], set()
        for score, (el, text) in zip(scores, chunks, strict=True):
            weighted = score * self.PRIORITY_TAGS.get(el.tag, 1.0)
            if weighted >= self.bm25_threshold and text not in seen:
                seen.add(text)
                kept.append(_own_content(el))
        return kept

    def __getstate__(self) -> dict[str, Any]:
        state = dict(vars(self))
        state["_stemmer"] = None  # rebuilt on unpickling
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)
        self._stemmer = _stemmer(self.language) if self.use_stemming else None

    def _tokens(self, text: str) -> list[str]:
        words = [w for w in re.findall(r"\w+", text.lower()) if w not in _STOP_WORDS]
        if self._stemmer is not None:
            words = self._stemmer.stemWords(words)
        return [w for w in words if len(w) > 1 or w.isdigit()]


def bm25_scores(
    corpus: list[list[str]], query: list[str], k1: float = 1.5, b: float = 0.75
) -> list[float]:
    """Okapi BM25 score of each document for ``query``.

    Terms found in more than half of the documents have a negative IDF; like the
    ``rank_bm25`` package Crawl4AI uses, their IDF is floored at a quarter of the mean.
    """
    n = len(corpus)
    lengths = [len(doc) for doc in corpus]
    average = sum(lengths) / n if n else 0.0
    frequencies = [Counter(doc) for doc in corpus]
    containing = Counter(term for doc in frequencies for term in doc)
    idf = {t: math.log((n - c + 0.5) / (c + 0.5)) for t, c in containing.items()}
    floor = 0.25 * (sum(idf.values()) / len(idf)) if idf else 0.0
    idf = {t: (v if v >= 0 else floor) for t, v in idf.items()}
    scores = []
    for freq, length in zip(frequencies, lengths, strict=True):
        score = 0.0
        norm = k1 * (1 - b + b * length / average) if average else k1
        for term in query:
            f = freq.get(term, 0)
            if f:
                score += idf.get(term, 0.0) * f * (k1 + 1) / (f + norm)
        scores.append(score)
    return scores


# -- helpers shared by the filters -------------------------------------------------------


def _stemmer(language: str) -> Any:
    import snowballstemmer  # type: ignore[import-untyped]

    try:
        return snowballstemmer.stemmer(language)
    except KeyError as exc:
        raise ValueError(f"language: no stemmer for {language!r}") from exc


def _body(document: Any) -> Any:
    body = document.find("body")
    return body if body is not None else document


def _to_html(el: Any) -> str:
    return str(etree.tostring(el, encoding="unicode", method="html", with_tail=False))


def _has_text(el: Any) -> bool:
    return any(t.strip() for t in el.itertext())


def _remove_excluded(body: Any) -> None:
    for el in [e for e in body.iter() if isinstance(e.tag, str) and e.tag in EXCLUDED_TAGS]:
        if el.getparent() is not None:
            remove_keeping_tail(el)
    for comment in [c for c in body.iter() if not isinstance(c.tag, str)]:
        if comment.getparent() is not None:
            remove_keeping_tail(comment)


class _Sizes:
    """Per node: stripped text length, inner markup length, words; one bottom-up pass.

    The markup length is counted, not serialised per node (Crawl4AI serialises every
    node, which is quadratic in the depth); it equals the serialised length up to
    character escapes.
    """

    def __init__(self, root: Any) -> None:
        self._sizes: dict[Any, tuple[int, int, int]] = {}
        self._measure(root)

    def of(self, el: Any) -> tuple[int, int, int]:
        return self._sizes[el]

    def _measure(self, el: Any) -> tuple[int, int, int]:
        """(stripped text length, inner markup length, word count) of ``el``."""
        text = el.text or ""
        stripped = len(text.strip())
        markup = len(text)
        words = len(text.split())
        for child in el:
            tail = child.tail or ""
            if isinstance(child.tag, str):
                s, m, w = self._measure(child)
                stripped += s
                words += w
                attributes = sum(len(k) + len(v) + 4 for k, v in child.attrib.items())
                markup += m + 2 * len(child.tag) + 5 + attributes
            else:
                markup += len(str(etree.tostring(child, encoding="unicode", with_tail=False)))
            stripped += len(tail.strip())
            markup += len(tail)
            words += len(tail.split())
        self._sizes[el] = (stripped, markup, words)
        return stripped, markup, words


def _page_query(body: Any, page: Mapping[str, Any]) -> str:
    """Crawl4AI's fallback query: title, first h1, meta keywords and description, or
    else the start of the first long paragraph."""
    parts = [page.get("title") or ""]
    h1 = next(body.iter("h1"), None)
    if h1 is not None:
        parts.append(" ".join("".join(h1.itertext()).split()))
    meta = [page.get("keywords") or "", page.get("description") or ""]
    parts.extend(meta)
    if not any(meta):
        for p in body.iter("p"):
            text = "".join(p.itertext())
            if len(text) > 150:
                parts.append(text[:150])
                break
    return " ".join(part for part in parts if part)


def _chunks(body: Any) -> list[tuple[Any, str]]:
    """(block element, its own inline text) for every block holding text, in page order."""
    found: list[tuple[Any, str]] = []

    def walk(el: Any) -> list[str]:
        own: list[str] = [el.text or ""]
        for child in el:
            if not isinstance(child.tag, str):
                own.append(child.tail or "")
                continue
            if child.tag in _INLINE:
                own.append("".join(child.itertext()))
            else:
                walk(child)
            own.append(child.tail or "")
        text = " ".join("".join(own).split())
        if text:
            found.append((el, text))
        return own

    walk(body)
    # walk() records a block after its children: restore page order.
    order = {el: i for i, el in enumerate(body.iter())}
    found.sort(key=lambda item: order[item[0]])
    return found


def _own_content(el: Any) -> Any:
    """``el`` without its block children (they are chunks of their own)."""
    if all(not isinstance(c.tag, str) or c.tag in _INLINE for c in el):
        return el
    shallow = copy.copy(el)
    for child in list(shallow):
        if isinstance(child.tag, str) and child.tag not in _INLINE:
            remove_keeping_tail(child)
    return shallow


__all__ = [
    "EXCLUDED_TAGS",
    "BM25ContentFilter",
    "PruningContentFilter",
    "RelevantContentFilter",
    "bm25_scores",
]
