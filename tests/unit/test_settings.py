"""Each function's settings come from the environment variables template.yaml gives that function."""

from __future__ import annotations

import importlib

import pytest
from inquiries.settings import (
    ArchiveAuditSettings,
    CareApiSettings,
    CareTeamSettings,
    ConfirmationSettings,
    DeliverWebhookSettings,
    FunctionSettings,
    IntakeSettings,
    InvalidSetting,
    MissingSetting,
    PublishEventsSettings,
    RedispatchSettings,
    RemindCareTeamSettings,
)

from infra.template import TemplateResources

SETTINGS_OF: dict[str, type[FunctionSettings]] = {
    "IntakeFunction": IntakeSettings,
    "RedispatchFunction": RedispatchSettings,
    "SendConfirmationFunction": ConfirmationSettings,
    "NotifyCareTeamFunction": CareTeamSettings,
    "CareApiFunction": CareApiSettings,
    "RemindCareTeamFunction": RemindCareTeamSettings,
    "ArchiveAuditFunction": ArchiveAuditSettings,
    "PublishEventsFunction": PublishEventsSettings,
    "DeliverWebhookFunction": DeliverWebhookSettings,
}
# Read by the libraries themselves (Powertools' Logger and Metrics, pydantic), not by our settings.
LIBRARY_PREFIXES = ("POWERTOOLS_", "PYDANTIC_")
TEMPLATE = TemplateResources()
INTAKE_ENV = TEMPLATE.function_environment("IntakeFunction")


def test_every_function_in_the_template_has_its_settings() -> None:
    assert set(TEMPLATE.logical_ids("AWS::Serverless::Function")) == set(SETTINGS_OF)


@pytest.mark.parametrize("function", sorted(SETTINGS_OF))
def test_every_template_variable_is_a_field_of_the_function_settings(function: str) -> None:
    fields = set(SETTINGS_OF[function].variables())
    variables = {name for name in TEMPLATE.function_environment(function) if not name.startswith(LIBRARY_PREFIXES)}
    assert variables - fields == set(), "a variable the function never reads"


@pytest.mark.parametrize("function", sorted(SETTINGS_OF))
def test_every_required_setting_is_set_by_the_template(function: str) -> None:
    environment = TEMPLATE.function_environment(function)
    required = {name for name, needed in SETTINGS_OF[function].variables().items() if needed}
    assert required <= set(environment)
    SETTINGS_OF[function].from_environ(environment)  # and their values pass the rules


@pytest.mark.parametrize("function", sorted(SETTINGS_OF))
def test_the_handler_reads_that_settings_class_at_import(
    function: str, aws_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in TEMPLATE.function_environment(function).items():
        monkeypatch.setenv(name, value)
    module_name = TEMPLATE.properties(function)["Handler"].rsplit(".", 1)[0]
    module = importlib.reload(importlib.import_module(module_name))
    assert type(module.settings) is SETTINGS_OF[function]


def test_a_missing_required_variable_stops_the_cold_start_naming_it() -> None:
    environment = {k: v for k, v in TEMPLATE.function_environment("SendConfirmationFunction").items()
                   if k != "SENDER_EMAIL"}
    with pytest.raises(MissingSetting) as caught:
        ConfirmationSettings.from_environ(environment)
    assert caught.value.names == ["SENDER_EMAIL"]
    assert "SENDER_EMAIL" in str(caught.value)


def test_an_empty_required_variable_counts_as_missing() -> None:
    with pytest.raises(MissingSetting) as caught:
        CareTeamSettings.from_environ({**TEMPLATE.function_environment("NotifyCareTeamFunction"),
                                       "CARE_TEAM_TOPIC_ARN": ""})
    assert caught.value.names == ["CARE_TEAM_TOPIC_ARN"]


def test_settings_read_the_template_variable_names() -> None:
    s = IntakeSettings.from_environ({**INTAKE_ENV, "ALLOWED_ORIGINS": "https://a.example, https://b.example/ ,",
                                     "RETENTION_DAYS": "30", "INQUIRIES_TABLE": "T", "UNRELATED": "x"})
    assert s.allowed_origins == ("https://a.example", "https://b.example")
    assert s.retention_days == 30
    assert s.inquiries_table == "T"


@pytest.mark.parametrize(("variable", "value"), [("RETENTION_DAYS", "0"), ("RETENTION_DAYS", "a year"),
                                                ("IDEMPOTENCY_KEY_TTL_SECONDS", "59")])
def test_nonsense_settings_fail_at_cold_start_naming_the_variable_not_the_value(variable: str, value: str) -> None:
    with pytest.raises(InvalidSetting) as caught:
        IntakeSettings.from_environ({**INTAKE_ENV, variable: value})
    assert caught.value.name == variable
    assert variable in str(caught.value)
    assert value not in str(caught.value)


def test_a_chat_timeout_must_be_more_than_zero() -> None:
    environment = TEMPLATE.function_environment("NotifyCareTeamFunction")
    assert CareTeamSettings.from_environ({**environment, "CHAT_TIMEOUT_SECONDS": "0.5"}).chat_timeout_seconds == 0.5
    with pytest.raises(InvalidSetting):
        CareTeamSettings.from_environ({**environment, "CHAT_TIMEOUT_SECONDS": "0"})


def test_settings_built_in_code_are_held_to_the_same_rules() -> None:
    with pytest.raises(InvalidSetting):
        RedispatchSettings(inquiries_table="T", confirmation_queue_url="q", care_team_queue_url="",
                           redispatch_grace_seconds=0)
    with pytest.raises(InvalidSetting):
        RedispatchSettings(inquiries_table="T", confirmation_queue_url="q", care_team_queue_url="q",
                           redispatch_grace_seconds=-1)


@pytest.mark.parametrize(("function", "variable"), [("CareApiFunction", "AUDIT_TABLE"),
                                                     ("RemindCareTeamFunction", "CARE_TEAM_TOPIC_ARN")])
def test_the_care_functions_stop_at_cold_start_without_their_table_or_topic(function: str, variable: str) -> None:
    environment = {k: v for k, v in TEMPLATE.function_environment(function).items() if k != variable}
    with pytest.raises(MissingSetting) as caught:
        SETTINGS_OF[function].from_environ(environment)
    assert caught.value.names == [variable]


def test_response_time_targets_reach_intake_and_the_care_api_only() -> None:
    for function in ("IntakeFunction", "CareApiFunction"):
        environment = TEMPLATE.function_environment(function)
        assert {"CLINIC_TIME_ZONE", "CLINIC_OPENS_AT", "CLINIC_CLOSES_AT", "URGENT_RESPONSE_MINUTES",
                "PRIORITY_RESPONSE_BUSINESS_HOURS", "NORMAL_RESPONSE_BUSINESS_DAYS"} <= set(environment), function
    assert "CLINIC_TIME_ZONE" not in TEMPLATE.function_environment("SendConfirmationFunction")


@pytest.mark.parametrize("value", ["9am", "24:00", "09:00 ", "9:00"])
def test_an_opening_time_that_is_not_a_clock_time_fails_at_cold_start(value: str) -> None:
    with pytest.raises(InvalidSetting):
        CareApiSettings.from_environ({**TEMPLATE.function_environment("CareApiFunction"), "CLINIC_OPENS_AT": value})


def _redispatch(**changes: object) -> RedispatchSettings:
    values: dict[str, object] = {"inquiries_table": "T", "confirmation_queue_url": "q1", "care_team_queue_url": "q2"}
    return RedispatchSettings(**{**values, **changes})  # type: ignore[arg-type]


def test_settings_are_read_only_once_built() -> None:
    settings = _redispatch()
    with pytest.raises(AttributeError):
        settings.inquiries_table = "Other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del settings.stage
    assert settings.inquiries_table == "T"


def test_a_settings_class_refuses_an_unknown_or_a_missing_field_by_name() -> None:
    with pytest.raises(TypeError, match="no setting bogus"):
        _redispatch(bogus=1)
    with pytest.raises(TypeError, match="needs care_team_queue_url"):
        RedispatchSettings(inquiries_table="T", confirmation_queue_url="q1")  # type: ignore[call-arg]


def test_fields_come_from_every_base_with_their_defaults_and_a_copy_keeps_the_rules() -> None:
    settings = IntakeSettings.from_environ(INTAKE_ENV)
    assert {"STAGE", "INQUIRIES_TABLE", "CONFIRMATION_QUEUE_URL", "CLINIC_NAME", "CLINIC_OPENS_AT",
            "PEPPER_SECRET"} <= set(IntakeSettings.variables())
    assert _redispatch().redispatch_grace_seconds == 120
    assert _redispatch().replace(redispatch_grace_seconds=5).redispatch_grace_seconds == 5
    with pytest.raises(InvalidSetting):
        settings.replace(retention_days=0)
    assert "INQUIRIES_TABLE" in repr(settings).upper()
