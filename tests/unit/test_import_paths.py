"""Every public name is importable from where it was: the names shared/SPEC.md fixes (its
import examples and the modules its prose names), and the old paths of the modules that
issue 20 split into packages."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

#: The names SPEC.md's prose places in a module ("`seleniumcrawl.deep_crawling`: `X`, ...",
#: "`X` from `seleniumcrawl.markdown_generation_strategy`"). Its code blocks' imports are
#: read from the file itself (see _spec_code_imports).
SPEC_PROSE: dict[str, tuple[str, ...]] = {
    "seleniumcrawl": (
        "Page",
        "AsyncUrlSeeder",
        "UrlSeeder",
        "SeedingConfig",
        "ProxyConfig",
        "RoundRobinProxyStrategy",
        "DefaultTableExtraction",
        "NoTableExtraction",
    ),
    "seleniumcrawl.async_configs": ("BrowserConfig", "CrawlerRunConfig", "VirtualScrollConfig"),
    "seleniumcrawl.deep_crawling": (
        "BFSDeepCrawlStrategy",
        "DFSDeepCrawlStrategy",
        "BestFirstCrawlingStrategy",
        "FilterChain",
        "URLPatternFilter",
        "DomainFilter",
        "ContentTypeFilter",
        "KeywordRelevanceScorer",
    ),
    "seleniumcrawl.async_dispatcher": (
        "RateLimiter",
        "SemaphoreDispatcher",
        "MemoryAdaptiveDispatcher",
    ),
    "seleniumcrawl.markdown_generation_strategy": ("DefaultMarkdownGenerator",),
    "seleniumcrawl.content_filter_strategy": ("PruningContentFilter", "BM25ContentFilter"),
    "seleniumcrawl.proxy_strategy": ("RoundRobinProxyStrategy",),
    "seleniumcrawl.table_extraction": ("DefaultTableExtraction", "NoTableExtraction"),
}

#: Paths of the modules split by issue 20 (config.py, dispatcher.py, browser/pool.py,
#: engine.py, tools/grid.py, proxy_strategy.py): what the rest of the code, the tests and
#: outside scripts imported from them before the split.
MOVED: dict[str, tuple[str, ...]] = {
    "seleniumcrawl.config": (
        "BROWSER_TYPES",
        "SOCIAL_MEDIA_DOMAINS",
        "WAIT_UNTIL",
        "BrowserConfig",
        "CrawlerRunConfig",
        "browser_config_of",
        "default_profile_dir",
        "refuse_deep_many",
        "seleniumcrawl_home",
    ),
    "seleniumcrawl.dispatcher": (
        "BACKOFF_BASE_S",
        "BACKOFF_CAP_S",
        "PERMANENT_ERROR_TYPES",
        "UNTIL_A_CRAWL_FINISHES",
        "Admission",
        "Backlog",
        "Configs",
        "CrawlFunction",
        "Dispatcher",
        "DomainSlot",
        "ProgressCallback",
        "RateLimitPolicy",
        "Run",
        "Unit",
        "UnitList",
        "WorkItem",
        "aiter_completed",
        "aiter_run",
        "arun_all",
        "backoff_delay",
        "domain_of",
        "is_retryable",
        "plan",
        "select_config",
    ),
    "seleniumcrawl.browser.pool": ("DriverPool", "PoolStats", "Session"),
    "seleniumcrawl.engine": ("CrawlEngine",),
    "seleniumcrawl.proxy_strategy": ("ProxyConfig", "ProxyRotationStrategy"),
    "tools.grid": (
        "DEFAULT_SESSION_REQUEST_TIMEOUT",
        "ENV_DIR",
        "ENV_JAR",
        "GRID_VERSION",
        "GridCluster",
        "GridError",
        "GridServer",
        "default_browser_args",
        "default_cache_dir",
        "distributed",
        "fetch_jar",
        "find_chromedriver",
        "find_chromium",
        "grid_status",
        "main",
        "node_config",
        "stereotype",
        "summarize_status",
    ),
}


def _spec() -> str:
    """shared/SPEC.md: beside the repository (CI, /work/main) or two levels up (a worktree)."""
    for parent in REPO.parents:
        path = parent / "shared" / "SPEC.md"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    pytest.skip("shared/SPEC.md is not beside this checkout")


def _spec_code_imports(spec: str) -> set[tuple[str, str]]:
    """(module, name) of every ``from seleniumcrawl... import ...`` in SPEC's code blocks."""
    found: set[tuple[str, str]] = set()
    for block in re.findall(r"```python\n(.*?)```", spec, flags=re.S):
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("seleniumcrawl"):
                found.update((node.module or "", alias.name) for alias in node.names)
    return found


def _importable(module: str, name: str) -> bool:
    return hasattr(importlib.import_module(module), name)


def test_every_name_of_specs_import_examples_imports() -> None:
    """Each name SPEC.md's code examples import comes from the module they import it from."""
    pairs = _spec_code_imports(_spec())
    assert len(pairs) >= 12  # the §2 block alone has 12
    missing = sorted(f"{m}.{n}" for m, n in pairs if not _importable(m, n))
    assert missing == []


def test_the_prose_table_is_specs_own_words() -> None:
    """Every module and name of SPEC_PROSE is written in SPEC.md (the table invents none)."""
    spec = _spec()
    for module, names in SPEC_PROSE.items():
        assert f"`{module}" in spec or f"from {module} " in spec, module
        for name in names:
            assert re.search(rf"\b{name}\b", spec), name


@pytest.mark.parametrize("module", sorted(SPEC_PROSE))
def test_every_name_specs_prose_places_imports(module: str) -> None:
    """The names SPEC.md's prose places in ``module`` import from it."""
    missing = [n for n in SPEC_PROSE[module] if not _importable(module, n)]
    assert missing == []


@pytest.mark.parametrize("module", sorted(MOVED))
def test_the_old_paths_of_split_modules_still_import(module: str) -> None:
    """A module split into a package (or into parts) still offers every name it had."""
    missing = [n for n in MOVED[module] if not _importable(module, n)]
    assert missing == []


def test_the_checks_fail_on_a_missing_name() -> None:
    """The lookup used above says False for a name a module does not have."""
    assert not _importable("seleniumcrawl.config", "NoSuchName")
    assert _spec_code_imports("```python\nfrom seleniumcrawl.x import A, B\n```") == {
        ("seleniumcrawl.x", "A"),
        ("seleniumcrawl.x", "B"),
    }
