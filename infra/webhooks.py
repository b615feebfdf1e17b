"""Webhook destinations and replays: ``python -m infra.webhooks add|list|disable|enable|rotate|replay``.

- ``add --destination ID --url https://...``: a ``whsec_`` secret in Secrets Manager
  (``inquiry-intake/<stage>/webhooks/<id>``, encrypted with DataKey), the destination's own alarm,
  ``inquiry-intake-<stage>-webhook-<id>-failing`` (WebhookFailed for that destination in two of four
  15-minute periods), which pages OpsAlarmTopic naming the destination, and last the destination (enabled).
  Prints the secret once, for the receiver. A run that stopped before the destination was stored can be run
  again as it was: it finishes, with a fresh secret in place of the one nobody saw. ``--allow-loopback-http``
  accepts ``http://127.0.0.1:<port>`` (the local stack only).
- ``list``: every destination (id, URL, enabled, why disabled), never a secret.
- ``disable --destination ID`` / ``enable --destination ID``: stop or resume deliveries (enabling after a
  410 does not re-send what it missed: replay does).
- ``rotate --destination ID [--overlap-hours 24]``: a new secret becomes current; deliveries carry a
  signature under each secret until the overlap ends, so the receiver can switch when it likes. Prints the
  new secret.
- ``replay --destination ID --since T [--until T]``: every event kept in InquiryEventLogTable from T (ISO
  8601, UTC when no offset is given) is queued again for that destination with its original id and body, so a
  receiver that already had one drops it by its ``webhook-id``.

Names come from ``--stack NAME`` (the stack's Outputs), else the environment (WEBHOOK_DESTINATIONS_TABLE,
INQUIRY_EVENT_LOG_TABLE, WEBHOOK_DELIVERY_QUEUE_URL, STAGE, OPS_ALARM_TOPIC_ARN, DATA_KEY_ARN), else the
logical IDs used locally. The session is a plain boto3 one: AWS_PROFILE, AWS_REGION and AWS_ENDPOINT_URL apply.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

import boto3
from inquiries.data.webhooks import BY_OPS, Destination, Destinations, EventLog
from inquiries.handoff.publish import DeliveryMessage, enqueue
from inquiries.handoff.sender import DeliveryRefused, check_url
from inquiries.handoff.signing import new_secret

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient

DESTINATION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
NAMESPACE = "InquiryIntake"
SERVICE = "inquiry-intake"  # the dimensions the functions' metrics carry (inquiries.observability)
STACK_OUTPUTS = {"destinations_table": "WebhookDestinationsTableName", "event_log_table": "InquiryEventLogTableName",
                 "delivery_queue_url": "WebhookDeliveryQueueUrl", "stage": "Stage",
                 "alarm_topic_arn": "OpsAlarmTopicArn", "data_key_arn": "DataKeyArn"}


class WebhookCommandError(Exception):
    """A command that cannot be carried out; the message says why (no secret in it)."""


@dataclass(frozen=True)
class WebhookResources:
    """The names the commands act on."""

    destinations_table: str
    event_log_table: str
    delivery_queue_url: str
    stage: str
    alarm_topic_arn: str = ""
    data_key_arn: str = ""

    @classmethod
    def from_stack(cls, session: boto3.Session, stack_name: str) -> WebhookResources:
        """Names from a deployed stack's Outputs."""
        stacks = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
        missing = [key for key in STACK_OUTPUTS.values() if key not in outputs]
        if missing:
            raise WebhookCommandError(f"stack {stack_name} has no output(s) {', '.join(missing)}")
        return cls(**{name: outputs[key] for name, key in STACK_OUTPUTS.items()})

    @classmethod
    def from_environ(cls, session: boto3.Session) -> WebhookResources:
        """Names from the environment, else the local stack's (logical IDs)."""
        env = os.environ
        queue = env.get("WEBHOOK_DELIVERY_QUEUE_URL") or session.client("sqs").get_queue_url(
            QueueName="WebhookDeliveryQueue")["QueueUrl"]
        topic = env.get("OPS_ALARM_TOPIC_ARN", "")
        if not topic:
            topics = session.client("sns").list_topics().get("Topics", [])
            topic = next((t["TopicArn"] for t in topics if t["TopicArn"].endswith(":OpsAlarmTopic")), "")
        return cls(destinations_table=env.get("WEBHOOK_DESTINATIONS_TABLE", "WebhookDestinationsTable"),
                   event_log_table=env.get("INQUIRY_EVENT_LOG_TABLE", "InquiryEventLogTable"),
                   delivery_queue_url=queue, stage=env.get("STAGE", "dev"), alarm_topic_arn=topic,
                   data_key_arn=env.get("DATA_KEY_ARN", ""))

    def secret_name(self, destination_id: str) -> str:
        """Where a destination's secret lives (the delivery function may read only these)."""
        return f"inquiry-intake/{self.stage}/webhooks/{destination_id}"

    def alarm_name(self, destination_id: str) -> str:
        """The destination's own alarm."""
        return f"inquiry-intake-{self.stage}-webhook-{destination_id}-failing"


class Webhooks:
    """The commands, on one session."""

    def __init__(self, session: boto3.Session, names: WebhookResources) -> None:
        self.session = session
        self.names = names
        ddb = session.client("dynamodb")
        self.destinations = Destinations(ddb, names.destinations_table)
        self.log = EventLog(ddb, names.event_log_table)

    def _existing(self, destination_id: str) -> Destination:
        found = self.destinations.get(destination_id)
        if found is None:
            raise WebhookCommandError(f"no destination {destination_id}")
        return found

    def add(self, destination_id: str, url: str, *, allow_loopback_http: bool = False) -> dict[str, Any]:
        """A new destination with a fresh secret and its own alarm; returns its id and the secret."""
        if not DESTINATION_ID.match(destination_id):
            raise WebhookCommandError("a destination id is 1-48 lowercase letters, digits and hyphens")
        try:
            check_url(url, allow_loopback_http=allow_loopback_http)
        except DeliveryRefused as refused:
            raise WebhookCommandError(f"the URL is refused ({refused.reason}): https only") from None
        if self.destinations.get(destination_id) is not None:
            raise WebhookCommandError(f"destination {destination_id} exists")
        # The destination is stored last: until it is, nothing is sent with the secret and nobody was shown
        # it, so a run that stopped half-way (a throttle, a missing permission) can simply be run again.
        secret = new_secret()
        arn = self._store_secret(destination_id, secret)
        self.put_alarm(destination_id)
        self.destinations.add(Destination(destination_id=destination_id, url=url, secret_arn=arn))
        return {"destination_id": destination_id, "secret": secret, "alarm": self.names.alarm_name(destination_id)}

    def _store_secret(self, destination_id: str, secret: str) -> str:
        """The destination's secret, made; or, left by an earlier run that stopped before storing the
        destination (no delivery used it, nobody was shown it), replaced by ``secret``. Its ARN."""
        secrets = self.session.client("secretsmanager")
        kwargs: dict[str, Any] = {"Name": self.names.secret_name(destination_id), "SecretString": secret,
                                  "Description": f"Standard Webhooks signing secret of destination {destination_id}"}
        if self.names.data_key_arn:
            kwargs["KmsKeyId"] = self.names.data_key_arn
        try:
            return secrets.create_secret(**kwargs)["ARN"]
        except secrets.exceptions.ResourceExistsException:
            return secrets.put_secret_value(SecretId=kwargs["Name"], SecretString=secret)["ARN"]

    def put_alarm(self, destination_id: str) -> None:
        """The destination's alarm: it keeps failing (failures in two of four 15-minute periods)."""
        cloudwatch: CloudWatchClient = self.session.client("cloudwatch")
        actions = [self.names.alarm_topic_arn] if self.names.alarm_topic_arn else []
        cloudwatch.put_metric_alarm(
            AlarmName=self.names.alarm_name(destination_id),
            AlarmDescription=(f"Webhook destination {destination_id} keeps failing: deliveries to it are retried "
                              "on the schedule and end in WebhookDeliveryDLQ. Runbook: "
                              "docs/operations.md#a-webhook-destination-keeps-failing"),
            Namespace=NAMESPACE, MetricName="WebhookFailed",
            Dimensions=[{"Name": "service", "Value": SERVICE}, {"Name": "stage", "Value": self.names.stage},
                        {"Name": "destination", "Value": destination_id}],
            Statistic="Sum", Period=900, EvaluationPeriods=4, DatapointsToAlarm=2, Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold", TreatMissingData="notBreaching",
            AlarmActions=actions)

    def list(self) -> list[dict[str, Any]]:
        """Every destination, without secrets."""
        return [{"destination_id": d.destination_id, "url": d.url, "enabled": d.enabled,
                 "disabled_reason": d.disabled_reason, "rotation_until": d.previous_valid_until}
                for d in self.destinations.all()]

    def set_enabled(self, destination_id: str, enabled: bool) -> dict[str, Any]:
        """Enable or disable (by ops) one destination."""
        if not self.destinations.set_enabled(destination_id, enabled, None if enabled else BY_OPS):
            raise WebhookCommandError(f"no destination {destination_id}")
        return {"destination_id": destination_id, "enabled": enabled}

    def rotate(self, destination_id: str, overlap_hours: float) -> dict[str, Any]:
        """A new current secret; the previous one keeps signing for ``overlap_hours``."""
        destination = self._existing(destination_id)
        secret = new_secret()
        self.session.client("secretsmanager").put_secret_value(SecretId=destination.secret_arn, SecretString=secret)
        until = int(time.time() + overlap_hours * 3600)
        self.destinations.start_rotation(destination_id, until)
        return {"destination_id": destination_id, "secret": secret, "previous_signs_until": until}

    def replay(self, destination_id: str, since: datetime, until: datetime | None = None) -> dict[str, Any]:
        """Queue every kept event from ``since`` (to ``until``) again for one enabled destination."""
        destination = self._existing(destination_id)
        if not destination.enabled:
            raise WebhookCommandError(f"destination {destination_id} is disabled: enable it first")
        sqs = self.session.client("sqs")
        batch: list[DeliveryMessage] = []
        sent = 0
        for event in self.log.since(since, until):
            batch.append(DeliveryMessage(destination_id, event.body()))
            if len(batch) == 10:
                enqueue(sqs, self.names.delivery_queue_url, batch)
                sent, batch = sent + len(batch), []
        enqueue(sqs, self.names.delivery_queue_url, batch)
        return {"destination_id": destination_id, "since": since.isoformat(), "events": sent + len(batch)}


def parse_time(text: str) -> datetime:
    """An ISO 8601 time or date; UTC when it names no offset."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError("give an ISO 8601 time, e.g. 2026-12-05T09:00:00Z") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parser() -> argparse.ArgumentParser:
    """The command line."""
    top = argparse.ArgumentParser(prog="python -m infra.webhooks", description=__doc__.split("\n")[0])
    top.add_argument("--stack", help="read the names from this CloudFormation stack's Outputs")
    sub = top.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="a new destination (prints its secret once)")
    add.add_argument("--destination", required=True)
    add.add_argument("--url", required=True)
    add.add_argument("--allow-loopback-http", action="store_true", help="local stack only: http://127.0.0.1:<port>")
    sub.add_parser("list", help="every destination (no secrets)")
    for name in ("disable", "enable"):
        sub.add_parser(name, help=f"{name} one destination").add_argument("--destination", required=True)
    rotate = sub.add_parser("rotate", help="a new secret; the old one keeps signing for the overlap")
    rotate.add_argument("--destination", required=True)
    rotate.add_argument("--overlap-hours", type=float, default=24.0)
    replay = sub.add_parser("replay", help="queue kept events again for one destination")
    replay.add_argument("--destination", required=True)
    replay.add_argument("--since", required=True, type=parse_time)
    replay.add_argument("--until", type=parse_time)
    return top


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, session: boto3.Session | None = None) -> int:
    """Run one command; 0 when done, 2 when it could not be (the reason on stderr)."""
    args = parser().parse_args(argv)
    session = session or boto3.Session()
    try:
        names = (WebhookResources.from_stack(session, args.stack) if args.stack
                 else WebhookResources.from_environ(session))
        hooks = Webhooks(session, names)
        result: Any
        if args.command == "add":
            result = hooks.add(args.destination, args.url, allow_loopback_http=args.allow_loopback_http)
        elif args.command == "list":
            result = hooks.list()
        elif args.command in ("disable", "enable"):
            result = hooks.set_enabled(args.destination, args.command == "enable")
        elif args.command == "rotate":
            result = hooks.rotate(args.destination, args.overlap_hours)
        else:
            result = hooks.replay(args.destination, args.since, args.until)
    except WebhookCommandError as exc:
        sys.stderr.write(f"infra.webhooks: {exc}\n")
        return 2
    out.write(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
