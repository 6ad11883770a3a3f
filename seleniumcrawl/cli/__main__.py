"""``python -m seleniumcrawl.cli``: the same as the ``seleniumcrawl`` command."""

import sys

from seleniumcrawl.cli import main

sys.exit(main())
