"""RightsApiFunction: the person's rights from the console (/care/people, /care/erasures), its own role."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiries.handlers import init_done
from inquiries.observability import logger, metrics
from inquiries.rights.api import create_rights_app
from inquiries.settings import RightsApiSettings

settings = RightsApiSettings.from_environ()
app = create_rights_app(settings)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The Lambda entry point."""
    return app.resolve(event, context)


init_done()  # the last line: see inquiries.handlers
