"""make gameday: every injected fault moves the metric its alarm reads, and loses no inquiry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from infra.gameday import AlarmMetric
from infra.template import ROOT, TemplateResources

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch.type_defs import DimensionTypeDef

EXPECTED_ALARMS = {"DispatchDeferredAlarm", "OldestDispatchPendingAlarm", "ConfirmationRetriedAlarm",
                   "CareTeamQueueAgeAlarm"}


@pytest.fixture(scope="module")
def game_day() -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    result = subprocess.run([sys.executable, "-m", "infra.gameday", "--json"], capture_output=True, text=True,
                            cwd=ROOT, env=env, timeout=180, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


@pytest.fixture(scope="module")
def drills(game_day: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = game_day["drills"]
    return found


def test_each_fault_moves_the_metric_of_the_alarm_that_pages(drills: list[dict[str, Any]]) -> None:
    assert {d["alarm"] for d in drills} == EXPECTED_ALARMS
    assert {d["fault"] for d in drills} == {"SQS sends denied", "SES broken", "consumer stopped"}
    for drill in drills:
        assert drill["moved"], drill
        assert drill["during"] > drill["before"], drill


def test_no_inquiry_is_lost_once_the_fault_is_lifted(drills: list[dict[str, Any]]) -> None:
    assert all(d["recovered"] for d in drills)
    assert len({d["inquiry_id"] for d in drills}) == 3


def test_an_alarm_reads_only_its_own_series(aws_credentials: None) -> None:
    """The game day proves nothing if a metric in another stage, or with a reason, counted for the alarm."""
    resources = TemplateResources()
    alarm = AlarmMetric.from_template(resources, "DispatchDeferredAlarm")
    assert {d["Name"]: d["Value"] for d in alarm.dimensions} == {"service": "inquiry-intake", "stage": "dev"}
    with mock_aws():
        cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
        since = datetime.now(UTC) - timedelta(minutes=1)
        other_stage: list[DimensionTypeDef] = [{"Name": "service", "Value": "inquiry-intake"},
                                               {"Name": "stage", "Value": "prod"}]
        cloudwatch.put_metric_data(Namespace="InquiryIntake", MetricData=[
            {"MetricName": "DispatchDeferred", "Dimensions": other_stage, "Value": 5, "Unit": "Count"}])
        assert alarm.read(cloudwatch, since) == 0
        cloudwatch.put_metric_data(Namespace="InquiryIntake", MetricData=[
            {"MetricName": "DispatchDeferred", "Dimensions": alarm.dimensions, "Value": 1, "Unit": "Count"}])
        assert alarm.read(cloudwatch, since) == 1


def test_a_flood_of_crisis_worded_posts_texts_within_the_budget_and_loses_nothing(game_day: dict[str, Any]) -> None:
    """Issue 18: 200 crisis-worded posts from 20 addresses; every one stored and notified (the topic, hence the
    email); the phone (the SMS subscription's filter policy) gets at most the cap per window plus one count."""
    flood = game_day["flood"]
    assert flood["posts"] == 200
    assert flood["accepted"] == flood["stored"] == flood["notified"] == 200
    assert 1 <= flood["windows"] <= 6, flood
    assert flood["single_texts"] <= flood["per_window_cap"] * flood["windows"], flood
    assert 1 <= flood["summary_texts"] <= flood["windows"], flood
    assert flood["single_texts"] + flood["summary_texts"] < 200 // 4, flood
    assert flood["after_flood_texted"], "a real urgent inquiry after the flood still reaches the phone"
    assert flood["held"]
