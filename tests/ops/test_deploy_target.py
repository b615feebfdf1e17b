"""make deploy acts on the stack, profile and region samconfig.toml names for the environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infra.deploy_target import DeployTarget, deploy_target
from infra.template import ROOT


def test_each_environment_names_its_own_stack_and_profile() -> None:
    dev, prod = deploy_target("dev"), deploy_target("prod")
    assert prod == DeployTarget("inquiry-intake-prod", "inquiry-intake-prod", "us-east-1")
    assert dev.stack_name != prod.stack_name
    assert dev.profile != prod.profile


def test_the_command_prints_aws_cli_options_for_the_same_stack() -> None:
    out = subprocess.run([sys.executable, "-m", "infra.deploy_target", "prod"], capture_output=True, text=True,
                         cwd=ROOT, check=True, timeout=60).stdout
    assert out.split() == ["--stack-name", "inquiry-intake-prod", "--profile", "inquiry-intake-prod",
                           "--region", "us-east-1"]


def test_an_environment_without_a_profile_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "samconfig.toml"
    config.write_text('version = 0.1\n[default.global.parameters]\nregion = "us-east-1"\n'
                      '[qa.deploy.parameters]\nstack_name = "inquiry-intake-qa"\n')
    with pytest.raises(SystemExit, match="profile"):
        deploy_target("qa", config)
    with pytest.raises(SystemExit, match="no environment"):
        deploy_target("staging", config)
