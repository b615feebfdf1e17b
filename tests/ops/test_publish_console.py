"""make deploy's console step: web/care/ and a generated config.json into the console bucket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.publish_console import CONSOLE_ROOT, clinic_time_zone, console_config, console_files, publish, stack_of

OUTPUTS = {"CareTeamUserPoolId": "us-east-1_Pool", "CareConsoleClientId": "client123",
           "ApiUrl": "https://abc.execute-api.us-east-1.amazonaws.com/prod/"}


@pytest.fixture
def bucket(aws_credentials: None) -> Iterator[Any]:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="console")
        yield s3


def test_config_json_names_this_regions_cognito_the_api_stage_and_the_clinics_time_zone() -> None:
    assert console_config(OUTPUTS, "us-east-1", "America/Chicago") == {
        "region": "us-east-1", "userPoolId": "us-east-1_Pool", "clientId": "client123",
        "cognitoEndpoint": "https://cognito-idp.us-east-1.amazonaws.com/",
        "apiBase": "https://abc.execute-api.us-east-1.amazonaws.com/prod", "timeZone": "America/Chicago"}


def test_the_time_zone_is_the_deployed_stacks_clinic_time_zone_or_the_templates_default() -> None:
    stack = {"Parameters": [{"ParameterKey": "Stage", "ParameterValue": "dev"},
                            {"ParameterKey": "ClinicTimeZone", "ParameterValue": "America/New_York"}]}
    assert clinic_time_zone(stack) == "America/New_York"
    assert clinic_time_zone({"Parameters": []}) == "America/Los_Angeles"


def test_the_console_is_published_under_care_with_its_config_and_nothing_stale(bucket: Any, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><html><head></head></html>")
    (tmp_path / "api.js").write_text("export {}")
    (tmp_path / "config.json").write_text('{"apiBase": "left over from a local run"}')
    bucket.put_object(Bucket="console", Key="care/old-view.js", Body=b"gone")

    stale = publish(bucket, "console", console_files(tmp_path, console_config(OUTPUTS, "us-east-1")))

    keys = sorted(o["Key"] for o in bucket.list_objects_v2(Bucket="console")["Contents"])
    assert keys == ["care/api.js", "care/config.json", "care/index.html"]
    assert stale == ["care/old-view.js"]
    index = bucket.get_object(Bucket="console", Key="care/index.html")
    assert index["ContentType"] == "text/html; charset=utf-8" and index["CacheControl"] == "no-store"
    assert bucket.get_object(Bucket="console", Key="care/api.js")["ContentType"] == "text/javascript; charset=utf-8"
    config = json.loads(bucket.get_object(Bucket="console", Key="care/config.json")["Body"].read())
    assert config["apiBase"] == OUTPUTS["ApiUrl"].rstrip("/")


def test_nothing_is_published_without_an_index_page(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        console_files(tmp_path, console_config(OUTPUTS, "us-east-1"))


def test_each_environment_names_its_stack_and_region() -> None:
    assert stack_of("dev") == ("inquiry-intake-dev", "us-east-1")
    assert stack_of("prod") == ("inquiry-intake-prod", "us-east-1")


# ---- issue 18: the published console may connect to its own API only ----------------------------------------
def test_the_published_page_names_its_own_api_and_cognito_as_the_only_hosts_it_may_connect_to(
        tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                                         "<title>Care console</title>\n</head>\n<body></body>\n</html>\n")
    files = {f.key: f.body.decode() for f in console_files(tmp_path, console_config(OUTPUTS, "us-east-1"))}

    policy = ('<meta http-equiv="Content-Security-Policy" content="connect-src \'self\' '
              'https://abc.execute-api.us-east-1.amazonaws.com https://cognito-idp.us-east-1.amazonaws.com">')
    assert policy in files["care/index.html"]
    assert files["care/index.html"].index(policy) < files["care/index.html"].index("<title>")


@pytest.mark.parametrize("api_url", [
    "https://abc.execute-api.us-west-2.amazonaws.com/prod/",  # another region
    "https://evil.example.com/prod/",
    "http://abc.execute-api.us-east-1.amazonaws.com/prod/",
    "https://abc.execute-api.us-east-1.amazonaws.com.evil.example/prod/",
])
def test_a_config_naming_a_host_the_policy_would_not_is_refused(api_url: str) -> None:
    with pytest.raises(ValueError, match="ApiUrl"):
        console_config({**OUTPUTS, "ApiUrl": api_url}, "us-east-1")


def test_the_real_console_page_gets_its_policy_before_anything_else_in_its_head() -> None:
    files = console_files(CONSOLE_ROOT, console_config(OUTPUTS, "us-east-1"))
    [index] = [f for f in files if f.key == "care/index.html"]
    page = index.body.decode()
    head = page.index("<head>") + len("<head>")
    assert page[head:].lstrip().startswith('<meta http-equiv="Content-Security-Policy" content="connect-src \'self\' '
                                           'https://abc.execute-api.us-east-1.amazonaws.com '
                                           'https://cognito-idp.us-east-1.amazonaws.com">')
