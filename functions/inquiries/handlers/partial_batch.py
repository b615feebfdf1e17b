"""The Lambda entry point the three Powertools batch consumers share (ArchiveAuditFunction and
PublishEventsFunction on a DynamoDB stream, DeliverWebhookFunction on WebhookDeliveryQueue).

Each record is handled on its own by the module's ``record_handler``; one that raises is reported in
``batchItemFailures`` (by sequence number on a stream, by message id on SQS) and the rest of the batch
counts as done. A batch in which every record failed is answered the same way, never raised
(``raise_on_entire_batch_failure=False``): on a stream Lambda retries from the first failed record
(bisecting the batch) and after MaximumRetryAttempts sends the batch's description to the on-failure
queue; on SQS each message keeps its own receive count and goes to the DLQ after ``maxReceiveCount``.
The Lambda context is logged (cleared each invocation) and the metrics flushed, as every handler does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiries.observability import logger, metrics

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def partial_batch_handler(event_type: EventType, record_handler: Callable[[Any], None]) -> LambdaHandler:
    """The ``handler`` of a function whose batches (``event_type``) are handled one record at a time."""
    processor = BatchProcessor(event_type=event_type, raise_on_entire_batch_failure=False)

    @logger.inject_lambda_context(clear_state=True)
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return dict(process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                             context=context))

    return handler
