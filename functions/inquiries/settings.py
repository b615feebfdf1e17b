"""Configuration per function, read once from the environment at the function's cold start.

Each function has its own settings class; its fields are named like the environment variables
template.yaml gives that function (upper-cased). A required variable that is missing or empty
stops the function at cold start with ``MissingSetting`` naming it, instead of failing later on
a first message (into a dead-letter queue). Settings are configuration, never PHI.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator


class MissingSetting(RuntimeError):
    """A required environment variable is missing or empty; the message names it (and nothing else)."""

    def __init__(self, settings: str, names: list[str]) -> None:
        super().__init__(f"{settings}: missing environment variable(s) {', '.join(names)}; "
                         "set them in template.yaml")
        self.names = names


class FunctionSettings(BaseModel):
    """What every function reads."""

    model_config = ConfigDict(frozen=True)

    stage: str = "dev"
    inquiries_table: str = Field(min_length=1)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Build settings from environment variables named like the fields, upper-cased.

        Raises ``MissingSetting`` for required fields without a non-empty variable, and pydantic's
        ``ValidationError`` for a value that breaks a rule (e.g. ``RETENTION_DAYS=0``).
        """
        env = os.environ if environ is None else environ
        missing = [name.upper() for name, field in cls.model_fields.items()
                   if field.is_required() and not env.get(name.upper())]
        if missing:
            raise MissingSetting(cls.__name__, missing)
        values = {name: env[name.upper()] for name in cls.model_fields if name.upper() in env}
        return cls.model_validate(values)


class MessageSettings(BaseModel):
    """What the messages people receive say about the clinic, and where the care team's link points."""

    model_config = ConfigDict(frozen=True)

    clinic_name: str = "Daytryp Health"
    response_time_text: str = "within one business day"
    console_base_url: str = ""


_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class ResponseTimeSettings(BaseModel):
    """When an inquiry is due for a first contact (``care.response_time``): opening hours and targets."""

    model_config = ConfigDict(frozen=True)

    clinic_time_zone: str = "America/Los_Angeles"
    clinic_opens_at: str = Field(default="09:00", pattern=_CLOCK)
    clinic_closes_at: str = Field(default="17:00", pattern=_CLOCK)
    urgent_response_minutes: int = Field(default=60, ge=1)
    normal_response_business_days: int = Field(default=1, ge=1)


class DispatchSettings(FunctionSettings):
    """The two work queues every inquiry is sent to (intake and redispatch)."""

    confirmation_queue_url: str = Field(min_length=1)
    care_team_queue_url: str = Field(min_length=1)


class IntakeSettings(DispatchSettings, MessageSettings, ResponseTimeSettings):
    """IntakeFunction: POST /inquiries (the clinic's name appears on the urgent answer page; every
    inquiry that is not held back gets its response target)."""

    idempotency_table: str = Field(min_length=1)
    rate_limit_table: str = Field(min_length=1)
    allowed_origins: tuple[str, ...] = ()
    thank_you_url: str = "/thank-you"
    retention_days: int = Field(default=365, ge=1)
    spam_retention_days: int = Field(default=7, ge=1)
    idempotency_key_ttl_seconds: int = Field(default=24 * 3600, ge=60)
    duplicate_window_seconds: int = Field(default=600, ge=10)
    rate_limit_per_client_per_hour: int = Field(default=20, ge=1)
    rate_limit_per_email_per_day: int = Field(default=5, ge=1)

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(o.strip().rstrip("/") for o in value.split(",") if o.strip())
        return value


class RedispatchSettings(DispatchSettings):
    """RedispatchFunction: re-sends inquiries whose dispatch did not complete."""

    redispatch_grace_seconds: int = Field(default=120, ge=0)


class CareApiSettings(DispatchSettings, ResponseTimeSettings):
    """CareApiFunction: the care console's /care routes (a released held-back submission is dispatched
    and gets its response target; every act is audited)."""

    audit_table: str = Field(min_length=1)
    retention_days: int = Field(default=365, ge=1)
    # The console's origin for CORS; empty locally, where the console and the API share one origin.
    console_origin: str = ""


class RemindCareTeamSettings(FunctionSettings):
    """RemindCareTeamFunction: re-notifies the care team of inquiries still new past their target."""

    care_team_topic_arn: str = Field(min_length=1)
    console_base_url: str = ""
    reminder_interval_minutes: int = Field(default=60, ge=1)



class DeliverySettings(FunctionSettings, MessageSettings):
    """What both queue consumers read."""

    # How long one consumer holds a send before another may take it over: above the function
    # timeout (30 s), below the queues' visibility timeout (180 s).
    delivery_lease_seconds: int = Field(default=60, ge=1)


class ConfirmationSettings(DeliverySettings):
    """SendConfirmationFunction: the confirmation email."""

    sender_email: str = Field(min_length=1)
    care_team_reply_to: str = ""
    ses_configuration_set: str = ""


class CareTeamSettings(DeliverySettings):
    """NotifyCareTeamFunction: SNS, and the chat webhook when ``chat_webhook_parameter`` names one."""

    care_team_topic_arn: str = Field(min_length=1)
    chat_webhook_parameter: str = ""
    chat_timeout_seconds: float = Field(default=5.0, gt=0)
