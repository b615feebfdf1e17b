"""Run the local stack as a child process on free loopback ports (tests and scripts).

A child keeps the stack's process-wide state (``os.environ`` for the handlers, moto's backends)
out of the caller's process.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from infra.local.config import LOOPBACK
from infra.template import ROOT


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


class LocalStackProcess:
    """``python -m infra.local`` as a child; use as a context manager. ``start_timeout`` allows for a shared,
    busy machine: the stack and its handler workers start at once (about 10 s at a load average of 10 on two
    cores)."""

    def __init__(self, log_path: Path, extra_env: dict[str, str] | None = None, start_timeout: float = 90.0) -> None:
        self.api_port = free_port()
        self.aws_port = free_port()
        self.log_path = log_path
        # The local care-team users and their passwords (see ``sign_in``).
        self.sign_in_path = log_path.with_name(f"{log_path.stem}-sign-in.json")
        # The integration's client id and secret, token URL and API URL (see ``integration``).
        self.integration_path = log_path.with_name(f"{log_path.stem}-integration.json")
        self.integration_port = free_port()
        self.receiver_port = free_port()
        # What the example receiver got and made, with LOCAL_WEBHOOK=1 (see ``receiver_record``).
        self.receiver_path = log_path.with_name(f"{log_path.stem}-receiver.jsonl")
        self.receiver_path.unlink(missing_ok=True)
        self.extra_env = {"LOCAL_SIGN_IN_FILE": str(self.sign_in_path),
                          "LOCAL_INTEGRATION_FILE": str(self.integration_path),
                          "LOCAL_INTEGRATION_PORT": str(self.integration_port),
                          "LOCAL_RECEIVER_PORT": str(self.receiver_port),
                          "LOCAL_RECEIVER_FILE": str(self.receiver_path), **(extra_env or {})}
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None

    @property
    def base_url(self) -> str:
        """The API and website base URL."""
        return f"http://{LOOPBACK}:{self.api_port}"

    @property
    def aws_url(self) -> str:
        """The AWS emulator endpoint."""
        return f"http://{LOOPBACK}:{self.aws_port}"

    def start(self) -> None:
        """Start the child and wait until the website answers."""
        env = {**os.environ, "LOCAL_API_PORT": str(self.api_port), "LOCAL_AWS_PORT": str(self.aws_port),
               "PYTHONUNBUFFERED": "1", **self.extra_env}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "infra.local"], cwd=ROOT, env=env, stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the local stack exited early; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/", timeout=2) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"the local stack did not start within {self.start_timeout} s; see {self.log_path}")

    def stop(self, timeout: float = 15.0) -> int:
        """Ctrl-C the child (SIGINT) and wait for it to exit; return its exit status."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.returncode = self.process.returncode
        return self.returncode

    def sign_in(self) -> dict[str, Any]:
        """The console's sign-in settings and the local users: ``{"region", "userPoolId", "clientId",
        "users": [{"username", "password", "groups", "name"}]}``."""
        data: dict[str, Any] = json.loads(self.sign_in_path.read_text(encoding="utf-8"))
        return data

    def integration(self) -> dict[str, Any]:
        """The integration's access: ``{"api_url", "token_url", "client_id", "client_secret", "scopes"}``."""
        data: dict[str, Any] = json.loads(self.integration_path.read_text(encoding="utf-8"))
        return data

    def receiver_record(self) -> list[dict[str, Any]]:
        """What the example receiver did (LOCAL_WEBHOOK=1), in order: ``{"delivery": {"status", "headers",
        "body"}}`` for each delivery it got, ``{"fhir": bundle}`` for each FHIR Bundle it made."""
        if not self.receiver_path.exists():
            return []
        lines = self.receiver_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def password_of(self, username: str) -> str:
        """The password of one local care-team user (``care@clinic.local``, ``admin@clinic.local``)."""
        return str(next(u["password"] for u in self.sign_in()["users"] if u["username"] == username))

    def log_text(self) -> str:
        """What the stack printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def __enter__(self) -> LocalStackProcess:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
