"""Configuration per function, read once from the environment at the function's cold start.

Each function has its own settings class; its fields are named like the environment variables
template.yaml gives that function (upper-cased). A required variable that is missing or empty
stops the function at cold start with ``MissingSetting`` naming it, and a value that breaks a rule
(``RETENTION_DAYS=0``, ``CLINIC_OPENS_AT=9am``) with ``InvalidSetting`` naming it, instead of failing
later on a first message (into a dead-letter queue). Settings are configuration, never PHI.

Not pydantic: every function reads its settings at init, and loading pydantic costs a cold start
about a quarter of a bare Python Lambda's (docs/benchmarks.md).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, NamedTuple, Self, dataclass_transform, get_type_hints

from inquiries.i18n import N_


class MissingSetting(RuntimeError):
    """A required environment variable is missing or empty; the message names it (and nothing else)."""

    def __init__(self, settings: str, names: list[str]) -> None:
        super().__init__(f"{settings}: missing environment variable(s) {', '.join(names)}; "
                         "set them in template.yaml")
        self.names = names


class InvalidSetting(ValueError):
    """A variable's value breaks its rule; the message names the variable and the rule, not the value."""

    def __init__(self, settings: str, name: str, rule: str) -> None:
        super().__init__(f"{settings}: environment variable {name} must be {rule}")
        self.name = name


_MISSING: Any = object()


class _Field(NamedTuple):
    """One setting: its default (``_MISSING`` when the variable is required) and the rules its value keeps."""

    default: Any = _MISSING
    required: bool = False
    ge: float | None = None
    gt: float | None = None
    pattern: str | None = None


def required(*, pattern: str | None = None) -> Any:
    """A field whose variable must be set and non-empty."""
    return _Field(required=True, pattern=pattern)


def setting(*, default: Any, ge: float | None = None, gt: float | None = None, pattern: str | None = None) -> Any:
    """A field with a default and, optionally, a lower bound (``ge``/``gt``) or a pattern it must match."""
    return _Field(default=default, ge=ge, gt=gt, pattern=pattern)


def _split_origins(value: str) -> tuple[str, ...]:
    return tuple(o.strip().rstrip("/") for o in value.split(",") if o.strip())


# How a variable's text becomes a field's value, by the field's type.
_READERS: dict[object, Callable[[str], Any]] = {str: str, int: int, float: float, tuple[str, ...]: _split_origins}
_KINDS: dict[object, str] = {int: "a whole number", float: "a number"}


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(required, setting))
class _Settings:
    """Frozen, keyword-only settings built from their class's annotated fields, each checked against its rule.

    What ``dataclasses.dataclass(frozen=True, kw_only=True)`` would give, without it: a dataclass compiles
    each generated method from source when its class is created, which cost every cold start ~5 ms for
    these classes, since every function imports them all.
    """

    _fields: ClassVar[dict[str, _Field]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found: dict[str, _Field] = {}
        for klass in reversed(cls.__mro__):
            for name in vars(klass).get("__annotations__", {}):
                if not name.startswith("_"):
                    value = vars(klass).get(name, _MISSING)
                    found[name] = value if isinstance(value, _Field) else _Field(default=value)
        cls._fields = found

    def __init__(self, **values: Any) -> None:
        cls = type(self)
        unknown = sorted(set(values) - set(cls._fields))
        if unknown:
            raise TypeError(f"{cls.__name__} has no setting {', '.join(unknown)}")
        for name, spec in cls._fields.items():
            value = values.get(name, spec.default)
            if value is _MISSING:
                raise TypeError(f"{cls.__name__} needs {name}")
            rule = _broken_rule(value, spec)
            if rule:
                raise InvalidSetting(cls.__name__, name.upper(), rule)
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in type(self)._fields)
        return f"{type(self).__name__}({shown})"

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied (checked like any other)."""
        return type(self)(**{**{name: getattr(self, name) for name in type(self)._fields}, **changes})

    @classmethod
    def variables(cls) -> dict[str, bool]:
        """Each environment variable the class reads, and whether it is required."""
        return {name.upper(): spec.default is _MISSING for name, spec in cls._fields.items()}

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Build settings from environment variables named like the fields, upper-cased.

        Raises ``MissingSetting`` for required fields without a non-empty variable, and
        ``InvalidSetting`` for a value that is not of the field's kind or breaks its rule.
        """
        env = os.environ if environ is None else environ
        missing = [name for name, needed in cls.variables().items() if needed and not env.get(name)]
        if missing:
            raise MissingSetting(cls.__name__, missing)
        types = get_type_hints(cls)
        values: dict[str, Any] = {}
        for field_name in cls._fields:
            name = field_name.upper()
            if name not in env:
                continue
            kind = types[field_name]
            try:
                values[field_name] = _READERS[kind](env[name])
            except ValueError:
                raise InvalidSetting(cls.__name__, name, _KINDS.get(kind, "readable")) from None
        return cls(**values)


def _broken_rule(value: Any, rules: _Field) -> str | None:
    """The rule ``value`` breaks, in words, or None."""
    if rules.required and not value:
        return "set and not empty"
    if rules.ge is not None and value < rules.ge:
        return f"at least {rules.ge}"
    if rules.gt is not None and value <= rules.gt:
        return f"more than {rules.gt}"
    if rules.pattern is not None and not re.fullmatch(rules.pattern, value):
        return f"of the form {rules.pattern}"
    return None


class FunctionSettings(_Settings):
    """What every function reads."""

    stage: str = "dev"
    inquiries_table: str = required()


class MessageSettings(_Settings):
    """What the messages people receive say about the clinic, and where the care team's link points."""

    clinic_name: str = "Daytryp Health"
    # English, as the template's parameters are; the defaults are in the Spanish catalog (``inquiries.i18n``).
    response_time_text: str = N_("within one business day")
    # An urgent inquiry's care target is an hour, whatever the time: never promise such a person the ordinary wait.
    urgent_response_time_text: str = N_("as soon as possible")
    console_base_url: str = ""


_CLOCK = r"([01][0-9]|2[0-3]):[0-5][0-9]"


class ResponseTimeSettings(_Settings):
    """When an inquiry is due for a first contact (``care.response_time``): opening hours and targets."""

    clinic_time_zone: str = "America/Los_Angeles"
    clinic_opens_at: str = setting(default="09:00", pattern=_CLOCK)
    clinic_closes_at: str = setting(default="17:00", pattern=_CLOCK)
    urgent_response_minutes: int = setting(default=60, ge=1)
    # A risk told as history or denied (level priority): sooner than ordinary, counted in opening hours.
    priority_response_business_hours: int = setting(default=4, ge=1)
    normal_response_business_days: int = setting(default=1, ge=1)


class DispatchSettings(FunctionSettings):
    """The two work queues every inquiry is sent to (intake and redispatch)."""

    confirmation_queue_url: str = required()
    care_team_queue_url: str = required()


class IntakeSettings(DispatchSettings, MessageSettings, ResponseTimeSettings):
    """IntakeFunction: POST /inquiries (the clinic's name appears on the urgent answer page; every
    inquiry that is not held back gets its response target)."""

    idempotency_table: str = required()
    rate_limit_table: str = required()
    # Where each inquiry's lookup items go, in the transaction that stores it (``data.lookups``).
    inquiry_lookup_table: str = required()
    # The weekly counters reports read: each new inquiry's, in the transaction that stores it (``data.stats``).
    inquiry_stats_table: str = required()
    # The Secrets Manager secret (ARN or name) whose value keys every hash of a personal value.
    pepper_secret: str = required()
    allowed_origins: tuple[str, ...] = ()
    thank_you_url: str = "/thank-you"
    # Where the Spanish page's plain form post is sent on to: the Spanish thank-you page.
    thank_you_url_es: str = "/es/thank-you"
    retention_days: int = setting(default=365, ge=1)
    spam_retention_days: int = setting(default=7, ge=1)
    idempotency_key_ttl_seconds: int = setting(default=24 * 3600, ge=60)
    duplicate_window_seconds: int = setting(default=600, ge=10)
    rate_limit_per_client_per_hour: int = setting(default=20, ge=1)
    # Optional Cloudflare Turnstile: the Secrets Manager secret holding its secret key; empty turns it off.
    turnstile_secret: str = ""
    turnstile_verify_url: str = "https://challenges.cloudflare.com/turnstile/v0/siteverify"


class RedispatchSettings(DispatchSettings):
    """RedispatchFunction: re-sends inquiries whose dispatch did not complete."""

    redispatch_grace_seconds: int = setting(default=120, ge=0)


class CareApiSettings(DispatchSettings, ResponseTimeSettings):
    """CareApiFunction: the care console's /care routes (a released held-back submission is dispatched
    and gets its response target; every act is audited)."""

    audit_table: str = required()
    retention_days: int = setting(default=365, ge=1)
    # How long an audit entry stays in AuditTable: six years by default (45 CFR 164.316(b)(2)).
    audit_retention_days: int = setting(default=2192, ge=1)
    # The Secrets Manager secret whose value keys the list cursor's signature (as it keys every hash).
    pepper_secret: str = required()
    # The console's origin for CORS; empty locally, where the console and the API share one origin.
    console_origin: str = ""
    # The console's app client: a token for any other client is refused (the REST authorizer does not check).
    console_client_id: str = required()
    # The care team's pool, where a member's name is looked up by sub (never a claim they can edit).
    user_pool_id: str = required()
    member_name_cache_seconds: int = setting(default=300, ge=0)
    # Search by reference, phone and name, and the same person's other inquiries (``data.lookups``).
    inquiry_lookup_table: str = required()
    # The weekly counters reports read, kept in the same transaction as each change (``data.stats``).
    inquiry_stats_table: str = required()
    # The integration's app client (OAuth 2.0 client credentials) and the name its reads are audited under;
    # none configured: no access token is an integration's (docs/integrations.md).
    integration_client_id: str = ""
    integration_name: str = "integration"


class RightsApiSettings(FunctionSettings):
    """RightsApiFunction: the person's rights from the console (``inquiries.rights``): GET /care/people (the
    right of access) and the erasure routes, ``care-admin`` only, with its own role (it deletes)."""

    audit_table: str = required()
    audit_retention_days: int = setting(default=2192, ge=1)
    idempotency_table: str = required()
    rate_limit_table: str = required()
    inquiry_lookup_table: str = required()
    pepper_secret: str = required()
    # Pending erasure requests (keyed hashes only) while a second admin's approval is awaited.
    erasure_request_table: str = required()
    # The template's RequireSecondApproval: "true" makes an erasure a pending request a different admin approves.
    require_second_approval: str = setting(default="false", pattern="true|false")
    erasure_request_days: int = setting(default=7, ge=1)
    console_origin: str = ""
    console_client_id: str = required()
    user_pool_id: str = required()
    member_name_cache_seconds: int = setting(default=300, ge=0)

    @property
    def second_approval(self) -> bool:
        return self.require_second_approval == "true"


class UrgentTextSettings(_Settings):
    """The budget of texts to the care team's phone (``delivery.urgent_texts``): per window, at most
    ``urgent_sms_per_window`` texts for single inquiries, then one that counts what waits."""

    rate_limit_table: str = required()
    urgent_sms_per_window: int = setting(default=3, ge=0)
    urgent_sms_window_seconds: int = setting(default=900, ge=1)


class RemindCareTeamSettings(FunctionSettings, UrgentTextSettings, ResponseTimeSettings):
    """RemindCareTeamFunction: re-notifies the care team of inquiries still new past their target (urgent
    ones escalate by text at most ``sms_escalations_per_inquiry`` times each; the targets tell it which
    inquiries are too recent to be overdue, so it never reads them)."""

    care_team_topic_arn: str = required()
    console_base_url: str = ""
    reminder_interval_minutes: int = setting(default=60, ge=1)
    sms_escalations_per_inquiry: int = setting(default=2, ge=0)


class DeliverySettings(FunctionSettings, MessageSettings):
    """What both queue consumers read."""

    # How long one consumer holds a send before another may take it over: above the function
    # timeout (30 s), below the queues' visibility timeout (180 s).
    delivery_lease_seconds: int = setting(default=60, ge=1)


class ConfirmationSettings(DeliverySettings):
    """SendConfirmationFunction: the confirmation email."""

    sender_email: str = required()
    care_team_reply_to: str = ""
    ses_configuration_set: str = ""
    # The caps on confirmation emails per mailbox and per domain (every inquiry is still stored and shown).
    rate_limit_table: str = required()
    pepper_secret: str = required()
    confirmations_per_email_per_day: int = setting(default=3, ge=1)  # per mailbox (delivery.address_cap)
    confirmations_per_domain_per_day: int = setting(default=50, ge=1)


class CareTeamSettings(DeliverySettings, UrgentTextSettings):
    """NotifyCareTeamFunction: SNS, and the chat webhook when ``chat_webhook_parameter`` names one."""

    care_team_topic_arn: str = required()
    chat_webhook_parameter: str = ""
    chat_timeout_seconds: float = setting(default=5.0, gt=0)


class ArchiveAuditSettings(FunctionSettings):
    """ArchiveAuditFunction: copies every audit entry from AuditTable's stream to the object-locked bucket."""

    audit_archive_bucket: str = required()


class PublishEventsSettings(FunctionSettings):
    """PublishEventsFunction: InquiriesTable's stream -> the event log, InquiryEventBus, the delivery queue."""

    event_bus_name: str = required()
    webhook_destinations_table: str = required()
    inquiry_event_log_table: str = required()
    webhook_delivery_queue_url: str = required()
    # How long events are kept for a replay (days).
    event_log_days: int = setting(default=35, ge=1)


class DeliverWebhookSettings(FunctionSettings):
    """DeliverWebhookFunction: one signed POST per delivery message, on the Standard Webhooks schedule."""

    webhook_destinations_table: str = required()
    webhook_delivery_queue_url: str = required()
    # The whole exchange with a destination (connect, send, answer), in seconds.
    webhook_timeout_seconds: float = setting(default=10.0, gt=0)
    # Local stack only (infra/local/stack.py): "1" lets plain http://127.0.0.1:<port> through. template.yaml
    # never sets it (tests/ops check), so a deployed function sends over https to public addresses only.
    webhook_allow_loopback_http: str = ""
