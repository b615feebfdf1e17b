"""Running a test's own HTTP server on 127.0.0.1 for the length of a ``with`` block, and the webhook receiver
the webhook tests run."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import BaseServer
from typing import Any, TypeVar

S = TypeVar("S", bound=BaseServer)


@contextmanager
def running(server: S) -> Iterator[S]:
    """Serve ``server`` from a daemon thread; shut it down and close it afterwards."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class WebhookReceiver(ThreadingHTTPServer):
    """A webhook receiver on 127.0.0.1: answers each POST with the next status of ``statuses`` (the last one
    repeats; 204 when none is given) and keeps what it got: (path, headers with lowercase names, body)."""

    def __init__(self, *statuses: int) -> None:
        super().__init__(("127.0.0.1", 0), _WebhookReceiverHandler)
        self.statuses = list(statuses) or [204]
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        """Where deliveries go."""
        return f"http://127.0.0.1:{self.server_address[1]}/hooks"


class _WebhookReceiverHandler(BaseHTTPRequestHandler):
    server: WebhookReceiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.server.lock:
            self.server.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status = self.server.statuses.pop(0) if len(self.server.statuses) > 1 else self.server.statuses[0]
        self.send_response(status)
        if 300 <= status < 400:  # a redirect names somewhere else on the same receiver
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_address[1]}/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass
