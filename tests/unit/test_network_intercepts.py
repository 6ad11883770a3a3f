"""The always-answer rules of browser/network.py's intercepts, against a recording
stand-in for the BiDi connection (the browser side is in tests/integration) (#26)."""

from __future__ import annotations

import concurrent.futures
import threading
from typing import Any

from seleniumcrawl.browser.network import NetworkInterceptor, PausedRequest


class _Recorder:
    """Records the commands sent; answers addIntercept with an id, the rest with {}."""

    name = "fake-bidi"
    closed = False

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.listeners: dict[str, Any] = {}
        self.answered = threading.Event()

    def add_listener(self, method: str, listener: Any) -> None:
        self.listeners[method] = listener

    def remove_listener(self, method: str, listener: Any) -> None:
        self.listeners.pop(method, None)

    def call(self, method: str, params: dict[str, Any], timeout: float) -> dict[str, Any]:
        self.sent.append((method, params))
        return {"intercept": "i1"} if method == "network.addIntercept" else {}

    def send(self, method: str, params: dict[str, Any]) -> concurrent.futures.Future[Any]:
        self.sent.append((method, params))
        self.answered.set()
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        future.set_result({})
        return future

    def pause(self, url: str = "http://h/x.json", context: str = "c1") -> None:
        self.listeners["network.beforeRequestSent"](
            {
                "isBlocked": True,
                "intercepts": ["i1"],
                "context": context,
                "request": {"request": "r1", "url": url, "method": "GET", "headers": []},
            }
        )

    def answers(self) -> list[str]:
        return [m for m, _ in self.sent if m.startswith("network.") and "Intercept" not in m]


def _setup(handler: Any, **kw: Any) -> tuple[_Recorder, NetworkInterceptor, list[Any]]:
    bidi = _Recorder()
    interceptor = NetworkInterceptor(bidi, 5, **kw)  # type: ignore[arg-type]
    errors: list[Any] = []
    interceptor.add(
        "beforeRequestSent", handler, contexts=["c1"], on_error=lambda r, e: errors.append(e)
    )
    return bidi, interceptor, errors


def _wait(bidi: _Recorder) -> None:
    assert bidi.answered.wait(5)


def test_scoped_to_its_contexts_and_subscribed_once() -> None:
    """add() subscribes the phase's event and adds an intercept for its contexts."""
    bidi, _, _ = _setup(lambda r: None)
    assert ("session.subscribe", {"events": ["network.beforeRequestSent"]}) in bidi.sent
    assert ("network.addIntercept", {"phases": ["beforeRequestSent"], "contexts": ["c1"]}) in (
        bidi.sent
    )


def test_unanswered_request_is_continued() -> None:
    """A handler that does not answer: the request continues."""
    bidi, interceptor, errors = _setup(lambda r: None)
    bidi.pause()
    _wait(bidi)
    interceptor.close()
    assert bidi.answers() == ["network.continueRequest"] and errors == []


def test_raising_handler_fails_the_request_and_is_reported() -> None:
    """A handler that raises: the request fails (once), on_error gets the exception."""

    def broken(request: PausedRequest) -> None:
        raise RuntimeError("bug")

    bidi, interceptor, errors = _setup(broken)
    bidi.pause()
    _wait(bidi)
    interceptor.close()
    assert bidi.answers() == ["network.failRequest"]
    assert [str(e) for e in errors] == ["bug"]


def test_slow_handler_is_answered_for_and_its_late_answer_ignored() -> None:
    """A handler still running after handler_timeout: the request is failed without it;
    the answer it gives later is not sent (one answer per request)."""
    release, done = threading.Event(), threading.Event()
    late: list[bool] = []

    def slow(request: PausedRequest) -> None:
        release.wait(5)
        late.append(request.continue_())
        done.set()

    bidi, interceptor, _ = _setup(slow, handler_timeout=0.2)
    bidi.pause()
    _wait(bidi)
    release.set()
    assert done.wait(5)
    interceptor.close()
    assert bidi.answers() == ["network.failRequest"] and late == [False]


def test_requests_of_other_contexts_are_not_taken() -> None:
    """A paused request of another context (another owner's intercept) gets no answer
    from this handler."""
    bidi, interceptor, _ = _setup(lambda r: r.fail())
    bidi.pause(context="other")
    interceptor.close()
    assert bidi.answers() == []


def test_provide_response_sends_status_headers_and_body() -> None:
    """provide_response sends the status, BiDi headers and a string body."""
    bidi, interceptor, _ = _setup(
        lambda r: r.provide_response(status=201, headers={"a": "b"}, body="hi")
    )
    bidi.pause()
    _wait(bidi)
    interceptor.close()
    params = next(p for m, p in bidi.sent if m == "network.provideResponse")
    assert params["statusCode"] == 201 and params["reasonPhrase"] == "Created"
    assert params["headers"] == [{"name": "a", "value": {"type": "string", "value": "b"}}]
    assert params["body"] == {"type": "string", "value": "hi"}


def test_a_url_test_rejecting_continues_at_once_without_the_handler() -> None:
    """An intercept's accepts(url) that rejects: the request is continued on the reader
    thread itself (before the event listener returns), the handler never runs."""
    bidi = _Recorder()
    interceptor = NetworkInterceptor(bidi, 5)  # type: ignore[arg-type]
    ran: list[str] = []
    interceptor.add(
        "beforeRequestSent",
        lambda r: ran.append(r.url),
        contexts=["c1"],
        accepts=lambda url: url.endswith(".png"),
    )
    bidi.pause(url="http://h/page.html")
    assert bidi.answers() == ["network.continueRequest"] and ran == []
    interceptor.close()


def test_a_refused_answer_is_replaced_by_a_failure() -> None:
    """When the browser refuses an answer (a bad status, say), the request would stay
    paused: it is failed instead, so the page never stalls."""
    from seleniumcrawl.browser.bidi import BidiError

    class Refusing(_Recorder):
        def send(self, method: str, params: dict[str, Any]) -> concurrent.futures.Future[Any]:
            future = super().send(method, params)
            if method == "network.provideResponse":
                refused: concurrent.futures.Future[Any] = concurrent.futures.Future()
                refused.set_exception(BidiError("unknown error", "Invalid http status code"))
                return refused
            return future

    bidi = Refusing()
    interceptor = NetworkInterceptor(bidi, 5)  # type: ignore[arg-type]
    done = threading.Event()

    def answer(request: PausedRequest) -> None:
        request.provide_response(status=200)
        done.set()

    interceptor.add("beforeRequestSent", answer, contexts=["c1"])
    bidi.pause()
    assert done.wait(5)
    interceptor.close()
    assert bidi.answers() == ["network.provideResponse", "network.failRequest"]
