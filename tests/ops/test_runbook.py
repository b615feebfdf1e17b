"""The runbook's commands: the local erasure example runs as written; every shell block parses in bash."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time

from inquiries.data.items import InquiryItem
from inquiries.ids import new_inquiry_id
from inquiries.models import InquiryIn
from inquiries.peppers import read_peppers
from inquiries.settings import ResponseTimeSettings
from inquiries.triage import NOT_URGENT

from infra.local.aws_emulator import MotoServer, aws_session
from infra.local.child import free_port
from infra.template import ROOT, TemplateResources

RUNBOOK = (ROOT / "docs" / "operations.md").read_text()
README = (ROOT / "README.md").read_text()
BASH = shutil.which("bash") or "/bin/bash"


def shell_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, re.DOTALL)


def local_erasure_example() -> str:
    [block] = [b for b in shell_blocks(RUNBOOK) if "AWS_ENDPOINT_URL=http://127.0.0.1:5000" in b]
    return block


def test_the_local_erasure_example_runs_as_written_against_the_emulator() -> None:
    port = free_port()
    server = MotoServer(port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        session = aws_session("us-east-1")
        TemplateResources().create_all(session, endpoint)
        address = re.search(r"'([^']+@[^']+)'", local_erasure_example())
        assert address is not None
        inquiry = InquiryIn.model_validate({"name": "A Person", "email": address.group(1),
                                            "consent_to_contact": True})
        pepper = read_peppers(session.client("secretsmanager", endpoint_url=endpoint), "PepperSecret")
        item = InquiryItem.for_submission(inquiry, inquiry_id=new_inquiry_id(), now=time.time(), triage=NOT_URGENT,
                                          spam=False, retention_days=1,
                                          targets=ResponseTimeSettings(), peppers=pepper)
        session.client("dynamodb", endpoint_url=endpoint).put_item(TableName="InquiriesTable", Item=item.to_item())
        # As pasted in a shell with a profile of the reader's own set, and no AWS credentials at all.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["AWS_PROFILE"] = "someone-elses-profile"
        command = local_erasure_example().replace("127.0.0.1:5000", f"127.0.0.1:{port}")
        result = subprocess.run([BASH, "-c", command], capture_output=True, text=True, cwd=ROOT, env=env,
                                timeout=60, check=False)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["dry_run"] is True
    assert report["inquiries"] == 1
    assert address.group(1) not in result.stderr


def test_every_shell_block_parses_in_bash() -> None:
    blocks = shell_blocks(RUNBOOK) + shell_blocks(README)
    assert len(blocks) > 10
    for block in blocks:
        result = subprocess.run([BASH, "-n"], input=block, capture_output=True, text=True, timeout=30, check=False)
        assert result.returncode == 0, f"{block}\n{result.stderr}"


def test_commands_use_nothing_zsh_lacks_and_never_take_an_address_as_an_argument() -> None:
    for block in shell_blocks(RUNBOOK):
        assert not re.search(r"\bread\s+-\w*[ps]", block), f"read -p/-s is bash-only:\n{block}"
        assert "${!" not in block and "<<<" not in block, block
        for line in block.splitlines():
            if "infra.erase" in line:
                assert "--email" not in line, line


def test_the_runbook_states_the_aws_cli_version_it_needs() -> None:
    assert "AWS CLI v2" in RUNBOOK
    assert "aws-cli/2" in (ROOT / "mk" / "ops.mk").read_text(), "make deploy checks it"


def test_the_readme_links_the_projects_own_architecture_page() -> None:
    assert "(docs/architecture.md)" in README
    assert (ROOT / "docs" / "architecture.md").is_file()
    assert "DESIGN.md" not in README
    assert "DESIGN.md" not in RUNBOOK


def test_the_runbook_covers_hipaa_operations_and_rollback() -> None:
    for heading in ("## HIPAA operations", "## Rolling back a deploy", "## SES and SMS go-live",
                    "## Accounts and profiles", "## Game day"):
        assert heading in RUNBOOK
    for words in ("BAA", "organization CloudTrail", "data events", "MonthlySpendLimit", "Concurrent executions",
                  "production access", "--authenticate-on-unsubscribe true"):
        assert words in RUNBOOK, words


def test_the_runbooks_onboarding_matches_the_pool() -> None:
    care = RUNBOOK[RUNBOOK.index("## The care console"):]
    care = care[:care.index("\n## ", 1)]
    for words in ("valid\n1 day", "Name=name,Value=", "admin_only", "admin-set-user-password", "--no-permanent",
                  "`staging` and `prod` the pool requires TOTP", "15 minutes", "RevokeToken", "Plus feature plan",
                  "CaseSensitive: false", "before the first production deploy", "SenderEmail"):
        assert words in care, words
    assert "valid\n3 days" not in care and "30 minutes" not in care
