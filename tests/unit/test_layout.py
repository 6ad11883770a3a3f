"""The package's layout rules: no import cycle, and the browser layer loads no HTML parser."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import seleniumcrawl

PACKAGE = "seleniumcrawl"


def _modules() -> dict[str, Path]:
    """Every module of the package (packages as their ``__init__.py``), by dotted name."""
    root = Path(seleniumcrawl.__file__).parent
    found = {PACKAGE: root / "__init__.py"}
    for info in pkgutil.walk_packages([str(root)], prefix=f"{PACKAGE}."):
        relative = Path(*info.name.split(".")[1:])
        path = root / relative / "__init__.py" if info.ispkg else root / f"{relative}.py"
        found[info.name] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(
    tree: ast.AST,
    module: str,
    is_package: bool,
    *,
    type_checking: bool = False,
    modules: frozenset[str] = frozenset(),
) -> set[str]:
    """Names ``module`` imports (lazy imports inside functions included), skipping
    ``if TYPE_CHECKING:`` blocks unless ``type_checking``; relative imports are resolved.
    ``from pkg import name`` names ``pkg`` itself only when ``pkg.name`` is not one of
    ``modules`` (importing a submodule through its package is an edge to the submodule)."""
    names: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test) and not type_checking:
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            submodules = {f"{base}.{alias.name}" for alias in node.names}
            if not submodules <= modules:
                names.add(base)
            names.update(submodules)
        for sub in ast.iter_child_nodes(node):
            visit(sub)

    visit(tree)
    return names


def _graph(*, type_checking: bool = False, parents: bool = False) -> dict[str, set[str]]:
    """The package's import graph. ``type_checking``: imports under ``if TYPE_CHECKING:``
    count too. ``parents``: importing ``a.b.c`` is also an edge to ``a`` and ``a.b``, whose
    ``__init__`` runs first (except the importer's own packages, already running)."""
    modules = _modules()
    names = frozenset(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        targets = _imports(
            tree, name, path.name == "__init__.py", type_checking=type_checking, modules=names
        )
        # ``from pkg import name`` names a module when one exists, else an attribute of pkg.
        edges = {t for t in targets if t in modules and t != name}
        if parents:
            own = {name.rsplit(".", i)[0] for i in range(name.count(".") + 1)}
            for target in list(edges):
                parts = target.split(".")
                edges.update(
                    ".".join(parts[:i])
                    for i in range(1, len(parts))
                    if ".".join(parts[:i]) not in own
                )
        graph[name] = edges
    return graph


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := walk(target)) is not None:
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := walk(node)) is not None:
            return cycle
    return None


def test_the_walk_sees_every_layer() -> None:
    """The module walk finds the sub-packages' modules and the edges between them."""
    graph = _graph()
    assert "seleniumcrawl.browser.pool" in graph
    assert "seleniumcrawl.content.extraction.css" in graph
    assert "seleniumcrawl.browser.executor" in graph["seleniumcrawl.browser.pool"]
    assert "seleniumcrawl.content.parse" in graph["seleniumcrawl.content.scraping"]


def test_the_cycle_finder_reports_a_cycle() -> None:
    """A graph with a loop is reported with the loop's path."""
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_type_checking_imports_are_ignored() -> None:
    """Imports under ``if TYPE_CHECKING:`` are not edges; lazy imports in functions are."""
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from seleniumcrawl.a import X\n"
        "def f():\n    from seleniumcrawl.b import Y\n"
    )
    names = _imports(tree, "seleniumcrawl.m", is_package=False)
    assert "seleniumcrawl.a" not in names
    assert "seleniumcrawl.b" in names


def test_no_import_cycle_among_the_package_modules() -> None:
    """No module of seleniumcrawl imports, directly or through others, itself: imports
    inside functions count, and so do the packages an import runs first."""
    cycle = _find_cycle(_graph(parents=True))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_import_cycle_even_through_type_only_imports() -> None:
    """Counting the imports under ``if TYPE_CHECKING:`` too (a type is a dependency), no
    module reaches itself: the configuration types the deep crawl through a base-layer
    class, the deep crawl its crawler through protocols (issue 20's three cycles)."""
    cycle = _find_cycle(_graph(type_checking=True))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_walk_sees_lazy_imports_and_parent_packages() -> None:
    """The engine's function-level import of the deep crawl is an edge, and so is, with
    ``parents``, the package that import runs first."""
    assert "seleniumcrawl.deep_crawling.traversal" in _graph()["seleniumcrawl.engine"]
    assert "seleniumcrawl.deep_crawling" not in _graph()["seleniumcrawl.engine"]
    assert "seleniumcrawl.deep_crawling" in _graph(parents=True)["seleniumcrawl.engine"]


def test_configuration_imports_neither_the_deep_crawl_nor_the_front_ends() -> None:
    """seleniumcrawl.config (the base layer) imports nothing of the deep crawl, the
    engine or the front ends, not even for type checking."""
    above = (
        "seleniumcrawl.deep_crawling",
        "seleniumcrawl.engine",
        "seleniumcrawl.crawler",
        "seleniumcrawl.async_crawler",
        "seleniumcrawl.dispatcher",
        "seleniumcrawl.browser",
    )
    graph = _graph(type_checking=True)
    for name, targets in graph.items():
        if name == "seleniumcrawl.config" or name.startswith("seleniumcrawl.config."):
            assert not {t for t in targets if t.startswith(above)}, name


def test_content_parse_imports_nothing_of_the_package() -> None:
    """content/parse.py, the bottom of the content layer, imports no seleniumcrawl module."""
    assert _graph()["seleniumcrawl.content.parse"] == set()


def test_browser_layer_does_not_import_the_content_layer() -> None:
    """No module under seleniumcrawl.browser imports one under seleniumcrawl.content."""
    graph = _graph()
    for name, targets in graph.items():
        if name.startswith("seleniumcrawl.browser"):
            assert not {t for t in targets if t.startswith("seleniumcrawl.content")}, name


def test_importing_the_pool_loads_no_html_parser() -> None:
    """``import seleniumcrawl.browser.pool`` in a fresh interpreter loads neither bs4 nor lxml."""
    code = (
        "import sys, seleniumcrawl.browser.pool\n"
        "print(sorted(m for m in ('bs4', 'lxml', 'soupsieve', 'markdownify') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_a_config_with_a_strategy_still_checks_its_type() -> None:
    """The lazy extraction_strategy check still refuses a non-strategy, naming the field."""
    from seleniumcrawl import CrawlerRunConfig, JsonCssExtractionStrategy

    with pytest.raises(TypeError, match=r"CrawlerRunConfig\.extraction_strategy"):
        CrawlerRunConfig(extraction_strategy="not a strategy")  # type: ignore[arg-type]
    strategy = JsonCssExtractionStrategy({"baseSelector": "li", "fields": []})
    assert CrawlerRunConfig(extraction_strategy=strategy).extraction_strategy is strategy
