"""No browser outlives its crawler, and idle sessions are closed (README: "Cleanup", "Sessions").

Processes are counted with :func:`our_browser_pids`: ``live_browser_pids()``
narrowed to the processes this test run started, so other runs on the same
machine cannot make a leak check pass or fail. The helpers here are shared with
``test_faults`` and ``test_load``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.demo.site import DemoSite
from tests.procs import RUN_MARK, live_browser_pids, wait_until_gone

# The crash handler leaves our process group but keeps the mark; the browser's zygote
# children keep our process group.
os.environ.setdefault(RUN_MARK, uuid.uuid4().hex)
_MARK_BYTES = f"{RUN_MARK}={os.environ[RUN_MARK]}".encode()

_REPO = Path(__file__).resolve().parents[2]


def _pgrp(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rfind(")") + 2 :].split()[2])


def _marked(pid: int) -> bool:
    try:
        return _MARK_BYTES in Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False


def our_browser_pids(groups: Iterable[int] = ()) -> set[int]:
    """Browser/driver processes of this test run (our process group, ``groups``, or marked)."""
    mine = {os.getpgrp(), *groups}
    return {pid for pid in live_browser_pids() if _pgrp(pid) in mine or _marked(pid)}


def assert_none_left(before: set[int], groups: Iterable[int] = (), timeout: float = 10.0) -> None:
    """Fail unless every process started since ``before`` is gone within ``timeout`` s."""
    started = our_browser_pids(groups) - before
    left = wait_until_gone(started, timeout=timeout)
    assert not left, f"browser/driver processes left behind: {sorted(left)}"


def crawler_pids(crawler: WebCrawler | AsyncWebCrawler) -> set[int]:
    """Driver and browser pids of every live driver of ``crawler`` (the pool's test hook)."""
    pids: set[int] = set()
    for drv in crawler.crawler_strategy.pool.drivers():
        if drv.driver_pid is not None:
            pids |= {drv.driver_pid, *drv.browser_pids}
    return pids


def run_script(
    body: str, *args: str, new_session: bool = False, tmpdir: Path | None = None
) -> subprocess.Popen[str]:
    """Start ``python -c body args...`` from the repository root (its own group if asked,
    with ``TMPDIR`` set if given)."""
    env = None if tmpdir is None else {**os.environ, "TMPDIR": str(tmpdir)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(body), *args],
        cwd=_REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=new_session,
    )


def wait_for_request(site: DemoSite, prefix: str, baseline: int, timeout: float = 30.0) -> None:
    """Poll the demo site's request log until a request for ``prefix`` beyond ``baseline``."""
    deadline = time.monotonic() + timeout
    while site.count(prefix) <= baseline:
        assert time.monotonic() < deadline, f"the server never saw a request for {prefix}"
        time.sleep(0.02)  # polling the server's request log


_SLOW_CRAWL_SCRIPT = """
    import sys
    from seleniumcrawl import CrawlerRunConfig, WebCrawler

    with WebCrawler() as crawler:
        crawler.run(sys.argv[1], CrawlerRunConfig(page_timeout=30000))
    print("crawl finished")
"""

_SLOW_ASYNC_CRAWL_SCRIPT = """
    import asyncio, sys
    from seleniumcrawl import AsyncWebCrawler, CrawlerRunConfig

    async def main():
        async with AsyncWebCrawler() as crawler:
            await crawler.arun(sys.argv[1], CrawlerRunConfig(page_timeout=30000))

    asyncio.run(main())
    print("crawl finished")
"""


@pytest.mark.parametrize("target", ["script", "process-group", "asyncio-script"])
def test_ctrl_c_during_a_crawl_leaves_no_browser(site: DemoSite, target: str) -> None:
    """SIGINT mid-crawl (to the script, or to its whole group like a terminal) ends it cleanly."""
    before = our_browser_pids()
    baseline = site.count("/slow")
    body = _SLOW_ASYNC_CRAWL_SCRIPT if target == "asyncio-script" else _SLOW_CRAWL_SCRIPT
    proc = run_script(body, site.url("/slow?ms=10000"), new_session=target == "process-group")
    try:
        wait_for_request(site, "/slow", baseline)
        group = os.getpgid(proc.pid)
        assert our_browser_pids([group]) - before, "the script started no browser"
        sent = time.monotonic()
        if target == "process-group":
            os.killpg(group, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
        exited = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "KeyboardInterrupt" in err
    assert proc.returncode != 0
    assert exited < 15, f"the script took {exited:.1f} s to exit after SIGINT"
    assert_none_left(before, [group])


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """An empty directory with a short path (pytest's tmp_path is too long for Chromium's
    singleton socket below it: a Unix socket path has at most 107 bytes)."""
    path = Path(tempfile.mkdtemp(prefix="sct-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def assert_no_temp_files(tmpdir: Path, timeout: float = 10.0) -> None:
    """Fail unless ``tmpdir`` is empty within ``timeout`` s (profiles, singletons, scoped dirs)."""
    deadline = time.monotonic() + timeout
    while any(tmpdir.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)  # the reaper removes the directories after the kill
    assert not list(tmpdir.iterdir()), f"left in TMPDIR: {sorted(p.name for p in tmpdir.iterdir())}"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_killed_script_leaves_no_browser(site: DemoSite, signum: int, short_tmp: Path) -> None:
    """SIGTERM (docker stop, CI timeouts) or SIGKILL mid-crawl leaves no browser behind, and
    no temporary profile or singleton directory of the browser in TMPDIR."""
    before = our_browser_pids()
    baseline = site.count("/slow")
    proc = run_script(_SLOW_CRAWL_SCRIPT, site.url("/slow?ms=10000"), tmpdir=short_tmp)
    try:
        wait_for_request(site, "/slow", baseline)
        proc.send_signal(signum)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    try:
        assert_none_left(before)
        assert_no_temp_files(short_tmp)
    finally:  # do not leave the leak to the next test
        for pid in our_browser_pids() - before:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("use_bidi", [True, False], ids=["bidi", "classic"])
def test_close_and_a_killed_browser_leave_no_temp_files(
    site: DemoSite, short_tmp: Path, monkeypatch: pytest.MonkeyPatch, use_bidi: bool
) -> None:
    """Each browser's profile and singleton files live in a directory of its own, removed
    when it quits: after close, and after a browser was killed and replaced."""
    monkeypatch.setattr(tempfile, "tempdir", str(short_tmp))
    with WebCrawler(config=BrowserConfig(max_drivers=1, use_bidi=use_bidi)) as crawler:
        assert crawler.run(site.url("/page/1"), CrawlerRunConfig(session_id="s")).success
        (first,) = crawler.crawler_strategy.pool.drivers()
        assert first.temp_dir is not None and Path(first.temp_dir).parent == short_tmp
        assert any(Path(first.temp_dir).iterdir()), "the browser's files are in its directory"
        os.kill(first.browser_pids[0], signal.SIGKILL)
        died = crawler.run(site.url("/page/2"), CrawlerRunConfig(session_id="s"))
        assert not died.success and "died" in (died.error_message or "")
        assert crawler.run(site.url("/page/3")).success
        (second,) = crawler.crawler_strategy.pool.drivers()
        assert second.temp_dir != first.temp_dir
        assert not Path(first.temp_dir).exists(), "the dead browser's directory was removed"
    assert_no_temp_files(short_tmp)


def test_exit_without_close_leaves_no_browser(site: DemoSite) -> None:
    """A script that never calls close() leaves no browser or driver once it exits."""
    before = our_browser_pids()
    proc = run_script(
        """
        import sys
        from seleniumcrawl import CrawlerRunConfig, WebCrawler

        crawler = WebCrawler()
        result = crawler.run(sys.argv[1], CrawlerRunConfig(session_id="kept"))
        print("crawled", result.success)
        """,
        site.url("/page/1"),
    )
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "crawled True" in out
    assert_none_left(before)


def test_exception_inside_with_quits_the_browsers(site: DemoSite) -> None:
    """An exception raised inside ``with WebCrawler()`` still quits every driver it started."""
    before = our_browser_pids()
    with pytest.raises(LookupError, match="boom"), WebCrawler() as crawler:
        assert crawler.run(site.url("/page/1"), CrawlerRunConfig(session_id="w")).success
        started = crawler_pids(crawler)
        assert started
        raise LookupError("boom")
    assert not wait_until_gone(started)
    assert_none_left(before)


async def test_exception_inside_async_with_quits_the_browsers(site: DemoSite) -> None:
    """An exception raised inside ``async with AsyncWebCrawler()`` quits every driver."""
    before = our_browser_pids()
    with pytest.raises(LookupError, match="boom"):
        async with AsyncWebCrawler() as crawler:
            result = await crawler.arun(site.url("/page/1"), CrawlerRunConfig(session_id="a"))
            assert result.success
            started = crawler_pids(crawler)
            assert started
            raise LookupError("boom")
    assert not wait_until_gone(started)
    assert_none_left(before)


def test_close_twice_is_harmless(site: DemoSite) -> None:
    """close() is idempotent on both crawlers, before and after browsers were started."""
    before = our_browser_pids()
    crawler = WebCrawler()
    assert crawler.run(site.url("/page/1")).success
    crawler.close()
    crawler.close()
    never_used = WebCrawler()
    never_used.close()
    never_used.close()
    assert_none_left(before)


async def test_async_close_twice_is_harmless(site: DemoSite) -> None:
    """AsyncWebCrawler.close() may be awaited twice, and after ``async with`` closed it."""
    before = our_browser_pids()
    async with AsyncWebCrawler() as crawler:
        assert (await crawler.arun(site.url("/page/1"))).success
    await crawler.close()
    await crawler.close()
    assert_none_left(before)


def test_idle_session_is_closed_after_session_ttl(site: DemoSite) -> None:
    """With session_ttl=1 an idle session disappears within seconds and its window is closed."""
    with WebCrawler(BrowserConfig(session_ttl=1)) as crawler:
        # A crawl longer than the TTL: the session is busy, not idle, while it runs.
        slow = crawler.run(site.url("/slow?ms=1500"), CrawlerRunConfig(session_id="idle"))
        assert slow.success, slow.error_message
        assert "idle" in crawler.sessions()
        session = crawler.crawler_strategy.pool.session("idle")
        assert session is not None
        handle, thread = session.handle, session.thread
        finished = time.monotonic()
        deadline = finished + 8
        while "idle" in crawler.sessions():
            assert time.monotonic() < deadline, "the idle session was never closed"
            time.sleep(0.05)  # polling the pool's session table
        reaped_after = time.monotonic() - finished
        assert reaped_after >= 0.9, f"closed after {reaped_after:.2f} s, before session_ttl"
        # The window closes right after the session leaves the table (over BiDi on a page
        # thread, so not necessarily before a command queued on the driver thread).
        closing_deadline = time.monotonic() + 10
        while handle in thread.submit(lambda drv: drv.webdriver.window_handles).result(30):
            assert time.monotonic() < closing_deadline, "the idle session's window stayed open"
            time.sleep(0.05)  # polling the browser's window list
        again = crawler.run(site.url("/page/1"), CrawlerRunConfig(session_id="idle", js_only=True))
        assert not again.success
        assert "does not exist" in (again.error_message or "")


async def test_cancelled_queued_crawl_does_not_keep_its_session_alive(site: DemoSite) -> None:
    """A crawl cancelled while queued on a session does not stop the session from expiring."""
    async with AsyncWebCrawler(BrowserConfig(session_ttl=1)) as crawler:
        config = CrawlerRunConfig(session_id="cancelled")
        running = asyncio.ensure_future(crawler.arun(site.url("/slow?ms=1500"), config))
        queued = asyncio.ensure_future(crawler.arun(site.url("/page/1"), config))
        await asyncio.sleep(0)  # both crawls are submitted, the second waits behind the first
        queued.cancel()
        finished = await running
        assert finished.success, finished.error_message
        assert queued.cancelled()
        deadline = time.monotonic() + 8
        while "cancelled" in crawler.sessions():
            assert time.monotonic() < deadline, "the session never expired"
            await asyncio.sleep(0.05)  # polling the pool's session table


async def test_close_during_load_ends_every_call(site: DemoSite) -> None:
    """close() while 30 crawls are queued or running: every call ends, nothing is left behind."""
    before = our_browser_pids()
    crawler = AsyncWebCrawler(BrowserConfig(max_drivers=2))
    tasks = [
        asyncio.ensure_future(
            crawler.arun(
                site.url(f"/page/{n + 1}"),
                CrawlerRunConfig(session_id=f"busy-{n % 4}") if n % 2 else None,
            )
        )
        for n in range(30)
    ]
    for finished, next_done in enumerate(asyncio.as_completed(tasks), start=1):
        await next_done
        if finished == 5:
            break
    await crawler.close()
    results = await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
    for result in results:
        assert result.success or "closed" in (result.error_message or ""), result.error_message
    assert sum(not r.success for r in results) > 0, "close() came too late to test anything"
    assert_none_left(before)
