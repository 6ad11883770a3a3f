"""The result of one crawl."""

from __future__ import annotations

from typing import Any

import attrs


@attrs.define(kw_only=True)
class CrawlResult:
    """What a crawl produced. ``success=False`` carries a one-line ``error_message``."""

    url: str
    success: bool
    error_message: str | None = None
    status_code: int | None = None
    #: The status of the final response (after redirects), as in Crawl4AI.
    redirected_status_code: int | None = None
    redirected_url: str | None = None
    session_id: str | None = None
    html: str = attrs.field(default="", repr=False)
    cleaned_html: str | None = attrs.field(default=None, repr=False)
    markdown: str | None = attrs.field(default=None, repr=False)
    extracted_content: str | None = attrs.field(default=None, repr=False)
    js_execution_result: dict[str, Any] | None = None
    links: dict[str, list[dict[str, str]]] = attrs.field(
        factory=lambda: {"internal": [], "external": []}, repr=False
    )
    media: dict[str, list[dict[str, Any]]] = attrs.field(factory=lambda: {"images": []}, repr=False)
    metadata: dict[str, Any] = attrs.field(factory=dict, repr=False)
    screenshot: str | None = attrs.field(default=None, repr=False)
    pdf: bytes | None = attrs.field(default=None, repr=False)
    cache_status: str | None = None
    timings: dict[str, float] = attrs.field(factory=dict, repr=False)

    @classmethod
    def failure(cls, url: str, message: str, session_id: str | None = None) -> CrawlResult:
        """A failed result; ``message`` is collapsed to one line."""
        one_line = " ".join(str(message).split())
        return cls(url=url, success=False, error_message=one_line, session_id=session_id)


__all__ = ["CrawlResult"]
