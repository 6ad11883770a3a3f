"""URL scorers for deep crawls (Crawl4AI's names): how promising a discovered link looks.

``score(url)`` is the scorer's raw score times its ``weight``. Best-first crawls visit
higher scores first; every strategy skips links scoring below its ``score_threshold``
and records a page's score in ``metadata["score"]``.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence

import attrs


@attrs.define
class ScoringStats:
    """How many URLs a scorer scored, and the sum, lowest and highest score."""

    urls_scored: int = 0
    total_score: float = 0.0
    min_score: float | None = None
    max_score: float | None = None

    def get_average(self) -> float:
        """The mean score (0.0 before the first URL)."""
        return self.total_score / self.urls_scored if self.urls_scored else 0.0


class URLScorer(ABC):
    """Base of every scorer: subclass and implement :meth:`_calculate_score`."""

    def __init__(self, weight: float = 1.0) -> None:
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            raise TypeError(f"{type(self).__name__}.weight must be a number, got {weight!r}")
        self.weight = float(weight)
        self.stats = ScoringStats()
        self._lock = threading.Lock()

    @abstractmethod
    def _calculate_score(self, url: str) -> float:
        """The raw score of ``url``, before the weight."""

    def score(self, url: str) -> float:
        """``weight * raw score`` of ``url``."""
        value = float(self._calculate_score(url)) * self.weight
        with self._lock:
            stats = self.stats
            stats.urls_scored += 1
            stats.total_score += value
            stats.min_score = value if stats.min_score is None else min(stats.min_score, value)
            stats.max_score = value if stats.max_score is None else max(stats.max_score, value)
        return value


class KeywordRelevanceScorer(URLScorer):
    """The share of ``keywords`` found in the URL: 0.0 (none) to 1.0 (all), times ``weight``.

    Matching is by substring, case-insensitive unless ``case_sensitive=True``.
    """

    def __init__(
        self, keywords: Sequence[str], weight: float = 1.0, case_sensitive: bool = False
    ) -> None:
        super().__init__(weight=weight)
        if isinstance(keywords, str):
            keywords = [keywords]
        words = list(keywords)
        if not words or not all(isinstance(k, str) and k for k in words):
            raise TypeError(
                f"KeywordRelevanceScorer.keywords must be non-empty strings, got {keywords!r}"
            )
        self.case_sensitive = case_sensitive
        self.keywords = words if case_sensitive else [k.lower() for k in words]

    def _calculate_score(self, url: str) -> float:
        subject = url if self.case_sensitive else url.lower()
        found = sum(1 for keyword in self.keywords if keyword in subject)
        return found / len(self.keywords)

    def __repr__(self) -> str:
        return f"KeywordRelevanceScorer({self.keywords!r}, weight={self.weight})"


__all__ = ["KeywordRelevanceScorer", "ScoringStats", "URLScorer"]
