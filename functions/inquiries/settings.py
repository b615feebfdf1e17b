"""Configuration, read once from the environment at the edge (the Lambda's cold start)."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Settings(BaseModel):
    """Every setting the functions read. Names mirror the environment variables in template.yaml."""

    model_config = ConfigDict(frozen=True)

    inquiries_table: str = "InquiriesTable"
    idempotency_table: str = "IdempotencyTable"
    rate_limit_table: str = "RateLimitTable"
    confirmation_queue_url: str = ""
    care_team_queue_url: str = ""

    stage: str = "dev"
    allowed_origins: tuple[str, ...] = ()
    thank_you_url: str = "/thank-you"

    retention_days: int = Field(default=365, ge=1)
    spam_retention_days: int = Field(default=7, ge=1)
    idempotency_key_ttl_seconds: int = Field(default=24 * 3600, ge=60)
    duplicate_window_seconds: int = Field(default=600, ge=10)
    redispatch_grace_seconds: int = Field(default=120, ge=0)

    rate_limit_per_client_per_hour: int = Field(default=20, ge=1)
    rate_limit_per_email_per_day: int = Field(default=5, ge=1)

    # Confirmation email (SendConfirmationFunction).
    sender_email: str = ""
    care_team_reply_to: str = ""
    ses_configuration_set: str = ""
    clinic_name: str = "Daytryp Health"
    response_time_text: str = "within one business day"
    # Care-team notification (NotifyCareTeamFunction). An empty chat parameter disables chat.
    care_team_topic_arn: str = ""
    console_base_url: str = ""
    chat_webhook_parameter: str = ""
    chat_timeout_seconds: float = Field(default=5.0, gt=0)
    # Care-team console (CareApiFunction) and response-time targets (IntakeFunction, RemindCareTeamFunction).
    audit_table: str = "AuditTable"
    console_origin: str = ""
    clinic_time_zone: str = "America/Los_Angeles"
    clinic_opens_at: str = Field(default="09:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    clinic_closes_at: str = Field(default="17:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    urgent_response_minutes: int = Field(default=60, ge=1)
    normal_response_business_days: int = Field(default=1, ge=1)
    reminder_interval_minutes: int = Field(default=60, ge=1)
    # How long one consumer holds a send before another may take it over: above the function
    # timeout (30 s), below the queues' visibility timeout (180 s).
    delivery_lease_seconds: int = Field(default=60, ge=1)

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(o.strip().rstrip("/") for o in value.split(",") if o.strip())
        return value

    @classmethod
    def from_environ(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from environment variables named like the fields, upper-cased."""
        env = os.environ if environ is None else environ
        values = {name: env[name.upper()] for name in cls.model_fields if name.upper() in env}
        return cls.model_validate(values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached; tests call ``get_settings.cache_clear()``)."""
    return Settings.from_environ()
