"""ArchiveAuditFunction: AuditTable's stream -> one object per entry in the object-locked archive bucket."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiries.archive.audit_copy import archive
from inquiries.handlers import init_done
from inquiries.observability import count, logger, metrics
from inquiries.settings import ArchiveAuditSettings

settings = ArchiveAuditSettings.from_environ()
# A failed record is reported by its sequence number: Lambda retries from it (bisecting the batch), and
# after MaximumRetryAttempts sends the batch's description to the on-failure queue.
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def record_handler(record: DynamoDBRecord) -> None:
    """Archive one record; its entry id is logged (an id, never an inquiry field)."""
    written = archive(settings.audit_archive_bucket, record.raw_event)
    if written:
        count("AuditEntryArchived")
    else:
        logger.info("audit record already archived", extra={"event_id": record.event_id})


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """DynamoDB stream batch in, partial batch response out."""
    return dict(process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                         context=context))


init_done()  # the last line: see inquiries.handlers
