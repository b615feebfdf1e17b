"""The consumers' SQS batches: only the messages that failed come back, and a failure is never raised."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from inquiries.delivery.sqs_batch import QueueMessage, partial_batch_response


def _event(*bodies: str) -> dict[str, object]:
    return {"Records": [{"messageId": f"m{i}", "body": body, "eventSource": "aws:sqs"}
                        for i, body in enumerate(bodies, start=1)]}


def _fails_on(*bad: str) -> tuple[list[QueueMessage], Callable[[QueueMessage], str]]:
    seen: list[QueueMessage] = []

    def handle(message: QueueMessage) -> str:
        seen.append(message)
        if message.body in bad:
            raise RuntimeError("could quote a value: never reported")
        return "sent"

    return seen, handle


def test_every_message_is_handled_in_order_and_a_clean_batch_reports_no_failure() -> None:
    seen, handle = _fails_on()
    assert partial_batch_response(_event("a", "b", "c"), handle) == {"batchItemFailures": []}
    assert [(m.message_id, m.body) for m in seen] == [("m1", "a"), ("m2", "b"), ("m3", "c")]


def test_only_the_messages_whose_handler_raised_are_reported_and_the_rest_still_run() -> None:
    seen, handle = _fails_on("a", "c")
    response = partial_batch_response(_event("a", "b", "c"), handle)
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m3"}]}
    assert len(seen) == 3


def test_a_batch_that_failed_whole_is_answered_not_raised_so_each_message_keeps_its_own_receive_count() -> None:
    _seen, handle = _fails_on("a", "b")
    response = partial_batch_response(_event("a", "b"), handle)
    assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m2"}]}


def test_a_message_without_a_body_is_handled_with_an_empty_one() -> None:
    seen, handle = _fails_on()
    partial_batch_response({"Records": [{"messageId": "m1"}]}, handle)
    assert seen == [QueueMessage(message_id="m1", body="")]


@pytest.mark.parametrize("event", [{}, {"Records": None}, {"detail": {}}])
def test_an_event_that_is_not_an_sqs_batch_fails_the_invocation(event: dict[str, object]) -> None:
    _seen, handle = _fails_on()
    with pytest.raises(ValueError, match="not an SQS event"):
        partial_batch_response(event, handle)
