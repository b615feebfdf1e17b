"""A moto stack built from template.yaml, with the real handlers wired to it."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import boto3
import pytest
from inquiries import aws

from infra.template import TemplateResources
from tests.support.lambda_context import FakeLambdaContext

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class Stack:
    """Resources created from template.yaml under moto, and the functions' environments set."""

    resources: TemplateResources
    monkeypatch: pytest.MonkeyPatch
    _modules: dict[str, ModuleType] = field(default_factory=dict)

    @property
    def region(self) -> str:
        return self.resources.region

    def url(self, logical_id: str) -> str:
        """A queue's URL (Ref)."""
        return self.resources.names.refs[logical_id]

    def configure(self, **env: str) -> None:
        """Change environment variables the functions read, as a redeploy with new parameters would."""
        for key, value in env.items():
            self.monkeypatch.setenv(key, value)
        aws.reset_clients()
        self._modules.clear()

    def handler(self, module: str) -> Handler:
        """A handler function from ``inquiries.handlers.<module>``, freshly imported for this stack."""
        if module not in self._modules:
            self._modules[module] = importlib.reload(importlib.import_module(f"inquiries.handlers.{module}"))
        fn: Handler = self._modules[module].handler
        return fn

    def intake(self, event: dict[str, Any]) -> dict[str, Any]:
        """Invoke IntakeFunction with an API Gateway event."""
        response: dict[str, Any] = self.handler("intake")(event, FakeLambdaContext("IntakeFunction"))
        return response

    def redispatch(self) -> dict[str, int]:
        """Invoke RedispatchFunction as its schedule would."""
        event = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
        context = FakeLambdaContext("RedispatchFunction", timeout_seconds=60)
        result: dict[str, int] = self.handler("redispatch")(event, context)
        return result

    # ---- looking at state ---------------------------------------------------------------------------------
    def drain(self, logical_id: str) -> list[dict[str, Any]]:
        """Receive and delete every message on a queue; their parsed bodies."""
        sqs = boto3.client("sqs", region_name=self.region)
        bodies: list[dict[str, Any]] = []
        while True:
            resp = sqs.receive_message(QueueUrl=self.url(logical_id), MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = resp.get("Messages", [])
            if not messages:
                return bodies
            for msg in messages:
                bodies.append(json.loads(msg["Body"]))
                sqs.delete_message(QueueUrl=self.url(logical_id), ReceiptHandle=msg["ReceiptHandle"])

    def items(self, table: str = "InquiriesTable") -> list[dict[str, Any]]:
        """Every item of a table, as plain values."""
        table_res = boto3.resource("dynamodb", region_name=self.region).Table(table)
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"ConsistentRead": True}
        while True:
            page = table_res.scan(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
