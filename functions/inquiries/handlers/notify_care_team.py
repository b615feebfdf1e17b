"""Lambda entry point: CareTeamQueue -> one PHI-free care-team notification per inquiry."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiries.care_team import notify_care_team
from inquiries.delivery import inquiry_id_from_message
from inquiries.observability import logger, metrics, tracer
from inquiries.settings import get_settings

# An all-failed batch returns every item as failed instead of raising (see send_confirmation).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record: SQSRecord) -> str:
    """One message: notify the care team of the inquiry it names (malformed messages are dropped)."""
    inquiry_id = inquiry_id_from_message(record.body, record.message_id, "CareTeamNotificationFailed")
    if inquiry_id is None:
        return "malformed_message"
    return notify_care_team(inquiry_id, get_settings())


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """SQS batch in, partial batch response out."""
    return dict(process_partial_response(event=event, record_handler=record_handler,
                                         processor=processor, context=context))
