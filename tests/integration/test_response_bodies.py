"""capture_response_bodies: response bodies in network_requests through BiDi data
collectors, filtered and capped (#26)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from seleniumcrawl import CrawlerRunConfig, WebCrawler
from seleniumcrawl.errors import ConfigError
from tests.resource_site import PNG, ResourceSite, serve

pytestmark = pytest.mark.usefixtures("transport")

WAIT = "js:() => document.getElementById('api').textContent != 'waiting'"


@pytest.fixture(scope="module")
def rsite() -> Iterator[ResourceSite]:
    with serve() as site:
        yield site


def _responses(result: Any) -> dict[str, dict[str, Any]]:
    return {e["url"]: e for e in result.network_requests or [] if e["event_type"] == "response"}


def test_json_body_comes_back_and_a_big_image_is_capped(
    shared_crawler: WebCrawler, rsite: ResourceSite, transport: str
) -> None:
    """The JSON fetch's body is its text; the 5 MB image is over the 1 MiB default cap:
    no body, a body_omitted reason, and the crawl succeeds. The classic path refuses."""
    config = CrawlerRunConfig(
        capture_network_requests=True, capture_response_bodies=True, wait_for=WAIT
    )
    if transport == "classic":
        with pytest.raises(ConfigError, match="capture_response_bodies"):
            shared_crawler.run(rsite.url("/bodies"), config=config)
        return
    result = shared_crawler.run(rsite.url("/bodies"), config=config)
    assert result.success, result.error_message
    responses = _responses(result)
    api = responses[rsite.url("/api/data.json")]
    assert json.loads(api["body"]) == {"value": 42} and api["body_encoding"] == "text"
    big = responses[rsite.url("/static/big.png")]
    assert big["body"] is None and "cap" in big["body_omitted"]
    assert "Bodies" in responses[rsite.url("/bodies")]["body"]


def test_filters_pick_bodies_by_mime_type_or_url_and_binary_is_base64(
    shared_crawler: WebCrawler, rsite: ResourceSite, transport: str
) -> None:
    """A MIME filter ("application/json") and a URL glob ("**/photo.png*") pick exactly
    those bodies; the image comes back base64 with its bytes."""
    if transport == "classic":
        pytest.skip("bodies need BiDi (the refusal is pinned above)")
    config = CrawlerRunConfig(
        capture_network_requests=True,
        capture_response_bodies=["application/json", "**/photo.png*"],
        wait_for=WAIT,
    )
    result = shared_crawler.run(rsite.url("/page/1"), config=config)
    assert result.success, result.error_message
    with_body = {url for url, e in _responses(result).items() if "body" in e}
    assert with_body == {rsite.url("/api/data.json"), rsite.url("/static/photo.png?n=1")}
    photo = _responses(result)[rsite.url("/static/photo.png?n=1")]
    assert photo["body_encoding"] == "base64" and base64.b64decode(photo["body"]) == PNG


def test_bodies_need_network_capture() -> None:
    """capture_response_bodies without capture_network_requests raises naming the field."""
    with pytest.raises(ConfigError, match=r"capture_response_bodies .*capture_network_requests"):
        CrawlerRunConfig(capture_response_bodies=True)
