"""Handlers for the handler-worker tests (``tests/integration/test_local_handler_process.py``): imported in a
worker process by their dotted path."""

from __future__ import annotations

import os
import time
from typing import Any


def echo(event: Any, context: Any) -> dict[str, Any]:
    """The event back, with where and how it ran."""
    return {"event": event, "pid": os.getpid(), "function": context.function_name,
            "remaining_ms": context.get_remaining_time_in_millis(), "env": os.environ.get("WORKER_TEST_VALUE")}


def slow(event: Any, context: Any) -> dict[str, Any]:
    """Sleeps ``event["seconds"]``; reports its process and when it ran."""
    started = time.monotonic()
    time.sleep(float(event["seconds"]))
    return {"pid": os.getpid(), "started": started, "ended": time.monotonic()}


class InquiryRejected(Exception):
    """Stands for any exception a handler raises."""


def fails(event: Any, context: Any) -> None:
    """Raises with a text that stands for what a person wrote."""
    raise InquiryRejected(f"the message said {event['message']}")


def dies(event: Any, context: Any) -> None:
    """The environment ends in the middle of an invocation."""
    os._exit(3)
