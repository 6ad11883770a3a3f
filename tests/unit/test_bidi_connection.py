"""BidiConnection against a minimal WebSocket server on 127.0.0.1 (no browser).

The server does the RFC 6455 handshake by hand and answers each command with the text
frame the test chose, so what arrives on the wire is exactly what the test says.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from seleniumcrawl.browser.bidi import BidiClosedError, BidiConnection

pytestmark = pytest.mark.timeout(30)

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _read_frame(conn: socket.socket) -> bytes | None:
    """One client text frame's payload (clients always mask; commands fit in one frame);
    None for any other frame (the client's close)."""
    head = _exactly(conn, 2)
    length = head[1] & 0x7F
    if length == 126:
        length = struct.unpack("!H", _exactly(conn, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", _exactly(conn, 8))[0]
    mask = _exactly(conn, 4)
    payload = _exactly(conn, length)
    if head[0] & 0x0F != 0x1:
        return None
    return bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def _exactly(conn: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = conn.recv(count - len(data))
        if not chunk:
            raise ConnectionError("client went away")
        data += chunk
    return data


def _text_frame(payload: bytes) -> bytes:
    """An unmasked, final text frame carrying ``payload`` as given (valid UTF-8 or not)."""
    if len(payload) < 126:
        header = struct.pack("!BB", 0x81, len(payload))
    elif len(payload) < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, len(payload))
    else:
        header = struct.pack("!BBQ", 0x81, 127, len(payload))
    return header + payload


@contextlib.contextmanager
def ws_server(answer: Callable[[dict[str, Any]], bytes]) -> Iterator[str]:
    """Serve one WebSocket client; each command gets the frame payload ``answer(command)``."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(4096)
            key = next(
                line.split(":", 1)[1].strip()
                for line in request.decode().split("\r\n")
                if line.lower().startswith("sec-websocket-key:")
            )
            accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
            conn.sendall(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n".encode()
            )
            with contextlib.suppress(OSError, ConnectionError):
                while (frame := _read_frame(conn)) is not None:
                    conn.sendall(_text_frame(answer(json.loads(frame))))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"ws://127.0.0.1:{port}/session"
    finally:
        listener.close()
        thread.join(5)


def test_multibyte_text_arrives_intact() -> None:
    """A large answer full of multi-byte UTF-8 (a page's HTML) decodes exactly as sent."""
    text = "Ünïcødé 中文 ✓ — " * 5_000

    def answer(command: dict[str, Any]) -> bytes:
        result = {"result": {"type": "string", "value": text}}
        return json.dumps({"id": command["id"], "result": result}, ensure_ascii=False).encode()

    with ws_server(answer) as url:
        connection = BidiConnection(url, connect_timeout=5)
        try:
            got = connection.call("script.evaluate", {}, timeout=5)
        finally:
            connection.close()
    assert got["result"]["value"] == text


def test_malformed_utf8_fails_the_connection_at_once() -> None:
    """A text frame that is not UTF-8 ends the connection: the waiting command fails with
    BidiClosedError (the connection was lost) well before its own timeout."""

    def answer(command: dict[str, Any]) -> bytes:
        return b'{"id": %d, "result": {"value": "\xff\xfe"}}' % command["id"]

    with ws_server(answer) as url:
        connection = BidiConnection(url, connect_timeout=5)
        try:
            with pytest.raises(BidiClosedError, match="lost"):
                connection.call("script.evaluate", {}, timeout=20)
            assert connection.closed
        finally:
            connection.close()
