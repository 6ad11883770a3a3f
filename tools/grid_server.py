"""The Grid's Java processes for :mod:`tools.grid`: :class:`GridServer` (a standalone, hub
or node on 127.0.0.1, in a process group of its own, stopped with everything it started),
:class:`GridCluster` and :func:`distributed` (a hub and nodes on this machine).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from seleniumcrawl.browser import procs
from seleniumcrawl.browser.remote import GridError, get_status, no_proxy, summarize_status
from seleniumcrawl.errors import ConfigError
from tools.grid_jar import fetch_jar
from tools.grid_node import (
    DEFAULT_SESSION_REQUEST_TIMEOUT,
    LOCALHOST,
    _positive_int,
    default_browser_args,
    find_chromedriver,
    find_chromium,
    node_config,
)
from tools.ports import free_ports

#: A fixed name: the module also runs under the script ``python tools/grid.py``.
logger = logging.getLogger("seleniumcrawl.tools.grid")


_MARK_ENV = "SELENIUMCRAWL_GRID_OWNER"


_BIND_ERRORS = ("BindException", "Address already in use")
_MAX_BIND_ATTEMPTS = 3

Mode = Literal["standalone", "hub", "node"]
_MODES = ("standalone", "hub", "node")


def _pids_marked(mark: str) -> list[int]:
    """Processes whose environment carries our ``mark`` (Linux /proc; empty elsewhere)."""
    return procs.pids_with_environ(f"{_MARK_ENV}={mark}")


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _kill_leftovers(pgid: int, mark: str) -> None:
    """Last-resort cleanup (weakref.finalize / interpreter exit): SIGKILL all we started."""
    _signal_group(pgid, signal.SIGKILL)
    for pid in _pids_marked(mark):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


class GridServer:
    """One Selenium server process (standalone, hub or node) on 127.0.0.1.

    ``port=0`` picks a free port (retrying if another process grabs it first).
    A node needs ``hub_url`` and, unless the hub uses the default 4442/4443,
    ``publish_events``/``subscribe_events`` (a hub started here exposes them as
    :attr:`event_bus`).
    """

    def __init__(
        self,
        mode: Mode = "standalone",
        *,
        port: int = 0,
        max_sessions: int = 2,
        session_timeout: int = 300,
        session_request_timeout: int = DEFAULT_SESSION_REQUEST_TIMEOUT,
        java: str = "java",
        jar: str | Path | None = None,
        hub_url: str | None = None,
        publish_events: str | None = None,
        subscribe_events: str | None = None,
        log_file: str | Path | None = None,
        chromium_path: str | None = None,
        chromedriver_path: str | None = None,
        browser_args: Sequence[str] | None = None,
    ) -> None:
        if mode not in _MODES:
            raise ConfigError(f"GridServer.mode must be one of {', '.join(_MODES)}, got {mode!r}")
        if mode == "node" and not hub_url:
            raise ConfigError("GridServer(mode='node') needs hub_url")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ConfigError(f"GridServer.port must be 0..65535, got {port!r}")
        self.mode: Mode = mode
        self.max_sessions = _positive_int("max_sessions", max_sessions)
        self.session_timeout = _positive_int("session_timeout", session_timeout)
        self.session_request_timeout = _positive_int(
            "session_request_timeout", session_request_timeout
        )
        self.java = java
        self.jar = Path(jar) if jar is not None else None
        self.hub_url = hub_url
        self.log_file = Path(log_file) if log_file is not None else None
        self.chromium_path = chromium_path
        self.chromedriver_path = chromedriver_path
        self.browser_args = list(browser_args) if browser_args is not None else None
        self._requested_port = port
        self._port = port
        self._events = (publish_events, subscribe_events)
        self._auto_events = mode == "hub" and publish_events is None
        self._log_offset = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None
        self._log_path: Path | None = None
        self._mark = uuid.uuid4().hex
        self._finalizer: weakref.finalize[Any, Any] | None = None
        self._started_at = 0.0
        #: Seconds from launching Java to ``/status`` saying ready (set by :meth:`start`).
        self.startup_seconds: float | None = None

    # -- lifecycle -------------------------------------------------------------

    def start(self, timeout: float = 60) -> str:
        """Launch the server and wait (at most ``timeout`` s) until it is ready.

        Returns the base URL. Ready means ``/status`` reports ready; for a hub, which is
        not ready until a node registers, it means ``/status`` answers at all.
        """
        if self._proc is not None:
            raise GridError(f"{self!r} is already running")
        try:
            self.launch()
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self.url

    def launch(self) -> None:
        """Start the Java process without waiting (lets several nodes boot in parallel)."""
        if self._proc is not None:
            raise GridError(f"{self!r} is already running")
        if shutil.which(self.java) is None:
            raise GridError(f"Java ({self.java!r}) not found; the Grid needs Java 11 or newer")
        if self.jar is None:
            self.jar = fetch_jar()
        self._workdir = Path(tempfile.mkdtemp(prefix=f"seleniumcrawl-grid-{self.mode}-"))
        self._spawn()

    def wait_ready(self, timeout: float = 60) -> None:
        """Poll ``/status`` until ready, the process dies, or ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        attempts = 1
        opener = urllib.request.build_opener(no_proxy())
        while True:
            proc = self._require_proc()
            code = proc.poll()
            if code is not None:
                if self._lost_port_race() and attempts < _MAX_BIND_ATTEMPTS:
                    attempts += 1
                    logger.info("Port %s was taken; retrying %s on another", self._port, self)
                    self._spawn()
                    continue
                raise GridError(f"{self} exited with code {code}:\n{self._log_tail()}")
            with contextlib.suppress(GridError):
                if self._is_ready(get_status(self.url, timeout=2, opener=opener)):
                    self.startup_seconds = time.monotonic() - self._started_at
                    logger.info("%s ready in %.1f s", self, self.startup_seconds)
                    return
            if time.monotonic() > deadline:
                raise GridError(f"{self} not ready after {timeout} s:\n{self._log_tail()}")
            # Waiting on the process doubles as the poll interval and notices a crash at once.
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.25)

    def stop(self, grace: float = 10) -> None:
        """Stop the server and every browser it started; idempotent.

        SIGTERM to the process group lets the Grid quit its sessions; after ``grace``
        seconds the group gets SIGKILL. Then anything still carrying our marker (the
        crash handlers that left the group) is waited for briefly and killed.
        """
        proc, self._proc = self._proc, None
        if proc is not None:
            _signal_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                logger.warning("%s ignored SIGTERM for %s s; killing it", self, grace)
                _signal_group(proc.pid, signal.SIGKILL)
                proc.wait()
            # Browsers that outlived Java (orphans keep the group id) go too.
            _signal_group(proc.pid, signal.SIGKILL)
            self._reap_marked(deadline=time.monotonic() + 5)
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> GridServer:
        if self._proc is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"GridServer({self.mode!r}, port={self._port})"

    def __str__(self) -> str:
        return f"Selenium Grid {self.mode} on {LOCALHOST}:{self._port}"

    # -- queries ---------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL (``http://127.0.0.1:PORT``); the Grid endpoint for ``remote_url``."""
        if self._port == 0:
            raise GridError(f"{self!r} has no port yet; call start()")
        return f"http://{LOCALHOST}:{self._port}"

    @property
    def port(self) -> int:
        """The HTTP port (0 until started when it was left to us to pick)."""
        return self._port

    @property
    def event_bus(self) -> tuple[str, str]:
        """(publish, subscribe) event-bus addresses a node of this hub connects to."""
        publish, subscribe = self._events
        if publish is None or subscribe is None:
            raise GridError(f"{self!r} has no event bus addresses yet")
        return publish, subscribe

    @property
    def running(self) -> bool:
        """Whether the Java process is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def log_path(self) -> Path | None:
        """Where the server's output goes."""
        return self._log_path

    def status(self, timeout: float = 5) -> dict[str, Any]:
        """The ``value`` of this server's ``/status`` answer."""
        return get_status(self.url, timeout, urllib.request.build_opener(no_proxy()))

    def free_slots(self) -> int:
        """Slots on UP nodes that can take a new session now."""
        return int(summarize_status(self.status())["free_slots"])

    def session_count(self) -> int:
        """Sessions currently open on this server's node(s)."""
        return int(summarize_status(self.status())["sessions"])

    # -- internals -------------------------------------------------------------

    def _spawn(self) -> None:
        """(Re)launch Java with fresh auto-picked ports; output goes to the log file."""
        assert self._workdir is not None  # set by launch()
        if self._requested_port == 0:
            self._port = free_ports(1)[0]
        if self._auto_events:
            pub, sub = free_ports(2)
            self._events = (f"tcp://{LOCALHOST}:{pub}", f"tcp://{LOCALHOST}:{sub}")
        command = self._command()
        self._log_path = self.log_file or self._workdir / "grid.log"
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_offset = self._log_path.stat().st_size if self._log_path.exists() else 0
        # The node's drivers and browsers put their profiles under TMPDIR: our work
        # directory, removed at stop(), so a killed browser leaves nothing in /tmp.
        env = dict(os.environ, **{_MARK_ENV: self._mark, "TMPDIR": str(self._workdir)})
        logger.debug("Starting %s: %s", self, " ".join(command))
        with self._log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self._workdir,
                start_new_session=True,  # own process group: stop() signals it whole
            )
        self._started_at = time.monotonic()
        if self._finalizer is not None:
            self._finalizer.detach()
        self._finalizer = weakref.finalize(self, _kill_leftovers, self._proc.pid, self._mark)

    def _command(self) -> list[str]:
        assert self.jar is not None and self._workdir is not None
        command = [self.java, "-jar", str(self.jar), self.mode]
        command += ["--host", LOCALHOST, "--bind-host", "true", "--port", str(self._port)]
        publish, subscribe = self._events
        if self.mode == "hub":
            command += ["--session-request-timeout", str(self.session_request_timeout)]
        else:
            config = self._workdir / "node.toml"
            config.write_text(self._node_config(), encoding="utf-8")
            command += ["--config", str(config)]
        if self.mode == "node":
            assert self.hub_url is not None
            command += ["--hub", self.hub_url]
        if publish is not None and subscribe is not None:
            command += ["--publish-events", publish, "--subscribe-events", subscribe]
        return command

    def _node_config(self) -> str:
        args = self.browser_args if self.browser_args is not None else default_browser_args()
        return node_config(
            chromium_path=self.chromium_path or find_chromium(),
            chromedriver_path=self.chromedriver_path or find_chromedriver(),
            max_sessions=self.max_sessions,
            session_timeout=self.session_timeout,
            session_request_timeout=self.session_request_timeout,
            extra_args=args,
        )

    def _is_ready(self, value: Mapping[str, Any]) -> bool:
        if self.mode == "hub":
            return True  # answering at all; a hub is "not ready" until a node registers
        if self.mode == "node" and value.get("registered") is False:
            return False
        return bool(value.get("ready"))

    def _require_proc(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            raise GridError(f"{self!r} is not running")
        return self._proc

    def _lost_port_race(self) -> bool:
        """Whether Java died because an auto-picked port was taken in the meantime."""
        if self._requested_port != 0:
            return False
        tail = self._log_tail(200)
        return any(marker in tail for marker in _BIND_ERRORS)

    def _log_tail(self, lines: int = 30) -> str:
        if self._log_path is None or not self._log_path.is_file():
            return "(no log)"
        with self._log_path.open("rb") as log:
            log.seek(self._log_offset)  # this launch only, not an earlier attempt's output
            text = log.read().decode("utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _reap_marked(self, deadline: float) -> None:
        """Wait for marked processes to exit on their own, then SIGKILL the stragglers."""
        while (pids := _pids_marked(self._mark)) and time.monotonic() < deadline:
            time.sleep(0.1)  # crash handlers exit once their browser is gone; nothing to await
        for pid in pids:
            logger.warning("Killing process %s left behind by %s", pid, self)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


# --------------------------------------------------------------------------- distributed


class GridCluster:
    """A hub and its nodes on this machine: the multi-machine layout, in miniature."""

    def __init__(self, hub: GridServer, nodes: Sequence[GridServer]) -> None:
        self.hub = hub
        self.nodes = list(nodes)
        #: Seconds from launching the hub to every node registered.
        self.startup_seconds: float | None = None

    @property
    def url(self) -> str:
        """The hub's URL: the one address clients use."""
        return self.hub.url

    @property
    def running(self) -> bool:
        """Whether the hub and every node are alive."""
        return self.hub.running and all(node.running for node in self.nodes)

    def status(self, timeout: float = 5) -> dict[str, Any]:
        """The hub's ``/status`` value."""
        return self.hub.status(timeout)

    def free_slots(self) -> int:
        """Free slots across all registered nodes."""
        return self.hub.free_slots()

    def session_count(self) -> int:
        """Open sessions across all registered nodes."""
        return self.hub.session_count()

    def stop(self) -> None:
        """Stop nodes first (they quit their browsers), then the hub; each on its own."""
        for server in [*self.nodes, self.hub]:
            try:
                server.stop()
            except Exception:
                logger.exception("Stopping %s failed", server)

    def __enter__(self) -> GridCluster:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_registered(self, deadline: float) -> None:
        while True:
            with contextlib.suppress(GridError):
                summary = summarize_status(self.hub.status(timeout=2))
                if summary["nodes_up"] >= len(self.nodes):
                    return
            dead = [server for server in [self.hub, *self.nodes] if not server.running]
            if dead:
                raise GridError(f"{dead[0]} exited:\n{dead[0]._log_tail()}")
            if time.monotonic() > deadline:
                raise GridError(f"nodes did not register with {self.hub} in time")
            time.sleep(0.25)  # registration is an event-bus message; /status is all we can poll


def distributed(
    n_nodes: int = 2,
    *,
    port: int = 0,
    max_sessions: int = 2,
    session_timeout: int = 300,
    session_request_timeout: int = DEFAULT_SESSION_REQUEST_TIMEOUT,
    java: str = "java",
    jar: str | Path | None = None,
    timeout: float = 90,
    chromium_path: str | None = None,
    chromedriver_path: str | None = None,
    browser_args: Sequence[str] | None = None,
) -> GridCluster:
    """Start a hub and ``n_nodes`` nodes on 127.0.0.1 and wait until all are registered.

    Nodes reach the hub over its event bus (publish/subscribe ports picked free here,
    not the fixed 4442/4443, so several clusters can coexist). Everything started is
    stopped again if any part fails.
    """
    n_nodes = _positive_int("n_nodes", n_nodes)
    jar = Path(jar) if jar is not None else fetch_jar()
    began = time.monotonic()
    hub = GridServer(
        "hub",
        port=port,
        session_request_timeout=session_request_timeout,
        java=java,
        jar=jar,
    )
    cluster = GridCluster(hub, [])
    try:
        hub.start(timeout)
        publish, subscribe = hub.event_bus
        for _ in range(n_nodes):
            node = GridServer(
                "node",
                max_sessions=max_sessions,
                session_timeout=session_timeout,
                session_request_timeout=session_request_timeout,
                java=java,
                jar=jar,
                hub_url=hub.url,
                publish_events=publish,
                subscribe_events=subscribe,
                chromium_path=chromium_path,
                chromedriver_path=chromedriver_path,
                browser_args=browser_args,
            )
            cluster.nodes.append(node)
            node.launch()
        deadline = began + timeout
        for node in cluster.nodes:
            node.wait_ready(max(deadline - time.monotonic(), 1))
        cluster._wait_registered(deadline)
    except BaseException:
        cluster.stop()
        raise
    cluster.startup_seconds = time.monotonic() - began
    logger.info("Grid hub with %d nodes ready in %.1f s", n_nodes, cluster.startup_seconds)
    return cluster
