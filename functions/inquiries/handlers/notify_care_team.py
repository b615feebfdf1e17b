"""NotifyCareTeamFunction: CareTeamQueue -> one PHI-free care-team notification per inquiry."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiries.delivery.care_team import FAILED_METRIC, notify_care_team
from inquiries.delivery.common import claim_check_record_handler
from inquiries.delivery.sqs_batch import partial_batch_response
from inquiries.handlers import init_done
from inquiries.observability import logger, metrics
from inquiries.settings import CareTeamSettings

settings = CareTeamSettings.from_environ()
record_handler = claim_check_record_handler(notify_care_team, settings, FAILED_METRIC)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """SQS batch in, partial batch response out."""
    return dict(partial_batch_response(event, record_handler))


init_done()  # the last line: see inquiries.handlers
