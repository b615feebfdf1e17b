"""An example CRM receiver: verify the signed event, fetch the details with client credentials, print FHIR.

    CRM_WEBHOOK_SECRET=whsec_... CRM_TOKEN_URL=... CRM_API_URL=... CRM_CLIENT_ID=... CRM_CLIENT_SECRET=... \\
        python -m examples.crm_receiver.receiver 127.0.0.1 3002

It takes ``POST`` deliveries only when the ``standardwebhooks`` package verifies them (signature, and a
timestamp within its five-minute tolerance: an old replay is refused), and each ``webhook-id`` once. For
``inquiry.received`` and ``inquiry.status_changed`` it fetches the inquiry (the event carries no details) and
prints it as FHIR R4 (``fhir.to_fhir``). Local only; a real receiver serves HTTPS and stores, not prints.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import sys
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from examples.crm_receiver.fhir import to_fhir

MAX_BODY = 64 * 1024


class CrmClient:
    """The integration's side of OAuth 2.0 client credentials, and the fetch of one inquiry."""

    def __init__(self, token_url: str, api_url: str, client_id: str, client_secret: str) -> None:
        self.token_url, self.api_url = token_url, api_url.rstrip("/")
        self.basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()

    def token(self) -> str:
        form = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": "inquiries/read"}).encode()
        request = urllib.request.Request(self.token_url, data=form, method="POST", headers={  # noqa: S310
            "Authorization": f"Basic {self.basic}", "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the configured token URL
            return str(json.loads(answer.read())["access_token"])

    def inquiry(self, inquiry_id: str) -> dict[str, Any]:
        url = f"{self.api_url}/care/inquiries/{urllib.parse.quote(inquiry_id, safe='')}"
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.token()}"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the configured API URL
            found: dict[str, Any] = json.loads(answer.read())
            return found


class CrmReceiver(ThreadingHTTPServer):
    """Receives deliveries on ``host:port``; keeps each FHIR Bundle it produced in ``produced``.

    A delivery is acknowledged as soon as it is verified; the fetch and the mapping happen after, in a worker
    (a receiver answers quickly, as Standard Webhooks asks: the sender's deadline is short)."""

    def __init__(self, host: str, port: int, secret: str, client: CrmClient, out: TextIO = sys.stdout) -> None:
        super().__init__((host, port), _Handler)
        self.webhook, self.client, self.out = Webhook(secret), client, out
        self.seen: set[str] = set()
        self.produced: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.pending: queue.Queue[tuple[str, str]] = queue.Queue()
        threading.Thread(target=self._work, name="crm-receiver-worker", daemon=True).start()

    def handle_event(self, headers: dict[str, str], body: bytes) -> int:
        """The HTTP status for one delivery: 401 unverified, 200 a repeat, 204 taken."""
        try:
            event: dict[str, Any] = self.webhook.verify(body, headers)
        except (WebhookVerificationError, ValueError):  # unsigned, tampered, too old or new, malformed
            return 401
        with self.lock:
            if headers["webhook-id"] in self.seen:
                return 200  # a retry of one already taken: acknowledged, not taken twice
            self.seen.add(headers["webhook-id"])
        if event.get("type") in ("inquiry.received", "inquiry.status_changed"):
            self.pending.put((headers["webhook-id"], str(event["data"]["inquiry_id"])))
        return 204

    def _work(self) -> None:
        while True:
            event_id, inquiry_id = self.pending.get()
            try:
                bundle = to_fhir(self.client.inquiry(inquiry_id))
            except (OSError, ValueError, KeyError):  # not fetched: a replay of the event is taken again
                with self.lock:
                    self.seen.discard(event_id)
            else:
                self.took(bundle)
            self.pending.task_done()

    def took(self, bundle: dict[str, Any]) -> None:
        """What the CRM does with the FHIR: here, keep it and print it."""
        with self.lock:
            self.produced.append(bundle)
            print(json.dumps(bundle, indent=2), file=self.out, flush=True)


class _Handler(BaseHTTPRequestHandler):
    server: CrmReceiver

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        status = 413 if length > MAX_BODY else self.server.handle_event(
            {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no request lines: nothing about a delivery is logged


def main(argv: list[str]) -> None:
    """Serve until interrupted (settings from the CRM_* environment variables)."""
    env = os.environ
    client = CrmClient(env["CRM_TOKEN_URL"], env["CRM_API_URL"], env["CRM_CLIENT_ID"], env["CRM_CLIENT_SECRET"])
    host, port = (argv[0] if argv else "127.0.0.1"), int(argv[1] if len(argv) > 1 else "3002")
    CrmReceiver(host, port, env["CRM_WEBHOOK_SECRET"], client).serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
