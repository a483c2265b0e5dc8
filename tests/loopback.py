"""What the loopback servers share: a threaded HTTP server on 127.0.0.1, started
and stopped with `with`, a reply that survives a client that gave up, and replies
that never arrive in time (`send_slowly`)."""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

# How `send_slowly` misbehaves: the body one byte a second; a chunked body that
# never ends; the headers, then nothing.
SLOW_KINDS = ("drip", "endless", "stall")


class LoopbackServer:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.stopping = threading.Event()  # set on exit: slow replies give up
        self._sending_slowly = 0
        self._quiet = threading.Condition()

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.wait_until_quiet(5.0)
        self._server.shutdown()
        self._server.server_close()

    def wait_until_quiet(self, timeout: float) -> bool:
        """True once no slow reply is being sent (each stops when its client leaves)."""
        with self._quiet:
            return self._quiet.wait_for(lambda: self._sending_slowly == 0, timeout)

    def send_slowly(
        self,
        handler: BaseHTTPRequestHandler,
        kind: str,
        status: int,
        body: bytes,
        headers: dict[str, str],
    ) -> None:
        """The headers at once, then the body the `kind` way, until the client hangs up."""
        with self._counted():
            handler.protocol_version = "HTTP/1.1"  # for the chunked body
            handler.close_connection = True
            try:
                handler.send_response(status)
                for name, value in headers.items():
                    handler.send_header(name, value)
                if kind == "endless":
                    handler.send_header("Transfer-Encoding", "chunked")
                else:
                    handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                handler.wfile.flush()
                self._send_body(handler, kind, body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client left mid-write

    def _send_body(self, handler: BaseHTTPRequestHandler, kind: str, body: bytes) -> None:
        if kind == "drip":
            for at in range(len(body)):
                if self._left(handler, 1.0):
                    return
                handler.wfile.write(body[at : at + 1])
                handler.wfile.flush()
        elif kind == "endless":  # the real answer, then the same again, forever
            piece = body or b" "
            at = 0
            while not self._left(handler, 0.05):
                chunk = (piece * 2)[at % len(piece) :][:512]
                at += len(chunk)
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                handler.wfile.flush()
        else:  # stall
            while not self._left(handler, 0.1):
                pass

    def _left(self, handler: BaseHTTPRequestHandler, wait: float) -> bool:
        """Wait up to `wait` s; True when the client hung up or the server stops."""
        connection: socket.socket = handler.connection
        readable, _, _ = select.select([connection], [], [], wait)
        if readable:
            try:
                if connection.recv(1, socket.MSG_PEEK) == b"":
                    return True
            except OSError:
                return True
            self.stopping.wait(wait)  # it sent more: still there, and no busy loop
        return self.stopping.is_set()

    @contextmanager
    def _counted(self) -> Iterator[None]:
        with self._quiet:
            self._sending_slowly += 1
        try:
            yield
        finally:
            with self._quiet:
                self._sending_slowly -= 1
                self._quiet.notify_all()


class QuietHandler(BaseHTTPRequestHandler):
    """The servers' request handler: no line on stderr for each request, which would
    bury what a failing test prints."""

    def log_message(self, *args: object) -> None:
        pass


def send(
    handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
) -> None:
    try:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client timed out and left: nothing to tell it
