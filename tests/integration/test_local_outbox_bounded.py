"""The local outbox keeps the newest emails and notifications, not every one a day of traffic sends."""

from __future__ import annotations

import boto3
from moto import mock_aws
from moto.ses.models import ses_backends

from infra.local.aws_emulator import SentEmailContent, forget_old_emails
from infra.template import ACCOUNT_ID

REGION = "us-east-1"


def test_sent_content_keeps_the_newest_only() -> None:
    kept = SentEmailContent(limit=2)
    for n in range(3):
        kept.remember(f"m{n}", {"Simple": {"Subject": {"Data": str(n)}}})
    assert kept.get("m0") is None
    assert kept.get("m1") is not None and kept.get("m2") is not None


def test_moto_keeps_only_the_newest_emails_once_trimmed() -> None:
    with mock_aws():
        ses = boto3.client("sesv2", region_name=REGION)
        ses.create_email_identity(EmailIdentity="clinic.example")
        for n in range(5):
            ses.send_email(FromEmailAddress="hello@clinic.example", Destination={"ToAddresses": [f"p{n}@example.com"]},
                           Content={"Simple": {"Subject": {"Data": f"s{n}"}, "Body": {"Text": {"Data": "t"}}}})
        forget_old_emails(3)
        subjects = [m.subject for m in ses_backends[ACCOUNT_ID][REGION].sent_messages]
        assert subjects == ["s2", "s3", "s4"]
