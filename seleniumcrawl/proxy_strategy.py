"""Crawl4AI's import path for proxy rotation: re-exports
of :mod:`seleniumcrawl.config.proxy_rotation`.
"""

from __future__ import annotations

from seleniumcrawl.config.proxy_rotation import (
    ProxyConfig,
    ProxyRotationStrategy,
    RoundRobinProxyStrategy,
)

__all__ = ["ProxyConfig", "ProxyRotationStrategy", "RoundRobinProxyStrategy"]
