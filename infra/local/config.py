"""Settings of the local stack, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from infra.template import ROOT

LOOPBACK = "127.0.0.1"  # the only address the local stack ever binds


@dataclass(frozen=True)
class LocalConfig:
    """Where the local stack listens and how it paces its pollers and schedule."""

    api_port: int = 3000
    aws_port: int = 5000
    region: str = "us-east-1"
    # The template's 180 s suits Lambda; locally a reported failure comes back after this many
    # seconds instead, so retries (and redrive to the DLQ after maxReceiveCount) are quick to see.
    visibility_timeout_seconds: int = 5
    redispatch_every_seconds: float = 60.0
    remind_every_seconds: float = 60.0
    # Where the local care-team users and their passwords are written (tests read it); empty: not written.
    sign_in_file: str = ""
    # Handlers log at this level locally, so the console shows one line per inquiry and delivery.
    handler_log_level: str = "WARNING"
    web_root: Path = field(default=ROOT / "web")
    # None keeps the template's REDISPATCH_GRACE_SECONDS; a game day shortens it to see recovery at once.
    redispatch_grace_seconds: int | None = None
    # Metrics (EMF lines) go to the emulator's CloudWatch instead of being switched off (infra.local.metrics).
    record_metrics: bool = False
    # When set, NotifyCareTeamFunction also posts to this webhook (kept in SSM as in AWS); loopback only.
    chat_webhook_url: str = ""
    # None keeps the template's URGENT_SMS_WINDOW_SECONDS; a game day shortens it to show texts resume.
    urgent_sms_window_seconds: int | None = None
    # The outbox keeps the newest this many emails and notifications (a day of traffic must not fill memory).
    outbox_limit: int = 2000
    # moto's whole-table and quadratic paths replaced (infra.local.moto_shims); off only to measure without.
    moto_shims: bool = True
    # The template's RequireSecondApproval for the console's erasures (LOCAL_REQUIRE_SECOND_APPROVAL=1).
    require_second_approval: bool = False
    # The integration's API (IntegrationApi) and the pool's token endpoint (infra.local.integration).
    integration_port: int = 3001
    # Where the integration's client id and secret, token URL and API URL are written; empty: not written.
    integration_file: str = ""
    # LOCAL_WEBHOOK=1: the example CRM receiver (examples/crm_receiver) runs on this port, as a destination.
    local_webhook: bool = False
    receiver_port: int = 3002
    # Where the local receiver appends each delivery it got and the FHIR it made; empty: not written.
    receiver_file: str = ""
    # The real handlers run in worker processes (infra.local.handler_process), one invocation at a time per
    # worker, so they and the emulator use more than one core. ``make run`` and the child stack turn it on
    # (LOCAL_HANDLER_PROCESSES=0: in this process); off when metrics are recorded (they are read from this
    # process's stdout) and for callers that build the settings themselves (game day, drills).
    handler_processes: bool = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> LocalConfig:
        """Build the settings from ``LOCAL_*`` variables and ``AWS_DEFAULT_REGION``."""
        env = os.environ if environ is None else environ
        return cls(
            api_port=int(env.get("LOCAL_API_PORT", "3000")),
            aws_port=int(env.get("LOCAL_AWS_PORT", "5000")),
            region=env.get("AWS_DEFAULT_REGION") or "us-east-1",
            visibility_timeout_seconds=int(env.get("LOCAL_VISIBILITY_TIMEOUT", "5")),
            redispatch_every_seconds=float(env.get("LOCAL_REDISPATCH_SECONDS", "60")),
            remind_every_seconds=float(env.get("LOCAL_REMIND_SECONDS", "60")),
            sign_in_file=env.get("LOCAL_SIGN_IN_FILE", ""),
            handler_log_level=env.get("LOCAL_HANDLER_LOG_LEVEL", "WARNING"),
            record_metrics=env.get("LOCAL_RECORD_METRICS", "") == "1",
            chat_webhook_url=env.get("LOCAL_CHAT_WEBHOOK_URL", ""),
            outbox_limit=max(1, int(env.get("LOCAL_OUTBOX_LIMIT", "2000"))),
            moto_shims=env.get("LOCAL_MOTO_SHIMS", "1") != "0",
            require_second_approval=env.get("LOCAL_REQUIRE_SECOND_APPROVAL", "") == "1",
            integration_port=int(env.get("LOCAL_INTEGRATION_PORT", "3001")),
            integration_file=env.get("LOCAL_INTEGRATION_FILE", ""),
            local_webhook=env.get("LOCAL_WEBHOOK", "") == "1",
            receiver_port=int(env.get("LOCAL_RECEIVER_PORT", "3002")),
            receiver_file=env.get("LOCAL_RECEIVER_FILE", ""),
            handler_processes=(env.get("LOCAL_HANDLER_PROCESSES", "1") != "0"
                               and env.get("LOCAL_RECORD_METRICS", "") != "1"),
        )

    @property
    def api_url(self) -> str:
        """Base URL of the API Gateway emulator (and the website)."""
        return f"http://{LOOPBACK}:{self.api_port}"

    @property
    def aws_url(self) -> str:
        """Endpoint URL of the AWS emulator."""
        return f"http://{LOOPBACK}:{self.aws_port}"
