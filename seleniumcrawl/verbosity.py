"""``verbose=True`` (Crawl4AI's switch for crawl progress), wired to :mod:`logging`.

The library logs through the ``seleniumcrawl`` logger and, by default, shows nothing
(a ``NullHandler``). ``verbose=True`` on a crawler, a ``BrowserConfig`` or a
``CrawlerRunConfig`` calls :func:`enable_verbose_logging`: the logger passes INFO
records, and when the application configured no logging at all a stderr handler is
added, once. Applications that configured logging keep their handlers and formats.
"""

from __future__ import annotations

import logging
import sys

LOGGER_NAME = "seleniumcrawl"

#: Set on the handler :func:`enable_verbose_logging` adds, so it is added only once.
_OURS = "_seleniumcrawl_verbose"


def enable_verbose_logging() -> None:
    """Let the ``seleniumcrawl`` logger pass INFO; add a stderr handler if logging is unset.

    Idempotent. A level already lower than INFO (DEBUG) is kept.
    """
    logger = logging.getLogger(LOGGER_NAME)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    if _logging_configured(logger):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(name)s: %(message)s"))
    setattr(handler, _OURS, True)
    logger.addHandler(handler)


def _logging_configured(logger: logging.Logger) -> bool:
    """Whether records of ``logger`` already reach a real handler (ours or the app's)."""
    current: logging.Logger | None = logger
    while current is not None:
        if any(not isinstance(h, logging.NullHandler) for h in current.handlers):
            return True
        if not current.propagate:
            return False
        current = current.parent
    return False


__all__ = ["LOGGER_NAME", "enable_verbose_logging"]
