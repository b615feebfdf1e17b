"""A bare moto server on 127.0.0.1 for the emulator's own tests, and boto3 clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from infra.local.aws_emulator import DUMMY_CREDENTIALS, MotoServer
from infra.local.child import free_port


@contextmanager
def moto_endpoint() -> Iterator[str]:
    """A moto server of its own on a free loopback port, stopped afterwards: its URL."""
    server = MotoServer(free_port())
    server.start()
    try:
        yield f"http://127.0.0.1:{server._port}"
    finally:
        server.stop()


def client_at(service: str, endpoint: str) -> Any:
    """A boto3 client of ``service`` at ``endpoint`` with the emulator's dummy credentials."""
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",  # type: ignore[call-overload]
                        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
