"""Crawl4AI docs, core/link-media.md: the examples of sections 1.1, 3.1, 3.2, 4.1, 4.2 and 5."""

from __future__ import annotations

from collections.abc import Callable

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, CrawlerRunConfig


async def test_1_1_links(pages_url: Callable[[str], str]) -> None:
    """1.1: links split into internal and external; each a dict with href, text, title and
    base_domain, like the structure example (the KidoCode link)."""
    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(pages_url("links.html"))
        if result.success:
            internal_links = result.links.get("internal", [])
            external_links = result.links.get("external", [])
            print(f"Found {len(internal_links)} internal links.")
            print(f"Found {len(internal_links)} external links.")
            print(f"Found {len(result.media)} media items.")

            # Each link is typically a dictionary with fields like:
            # { "href": "...", "text": "...", "title": "...", "base_domain": "..." }
            if internal_links:
                print("Sample Internal Link:", internal_links[0])
        else:
            print("Crawl failed:", result.error_message)

    assert result.success and internal_links and external_links
    for link in internal_links + external_links:
        assert set(link) == {"href", "text", "title", "base_domain"}
    tech = next(link for link in internal_links if link["text"] == "Technology Degree")
    assert tech["href"] == pages_url("degrees/technology.html")
    assert (tech["title"], tech["base_domain"]) == ("KidoCode Tech Program", "127.0.0.1")
    partner = next(link for link in external_links if "partner" in link["href"])
    assert partner["base_domain"] == "partner-university.example"


async def test_3_1_exclude_external_and_social(pages_url: Callable[[str], str]) -> None:
    """3.1: with both switches, "Likely zero external links in this scenario"."""
    crawler_cfg = CrawlerRunConfig(
        exclude_external_links=True,  # No links outside primary domain
        exclude_social_media_links=True,  # Skip recognized social media domains
    )

    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(pages_url("links.html"), config=crawler_cfg)
        if result.success:
            print("[OK] Crawled:", result.url)
            print("Internal links count:", len(result.links.get("internal", [])))
            print("External links count:", len(result.links.get("external", [])))
            # Likely zero external links in this scenario
        else:
            print("[ERROR]", result.error_message)

    assert result.success
    assert result.links["external"] == []
    assert len(result.links["internal"]) == 5


async def test_3_2_exclude_a_specific_domain(pages_url: Callable[[str], str]) -> None:
    """3.2: external links are let in, but the one spammy domain is blocked."""
    crawler_cfg = CrawlerRunConfig(exclude_domains=["suspiciousads.com"])

    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(pages_url("links.html"), config=crawler_cfg)

    external = [link["href"] for link in result.links["external"]]
    assert not any("suspiciousads.com" in href for href in external)
    assert "https://partner-university.example/programs" in external
    assert "https://www.linkedin.com/company/coding-school" in external


async def test_4_1_images(pages_url: Callable[[str], str]) -> None:
    """4.1: each image has src, alt, score and desc; scores let one focus on useful images."""
    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(pages_url("links.html"))

    if result.success:
        # Get images
        images_info = result.media.get("images", [])
        print(f"Found {len(images_info)} images in total.")
        for i, img in enumerate(images_info[:3]):  # Inspect just the first 3
            print(f"[Image {i}] URL: {img['src']}")
            print(f"           Alt text: {img.get('alt', '')}")
            print(f"           Score: {img.get('score')}")
            print(f"           Description: {img.get('desc', '')}\n")

    assert len(images_info) == 3
    for img in images_info:
        assert {"src", "alt", "desc", "score", "type", "group_id", "format", "width"} <= set(img)
    classroom = next(img for img in images_info if img["src"].endswith("classroom.jpg"))
    logo = next(img for img in images_info if img["src"].endswith("logo.png"))
    assert classroom["desc"] == "A trial class in our downtown classroom."
    assert (classroom["width"], classroom["format"], classroom["type"]) == (960, "jpg", "image")
    assert classroom["score"] > logo["score"]


async def test_4_2_exclude_external_images(pages_url: Callable[[str], str]) -> None:
    """4.2: "discard images from outside the primary domain"."""
    crawler_cfg = CrawlerRunConfig(exclude_external_images=True)
    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(pages_url("links.html"), config=crawler_cfg)

    sources = [img["src"] for img in result.media["images"]]
    assert sources == [pages_url("img/logo.png"), pages_url("img/classroom.jpg")]
    assert "third-party" not in (result.cleaned_html or "")


async def test_5_putting_it_all_together(pages_url: Callable[[str], str]) -> None:
    """5: keep internal links only, drop a domain, social links and external images."""
    crawler_cfg = CrawlerRunConfig(
        exclude_external_links=True,
        exclude_domains=["spammyads.com"],
        exclude_social_media_links=True,  # skip Twitter, Facebook, etc.
        exclude_external_images=True,  # keep only images from main domain
        wait_for_images=True,  # ensure images are loaded
        verbose=True,
    )

    async with AsyncWebCrawler(config=BrowserConfig()) as crawler:
        result = await crawler.arun(pages_url("links.html"), config=crawler_cfg)

    assert result.links["external"] == []
    assert all("localhost" not in img["src"] for img in result.media["images"])
