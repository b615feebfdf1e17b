"""RemindCareTeamFunction: on a schedule, re-notifies the care team of inquiries still new past due."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiries.care.reminders import remind_care_team
from inquiries.handlers import init_done
from inquiries.observability import logger, metrics
from inquiries.settings import RemindCareTeamSettings

settings = RemindCareTeamSettings.from_environ()


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """The Lambda entry point. Returns counts only."""
    summary = asdict(remind_care_team(settings))
    # The escalation count stays out of the log: beside the per-inquiry lines it would mark one as urgent.
    logger.info("reminder run finished", extra={k: v for k, v in summary.items() if k != "escalated"})
    return summary


init_done()  # the last line: see inquiries.handlers
