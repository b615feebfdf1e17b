"""What the local pipeline sent: SES emails and care-team notifications (``/_local/outbox``).

Emails come from moto's SES backend (every message SES accepted), with the full SES v2 content
the AWS emulator kept. Notifications come from ``LocalOutbox``, an SQS queue subscribed to
CareTeamTopic (not raw, so each message keeps its SNS subject and attributes); texts from
``LocalTexts``, subscribed with the SMS subscription's filter policy (what the phone would get). This page holds
PHI by design (it is what the person would receive): it only ever listens on loopback.
"""

from __future__ import annotations

import email
import email.policy
import html
import json
import threading
from collections import deque
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from moto.ses.models import RawMessage, ses_backends

from infra.local.aws_emulator import SentEmailContent
from infra.template import ACCOUNT_ID

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


class LocalOutbox:
    """Collects sent emails and notifications for the outbox page: the newest ``limit`` of each."""

    def __init__(self, region: str, sent_content: SentEmailContent, sqs: SQSClient, outbox_queue_url: str,
                 topic_names: dict[str, str], texts_queue_url: str = "", limit: int = 2000) -> None:
        self.region = region
        self.sent_content = sent_content
        self.sqs = sqs
        self.outbox_queue_url = outbox_queue_url
        self.topic_names = topic_names  # ARN -> logical ID
        self._lock = threading.Lock()
        self.limit = limit
        self._notifications: deque[dict[str, Any]] = deque(maxlen=limit)
        self.texts_queue_url = texts_queue_url
        self._texts: deque[dict[str, Any]] = deque(maxlen=limit)

    def emails(self) -> list[dict[str, Any]]:
        """The newest ``limit`` emails SES accepted: to, subject, text, html (and from, id)."""
        sent = list(ses_backends[ACCOUNT_ID][self.region].sent_messages)[-self.limit:]
        return [self._email(message) for message in sent if hasattr(message, "id")]

    def _email(self, message: Any) -> dict[str, Any]:
        if isinstance(message, RawMessage):
            return _raw_email(message)
        destinations = getattr(message, "destinations", {}) or {}
        found: dict[str, Any] = {
            "id": message.id,
            "from": getattr(message, "source", None),
            "to": list(destinations.get("ToAddresses", [])),
            "cc": list(destinations.get("CcAddresses", [])),
            "subject": getattr(message, "subject", None),
            "text": None,
            "html": None,
        }
        content = self.sent_content.get(message.id)
        body = (content or {}).get("Simple", {}).get("Body")
        if body:
            found["text"] = body.get("Text", {}).get("Data")
            found["html"] = body.get("Html", {}).get("Data")
        elif hasattr(message, "body"):
            found["text"] = message.body  # sent through SES v1: moto kept one body
        return found

    def notifications(self) -> list[dict[str, Any]]:
        """The newest ``limit`` care-team notifications: topic, subject, message, attributes."""
        with self._lock:
            self._collect(self.outbox_queue_url, self._notifications)
            return list(self._notifications)

    def texts(self) -> list[dict[str, Any]]:
        """The newest ``limit`` notifications the care team's phone would have got (the SMS subscription's filter)."""
        with self._lock:
            if self.texts_queue_url:
                self._collect(self.texts_queue_url, self._texts)
            return list(self._texts)

    def _collect(self, queue_url: str, into: deque[dict[str, Any]]) -> None:
        while True:
            received = self.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = received.get("Messages", [])
            if not messages:
                return
            for message in messages:
                into.append(self._notification(message["Body"]))
            self.sqs.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )

    def _notification(self, body: str) -> dict[str, Any]:
        envelope = json.loads(body)
        topic_arn = str(envelope.get("TopicArn", ""))
        return {
            "id": envelope.get("MessageId"),
            "topic": self.topic_names.get(topic_arn, topic_arn),
            "topic_arn": topic_arn,
            "subject": envelope.get("Subject"),
            "message": envelope.get("Message"),
            "attributes": {name: attr.get("Value") for name, attr in (envelope.get("MessageAttributes") or {}).items()},
        }

    def as_json(self) -> dict[str, Any]:
        """``{"emails": [...], "notifications": [...], "texts": [...]}``."""
        return {"emails": self.emails(), "notifications": self.notifications(), "texts": self.texts()}

    def as_html(self) -> str:
        """A readable page of the outbox (refreshes itself every few seconds)."""
        return render_outbox_page(self.as_json())


def _raw_email(message: RawMessage) -> dict[str, Any]:
    parsed = email.message_from_string(message.raw_data, policy=email.policy.default)
    text = html_part = None
    if isinstance(parsed, EmailMessage):
        plain = parsed.get_body(preferencelist=("plain",))
        rich = parsed.get_body(preferencelist=("html",))
        text = plain.get_content() if plain is not None else None
        html_part = rich.get_content() if rich is not None else None
    return {
        "id": message.id,
        "from": message.source,
        "to": [str(a) for a in (parsed.get_all("To") or message.destinations)],
        "cc": [],
        "subject": parsed.get("Subject"),
        "text": text,
        "html": html_part,
    }


def render_outbox_page(outbox: dict[str, Any]) -> str:
    """The outbox as HTML; every value is escaped, email HTML shown in a sandboxed frame."""
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<meta http-equiv='refresh' content='5'><title>Local outbox</title>",
        "<style>body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1f2a2e}"
        "article{border:1px solid #c9d3d1;border-radius:.5rem;padding:1rem;margin:1rem 0}"
        "pre{white-space:pre-wrap;background:#f4f7f6;padding:.75rem;border-radius:.25rem}"
        "iframe{width:100%;min-height:20rem;border:1px solid #c9d3d1}dt{font-weight:600}</style></head><body>",
        "<h1>Local outbox</h1><p>What the local pipeline sent. Refreshes every 5 seconds. "
        "<a href='/_local/outbox'>JSON</a> · <a href='/'>The form</a></p>",
        f"<h2>Emails ({len(outbox['emails'])})</h2>",
    ]
    for mail in reversed(outbox["emails"]):
        parts.append(f"<article><h3>{e(str(mail.get('subject') or '(no subject)'))}</h3>"
                     f"<p>To: {e(', '.join(mail.get('to') or []))}<br>From: {e(str(mail.get('from') or ''))}</p>")
        if mail.get("text"):
            parts.append(f"<pre>{e(str(mail['text']))}</pre>")
        if mail.get("html"):
            parts.append(f"<iframe sandbox='' title='HTML version' srcdoc=\"{e(str(mail['html']), quote=True)}\">"
                         "</iframe>")
        parts.append("</article>")
    parts.append(f"<h2>Care-team notifications ({len(outbox['notifications'])})</h2>")
    for note in reversed(outbox["notifications"]):
        attrs = "".join(f"<dt>{e(str(k))}</dt><dd>{e(str(v))}</dd>" for k, v in (note.get("attributes") or {}).items())
        parts.append(f"<article><h3>{e(str(note.get('subject') or '(no subject)'))}</h3>"
                     f"<p>Topic: {e(str(note.get('topic')))}</p><pre>{e(str(note.get('message') or ''))}</pre>"
                     f"<dl>{attrs}</dl></article>")
    texts = outbox.get("texts") or []
    parts.append(f"<h2>Texts to the care team's phone ({len(texts)})</h2>")
    for text in reversed(texts):
        parts.append(f"<article><pre>{e(str(text.get('message') or ''))}</pre></article>")
    parts.append("</body></html>")
    return "".join(parts)
