"""Pattern extraction: :class:`RegexExtractionStrategy` (Crawl4AI's names, flags and result shape).

Built-in patterns are chosen with flags that combine with ``|``
(``RegexExtractionStrategy.Email | RegexExtractionStrategy.Url``); ``custom`` adds
labelled patterns of one's own (a dict or a list of ``(label, pattern)`` pairs; a custom
label equal to a built-in one replaces it). Every pattern is compiled once with
``re.IGNORECASE | re.MULTILINE``, as in Crawl4AI. A match becomes
``{"url", "label", "value", "span": [start, end]}``; matches come pattern by pattern, in
the order of the catalogue then of ``custom``, each in text order.

The patterns are written here (not Crawl4AI's text); what each recognises:

=================  ===========================================================
email              ``name@host.tld``
phone_intl         ``+`` and a country code, then 7 or more digits in groups
phone_us           ``(555) 123-4567``, ``555-123-4567``, ``555.123.4567``
url                ``http(s)://`` up to whitespace, quotes or angle brackets (a
                   closing ``.`` ``,`` ``;`` ``)`` and the like left out)
ipv4               four 0-255 octets
ipv6               eight hex groups (the full form)
uuid               RFC 4122 versions 1-8
currency           a symbol ($ € £ ¥ ₹) or code (USD EUR GBP JPY RM) before an amount
percentage         ``12%``, ``3.5 %``
number             integers and decimals, with thousands separators
date_iso           ``2024-05-31``
date_us            ``5/31/2024``, ``05/31/24``
time_24h           ``23:59``, ``07:05:09``
postal_us          ``12345``, ``12345-6789``
postal_uk          ``SW1A 1AA``
html_color_hex     ``#1a2b3c``, ``#abc``
twitter_handle     ``@name`` (not the host part of an e-mail address)
hashtag            ``#word`` (not an HTML entity or a URL fragment)
mac_addr           ``00:1A:2B:3C:4D:5E`` or with ``-``
iban               two letters, two check digits, 11-30 letters or digits
credit_card        Visa, Mastercard, Amex, Discover numbers, optional spaces or dashes
=================  ===========================================================

In a crawl the patterns run on the product ``input_format`` names: ``"fit_html"`` (the
default, Crawl4AI's) and ``"cleaned_html"`` read ``result.cleaned_html`` (the content
HTML without scripts, styles and comments, attributes and absolute links kept), ``"html"``
reads ``result.html``, ``"markdown"`` ``result.markdown`` and ``"text"`` the content's plain
text; ``span`` indexes that string.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from bs4 import BeautifulSoup, Tag

from seleniumcrawl.content.extraction.base import ExtractionStrategy, serialise
from seleniumcrawl.errors import SchemaError

INPUT_FORMATS = ("fit_html", "cleaned_html", "html", "markdown", "text")

_FLAGS = re.IGNORECASE | re.MULTILINE

#: label -> pattern, in catalogue order (the order of the flags).
BUILTIN_PATTERNS: dict[str, str] = {
    "email": r"\b[\w.%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b",
    "phone_intl": r"\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}\d",
    "phone_us": r"(?:\(\d{3}\)\s?|\b\d{3}[-.\s])\d{3}[-.\s]\d{4}\b",
    "url": r"\bhttps?://[^\s\"'<>]*[^\s\"'<>.,;:!?)\]]",
    "ipv4": r"\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b",
    "ipv6": r"\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b",
    "uuid": r"\b[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\b",
    "currency": r"(?:[$€£¥₹]|\b(?:USD|EUR|GBP|JPY|RM)\b)\s?\d{1,3}(?:,\d{3})*(?:[.,]\d{1,2})?\b"
    r"|(?:[$€£¥₹]|\b(?:USD|EUR|GBP|JPY|RM)\b)\s?\d+(?:[.,]\d{1,2})?\b",
    "percentage": r"[-+]?\b\d+(?:[.,]\d+)?\s?%",
    "number": r"(?<![\w.])[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])[-+]?\d+(?:\.\d+)?\b",
    "date_iso": r"\b\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b",
    "date_us": r"\b(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])/(?:\d{4}|\d{2})\b",
    "time_24h": r"\b(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?\b",
    "postal_us": r"\b\d{5}(?:-\d{4})?\b",
    "postal_uk": r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b",
    "html_color_hex": r"(?<![&\w])#(?:[0-9a-f]{6}|[0-9a-f]{3})\b",
    "twitter_handle": r"(?<![\w@.])@\w{1,15}\b(?!\.\w)",
    "hashtag": r"(?<![\w&/#])#[a-z_][\w-]*",
    "mac_addr": r"\b(?:[0-9a-f]{2}([:-]))(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}\b",
    "iban": r"\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b",
    "credit_card": r"\b(?:4\d{3}|5[1-5]\d{2}|6011|65\d{2})(?:[ -]?\d{4}){3}\b"
    r"|\b3[47]\d{2}[ -]?\d{6}[ -]?\d{5}\b",
}


class Pattern(enum.IntFlag):
    """The built-in patterns as flags (``Pattern.EMAIL | Pattern.URL``)."""

    EMAIL = enum.auto()
    PHONE_INTL = enum.auto()
    PHONE_US = enum.auto()
    URL = enum.auto()
    IPV4 = enum.auto()
    IPV6 = enum.auto()
    UUID = enum.auto()
    CURRENCY = enum.auto()
    PERCENTAGE = enum.auto()
    NUMBER = enum.auto()
    DATE_ISO = enum.auto()
    DATE_US = enum.auto()
    TIME_24H = enum.auto()
    POSTAL_US = enum.auto()
    POSTAL_UK = enum.auto()
    HTML_COLOR_HEX = enum.auto()
    TWITTER_HANDLE = enum.auto()
    HASHTAG = enum.auto()
    MAC_ADDR = enum.auto()
    IBAN = enum.auto()
    CREDIT_CARD = enum.auto()
    #: Crawl4AI's default: a flag of its own that selects no pattern.
    NOTHING = enum.auto()
    ALL = (
        EMAIL
        | PHONE_INTL
        | PHONE_US
        | URL
        | IPV4
        | IPV6
        | UUID
        | CURRENCY
        | PERCENTAGE
        | NUMBER
        | DATE_ISO
        | DATE_US
        | TIME_24H
        | POSTAL_US
        | POSTAL_UK
        | HTML_COLOR_HEX
        | TWITTER_HANDLE
        | HASHTAG
        | MAC_ADDR
        | IBAN
        | CREDIT_CARD
    )


class RegexExtractionStrategy(ExtractionStrategy):
    """Matches of built-in and custom regular expressions (see the module notes).

    ``RegexExtractionStrategy(pattern=RegexExtractionStrategy.Email | ...,
    custom={"label": r"..."}, input_format="fit_html")``. Giving no pattern at all
    (neither a built-in flag nor ``custom``) raises ``ValueError``: Crawl4AI would
    silently return ``[]`` for every page.
    """

    reads_tree: ClassVar[bool] = False

    _B = Pattern
    Email = Pattern.EMAIL
    PhoneIntl = Pattern.PHONE_INTL
    PhoneUS = Pattern.PHONE_US
    Url = Pattern.URL
    IPv4 = Pattern.IPV4
    IPv6 = Pattern.IPV6
    Uuid = Pattern.UUID
    Currency = Pattern.CURRENCY
    Percentage = Pattern.PERCENTAGE
    Number = Pattern.NUMBER
    DateIso = Pattern.DATE_ISO
    DateUS = Pattern.DATE_US
    Time24h = Pattern.TIME_24H
    PostalUS = Pattern.POSTAL_US
    PostalUK = Pattern.POSTAL_UK
    HexColor = Pattern.HTML_COLOR_HEX
    TwitterHandle = Pattern.TWITTER_HANDLE
    Hashtag = Pattern.HASHTAG
    MacAddr = Pattern.MAC_ADDR
    Iban = Pattern.IBAN
    CreditCard = Pattern.CREDIT_CARD
    All = Pattern.ALL
    Nothing = Pattern(0)

    DEFAULT_PATTERNS: ClassVar[Mapping[str, str]] = BUILTIN_PATTERNS

    def __init__(
        self,
        pattern: Pattern | int = Pattern.NOTHING,
        *,
        custom: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        input_format: str = "fit_html",
        verbose: bool = False,
    ) -> None:
        if isinstance(pattern, bool) or not isinstance(pattern, int):
            raise TypeError(
                "RegexExtractionStrategy.pattern must be RegexExtractionStrategy flags (e.g. "
                f"RegexExtractionStrategy.Email | RegexExtractionStrategy.Url), got {pattern!r}"
            )
        if input_format not in INPUT_FORMATS:
            raise ValueError(
                f"RegexExtractionStrategy.input_format must be one of {INPUT_FORMATS}, "
                f"got {input_format!r}"
            )
        if not isinstance(verbose, bool):
            raise TypeError(f"RegexExtractionStrategy.verbose must be a bool, got {verbose!r}")
        self.input_format = input_format
        self.verbose = verbose
        chosen = {
            label: text
            for label, text in BUILTIN_PATTERNS.items()
            if Pattern[label.upper()] & pattern
        }
        chosen.update(_custom(custom))
        if not chosen:
            raise ValueError(
                "RegexExtractionStrategy: no pattern to look for; pass pattern= "
                "(e.g. RegexExtractionStrategy.Email) or custom={'label': r'regex'}"
            )
        self._compiled = {label: _compile(label, text) for label, text in chosen.items()}

    @property
    def labels(self) -> list[str]:
        """The labels searched for, in result order."""
        return list(self._compiled)

    def extract(self, url: str, html: str) -> list[dict[str, Any]]:
        """Matches in ``html`` (any text, taken as it is); ``span`` indexes it."""
        found: list[dict[str, Any]] = []
        for label, compiled in self._compiled.items():
            for match in compiled.finditer(html):
                found.append(
                    {
                        "url": url,
                        "label": label,
                        "value": match.group(0),
                        "span": [match.start(), match.end()],
                    }
                )
        return found

    def extract_from_soup(self, url: str, soup: BeautifulSoup) -> list[dict[str, Any]]:
        """Matches in the page's text (``get_text`` of the tree)."""
        return self.extract(url, soup.get_text(" "))

    def extract_from_roots(self, url: str, roots: Sequence[Tag]) -> list[dict[str, Any]]:
        """Matches in the text of the given parts of a page."""
        return self.extract(url, "\n".join(root.get_text(" ") for root in roots))

    def run_on_text(self, url: str, content: str) -> str:
        """The JSON array of the matches in ``content`` (what ``input_format`` names)."""
        return serialise(self.extract(url, content))


def _custom(custom: Any) -> dict[str, str]:
    if custom is None:
        return {}
    pairs: list[Any]
    if isinstance(custom, Mapping):
        pairs = list(custom.items())
    elif isinstance(custom, Sequence) and not isinstance(custom, (str, bytes)):
        pairs = list(custom)
    else:
        raise TypeError(
            "RegexExtractionStrategy.custom must be a dict of label -> pattern or a list of "
            f"(label, pattern) pairs, got {type(custom).__name__}"
        )
    result: dict[str, str] = {}
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise TypeError(f"RegexExtractionStrategy.custom[{i}] must be a (label, pattern) pair")
        label, text = pair
        if not isinstance(label, str) or not label:
            raise TypeError(f"RegexExtractionStrategy.custom[{i}]: label must be a non-empty str")
        if not isinstance(text, str) or not text:
            raise TypeError(f"RegexExtractionStrategy.custom[{label!r}] must be a non-empty str")
        result[label] = text
    return result


def _compile(label: str, text: str) -> re.Pattern[str]:
    try:
        return re.compile(text, _FLAGS)
    except re.error as exc:
        raise SchemaError(
            f"RegexExtractionStrategy.custom[{label!r}]: pattern does not compile: {exc}"
        ) from exc


__all__ = ["BUILTIN_PATTERNS", "INPUT_FORMATS", "Pattern", "RegexExtractionStrategy"]
