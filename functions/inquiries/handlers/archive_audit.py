"""ArchiveAuditFunction: AuditTable's stream -> one object per entry in the object-locked archive bucket."""

from __future__ import annotations

from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from inquiries.archive.audit_copy import archive
from inquiries.handlers import init_done
from inquiries.handlers.partial_batch import partial_batch_handler
from inquiries.observability import count, logger
from inquiries.settings import ArchiveAuditSettings

settings = ArchiveAuditSettings.from_environ()


def record_handler(record: DynamoDBRecord) -> None:
    """Archive one record; its entry id is logged (an id, never an inquiry field)."""
    written = archive(settings.audit_archive_bucket, record.raw_event)
    if written:
        count("AuditEntryArchived")
    else:
        logger.info("audit record already archived", extra={"event_id": record.event_id})


# DynamoDB stream batch in, partial batch response out (inquiries.handlers.partial_batch): a failed record
# is reported by its sequence number; Lambda retries from it (bisecting the batch), and after
# MaximumRetryAttempts sends the batch's description to the on-failure queue.
handler = partial_batch_handler(EventType.DynamoDBStreams, record_handler)

init_done()  # the last line: see inquiries.handlers
