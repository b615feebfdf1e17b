"""The local AWS emulator routes each request without re-reading what never changes (issue 23: the
emulator's own overhead, measured with py-spy in the end-to-end run): moto's server listed its package
directory (``list_of_moto_modules``) and matched the host against every service's URL patterns for every
request, and listed each response class's methods (``inspect.getmembers``) for every action. The routing
moto does stays the same: each service still answers its own requests, and an unknown action is refused."""

from __future__ import annotations

import inspect
import os
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.moto_server import client_at, moto_endpoint


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_endpoint() as url:
        yield url


_client = client_at


def _calls(endpoint: str) -> None:
    _client("dynamodb", endpoint).list_tables()
    _client("sqs", endpoint).list_queues()
    _client("sns", endpoint).list_topics()
    _client("events", endpoint).list_event_buses()
    _client("dynamodbstreams", endpoint).list_streams()


def _counting(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, counts: Counter[str]) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        counts[name] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)


def test_a_request_neither_lists_motos_package_nor_a_response_class(endpoint: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _calls(endpoint)  # each service's first request may do the work once
    counts: Counter[str] = Counter()
    _counting(monkeypatch, os, "listdir", counts)
    _counting(monkeypatch, inspect, "getmembers", counts)
    _calls(endpoint)
    assert counts == Counter()


def test_each_service_still_answers_its_own_requests(endpoint: str) -> None:
    for _ in range(2):
        dynamodb = _client("dynamodb", endpoint)
        dynamodb.create_table(TableName="Routed", BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
        assert "Routed" in dynamodb.list_tables()["TableNames"]
        sqs = _client("sqs", endpoint)
        url = sqs.create_queue(QueueName="Routed")["QueueUrl"]
        assert url in sqs.list_queues()["QueueUrls"]
        sns = _client("sns", endpoint)
        arn = sns.create_topic(Name="Routed")["TopicArn"]
        assert arn in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
        dynamodb.delete_table(TableName="Routed")
        sqs.delete_queue(QueueUrl=url)
        sns.delete_topic(TopicArn=arn)


def test_the_cached_routing_gives_what_moto_computes(endpoint: str) -> None:
    from moto.backends import list_of_moto_modules
    from moto.dynamodb.responses import DynamoHandler
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from moto.sqs.responses import SQSResponse

    from infra.local import moto_dispatch

    assert moto_dispatch.original_list_of_moto_modules() == list(list_of_moto_modules())
    for handler in (DynamoHandler, SQSResponse):
        assert moto_dispatch.method_names(handler) == set(moto_dispatch.original_method_names(handler))
    assert "receive_message" in moto_dispatch.method_names(SQSResponse)
    dispatcher = DomainDispatcherApplication(create_backend_app)
    for host in ("dynamodb.us-east-1.amazonaws.com", "sqs.us-east-1.amazonaws.com", "sns.us-east-1.amazonaws.com",
                 "events.us-east-1.amazonaws.com", "nothing.example", "dynamodb"):
        assert dispatcher.get_backend_for_host(host) == moto_dispatch.original_backend_for_host(dispatcher, host)
