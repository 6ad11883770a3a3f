"""What every ``seleniumcrawl`` command shares: exit statuses, usage errors, the parser
class, the one-line error report (imported by :mod:`seleniumcrawl.cli` and its commands)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

PROG = "seleniumcrawl"
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A bad command line, configuration value, schema or input file: exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (raised, so ``main`` can return 2)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def error(message: str) -> None:
    """``seleniumcrawl: error: <message>`` on one line of stderr."""
    sys.stderr.write(f"{PROG}: error: {' '.join(str(message).split())}\n")
    sys.stderr.flush()
