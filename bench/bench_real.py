"""Benchmark: real pages. The Python documentation, served locally, crawled by every side.

Corpus: the HTML of the Python 3.11 documentation as Debian ships it
(``apt-get install python3.11-doc``: ``/usr/share/doc/python3.11/html``, 530 pages with
their CSS, scripts and images), or the directory named by ``SC_PYDOCS_DIR``. Without
it the benchmark is skipped and says how to get it. The bench serves the directory with
``python -m http.server`` on 127.0.0.1 (a process it starts and stops).

Pages: a fixed list of 100 pages (the tutorial's, then the library reference's in name
order; 20 with ``--quick``), the same list in every round and for every side. Every
side runs on a browser of its own started and warmed before its clock starts (16
``howto/`` pages through ``run_many``, so the shared CSS, scripts and fonts are in its
cache and its tabs are open; three for the hand-written loops).

Sides, rotated in each round (A, B, C, ... then again), pages/s each:

* ``defaults``: ``run_many(urls)`` with ``BrowserConfig()`` and ``CrawlerRunConfig()``
  (sessionless, default markdown): what a user gets;
* ``fixed_N``: the same with ``CrawlerRunConfig(semaphore_count=N)`` for N in 1, 2, 4,
  8, 16 (the sweep; its best is the reference for the defaults);
* ``selenium``: a hand-written loop, one ``webdriver.Chrome`` with seleniumcrawl's flags,
  ``get`` + ``page_source`` + lxml + the same Markdown converter (so the work compares);
* ``raw_N``: the raw WebDriver BiDi loop of bench_core (``navigate`` with
  ``wait=interactive`` + ``outerHTML``, lxml + the same converter) with N windows at once,
  N in 1, 2, 4; its best is reported.

The latency-bound kind: 40 pages of the demo site that answer after 0.5 s, with the
``defaults`` and ``fixed_N`` sides only (the plot's second curve).

Figures: medians over rounds; ratios are medians of per-round ratios (both sides of a
ratio ran in the same round). Goals (issue #21): defaults >= 0.95x the sweep's best and
>= 1.0x the hand-written loop; latency-bound defaults >= 9 pages/s; ``scrape`` + ``capture``
<= 25 ms per page (median of the ``fixed_1`` side's timings, where no other page competes).
The machine's load average before and after is recorded: on a shared host the absolute
pages/s move with the neighbours' work, the ratios much less.

The plot (matplotlib, from the ``bench`` extra: ``pip install -e '.[bench]'``) is
written to ``docs/img/real_concurrency.png``: pages/s against pages in flight for both
kinds, the defaults marked at the concurrency they ran with.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import lxml.html

from bench._util import figure, load_average, median, paired_ratios, rotate, summary
from bench.bench_core import RawBidi, selenium_driver
from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.content.markdown import lxml_to_markdown
from seleniumcrawl.demo.site import DemoSite
from seleniumcrawl.models import CrawlResult

CORPUS_ENV = "SC_PYDOCS_DIR"
DEFAULT_CORPUS = Path("/usr/share/doc/python3.11/html")
HOW_TO_GET = (
    f"the Python documentation is not at {DEFAULT_CORPUS}: `apt-get install python3.11-doc` "
    f"(or point {CORPUS_ENV} at a copy of its html directory)"
)
PLOT = Path(__file__).resolve().parents[1] / "docs" / "img" / "real_concurrency.png"
SWEEP = (1, 2, 4, 8, 16)
RAW_WINDOWS = (1, 2, 4)
SLOW_MS = 500
BEST_GOAL = ">= 0.95"
SELENIUM_GOAL = ">= 1.0"
SLOW_GOAL = ">= 9"
PYTHON_GOAL = "<= 25"
FULL = {"rounds": 2, "pages": 100, "slow_pages": 40}
QUICK = {"rounds": 1, "pages": 20, "slow_pages": 16}


def corpus_dir() -> Path | None:
    """The documentation's html directory (``SC_PYDOCS_DIR`` or Debian's), or None."""
    root = Path(os.environ.get(CORPUS_ENV) or DEFAULT_CORPUS)
    return root if (root / "library" / "index.html").is_file() else None


def page_list(root: Path, count: int) -> list[str]:
    """The fixed pages: the tutorial's, then the library reference's, by name."""
    pages = [
        path.relative_to(root).as_posix()
        for part in ("tutorial", "library")
        for path in sorted((root / part).glob("*.html"))
    ]
    return pages[:count]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """``python -m http.server`` over ``root`` on 127.0.0.1; yields its base URL."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the documentation's http.server did not start") from None
                time.sleep(0.05)  # a process starting, not a browser: nothing to wait on
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _check(results: Sequence[CrawlResult], expected: int) -> None:
    failed = [r for r in results if not r.success or not str(r.markdown).strip()]
    if failed or len(results) != expected:
        raise RuntimeError(
            f"{len(results)} results for {expected} pages, failures: "
            + "; ".join(f"{r.url}: {r.error_message}" for r in failed[:3])
        )


def chosen_concurrency(crawler: WebCrawler) -> int | None:
    """The pages in flight the crawler's last ``run_many`` settled on, when it reports it."""
    stats = getattr(crawler, "stats", None)
    if not callable(stats):
        return None
    value = stats().get("concurrency", {}).get("current")
    return int(value) if isinstance(value, (int, float)) else None


def crawl_side(
    urls: list[str], warm: list[str], cap: int | None, sink: dict[str, list[Any]] | None = None
) -> float:
    """Pages/s of one ``run_many(urls)`` on a fresh, warmed default crawler; ``cap`` sets
    ``semaphore_count``. ``sink`` gathers the per-page timings and the chosen concurrency."""
    config = CrawlerRunConfig(semaphore_count=cap)
    with WebCrawler(BrowserConfig()) as crawler:
        _check(list(crawler.run_many(warm, config)), len(warm))
        started = time.perf_counter()
        results = list(crawler.run_many(urls, config))
        elapsed = time.perf_counter() - started
        _check(results, len(urls))
        if sink is not None:
            sink.setdefault("concurrency", []).append(
                cap if cap is not None else chosen_concurrency(crawler)
            )
            for r in results:
                for step in ("scrape", "capture", "navigate"):
                    if step in r.timings:
                        sink.setdefault(step, []).append(r.timings[step])
                if "scrape" in r.timings and "capture" in r.timings:
                    sink.setdefault("python", []).append(r.timings["scrape"] + r.timings["capture"])
    return len(urls) / elapsed


def _markdown(html: str, url: str) -> str:
    """The hand-written sides' work per page: lxml parse and the same Markdown converter."""
    document = lxml.html.document_fromstring(html)
    body = document.find("body")
    text = lxml_to_markdown([body if body is not None else document])
    if not text.strip():
        raise RuntimeError(f"a hand-written crawl of {url} gave no markdown")
    return text


def selenium_side(urls: list[str], warm: list[str]) -> float:
    """Pages/s of the hand-written Selenium loop (one warm ``webdriver.Chrome``)."""
    driver = selenium_driver()
    try:
        for url in warm:
            driver.get(url)
        started = time.perf_counter()
        for url in urls:
            driver.get(url)
            _markdown(driver.page_source, url)
        return len(urls) / (time.perf_counter() - started)
    finally:
        driver.quit()


def raw_side(urls: list[str], warm: list[str], windows: int) -> float:
    """Pages/s of the raw BiDi loop with ``windows`` windows, each thread taking the next URL."""
    raw = RawBidi()
    try:
        contexts = [raw.context] + [
            str(raw.bidi.call("browsingContext.create", {"type": "window"}, 60)["context"])
            for _ in range(windows - 1)
        ]
        for context in contexts:
            for url in warm:
                raw.html(url, context)
        todo = iter(urls)
        lock = threading.Lock()

        def worker(context: str) -> int:
            done = 0
            while True:
                with lock:
                    url = next(todo, None)
                if url is None:
                    return done
                _markdown(raw.html(url, context), url)
                done += 1

        with ThreadPoolExecutor(max_workers=windows) as pool:
            started = time.perf_counter()
            crawled = sum(pool.map(worker, contexts))
            elapsed = time.perf_counter() - started
        if crawled != len(urls):
            raise RuntimeError(f"the raw BiDi loop crawled {crawled} of {len(urls)} pages")
        return len(urls) / elapsed
    finally:
        raw.close()


def warm_pages(root: Path, count: int) -> list[str]:
    """``count`` pages outside the timed list (the HOWTOs), to warm every side's browser:
    its cache gets the shared CSS, scripts and fonts, and its tabs are open."""
    return [p.relative_to(root).as_posix() for p in sorted((root / "howto").glob("*.html"))][:count]


def real_pages(base: str, pages: list[str], rounds: int, pages_root: Path) -> dict[str, Any]:
    """Every side over the same real pages, rotated in each round."""
    urls = [base + page for page in pages]
    warm = [base + page for page in warm_pages(Path(pages_root), max(SWEEP))]
    defaults: dict[str, list[Any]] = {}
    single: dict[str, list[Any]] = {}
    sides: dict[str, Callable[[], float]] = {
        "defaults": partial(crawl_side, urls, warm, None, defaults),
        **{f"fixed_{n}": partial(crawl_side, urls, warm, n, single if n == 1 else None)
           for n in SWEEP},
        "selenium": partial(selenium_side, urls, warm[:3]),
        **{f"raw_{n}": partial(raw_side, urls, warm[:3], n) for n in RAW_WINDOWS},
    }  # fmt: skip
    measured = rotate(rounds, sides)
    return {"pages_per_s": measured, "defaults": defaults, "fixed_1": single}


def slow_pages(count: int, rounds: int) -> dict[str, Any]:
    """The latency-bound kind: demo pages answering after 0.5 s, defaults and the sweep."""
    with DemoSite() as site:
        offsets = iter(range(0, 1_000_000, count))
        sink: dict[str, list[Any]] = {}

        def side(cap: int | None) -> float:
            first = next(offsets)
            urls = [site.url(f"/slow?ms={SLOW_MS}&n={first + i}") for i in range(count)]
            warm = [site.url(f"/page/{9_800 + i}") for i in range(max(SWEEP))]
            return crawl_side(urls, warm, cap, sink if cap is None else None)

        sides: dict[str, Callable[[], float]] = {"defaults": partial(side, None)}
        sides.update({f"fixed_{n}": partial(side, n) for n in SWEEP})
        measured = rotate(rounds, sides)
    return {"pages_per_s": measured, "defaults": sink}


def _best(measured: dict[str, list[float]], prefix: str) -> str:
    names = [name for name in measured if name.startswith(prefix)]
    return max(names, key=lambda name: median(measured[name]))


def plot(real: dict[str, Any], slow: dict[str, Any], path: Path = PLOT) -> str | None:
    """pages/s against pages in flight for both kinds; None when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    for label, data, colour in (
        ("Python docs (CPU-bound)", real, "tab:blue"),
        ("0.5 s pages (latency-bound)", slow, "tab:orange"),
    ):
        measured = data["pages_per_s"]
        ys = [median(measured[f"fixed_{n}"]) for n in SWEEP]
        ax.plot(SWEEP, ys, marker="o", color=colour, label=f"{label}: fixed")
        chosen = [c for c in data["defaults"].get("concurrency", []) if c]
        at = median(chosen) if chosen else 16
        ax.scatter(
            [at], [median(measured["defaults"])], marker="*", s=220, color=colour,
            edgecolor="black", zorder=5, label=f"{label}: default (settled at {at:g})",
        )  # fmt: skip
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(SWEEP), [str(n) for n in SWEEP])
    ax.set_xlabel("pages in flight (run_many semaphore_count)")
    ax.set_ylabel("pages/s")
    ax.set_title(f"run_many on {os.cpu_count()} CPUs (shared host, load {load_average()})")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return str(path.relative_to(Path(__file__).resolve().parents[1]))


def _figures(real: dict[str, Any], slow: dict[str, Any]) -> dict[str, Any]:
    measured = real["pages_per_s"]
    best_fixed, best_raw = _best(measured, "fixed_"), _best(measured, "raw_")
    figures: dict[str, Any] = {
        f"real_{name}_pages_per_s": figure(median(values), "pages/s", **summary(values))
        for name, values in measured.items()
    }
    figures["real_defaults_vs_best_fixed"] = figure(
        median(paired_ratios(measured["defaults"], measured[best_fixed])), "x", BEST_GOAL,
        digits=3, reference=best_fixed,
    )  # fmt: skip
    figures["real_defaults_vs_selenium"] = figure(
        median(paired_ratios(measured["defaults"], measured["selenium"])), "x", SELENIUM_GOAL,
        digits=3,
    )  # fmt: skip
    figures["real_defaults_vs_raw_best"] = figure(
        median(paired_ratios(measured["defaults"], measured[best_raw])), "x", digits=3,
        reference=best_raw,
    )  # fmt: skip
    for step in ("scrape", "capture", "navigate", "python"):
        values = real["fixed_1"].get(step)
        if values:
            goal = PYTHON_GOAL if step == "python" else None
            figures[f"real_{step}_ms_per_page"] = figure(median(values), "ms", goal, n=len(values))
    slow_measured = slow["pages_per_s"]
    for name, values in slow_measured.items():
        goal = SLOW_GOAL if name == "defaults" else None
        figures[f"slow_{name}_pages_per_s"] = figure(
            median(values), "pages/s", goal, **summary(values)
        )
    best_slow = _best(slow_measured, "fixed_")
    figures["slow_defaults_vs_best_fixed"] = figure(
        median(paired_ratios(slow_measured["defaults"], slow_measured[best_slow])), "x",
        BEST_GOAL, digits=3, reference=best_slow,
    )  # fmt: skip
    return figures


def run(quick: bool = False) -> dict[str, Any]:
    """Run the real-corpus benchmark (skipped without the documentation)."""
    root = corpus_dir()
    if root is None:
        return {"skipped": HOW_TO_GET, "figures": {}}
    p = QUICK if quick else FULL
    load_before = load_average()
    pages = page_list(root, p["pages"])
    with serve(root) as base:
        real = real_pages(base, pages, p["rounds"], root)
    slow = slow_pages(p["slow_pages"], p["rounds"])
    load_after = load_average()
    return {
        "figures": _figures(real, slow),
        "plot": plot(real, slow),
        "params": {
            **p,
            "corpus": str(root),
            "sweep": list(SWEEP),
            "raw_windows": list(RAW_WINDOWS),
            "cpu_count": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": load_after,
            "defaults_concurrency_real": real["defaults"].get("concurrency"),
            "defaults_concurrency_slow": slow["defaults"].get("concurrency"),
            "shared_host": "measured on a host shared with 7 other engineers' work",
        },
    }
