"""What the care team's phone would receive: CareTeamTopic through the SMS subscription's filter policy.

An SQS queue is subscribed to CareTeamTopic with ``CareTeamUrgentSmsSubscription``'s ``FilterPolicy`` and
``FilterPolicyScope`` exactly as template.yaml declares them, so moto's SNS decides what passes; nothing
here re-implements the filter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3

from tests.support.stack import Stack

SMS_SUBSCRIPTION = "CareTeamUrgentSmsSubscription"


@dataclass(frozen=True)
class Phone:
    """The texts the urgent SMS subscription would have sent, read from its stand-in queue."""

    queue_url: str
    region: str

    def texts(self) -> list[dict[str, Any]]:
        """Every text so far (and drained): its message and attributes (name -> value)."""
        sqs = boto3.client("sqs", region_name=self.region)
        found: list[dict[str, Any]] = []
        while True:
            messages = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=0).get("Messages", [])
            if not messages:
                return found
            for message in messages:
                envelope = json.loads(message["Body"])
                found.append({"message": envelope["Message"],
                              "attributes": {k: v["Value"] for k, v in
                                             (envelope.get("MessageAttributes") or {}).items()}})
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


def sms_filter(stack: Stack) -> dict[str, str]:
    """The SMS subscription's filter attributes as SNS Subscribe takes them (JSON policy, scope)."""
    props = stack.resources.properties(SMS_SUBSCRIPTION)
    return {"FilterPolicy": json.dumps(props["FilterPolicy"]),
            "FilterPolicyScope": str(props.get("FilterPolicyScope", "MessageAttributes"))}


def care_team_phone(stack: Stack) -> Phone:
    """Subscribe a queue to CareTeamTopic through the SMS subscription's filter; the phone reading it."""
    sqs = boto3.client("sqs", region_name=stack.region)
    url = sqs.create_queue(QueueName="CareTeamPhone")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns", region_name=stack.region).subscribe(
        TopicArn=stack.resources.names.refs["CareTeamTopic"], Protocol="sqs", Endpoint=arn,
        Attributes={"RawMessageDelivery": "false", **sms_filter(stack)})
    return Phone(url, stack.region)
