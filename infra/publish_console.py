"""``make deploy`` publishes the care console: web/care/ and a generated config.json, to the console bucket.

    python -m infra.publish_console --config-env dev     (after ``sam deploy --config-env dev``)

The stack's Outputs give the bucket, the distribution, the API URL, the user pool and the app client.
Every file goes under ``care/`` (the console's path, as locally), stale files are removed, and
CloudFront is told to drop what it holds under ``/care/``.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from infra.template import ROOT

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


def console_config(outputs: dict[str, str], region: str) -> dict[str, str]:
    """The console's config.json: where to sign in (Cognito in this region) and the API's stage URL."""
    return {
        "region": region,
        "userPoolId": outputs["CareTeamUserPoolId"],
        "clientId": outputs["CareConsoleClientId"],
        "cognitoEndpoint": f"https://cognito-idp.{region}.amazonaws.com/",
        "apiBase": outputs["ApiUrl"].rstrip("/"),
    }


def console_files(root: Path, config: dict[str, str]) -> list[ConsoleFile]:
    """Every file under ``root`` plus config.json, keyed under ``care/``."""
    if not (root / "index.html").is_file():
        raise FileNotFoundError(f"{root / 'index.html'} is missing: nothing to publish")
    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != "config.json"):
        content_type = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        files.append(ConsoleFile(PREFIX + path.relative_to(root).as_posix(), path.read_bytes(), content_type))
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
    files = console_files(CONSOLE_ROOT, console_config(outputs, region))
    stale = publish(session.client("s3"), outputs["ConsoleBucketName"], files)
    session.client("cloudfront").create_invalidation(
        DistributionId=outputs["ConsoleDistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/care/*"]}, "CallerReference": str(time.time_ns())})
    print(f"Published {len(files)} files ({len(stale)} stale removed): {outputs['ConsoleUrl']}/")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
