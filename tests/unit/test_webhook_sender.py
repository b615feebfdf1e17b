"""Issue 22 item 2: the webhook sender's SSRF guard, redirects, deadline and answer limit.

Destinations that resolve to private, loopback, link-local, multicast, reserved, CGNAT, unique-local or
IPv4-mapped addresses are refused before any connection; the address checked is the one connected to (no
second resolution); plain http is refused unless the local-only setting allows http://127.0.0.1:<port>.
The servers here are this test's own, on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from inquiries.handoff import sender
from inquiries.handoff.sender import DeliveryFailed, DeliveryRefused, is_public_address, post, target_for

from tests.support.loopback_server import running

NOT_PUBLIC = ["10.1.2.3", "172.16.0.9", "192.168.1.1", "127.0.0.1", "127.8.8.8", "169.254.169.254", "0.0.0.0",  # noqa: S104 (a refused address, not a bind)
              "100.64.0.1", "100.127.255.254", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
              "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:10.0.0.1", "::ffff:8.8.8.8",
              "2002:0a00:0001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "fec0::1", "198.18.0.1", "192.0.2.10"]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_a_name_resolving_to_a_non_public_address_is_refused(address: str) -> None:
    assert not is_public_address(address)
    with pytest.raises(DeliveryRefused) as refused:
        target_for("https://hooks.example.com/in", resolver=lambda _h, _p: [address])
    assert refused.value.reason == "address_not_public"


@pytest.mark.parametrize("address", ["10.0.0.5", "169.254.169.254", "[::1]", "[::ffff:127.0.0.1]"])
def test_an_address_literal_that_is_not_public_is_refused(address: str) -> None:
    with pytest.raises(DeliveryRefused):
        target_for(f"https://{address}/in", resolver=lambda _h, _p: pytest.fail("a literal is not resolved"))


def test_one_private_address_among_public_ones_refuses_the_name() -> None:
    with pytest.raises(DeliveryRefused):
        target_for("https://hooks.example.com/", resolver=lambda _h, _p: ["93.184.216.34", "10.0.0.1"])


def test_the_checked_address_is_the_one_connected_to_without_resolving_again(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])  # a rebinding name: public first, loopback next
    calls: list[str] = []

    def resolver(host: str, _port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    connected: list[tuple[str, int]] = []

    def fake_connect(address: tuple[str, int], *_: Any) -> socket.socket:
        connected.append(address)
        raise OSError("test: no network")

    monkeypatch.setattr(socket, "create_connection", fake_connect)
    with pytest.raises(DeliveryFailed):
        post("https://hooks.example.com:8443/in?x=1", b"{}", {}, deadline=1, resolver=resolver)
    assert calls == ["hooks.example.com"]
    assert connected == [("93.184.216.34", 8443)]


def test_a_rebinding_name_cannot_reach_loopback() -> None:
    """The second answer (loopback) is refused on its own resolution; nothing is connected to it."""
    with pytest.raises(DeliveryRefused):
        post("https://rebind.example.com/", b"{}", {}, deadline=1, resolver=lambda _h, _p: ["127.0.0.1"])


@pytest.mark.parametrize("url", ["http://hooks.example.com/", "ftp://hooks.example.com/",
                                 "https://user:pw@hooks.example.com/", "http://127.0.0.1:8080/",
                                 "http://localhost:8080/", "//hooks.example.com/", "https:///x"])
def test_anything_but_plain_https_is_refused(url: str) -> None:
    with pytest.raises(DeliveryRefused):
        target_for(url, resolver=lambda _h, _p: ["93.184.216.34"])


def test_the_local_setting_allows_only_http_to_127_0_0_1_with_a_port() -> None:
    assert target_for("http://127.0.0.1:9000/hook", allow_loopback_http=True).address == "127.0.0.1"
    for url in ("http://localhost:9000/", "http://127.0.0.2:9000/", "http://127.0.0.1/", "http://10.0.0.1:9000/"):
        with pytest.raises(DeliveryRefused):
            target_for(url, allow_loopback_http=True)
    with pytest.raises(DeliveryRefused):
        target_for("https://127.0.0.1:9000/", allow_loopback_http=True)


class Answers(ThreadingHTTPServer):
    def __init__(self, status: int, body: bytes = b"", trickle: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), AnswerHandler)
        self.status, self.body, self.trickle = status, body, trickle
        self.hits = 0
        self.stop = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class AnswerHandler(BaseHTTPRequestHandler):
    server: Answers

    def do_POST(self) -> None:
        self.server.hits += 1
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(self.server.status)
        if self.server.status in (301, 302, 307, 308):
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_address[1]}/elsewhere")
        self.send_header("Content-Length", str(len(self.server.body) or 10_000_000))
        self.end_headers()
        if self.server.trickle:
            for _ in range(100):
                if self.server.stop.wait(0.1):
                    return
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return
        else:
            self.wfile.write(self.server.body)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_answered_but_never_followed(status: int) -> None:
    with running(Answers(status)) as server:
        assert post(server.url, b"{}", {}, deadline=3, allow_loopback_http=True) == status
        assert server.hits == 1


def test_the_deadline_bounds_the_whole_exchange() -> None:
    with running(Answers(200, trickle=True)) as server:
        started = time.monotonic()
        with pytest.raises(DeliveryFailed) as failed:
            post(server.url, b"{}", {}, deadline=0.5, allow_loopback_http=True)
        server.stop.set()
    assert failed.value.reason == "deadline"
    assert time.monotonic() - started < 3


def test_an_answer_is_read_only_up_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[int | None] = []
    original = http.client.HTTPResponse.read

    def spy(self: Any, amt: int | None = None) -> bytes:
        read.append(amt)
        data: bytes = original(self, amt)
        return data

    monkeypatch.setattr(http.client.HTTPResponse, "read", spy)
    with running(Answers(200, body=b"y" * 100_000)) as server:
        assert post(server.url, b"{}", {}, deadline=3, allow_loopback_http=True) == 200
    assert read == [sender.MAX_ANSWER_BYTES]


def test_without_the_local_setting_a_loopback_receiver_is_refused() -> None:
    with running(Answers(204)) as server:
        with pytest.raises(DeliveryRefused):
            post(server.url, b"{}", {}, deadline=3)
        assert server.hits == 0
