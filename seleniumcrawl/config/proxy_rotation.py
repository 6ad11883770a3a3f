"""Proxy rotation: :class:`RoundRobinProxyStrategy` (Crawl4AI's import path for it is
:mod:`seleniumcrawl.proxy_strategy`).

``CrawlerRunConfig(proxy_rotation_strategy=RoundRobinProxyStrategy([...]))`` gives each
new session and each sessionless crawl the next proxy; ``proxy_session_id`` (with
``proxy_session_ttl`` seconds) pins one proxy to a logical session, as in Crawl4AI. A
retry of a failed crawl asks again, so it goes through the next proxy.

The crawler's core is synchronous, so a strategy's working methods are the plain
:meth:`~ProxyRotationStrategy.next_proxy` and
:meth:`~ProxyRotationStrategy.proxy_for_session`; Crawl4AI's ``async`` names
(``get_next_proxy``, ``get_proxy_for_session``, ``release_session``) call them, for code
written against Crawl4AI. A custom strategy subclasses :class:`ProxyRotationStrategy`.
Strategies are shared by the crawler's threads: these are thread-safe.
"""

from __future__ import annotations

import abc
import threading
import time
from collections.abc import Iterable

from seleniumcrawl.config.identity import ProxyConfig


class ProxyRotationStrategy(abc.ABC):
    """Chooses the proxy of each new session or sessionless crawl."""

    @abc.abstractmethod
    def next_proxy(self) -> ProxyConfig | None:
        """The proxy for the next crawl (None: the browser's own)."""

    @abc.abstractmethod
    def add_proxies(self, proxies: Iterable[ProxyConfig]) -> None:
        """Add proxies to the rotation."""

    def proxy_for_session(self, session_id: str, ttl: float | None = None) -> ProxyConfig | None:
        """The proxy pinned to ``session_id``: chosen by :meth:`next_proxy` on first use
        and kept for ``ttl`` seconds (forever when None)."""
        return self.next_proxy()

    def forget_session(self, session_id: str) -> None:  # noqa: B027 (optional hook)
        """Unpin ``session_id`` (its next use picks a proxy again)."""

    # -- Crawl4AI's awaitable names --------------------------------------------------------

    async def get_next_proxy(self) -> ProxyConfig | None:
        """Crawl4AI's name for :meth:`next_proxy`."""
        return self.next_proxy()

    async def get_proxy_for_session(
        self, session_id: str, ttl: float | None = None
    ) -> ProxyConfig | None:
        """Crawl4AI's name for :meth:`proxy_for_session`."""
        return self.proxy_for_session(session_id, ttl)

    async def release_session(self, session_id: str) -> None:
        """Crawl4AI's name for :meth:`forget_session`."""
        self.forget_session(session_id)


class RoundRobinProxyStrategy(ProxyRotationStrategy):
    """Each call takes the next proxy of the list, starting again after the last."""

    def __init__(self, proxies: Iterable[ProxyConfig | str] | None = None) -> None:
        self._lock = threading.Lock()
        self._proxies: list[ProxyConfig] = []
        self._next = 0
        #: session id -> (proxy, pinned at (monotonic s), ttl s)
        self._sessions: dict[str, tuple[ProxyConfig, float, float | None]] = {}
        if proxies is not None:
            self.add_proxies(proxies)

    @property
    def proxies(self) -> list[ProxyConfig]:
        """The proxies in rotation order."""
        with self._lock:
            return list(self._proxies)

    def add_proxies(self, proxies: Iterable[ProxyConfig | str]) -> None:
        """Add proxies (ProxyConfig or proxy strings) at the end of the rotation."""
        if isinstance(proxies, (str, ProxyConfig)):
            raise TypeError("RoundRobinProxyStrategy takes a list of proxies, not one")
        added = []
        for i, proxy in enumerate(proxies):
            if isinstance(proxy, str):
                proxy = ProxyConfig.from_string(proxy)
            if not isinstance(proxy, ProxyConfig):
                raise TypeError(
                    f"RoundRobinProxyStrategy: proxy {i} must be a ProxyConfig or a str, "
                    f"got {type(proxy).__name__}"
                )
            added.append(proxy)
        with self._lock:
            self._proxies.extend(added)

    def next_proxy(self) -> ProxyConfig | None:
        with self._lock:
            return self._take()

    def _take(self) -> ProxyConfig | None:
        if not self._proxies:
            return None
        proxy = self._proxies[self._next % len(self._proxies)]
        self._next = (self._next + 1) % len(self._proxies)
        return proxy

    def proxy_for_session(self, session_id: str, ttl: float | None = None) -> ProxyConfig | None:
        now = time.monotonic()
        with self._lock:
            pinned = self._sessions.get(session_id)
            if pinned is not None:
                proxy, since, kept_for = pinned
                limit = ttl if ttl is not None else kept_for
                if limit is None or now - since < limit:
                    return proxy
            proxy_or_none = self._take()
            if proxy_or_none is not None:
                self._sessions[session_id] = (proxy_or_none, now, ttl)
            return proxy_or_none

    def forget_session(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def get_session_proxy(self, session_id: str) -> ProxyConfig | None:
        """The proxy pinned to ``session_id`` if its ttl has not passed, else None."""
        with self._lock:
            pinned = self._sessions.get(session_id)
        if pinned is None:
            return None
        proxy, since, ttl = pinned
        return proxy if ttl is None or time.monotonic() - since < ttl else None

    def get_active_sessions(self) -> dict[str, ProxyConfig]:
        """Pinned sessions whose ttl has not passed, with their proxies."""
        with self._lock:
            ids = list(self._sessions)
        out = {}
        for session_id in ids:
            proxy = self.get_session_proxy(session_id)
            if proxy is not None:
                out[session_id] = proxy
        return out

    def __repr__(self) -> str:
        return f"RoundRobinProxyStrategy({self.proxies!r})"


__all__ = ["ProxyConfig", "ProxyRotationStrategy", "RoundRobinProxyStrategy"]
