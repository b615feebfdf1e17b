"""RedispatchFunction: on a schedule, re-sends inquiries whose dispatch did not complete."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiries.data.inquiries import InquiryRepository
from inquiries.handlers import init_done
from inquiries.intake.dispatch import Dispatcher
from inquiries.intake.redispatch import redispatch_pending
from inquiries.observability import logger, metrics
from inquiries.settings import RedispatchSettings

settings = RedispatchSettings.from_environ()
inquiries = InquiryRepository(settings.inquiries_table)
dispatcher = Dispatcher(settings)


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """The Lambda entry point. Returns counts only."""
    run_at = datetime.now(UTC)
    older_than = run_at - timedelta(seconds=settings.redispatch_grace_seconds)
    summary = asdict(redispatch_pending(inquiries, dispatcher, older_than=older_than, run_at=run_at))
    logger.info("redispatch run finished", extra=summary)
    return summary


init_done()  # the last line: see inquiries.handlers
