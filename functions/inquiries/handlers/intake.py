"""IntakeFunction: POST /inquiries and GET /health behind API Gateway (REST, proxy)."""

from __future__ import annotations

# Loaded at init, not in the person's first request, because every submission needs them: a due time
# in the clinic's time zone (zoneinfo) and an address check (email_validator).
import importlib
import zoneinfo  # noqa: F401
from typing import Any

import email_validator  # noqa: F401
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from inquiries.handlers import init_done
from inquiries.intake.api import IntakeApp
from inquiries.intake.service import IntakeService
from inquiries.observability import logger, metrics
from inquiries.settings import IntakeSettings

settings = IntakeSettings.from_environ()
if settings.turnstile_secret:
    # With the check on, every submission is checked: its code loads at init (the secret is read by the first
    # submission, with the other AWS reads). Off, it is never loaded. The HTML pages (Jinja) are loaded by the
    # first plain form post that needs one: most submissions come from the script and get JSON.
    importlib.import_module("inquiries.intake.turnstile")
app = IntakeApp(settings, service=lambda: IntakeService.on_aws(settings))


# clear_state: the inquiry_id appended for one request must not label the next one's log lines.
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The Lambda entry point."""
    return app.resolve(event, context)


init_done()  # the last line: see inquiries.handlers
