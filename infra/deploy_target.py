"""Where one environment deploys, as samconfig.toml says: its stack, AWS CLI profile and region.

``make deploy`` passes these to the AWS CLI after ``sam deploy`` (which reads samconfig.toml itself),
so both act on the same stack in the same account:

    python -m infra.deploy_target prod
    --stack-name inquiry-intake-prod --profile inquiry-intake-prod --region us-east-1
"""

from __future__ import annotations

import argparse
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.template import ROOT

SAMCONFIG = ROOT / "samconfig.toml"


@dataclass(frozen=True)
class DeployTarget:
    """One environment's stack, profile and region."""

    stack_name: str
    profile: str
    region: str

    def cli_arguments(self) -> list[str]:
        """The AWS CLI options naming this stack in this account and region."""
        return ["--stack-name", self.stack_name, "--profile", self.profile, "--region", self.region]


def deploy_target(env: str, path: Path = SAMCONFIG) -> DeployTarget:
    """The target of ``sam deploy --config-env env``; every value must be set for that environment."""
    config: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    if env not in config:
        raise SystemExit(f"samconfig.toml has no environment {env!r} (have: {', '.join(sorted(config))})")
    section = config[env]
    globals_ = {**config.get("default", {}).get("global", {}).get("parameters", {}),
                **section.get("global", {}).get("parameters", {})}
    deploy = section.get("deploy", {}).get("parameters", {})
    values = {"stack_name": deploy.get("stack_name"), "profile": globals_.get("profile"),
              "region": globals_.get("region")}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise SystemExit(f"samconfig.toml [{env}] sets no {', '.join(missing)}")
    return DeployTarget(**{k: str(v) for k, v in values.items()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.deploy_target", description=__doc__.splitlines()[0])
    parser.add_argument("env", help="a samconfig.toml environment: dev or prod")
    args = parser.parse_args(argv)
    print(shlex.join(deploy_target(args.env).cli_arguments()))  # noqa: T201 - the command's output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
