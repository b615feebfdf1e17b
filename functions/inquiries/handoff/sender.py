"""POST one signed delivery to a destination, guarded against server-side request forgery.

- Only ``https://`` URLs, with no user info. The name is resolved first; every address it resolves to
  must be public (none private, loopback, link-local, multicast, reserved, unspecified, CGNAT
  100.64.0.0/10, unique-local fc00::/7, site-local, IPv4-mapped, 6to4 or Teredo), else the delivery is
  refused. The connection then goes to the checked address (TLS still verifies the certificate against
  the name, and SNI names it), so a second resolution cannot swap in another address (DNS rebinding).
- No redirect is followed (``http.client`` follows none): a 3xx answer is a failed delivery.
- ``deadline`` bounds the whole exchange: a watchdog shuts the socket when it passes, so a server
  trickling its answer cannot hold the consumer. At most ``MAX_ANSWER_BYTES`` of the answer are read.
- ``allow_loopback_http`` (the local stack only; template.yaml never sets it) lets plain
  ``http://127.0.0.1:<port>`` through, and nothing else that the rules above refuse.

Failures raise ``DeliveryRefused`` (the destination itself is not allowed) or ``DeliveryFailed`` (it did
not answer in time); each carries a fixed reason code, never the URL or the body.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from inquiries.bounded_post import ExchangeFailed, post_within

MAX_ANSWER_BYTES = 1024
LOOPBACK_HOST = "127.0.0.1"
_CGNAT = ipaddress.ip_network("100.64.0.0/10")

Resolver = Callable[[str, int], list[str]]


class DeliveryRefused(Exception):
    """The destination is not one a delivery may go to. ``reason`` is a fixed code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DeliveryFailed(Exception):
    """The destination did not answer in time, or could not be reached. ``reason`` is a fixed code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_public_address(address: str) -> bool:
    """True only for a globally routable unicast address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None or ip.sixtofour is not None or ip.teredo is not None or ip.is_site_local:
            return False
    elif ip in _CGNAT:
        return False
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
                or ip.is_unspecified) and ip.is_global


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (TCP)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise DeliveryFailed("name_unresolved") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Target:
    """Where a delivery goes: the URL's parts and the checked address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def check_url(url: str, *, allow_loopback_http: bool = False) -> tuple[str, str, int, str]:
    """A URL's scheme, host, port and path when its form is allowed (before any resolution)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DeliveryRefused("url_malformed") from None
    host = parts.hostname or ""
    if parts.username is not None or parts.password is not None or not host or parts.fragment:
        raise DeliveryRefused("url_malformed")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.scheme == "https":
        return "https", host, port or 443, path
    if parts.scheme == "http" and allow_loopback_http and host == LOOPBACK_HOST and port:
        return "http", host, port, path
    raise DeliveryRefused("url_not_https")


def target_for(url: str, *, allow_loopback_http: bool = False, resolver: Resolver = resolve) -> Target:
    """The checked target of a URL: raises ``DeliveryRefused`` unless every address it names is public."""
    scheme, host, port, path = check_url(url, allow_loopback_http=allow_loopback_http)
    if scheme == "http":
        return Target(scheme, host, port, path, LOOPBACK_HOST)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        addresses = resolver(host, port)
    else:
        addresses = [str(literal)]
    if not addresses:
        raise DeliveryFailed("name_unresolved")
    if not all(is_public_address(a) for a in addresses):
        raise DeliveryRefused("address_not_public")
    return Target(scheme, host, port, path, addresses[0])


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked address, with the certificate verified against (and SNI naming) the host."""

    def __init__(self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP to the checked (loopback) address."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(url: str, body: bytes, headers: Mapping[str, str], *, deadline: float,
         allow_loopback_http: bool = False, resolver: Resolver = resolve,
         tls: ssl.SSLContext | None = None) -> int:
    """POST ``body`` and return the answer's status (any status: the caller decides what it means)."""
    target = target_for(url, allow_loopback_http=allow_loopback_http, resolver=resolver)
    conn: http.client.HTTPConnection
    if target.scheme == "https":
        conn = _PinnedHTTPSConnection(target.host, target.port, target.address, deadline,
                                      tls or ssl.create_default_context())
    else:
        conn = _PinnedHTTPConnection(target.host, target.port, target.address, deadline)
    try:
        return post_within(conn, target.path, body, headers, deadline=deadline, max_answer_bytes=MAX_ANSWER_BYTES)
    except ExchangeFailed as failed:
        raise DeliveryFailed("deadline" if failed.expired else "unreachable") from None

