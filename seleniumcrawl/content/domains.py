"""Which site a URL belongs to: base domains, internal versus external, excluded domains.

Crawl4AI calls a link internal when its host is the page's *base domain* or a subdomain
of it (``blog.example.com`` on ``www.example.com``), and reports that base domain with
every link. The base domain here is the registrable part of a host name, found without a
public-suffix list: the last two labels, or three when the second-to-last label is one of
the generic second levels used under country codes (``co.uk``, ``com.au``, ``ac.jp``...).
IP addresses and single-label hosts (``localhost``) are their own base domain, so two
servers on 127.0.0.1 are one site and 127.0.0.1 is not ``0.1``.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

#: Second-level labels under which names are registered (``example.co.uk``).
_SECOND_LEVELS = frozenset(
    {"ac", "co", "com", "edu", "gov", "govt", "gv", "ltd", "mil", "net", "nhs", "or", "org"}
)


def host_of(url: str) -> str | None:
    """The lower-case host of ``url`` (no port, no trailing dot); None without one."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.rstrip(".") if host else None


def base_domain(host: str | None) -> str:
    """The registrable domain of ``host`` (``shop.example.co.uk`` -> ``example.co.uk``).

    ``www.`` and other subdomains are dropped; an IP address or a single-label host is
    returned as it is; an empty host gives ``""``.
    """
    if not host:
        return ""
    return _base_domain(host.lower().rstrip("."))


@functools.lru_cache(maxsize=4096)
def _base_domain(host: str) -> str:
    # A name's last label is never all digits; only then (or with ":") try an IP address.
    if host[-1:].isdigit() or ":" in host:
        try:
            ipaddress.ip_address(host)
            return host
        except ValueError:
            pass
    labels = host.split(".")
    if len(labels) <= 2:
        return host
    keep = 3 if labels[-2] in _SECOND_LEVELS and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def on_domain(host: str | None, domain: str) -> bool:
    """Whether ``host`` is ``domain`` or one of its subdomains."""
    if not host or not domain:
        return False
    return host == domain or host.endswith("." + domain)


def normalise_domains(domains: Iterable[str]) -> frozenset[str]:
    """Domains as given by a user (``"WWW.Ads.com."``) in the form :func:`on_domain` takes."""
    found = set()
    for domain in domains:
        name = domain.strip().lower().strip(".")
        if name.startswith("www."):
            name = name[4:]
        if name:
            found.add(name)
    return frozenset(found)


def in_domains(host: str | None, domains: frozenset[str]) -> bool:
    """Whether ``host`` is one of ``domains`` or under one of them."""
    if not host or not domains:
        return False
    labels = host.split(".")
    # "a.b.ads.com" is under "ads.com": test each suffix, not each domain.
    return any(".".join(labels[i:]) in domains for i in range(len(labels)))


__all__ = ["base_domain", "host_of", "in_domains", "normalise_domains", "on_domain"]
