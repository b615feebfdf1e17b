"""``make deploy`` publishes the care console: web/care/ and a generated config.json, to the console bucket.

    python -m infra.publish_console --config-env dev     (after ``sam deploy --config-env dev``)

The stack's Outputs give the bucket, the distribution, the API URL, the user pool and the app client.
Every file goes under ``care/`` (the console's path, as locally), stale files are removed, and
CloudFront is told to drop what it holds under ``/care/``.

The page may connect to this stack's API and this region's Cognito only. CloudFront's header policy
cannot name the API's id (the API's function names the console's domain for CORS: a dependency cycle
in one stack), so it allows this region's API Gateway hosts, and the published index.html carries its
own policy naming exactly this API: a browser enforces both, so only this API is reachable. A config
naming any other host is refused here, and the console refuses one its page's policy would not allow.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import re
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from infra.template import ROOT, load_template

CONSOLE_ROOT = ROOT / "web" / "care"
PREFIX = "care/"
_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
          ".js": "text/javascript; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class ConsoleFile:
    """One object to publish."""

    key: str
    body: bytes
    content_type: str


def _api_origin(api_url: str, region: str) -> str:
    """``https://<api id>.execute-api.<region>.amazonaws.com`` of the stack's ApiUrl. Raises ``ValueError``."""
    pattern = rf"(https://[a-z0-9]+\.execute-api\.{re.escape(region)}\.amazonaws\.com)(?:/[A-Za-z0-9_-]+)?/?"
    match = re.fullmatch(pattern, api_url)
    if match is None:
        raise ValueError(f"ApiUrl is not an API Gateway stage URL in {region}: the console may not connect to it")
    return match.group(1)


def cognito_origin(region: str) -> str:
    """This region's Cognito user pools endpoint (no trailing slash: a CSP source)."""
    return f"https://cognito-idp.{region}.amazonaws.com"


def connect_policy(outputs: dict[str, str], region: str) -> str:
    """The page's own CSP: it may connect to itself, this stack's API and this region's Cognito only."""
    return f"connect-src 'self' {_api_origin(outputs['ApiUrl'], region)} {cognito_origin(region)}"


def console_config(outputs: dict[str, str], region: str, time_zone: str = "UTC") -> dict[str, str]:
    """The console's config.json: where to sign in (Cognito in this region), the API's stage URL and the
    clinic's time zone (the stack's ClinicTimeZone: the console shows absolute times in it, zone named).
    Raises ``ValueError`` when ApiUrl is not this region's API Gateway."""
    _api_origin(outputs["ApiUrl"], region)
    return {
        "region": region,
        "userPoolId": outputs["CareTeamUserPoolId"],
        "clientId": outputs["CareConsoleClientId"],
        "cognitoEndpoint": f"{cognito_origin(region)}/",
        "apiBase": outputs["ApiUrl"].rstrip("/"),
        "timeZone": time_zone,
    }


def clinic_time_zone(stack: dict[str, Any]) -> str:
    """The deployed stack's ClinicTimeZone parameter (the template's default when the stack does not list it)."""
    for parameter in stack.get("Parameters", []):
        if parameter.get("ParameterKey") == "ClinicTimeZone" and parameter.get("ParameterValue"):
            return str(parameter["ParameterValue"])
    return str(load_template()["Parameters"]["ClinicTimeZone"].get("Default") or "UTC")


def with_connect_policy(page: bytes, policy: str) -> bytes:
    """index.html with its own CSP ``<meta>`` first in ``<head>`` (before any script can connect anywhere)."""
    text = page.decode("utf-8")
    head = re.search(r"<head[^>]*>", text)
    if head is None or "http-equiv=\"Content-Security-Policy\"" in text:
        raise ValueError("index.html needs a <head> and no policy of its own to be published")
    meta = f'\n<meta http-equiv="Content-Security-Policy" content="{policy}">'
    return (text[:head.end()] + meta + text[head.end():]).encode("utf-8")


def console_files(root: Path, config: dict[str, str]) -> list[ConsoleFile]:
    """Every file under ``root`` plus config.json, keyed under ``care/``; index.html gets the policy that
    names the config's API and Cognito as the only hosts it may connect to."""
    if not (root / "index.html").is_file():
        raise FileNotFoundError(f"{root / 'index.html'} is missing: nothing to publish")
    policy = connect_policy({"ApiUrl": config["apiBase"]}, config["region"])
    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != "config.json"):
        content_type = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        body = path.read_bytes()
        if path == root / "index.html":
            body = with_connect_policy(body, policy)
        files.append(ConsoleFile(PREFIX + path.relative_to(root).as_posix(), body, content_type))
    files.append(ConsoleFile(PREFIX + "config.json", json.dumps(config, indent=2).encode(), "application/json"))
    return files


def publish(s3: Any, bucket: str, files: list[ConsoleFile]) -> list[str]:
    """Upload ``files`` and delete every other object under ``care/``; the keys deleted."""
    for f in files:
        s3.put_object(Bucket=bucket, Key=f.key, Body=f.body, ContentType=f.content_type, CacheControl="no-store")
    wanted = {f.key for f in files}
    stale = [obj["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=PREFIX)
             for obj in page.get("Contents", []) if obj["Key"] not in wanted]
    for key in stale:
        s3.delete_object(Bucket=bucket, Key=key)
    return stale


def stack_of(config_env: str, samconfig: Path = ROOT / "samconfig.toml") -> tuple[str, str]:
    """(stack name, region) of a samconfig.toml environment."""
    config = tomllib.loads(samconfig.read_text(encoding="utf-8"))[config_env]
    region = config.get("global", {}).get("parameters", {}).get("region", "us-east-1")
    return str(config["deploy"]["parameters"]["stack_name"]), str(region)


def main(argv: list[str] | None = None) -> int:
    """Publish the console of one deployed stack."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config-env", default="dev", help="samconfig.toml environment (dev, prod)")
    args = parser.parse_args(argv)
    stack_name, region = stack_of(args.config_env)
    session = boto3.Session(region_name=region)
    stack = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    files = console_files(CONSOLE_ROOT, console_config(outputs, region, clinic_time_zone(stack)))
    stale = publish(session.client("s3"), outputs["ConsoleBucketName"], files)
    session.client("cloudfront").create_invalidation(
        DistributionId=outputs["ConsoleDistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/care/*"]}, "CallerReference": str(time.time_ns())})
    print(f"Published {len(files)} files ({len(stale)} stale removed): {outputs['ConsoleUrl']}/")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
