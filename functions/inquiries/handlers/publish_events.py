"""PublishEventsFunction: InquiriesTable's stream -> domain events (event log, InquiryEventBus, webhook queue)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from inquiries import aws
from inquiries.data.webhooks import Destinations, EventLog
from inquiries.handlers import init_done
from inquiries.handlers.partial_batch import partial_batch_handler
from inquiries.handoff.events import event_from_stream_record
from inquiries.handoff.publish import Publisher
from inquiries.observability import count_by_dimension, logger
from inquiries.settings import PublishEventsSettings

settings = PublishEventsSettings.from_environ()


def _publisher() -> Publisher:
    ddb = aws.dynamodb()
    return Publisher(events=aws.events(), bus_name=settings.event_bus_name,
                     log=EventLog(ddb, settings.inquiry_event_log_table), keep_days=settings.event_log_days,
                     destinations=Destinations(ddb, settings.webhook_destinations_table), sqs=aws.sqs(),
                     delivery_queue_url=settings.webhook_delivery_queue_url)


def record_handler(record: DynamoDBRecord) -> None:
    """Publish the event one stream record is (most records are none); ids and codes are logged, nothing else."""
    event = event_from_stream_record(record.raw_event)
    if event is None:
        return
    queued = _publisher().publish(event)
    count_by_dimension("InquiryEventPublished", "type", event.type.value)
    logger.info("event published", extra={"event_id": event.event_id, "type": event.type.value,
                                          "inquiry_id": event.data.get("inquiry_id"), "destinations": queued})


# DynamoDB stream batch in, partial batch response out (inquiries.handlers.partial_batch): a failed record
# is reported by its sequence number; Lambda retries from it (bisecting the batch), and after
# MaximumRetryAttempts sends the batch's description to the on-failure queue (PublishEventsDLQ).
handler = partial_batch_handler(EventType.DynamoDBStreams, record_handler)

init_done()  # the last line: see inquiries.handlers
