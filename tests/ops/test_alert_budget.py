"""Issue 18, finding 1 in the template: the pager gets ALARM (not OK), SMS spend is watched at 50% and 80% of
the account's limit, and sign-in noise (401, 403) cannot raise the 4xx surge alarm."""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

import pytest

from infra.template import TemplateResources

RESOURCES = TemplateResources()
ALARMS = RESOURCES.logical_ids("AWS::CloudWatch::Alarm")


def topic_of(ref: Any) -> str:
    assert isinstance(ref, dict) and set(ref) == {"Ref"}, ref
    return str(ref["Ref"])


def topics_with(protocol: str) -> set[str]:
    return {topic_of(RESOURCES.properties(lid)["TopicArn"]) for lid in RESOURCES.logical_ids("AWS::SNS::Subscription")
            if RESOURCES.properties(lid)["Protocol"] == protocol}


def test_the_alarm_topics_are_found() -> None:
    assert "OpsAlarmTopic" in topics_with("sms")  # the pager's phone
    assert len(ALARMS) > 20


@pytest.mark.parametrize("alarm", ALARMS)
def test_no_alarm_texts_the_pager_when_it_clears(alarm: str) -> None:
    props = RESOURCES.properties(alarm)
    texted = topics_with("sms")
    assert [topic_of(t) for t in props.get("OKActions", []) if topic_of(t) in texted] == [], alarm
    assert [topic_of(t) for t in props.get("InsufficientDataActions", []) if topic_of(t) in texted] == [], alarm
    assert [topic_of(t) for t in props["AlarmActions"]] == ["OpsAlarmTopic"], alarm


def test_recoveries_still_reach_ops_mailbox_and_the_https_pager_which_resolves_on_ok() -> None:
    recoveries = {topic_of(t) for lid in ALARMS for t in RESOURCES.properties(lid).get("OKActions", [])}
    assert recoveries == {"OpsRecoveryTopic"}
    assert "OpsRecoveryTopic" in topics_with("email") and "OpsRecoveryTopic" in topics_with("https")
    assert "OpsRecoveryTopic" not in topics_with("sms")
    assert RESOURCES.properties("OpsRecoveryTopic")["KmsMasterKeyId"] == {"Ref": "DataKey"}


# ---- SMS spend ----------------------------------------------------------------------------------------------
def spend_alarms() -> dict[str, dict[str, Any]]:
    found = {}
    for lid in ALARMS:
        props = RESOURCES.properties(lid)
        metrics = props.get("Metrics", [])
        if any(m.get("MetricStat", {}).get("Metric", {}).get("MetricName") == "SMSMonthToDateSpentUSD"
               for m in metrics):
            found[lid] = props
    return found


def percent_of_limit(props: dict[str, Any], spent: float, limit: float) -> float:
    """The alarm's expression evaluated for a month's spend against the account's limit."""
    [expression] = [m for m in props["Metrics"] if "Expression" in m]
    raw = expression["Expression"]
    text = str(raw["Fn::Sub"] if isinstance(raw, dict) else raw)
    [stat] = [m for m in props["Metrics"] if "MetricStat" in m]
    text = text.replace("${SmsMonthlySpendLimitUsd}", repr(limit)).replace(stat["Id"], repr(spent))
    assert re.fullmatch(r"[0-9.()*/+ -]+", text), text
    value = eval(text, {"__builtins__": {}})  # noqa: S307 - checked above: arithmetic only
    return float(value)


def test_sms_spend_alarms_at_half_and_four_fifths_of_the_accounts_limit() -> None:
    alarms = spend_alarms()
    assert set(alarms) == {"SmsSpend50PercentAlarm", "SmsSpendAlarm"}
    thresholds = {lid: float(props["Threshold"]) for lid, props in alarms.items()}
    assert thresholds == {"SmsSpend50PercentAlarm": 50.0, "SmsSpendAlarm": 80.0}
    for lid, props in alarms.items():
        [stat] = [m for m in props["Metrics"] if "MetricStat" in m]
        assert stat["MetricStat"]["Metric"]["Namespace"] == "AWS/SNS"
        assert stat["MetricStat"]["Stat"] == "Maximum"
        assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert "docs/operations.md#sms-spend" in props["AlarmDescription"], lid
    # $5 of a $10 limit is 50%: the first alarm, not yet the second; $8 raises both.
    half, four_fifths = alarms["SmsSpend50PercentAlarm"], alarms["SmsSpendAlarm"]
    assert percent_of_limit(half, 5, 10) == pytest.approx(50)
    assert percent_of_limit(half, 5, 10) >= thresholds["SmsSpend50PercentAlarm"]
    assert percent_of_limit(four_fifths, 5, 10) < thresholds["SmsSpendAlarm"]
    assert percent_of_limit(four_fifths, 8, 10) >= thresholds["SmsSpendAlarm"]


def test_the_spend_limit_is_a_parameter_and_the_old_absolute_threshold_is_gone() -> None:
    params = RESOURCES.template["Parameters"]
    assert "SmsMonthlySpendLimitUsd" in params and "SmsSpendAlarmUsd" not in params
    assert float(params["SmsMonthlySpendLimitUsd"]["MinValue"]) > 0


# ---- 4xx surge without sign-in noise ------------------------------------------------------------------------
def access_line(status: str) -> str:
    """An access-log line exactly as the template's Format writes it, for one status."""
    fmt = RESOURCES.properties("InquiryApi")["AccessLogSetting"]["Format"]
    values = {"$context.requestId": "r-1", "$context.identity.sourceIp": "198.51.100.7",
              "$context.requestTime": "05/Dec/2026:17:00:00 +0000", "$context.httpMethod": "GET",
              "$context.resourcePath": "/care/inquiries", "$context.status": status,
              "$context.integrationLatency": "12"}
    line = re.sub(r"\$context\.[A-Za-z.]+", lambda m: values[m.group(0)], fmt)
    json.loads(line)
    return line


_CLAUSE = re.compile(r'\(\s*\$\.(\w+)\s*(=|!=)\s*"([^"]*)"\s*\)')


def matches(pattern: str, line: str) -> bool:
    """A JSON filter pattern of ``($.field = "glob")`` / ``($.field != "text")`` clauses joined by ``&&``,
    the only shape this template uses (CloudWatch's own test is ``aws logs test-metric-filter``)."""
    body = pattern.strip()
    assert body.startswith("{") and body.endswith("}"), pattern
    clauses = [c.strip() for c in body[1:-1].split("&&")]
    event = json.loads(line)
    for clause in clauses:
        found = _CLAUSE.fullmatch(clause)
        assert found, f"unsupported clause {clause!r}"
        field, op, text = found.groups()
        value = str(event.get(field, ""))
        hit = fnmatch.fnmatchcase(value, text) if op == "=" else value != text
        if not hit:
            return False
    return True


def test_the_4xx_surge_alarm_counts_the_access_log_without_401_and_403() -> None:
    props = RESOURCES.properties("Api4xxSurgeAlarm")
    [metric_filter] = [RESOURCES.properties(lid) for lid in RESOURCES.logical_ids("AWS::Logs::MetricFilter")
                       if RESOURCES.properties(lid)["LogGroupName"] == {"Ref": "ApiAccessLogGroup"}]
    [transformation] = metric_filter["MetricTransformations"]
    assert (props["Namespace"], props["MetricName"]) == (transformation["MetricNamespace"],
                                                         transformation["MetricName"])
    assert props["Statistic"] == "Sum" and transformation["MetricValue"] == "1"
    assert props["Threshold"] == {"Ref": "Api4xxAlarmThreshold"}
    pattern = metric_filter["FilterPattern"]
    assert [s for s in ("400", "404", "413", "415", "422", "429") if not matches(pattern, access_line(s))] == []
    assert [s for s in ("401", "403", "200", "202", "500", "503") if matches(pattern, access_line(s))] == []


def test_the_pattern_reader_refuses_what_it_does_not_understand() -> None:
    with pytest.raises(AssertionError):
        matches('{ $.status = 4* }', access_line("404"))
