"""SendConfirmationFunction: ConfirmationQueue -> one confirmation email per inquiry."""

from __future__ import annotations

from typing import Any

# Every confirmation is rendered with Jinja: load it at init, not during the first message.
import jinja2  # noqa: F401
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiries.delivery.common import claim_check_record_handler
from inquiries.delivery.confirmation import FAILED_METRIC, send_confirmation
from inquiries.delivery.sqs_batch import partial_batch_response
from inquiries.handlers import init_done
from inquiries.observability import logger, metrics
from inquiries.settings import ConfirmationSettings

settings = ConfirmationSettings.from_environ()
record_handler = claim_check_record_handler(send_confirmation, settings, FAILED_METRIC)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """SQS batch in, partial batch response out."""
    return dict(partial_batch_response(event, record_handler))


init_done()  # the last line: see inquiries.handlers
