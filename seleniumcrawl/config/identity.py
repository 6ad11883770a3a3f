"""Network identity: :class:`ProxyConfig` (a proxy and its credentials) and
:class:`GeolocationConfig`, with Crawl4AI's names and constructors.

A password is a secret: it is left out of ``repr``, of every error message and of
:attr:`ProxyConfig.display`; only :meth:`ProxyConfig.to_dict` (Crawl4AI's round trip)
gives it back. Malformed input raises :class:`~seleniumcrawl.errors.ConfigError`
(a ``ValueError``) naming the field, with the password masked.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import unquote, urlsplit

import attrs

from seleniumcrawl.errors import ConfigError

#: Proxy schemes Chromium speaks; credentials only for the http(s) ones.
PROXY_SCHEMES = ("http", "https", "socks4", "socks5")
_DEFAULT_PORTS = {"http": 80, "https": 443, "socks4": 1080, "socks5": 1080}
_MASK = "***"
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)$")


def mask_password(text: str, password: str | None) -> str:
    """``text`` with every occurrence of ``password`` replaced by ``***``."""
    return text.replace(password, _MASK) if password else text


def _optional_str(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, str):
        # A password's value is never quoted, even of the wrong type.
        shown = "" if attribute.name == "password" else f" {value!r}"
        raise TypeError(
            f"ProxyConfig.{attribute.name} must be a str, got {type(value).__name__}{shown}"
        )


@attrs.frozen(kw_only=False)
class ProxyConfig:
    """One proxy: ``server`` (``scheme://host:port``; a bare ``host:port`` is http) and,
    for http(s) proxies, ``username``/``password``. ``ip`` is the address the proxy's
    traffic comes from, for your own checks (default: the server's host).

    ``ProxyConfig.DIRECT`` (``"direct"``, Crawl4AI's sentinel) as a crawl's
    ``proxy_config`` means no proxy, even when the browser has one.
    """

    DIRECT: ClassVar[str] = "direct"

    server: str = attrs.field()
    username: str | None = attrs.field(default=None, validator=_optional_str)
    password: str | None = attrs.field(default=None, validator=_optional_str, repr=False)
    ip: str | None = attrs.field(default=None, validator=_optional_str)

    def __attrs_post_init__(self) -> None:
        server = self._normalized_server()
        object.__setattr__(self, "server", server)
        if self.password is not None and self.username is None:
            raise ConfigError("ProxyConfig.password is set without a username")
        if self.username is not None and not self.username:
            raise ConfigError("ProxyConfig.username must not be empty (use None)")
        if self.has_credentials and self.scheme not in ("http", "https") and not self.is_direct:
            raise ConfigError(
                f"ProxyConfig for {self.display}: Chromium cannot authenticate to a "
                f"{self.scheme} proxy; credentials work with http:// and https:// proxies only"
            )
        if self.ip is None and not self.is_direct:
            object.__setattr__(self, "ip", self.host)

    def _normalized_server(self) -> str:
        server = self.server
        if not isinstance(server, str):
            raise TypeError(f"ProxyConfig.server must be a str, got {type(server).__name__}")
        server = server.strip()
        if server.lower() == self.DIRECT:
            return self.DIRECT
        if "://" not in server:
            server = f"http://{server}"
        shown = mask_password(server, self.password)
        try:
            parts = urlsplit(server)
            port = parts.port
        except ValueError as exc:
            raise ConfigError(f"ProxyConfig.server {shown!r} is not host:port ({exc})") from None
        scheme = parts.scheme.lower()
        if scheme not in PROXY_SCHEMES:
            raise ConfigError(
                f"ProxyConfig.server {shown!r}: scheme must be one of {', '.join(PROXY_SCHEMES)}"
            )
        if parts.username is not None or parts.password is not None:
            raise ConfigError(
                "ProxyConfig.server must not hold credentials: pass username= and password=, "
                "or use ProxyConfig.from_string"
            )
        host = parts.hostname or ""
        if not host or not _HOST.match(parts.netloc.rsplit(":", 1)[0] if port else parts.netloc):
            raise ConfigError(f"ProxyConfig.server {shown!r} has no valid host")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise ConfigError(f"ProxyConfig.server {shown!r} must be scheme://host:port only")
        port = port or _DEFAULT_PORTS[scheme]
        if ":" in host:
            host = f"[{host}]"
        return f"{scheme}://{host}:{port}"

    # -- Crawl4AI's constructors ----------------------------------------------------------

    @classmethod
    def from_string(cls, proxy_str: str) -> ProxyConfig:
        """``scheme://user:pass@host:port``, ``scheme://host:port``, ``host:port:user:pass``
        or ``host:port`` (http); ``"direct"`` gives :meth:`direct`."""
        if not isinstance(proxy_str, str):
            raise TypeError(f"ProxyConfig.from_string needs a str, got {type(proxy_str).__name__}")
        text = proxy_str.strip()
        if text.lower() == cls.DIRECT:
            return cls.direct()
        if "://" in text:
            scheme, rest = text.split("://", 1)
            if "@" in rest:
                credentials, hostport = rest.rsplit("@", 1)
                username, sep, password = credentials.partition(":")
                if not sep or not username:
                    raise ConfigError(
                        "ProxyConfig.from_string: credentials must be user:password "
                        f"(got {scheme}://***@{hostport})"
                    )
                return cls(f"{scheme}://{hostport}", unquote(username), unquote(password))
            return cls(text)
        parts = text.split(":")
        if len(parts) == 4:
            host, port, username, password = parts
            return cls(f"http://{host}:{port}", username, password)
        if len(parts) == 2:
            return cls(f"http://{text}")
        shown = ":".join([*parts[:3], _MASK]) if len(parts) > 4 else text
        raise ConfigError(
            f"ProxyConfig.from_string: {shown!r} is none of scheme://user:pass@host:port, "
            "scheme://host:port, host:port:user:pass, host:port"
        )

    @classmethod
    def from_dict(cls, proxy_dict: Mapping[str, Any]) -> ProxyConfig:
        """From ``{"server", "username", "password", "ip"}`` (Playwright's and Crawl4AI's keys)."""
        if not isinstance(proxy_dict, Mapping):
            raise TypeError(f"ProxyConfig.from_dict needs a dict, got {type(proxy_dict).__name__}")
        unknown = sorted(set(proxy_dict) - {"server", "username", "password", "ip"})
        if unknown:
            raise TypeError(f"ProxyConfig.from_dict: unknown key {unknown[0]!r}")
        if "server" not in proxy_dict:
            raise ConfigError("ProxyConfig.from_dict: 'server' is missing")
        return cls(
            proxy_dict["server"],
            proxy_dict.get("username"),
            proxy_dict.get("password"),
            proxy_dict.get("ip"),
        )

    @classmethod
    def from_env(cls, env_var: str = "PROXIES") -> list[ProxyConfig]:
        """The comma-separated proxy strings of ``$env_var`` (empty list when unset).
        A malformed entry raises, naming the variable and the entry's position."""
        proxies = []
        for i, item in enumerate(os.environ.get(env_var, "").split(",")):
            if not item.strip():
                continue
            try:
                proxies.append(cls.from_string(item))
            except (ConfigError, TypeError) as exc:
                raise ConfigError(f"${env_var} entry {i}: {exc}") from None
        return proxies

    @classmethod
    def direct(cls) -> ProxyConfig:
        """No proxy (what ``ProxyConfig.DIRECT`` stands for)."""
        return cls(cls.DIRECT)

    def to_dict(self) -> dict[str, str | None]:
        """Crawl4AI's dict form (with the password: keep it out of logs)."""
        return {
            "server": self.server,
            "username": self.username,
            "password": self.password,
            "ip": self.ip,
        }

    def clone(self, **changes: Any) -> ProxyConfig:
        """A copy with ``changes`` applied (and validated)."""
        return attrs.evolve(self, **changes)

    # -- what the browser layer reads -------------------------------------------------------

    @property
    def is_direct(self) -> bool:
        """Whether this stands for no proxy."""
        return self.server == self.DIRECT

    @property
    def has_credentials(self) -> bool:
        """Whether a username (and password) is given."""
        return self.username is not None

    @property
    def scheme(self) -> str:
        """``http``, ``https``, ``socks4`` or ``socks5`` ("direct" for :meth:`direct`)."""
        return self.server.split("://", 1)[0] if not self.is_direct else self.DIRECT

    @property
    def host_port(self) -> str:
        """``host:port`` (what Chromium's proxy rules take after the scheme)."""
        return self.server.split("://", 1)[1] if not self.is_direct else ""

    @property
    def host(self) -> str:
        """The proxy's host name or address (IPv6 without brackets)."""
        if self.is_direct:
            return ""
        return self.host_port.rsplit(":", 1)[0].strip("[]")

    @property
    def display(self) -> str:
        """The proxy for logs and error messages: ``scheme://user:***@host:port``."""
        if self.is_direct:
            return "direct"
        if not self.has_credentials:
            return self.server
        return f"{self.scheme}://{self.username}:{_MASK}@{self.host_port}"

    def __repr__(self) -> str:
        password = _MASK if self.password is not None else None
        return (
            f"ProxyConfig(server={self.server!r}, username={self.username!r}, "
            f"password={password!r}, ip={self.ip!r})"
        )


def _coordinate(limit: float) -> Any:
    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(
                f"GeolocationConfig.{attribute.name} must be a number, "
                f"got {type(value).__name__} {value!r}"
            )
        if not -limit <= value <= limit:
            raise ConfigError(
                f"GeolocationConfig.{attribute.name} must be within -{limit:g}..{limit:g}, "
                f"got {value!r}"
            )

    return check


def _accuracy(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"GeolocationConfig.accuracy must be a number, got {value!r}")
    if value < 0:
        raise ConfigError(f"GeolocationConfig.accuracy must be >= 0, got {value!r}")


@attrs.frozen(kw_only=False)
class GeolocationConfig:
    """Where ``navigator.geolocation`` says the browser is (degrees; accuracy in metres)."""

    latitude: float = attrs.field(validator=_coordinate(90))
    longitude: float = attrs.field(validator=_coordinate(180))
    accuracy: float = attrs.field(default=0.0, validator=_accuracy)

    @classmethod
    def from_dict(cls, geo_dict: Mapping[str, Any]) -> GeolocationConfig:
        """From ``{"latitude", "longitude", "accuracy"}``."""
        return cls(geo_dict["latitude"], geo_dict["longitude"], geo_dict.get("accuracy", 0.0))

    def to_dict(self) -> dict[str, float]:
        """``{"latitude", "longitude", "accuracy"}``."""
        return {"latitude": self.latitude, "longitude": self.longitude, "accuracy": self.accuracy}

    def clone(self, **changes: Any) -> GeolocationConfig:
        """A copy with ``changes`` applied (and validated)."""
        return attrs.evolve(self, **changes)


def to_proxy_config(value: Any, where: str) -> ProxyConfig | None:
    """What a ``proxy_config`` field accepts: a ProxyConfig, a proxy string
    (``"direct"`` included) or a dict; None stays None. ``where`` names the field."""
    if value is None or isinstance(value, ProxyConfig):
        return value
    try:
        if isinstance(value, str):
            return ProxyConfig.from_string(value)
        if isinstance(value, Mapping):
            return ProxyConfig.from_dict(value)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    if isinstance(value, (list, tuple)):
        raise TypeError(
            f"{where} takes one proxy; for several, use "
            "proxy_rotation_strategy=RoundRobinProxyStrategy([...])"
        )
    raise TypeError(
        f"{where} must be a ProxyConfig, a proxy string or a dict, got {type(value).__name__}"
    )


__all__ = [
    "PROXY_SCHEMES",
    "GeolocationConfig",
    "ProxyConfig",
    "mask_password",
    "to_proxy_config",
]
