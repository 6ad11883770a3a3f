"""The session workflows of ``seleniumcrawl demo`` against a real demo site and Chromium."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from seleniumcrawl.demo import DemoSite
from seleniumcrawl.demo.site import DEMO_USER
from seleniumcrawl.demo.workflows import COMMIT_PAGES, DemoFailed, main, run_demo


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite() as running:
        yield running


@pytest.fixture(scope="module")
def demo_result(site: DemoSite) -> dict[str, Any]:
    """One run of the workflows, shared by the tests that inspect its parts."""
    site.reset_counts()
    return asyncio.run(run_demo(site.base_url))


def test_pagination_reads_distinct_pages_in_order(demo_result: dict[str, Any]) -> None:
    """Each js_only crawl returns the next page's ten commits, never the previous page again."""
    pages = demo_result["pagination"]
    assert len(pages) == COMMIT_PAGES
    for number, commits in enumerate(pages, start=1):
        titles = [commit["title"] for commit in commits]
        assert titles == [f"Commit title {number}-{i}" for i in range(1, 11)]
        assert all(commit["href"].startswith("/commit/") for commit in commits)
        assert all(commit["datetime"].endswith("Z") for commit in commits)
    all_titles = [commit["title"] for commits in pages for commit in commits]
    assert len(set(all_titles)) == 10 * COMMIT_PAGES


def test_pagination_navigates_only_once(site: DemoSite, demo_result: dict[str, Any]) -> None:
    """Pages 2 and 3 come from clicks in the same tab (js_only): /commits is loaded once."""
    assert demo_result["pagination"]
    assert site.count("/commits") == 1
    assert site.count("/static/commits.js") == 1


def test_login_workflow_reads_the_profile(site: DemoSite, demo_result: dict[str, Any]) -> None:
    """The form login in a session gives the dashboard its cookie; the profile is extracted."""
    assert demo_result["login"] == {"name": DEMO_USER["name"], "email": DEMO_USER["email"]}
    assert ("POST", "/login") in site.requests
    assert site.count("/api/me") >= 1


def test_basic_session_extracts_both_pages(demo_result: dict[str, Any]) -> None:
    """The basic session reads the index's links and /page/1's products in one tab."""
    basic = demo_result["basic"]
    assert basic["title"] == "seleniumcrawl demo site"
    hrefs = {link["href"] for link in basic["links"]}
    assert {"/commits", "/login", "/dashboard", "/page/1"} <= hrefs
    assert "https://example.com/" in hrefs
    assert any(href.startswith("https://example.com") for href in basic["external_links"])
    assert [p["name"] for p in basic["products"]] == ["Product 1-1", "Product 1-2", "Product 1-3"]
    assert all(p["price"].startswith("$") for p in basic["products"])


async def test_run_demo_fails_loudly_on_the_wrong_site(site: DemoSite) -> None:
    """Pointed at a URL that is not the demo site, run_demo raises DemoFailed naming the step."""
    with pytest.raises(DemoFailed, match="basic session"):
        await run_demo(site.url("/status/404"))


def test_main_prints_summary_and_returns_zero(capsys: pytest.CaptureFixture[str]) -> None:
    """`seleniumcrawl demo`'s body serves its own site, runs all workflows, and reports them."""
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "Demo site: http://127.0.0.1:" in out
    assert "/page/1 product: Product 1-1" in out
    assert "page 3: 10 commits, Commit title 3-1 ... Commit title 3-10" in out
    assert "logged in as: Demo User <demo@example.com>" in out
    assert out.rstrip().endswith("All three workflows succeeded.")
