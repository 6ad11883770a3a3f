"""The result of one crawl."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from seleniumcrawl.content.generation import MarkdownGenerationResult


def _as_markdown(value: Any) -> Any:
    """A plain ``str`` given as ``markdown`` becomes a markdown result with that text."""
    if type(value) is not str:
        return value
    from seleniumcrawl.content.generation import MarkdownGenerationResult

    return MarkdownGenerationResult(value)


@attrs.define(kw_only=True)
class CrawlResult:
    """What a crawl produced. ``success=False`` carries a one-line ``error_message``."""

    url: str
    success: bool
    error_message: str | None = None
    #: The kind of failure (``bad_input``, ``navigation``, ``timeout``, ``script``, ``session``,
    #: ``browser_dead``, ``closed``, ``webdriver``, ``transport``); None on success.
    error_type: str | None = None
    status_code: int | None = None
    #: The status of the final response (after redirects), as in Crawl4AI.
    redirected_status_code: int | None = None
    redirected_url: str | None = None
    session_id: str | None = None
    html: str = attrs.field(default="", repr=False)
    cleaned_html: str | None = attrs.field(default=None, repr=False)
    #: A ``str`` (the raw markdown) with ``fit_markdown``, ``markdown_with_citations``... (§21).
    markdown: MarkdownGenerationResult | None = attrs.field(
        default=None, repr=False, converter=_as_markdown
    )
    extracted_content: str | None = attrs.field(default=None, repr=False)
    js_execution_result: dict[str, Any] | None = None
    links: dict[str, list[dict[str, str]]] = attrs.field(
        factory=lambda: {"internal": [], "external": []}, repr=False
    )
    media: dict[str, list[dict[str, Any]]] = attrs.field(factory=lambda: {"images": []}, repr=False)
    metadata: dict[str, Any] = attrs.field(factory=dict, repr=False)
    #: Data tables: ``[{"headers", "rows", "caption", "summary", "metadata"}]`` (§25).
    tables: list[dict[str, Any]] = attrs.field(factory=list, repr=False)
    screenshot: str | None = attrs.field(default=None, repr=False)
    pdf: bytes | None = attrs.field(default=None, repr=False)
    #: ``capture_network_requests``: request, response and request_failed entries.
    network_requests: list[dict[str, Any]] | None = attrs.field(default=None, repr=False)
    #: ``capture_console_messages``: console calls and uncaught errors of the page.
    console_messages: list[dict[str, Any]] | None = attrs.field(default=None, repr=False)
    #: ``capture_mhtml``: the page as an MHTML archive (Chromium).
    mhtml: str | None = attrs.field(default=None, repr=False)
    #: ``accept_downloads``: absolute paths of the files downloaded during this crawl.
    downloaded_files: list[str] | None = attrs.field(default=None, repr=False)
    cache_status: str | None = None
    timings: dict[str, float] = attrs.field(factory=dict, repr=False)

    @classmethod
    def failure(
        cls,
        url: str,
        message: str,
        session_id: str | None = None,
        error_type: str | None = "crawl",
    ) -> CrawlResult:
        """A failed result; ``message`` is collapsed to one line."""
        one_line = " ".join(str(message).split())
        return cls(
            url=url,
            success=False,
            error_message=one_line,
            error_type=error_type,
            session_id=session_id,
        )


__all__ = ["CrawlResult"]
