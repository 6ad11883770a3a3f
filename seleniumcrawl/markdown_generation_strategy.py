"""Crawl4AI's import path for the markdown generators and their result."""

from seleniumcrawl.content.generation import (
    DefaultMarkdownGenerator,
    MarkdownGenerationResult,
    MarkdownGenerationStrategy,
)

__all__ = ["DefaultMarkdownGenerator", "MarkdownGenerationResult", "MarkdownGenerationStrategy"]
