"""Issue 11, finding 8: the chat webhook follows no redirect and has a deadline for the whole exchange.

Servers here bind 127.0.0.1 only; nothing leaves the machine.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from inquiries.delivery.chat import ChatPostFailed, post_to_chat

from tests.support.loopback_server import running


class Recorder:
    """What the servers received."""

    def __init__(self) -> None:
        self.paths: list[str] = []


def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    with running(server):
        yield server


@pytest.fixture
def target() -> Iterator[tuple[ThreadingHTTPServer, Recorder]]:
    """Where a redirect would lead: it must never be reached."""
    seen = Recorder()

    class Target(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.paths.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            self.do_POST()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    for server in serve(Target):
        yield server, seen


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_refused_and_never_followed(target: tuple[ThreadingHTTPServer, Recorder], status: int) -> None:
    redirect_to = f"http://127.0.0.1:{target[0].server_address[1]}/elsewhere"

    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(status)
            self.send_header("Location", redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    for hook in serve(Redirecting):
        with pytest.raises(ChatPostFailed) as caught:
            post_to_chat(f"http://127.0.0.1:{hook.server_address[1]}/hook", "text", timeout=5)
        assert caught.value.reason == f"chat_redirect_{status}"
    assert target[1].paths == []


def test_a_server_trickling_its_answer_is_cut_off_at_the_deadline() -> None:
    """A per-socket timeout restarts with every byte; the deadline does not."""
    sent: list[int] = []
    stop = threading.Event()

    class Trickling(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(100_000):
                if stop.wait(0.05):
                    return
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return
                sent.append(1)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    for hook in serve(Trickling):
        with pytest.raises(ChatPostFailed) as caught:
            post_to_chat(f"http://127.0.0.1:{hook.server_address[1]}/hook", "text", timeout=1.0)
        stop.set()
        assert caught.value.reason == "chat_deadline"
        assert len(sent) < 100_000, "the answer was never read to its end"


def test_a_2xx_answer_is_success_and_the_hook_got_the_text_as_json() -> None:
    received: list[tuple[str, str, bytes]] = []

    class Ok(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append((self.path, self.headers["Content-Type"],
                             self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    for hook in serve(Ok):
        post_to_chat(f"http://127.0.0.1:{hook.server_address[1]}/hook", "New inquiry \u2014 ref 7KQ2", timeout=5)
    [(path, content_type, body)] = received
    assert path == "/hook"
    assert content_type.startswith("application/json")
    assert json.loads(body) == {"text": "New inquiry \u2014 ref 7KQ2"}


def test_nobody_listening_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ChatPostFailed) as caught:
        post_to_chat(f"http://127.0.0.1:{port}/hook", "text", timeout=2)
    assert caught.value.reason == "chat_unreachable"
