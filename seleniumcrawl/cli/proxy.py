"""The proxy options of ``crawl`` and ``crawl-many``: ``--proxy URL``, ``--proxy-file FILE``
(one proxy a line, rotated) and ``--proxy-bypass RULES``.

A password may be in the URL, or (better: a command line is visible to other users of the
machine) in ``$SELENIUMCRAWL_PROXY_PASSWORD`` for a proxy given with a user and no
password (``http://user@host:port``). No error message quotes a password.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from seleniumcrawl.cli.common import UsageError, reason
from seleniumcrawl.config import ProxyConfig
from seleniumcrawl.proxy_strategy import RoundRobinProxyStrategy

#: Where a proxy password comes from when the proxy URL names only the user.
PASSWORD_ENV = "SELENIUMCRAWL_PROXY_PASSWORD"


def add_proxy_options(parser: argparse.ArgumentParser, *, rotation: bool) -> None:
    """The ``proxy`` option group (``--proxy-file`` only where crawls are many)."""
    group = parser.add_argument_group("proxy")
    group.add_argument(
        "--proxy",
        metavar="URL",
        help="proxy of every crawl: scheme://[user[:password]@]host:port or host:port:user:pass "
        f"(a password missing from the URL is read from ${PASSWORD_ENV})",
    )
    if rotation:
        group.add_argument(
            "--proxy-file",
            metavar="FILE",
            help="proxies, one per line (# comments), each crawl through the next one",
        )
    group.add_argument(
        "--proxy-bypass",
        metavar="RULES",
        help="hosts that skip the proxy, ';'-separated (Chromium's --proxy-bypass-list; "
        "'<-loopback>' sends even 127.0.0.1 through it)",
    )


def parse_proxy(text: str, where: str) -> ProxyConfig:
    """One proxy from the command line or a file; the password from the environment when
    the proxy names a user without one."""
    try:
        proxy = ProxyConfig.from_string(_with_env_password(text.strip()))
    except (ValueError, TypeError) as exc:
        raise UsageError(f"{where}: {exc}") from None
    return proxy


def _with_env_password(text: str) -> str:
    if "://" not in text:
        return text
    scheme, rest = text.split("://", 1)
    if "@" not in rest:
        return text
    credentials, hostport = rest.rsplit("@", 1)
    if ":" in credentials:
        return text
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        raise UsageError(
            f"the proxy {scheme}://{credentials}@{hostport} names a user but no password: "
            f"put it in ${PASSWORD_ENV}"
        )
    from urllib.parse import quote

    return f"{scheme}://{credentials}:{quote(password, safe='')}@{hostport}"


def read_proxy_file(path: str) -> list[ProxyConfig]:
    """The proxies of ``path``: one a line, blank lines and ``#`` comments skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read proxy file {path!r}: {reason(exc)}") from exc
    proxies = [
        parse_proxy(line, f"{path} line {number}")
        for number, line in enumerate(lines, 1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not proxies:
        raise UsageError(f"proxy file {path!r} lists no proxy")
    return proxies


def browser_proxy_options(args: argparse.Namespace) -> dict[str, Any]:
    """BrowserConfig keywords of ``--proxy`` and ``--proxy-bypass``."""
    options: dict[str, Any] = {}
    if getattr(args, "proxy", None):
        options["proxy_config"] = parse_proxy(args.proxy, "--proxy")
    if getattr(args, "proxy_bypass", None):
        options["extra_args"] = [f"--proxy-bypass-list={args.proxy_bypass}"]
    return options


def run_proxy_options(args: argparse.Namespace) -> dict[str, Any]:
    """CrawlerRunConfig keywords of ``--proxy-file`` (a round-robin rotation)."""
    path = getattr(args, "proxy_file", None)
    if not path:
        return {}
    if getattr(args, "proxy", None):
        raise UsageError("give --proxy or --proxy-file, not both")
    return {"proxy_rotation_strategy": RoundRobinProxyStrategy(read_proxy_file(path))}


__all__ = [
    "PASSWORD_ENV",
    "add_proxy_options",
    "browser_proxy_options",
    "parse_proxy",
    "read_proxy_file",
    "run_proxy_options",
]
