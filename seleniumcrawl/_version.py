"""The package version (a module of its own: the base layer reads it, and the package
``__init__`` imports every layer for type checkers)."""

__version__ = "0.1.0"
