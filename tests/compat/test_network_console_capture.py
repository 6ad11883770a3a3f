"""advanced/network-console-capture.md, "Example Usage", with crawl4ai -> seleniumcrawl."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from seleniumcrawl.demo.site import DemoSite

URL = "https://example.com"  # set to the demo site's /capture page by the test


# --- the documentation's example, verbatim but for the import and the URL ---------------
from seleniumcrawl import AsyncWebCrawler, CrawlerRunConfig  # noqa: E402


async def main():
    # Enable both network request capture and console message capture
    config = CrawlerRunConfig(capture_network_requests=True, capture_console_messages=True)

    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(url=URL, config=config)

        if result.success:
            # Analyze network requests
            if result.network_requests:
                print(f"Captured {len(result.network_requests)} network events")

                # Count request types
                request_count = len(
                    [r for r in result.network_requests if r.get("event_type") == "request"]
                )
                response_count = len(
                    [r for r in result.network_requests if r.get("event_type") == "response"]
                )
                failed_count = len(
                    [r for r in result.network_requests if r.get("event_type") == "request_failed"]
                )

                print(
                    f"Requests: {request_count}, Responses: {response_count}, Failed: {failed_count}"
                )

                # Find API calls
                api_calls = [
                    r
                    for r in result.network_requests
                    if r.get("event_type") == "request" and "api" in r.get("url", "")
                ]
                if api_calls:
                    print(f"Detected {len(api_calls)} API calls:")
                    for call in api_calls[:3]:  # Show first 3
                        print(f"  - {call.get('method')} {call.get('url')}")

            # Analyze console messages
            if result.console_messages:
                print(f"Captured {len(result.console_messages)} console messages")

                # Group by type
                message_types = {}
                for msg in result.console_messages:
                    msg_type = msg.get("type", "unknown")
                    message_types[msg_type] = message_types.get(msg_type, 0) + 1

                print("Message types:", message_types)

                # Show errors (often the most important)
                errors = [msg for msg in result.console_messages if msg.get("type") == "error"]
                if errors:
                    print(f"Found {len(errors)} console errors:")
                    for err in errors[:2]:  # Show first 2
                        print(f"  - {err.get('text', '')[:100]}")

            # Export all captured data to a file for detailed analysis
            with open("network_capture.json", "w") as f:
                json.dump(
                    {
                        "url": result.url,
                        "network_requests": result.network_requests or [],
                        "console_messages": result.console_messages or [],
                    },
                    f,
                    indent=2,
                )

            print("Exported detailed capture data to network_capture.json")


# --- end of the example ---------------------------------------------------------------------


def test_example_usage(
    site: DemoSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The example counts events, finds the API call, groups console types, exports JSON."""
    monkeypatch.setattr(__import__(__name__, fromlist=["URL"]), "URL", site.url("/capture"))
    monkeypatch.chdir(tmp_path)
    asyncio.run(main())
    out = capsys.readouterr().out
    assert "Captured " in out and " network events" in out
    assert f"  - GET {site.url('/api/me')}" in out
    assert "'warning': 1" in out and "Found " in out and "an error message" in out
    exported = json.loads((tmp_path / "network_capture.json").read_text())
    assert exported["url"] == site.url("/capture") and exported["network_requests"]
