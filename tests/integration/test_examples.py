"""Each example in examples/ runs as a script against one shared demo site and succeeds."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from seleniumcrawl.demo import DEMO_URL_ENV, DemoSite

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples"
SCRIPT_TIMEOUT = 100

# Each example with the lines (regular expressions, in order) its output must contain, and
# the path prefix it must have fetched from the shared site.
CASES = {
    "basic_session.py": (
        [
            r"^Page 1: 3 products: Product 1-1, Product 1-2, Product 1-3$",
            r"^Page 2: 3 products: Product 2-1, Product 2-2, Product 2-3$",
            r"^Basic session: OK$",
        ],
        "/page/",
    ),
    "pagination_js_only.py": (
        [
            r"^Page 1: found 10 commits \(first: Commit title 1-1\)$",
            r"^Page 2: found 10 commits \(first: Commit title 2-1\)$",
            r"^Page 3: found 10 commits \(first: Commit title 3-1\)$",
            r"^Crawled 30 commits \(30 distinct\) across 3 pages$",
        ],
        "/commits",
    ),
    "wait_for_js_condition.py": (
        [
            r"^Page 1: 10 commits, first 'Commit title 1-1', ready after \d+ ms$",
            r"^Page 5: 10 commits, first 'Commit title 5-1', ready after \d+ ms$",
            r"^Read 5 pages, 50 distinct commits; no Next link on the last$",
        ],
        "/commits?delay=",
    ),
    "login_session.py": (
        [
            r"^Login: success=True, now at .*/dashboard$",
            r"^Logged in as: Demo User <demo@example.com>$",
            r"^Guest session \(own browser\): asked to log in$",
        ],
        "/api/me",
    ),
    "blocking_webcrawler.py": (
        [
            r"^Page 1: found 10 commits \(first: Commit title 1-1\)$",
            r"^Page 3: found 10 commits \(first: Commit title 3-1\)$",
            r"^Crawled 30 distinct commits across 3 pages \(blocking API\)$",
        ],
        "/commits",
    ),
}


@pytest.fixture(scope="module")
def shared_site() -> Iterator[DemoSite]:
    with DemoSite() as site:
        yield site


def run_example(name: str, demo_url: str) -> subprocess.CompletedProcess[str]:
    """Run examples/<name> with this interpreter, pointed at ``demo_url``."""
    python_path = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, DEMO_URL_ENV: demo_url, "PYTHONPATH": python_path}
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
        check=False,
    )


def test_every_example_is_covered() -> None:
    """A new example file cannot be added without a test case here."""
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(CASES)


@pytest.mark.timeout(SCRIPT_TIMEOUT + 20)
@pytest.mark.parametrize("name", sorted(CASES))
def test_example_succeeds_against_shared_site(shared_site: DemoSite, name: str) -> None:
    """The example exits 0, prints what it extracted, and used the site in the env variable."""
    expected, fetched_prefix = CASES[name]
    before = shared_site.count(fetched_prefix)
    completed = run_example(name, shared_site.base_url)
    output = completed.stdout
    assert completed.returncode == 0, f"stdout:\n{output}\nstderr:\n{completed.stderr}"
    lines = output.splitlines()
    position = 0
    for pattern in expected:
        matches = [i for i, line in enumerate(lines) if i >= position and re.search(pattern, line)]
        assert matches, f"no line matching {pattern!r} (in order) in:\n{output}"
        position = matches[0] + 1
    assert shared_site.count(fetched_prefix) > before
    assert "Traceback" not in completed.stderr


@pytest.mark.timeout(SCRIPT_TIMEOUT + 20)
@pytest.mark.parametrize("name", sorted(CASES))
def test_example_fails_when_site_is_unreachable(name: str) -> None:
    """With nothing serving the demo URL, the example reports failure through its exit status."""
    # A port bound but not listening refuses connections, and no other server on the
    # machine can take it while the example runs.
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        completed = run_example(name, f"http://127.0.0.1:{held.getsockname()[1]}")
    assert completed.returncode == 1, f"stdout:\n{completed.stdout}\nstderr:\n{completed.stderr}"
    assert "Traceback" not in completed.stderr
