"""Issue 22 items 1-3 in the template: the event source, the bus, the queues and the local-only setting."""

from __future__ import annotations

from inquiries.handoff.delivery import MAX_ATTEMPTS
from inquiries.settings import DeliverWebhookSettings

from infra.local.config import LocalConfig
from infra.local.stack import local_overrides
from infra.template import TemplateResources, load_template

RESOURCES = TemplateResources()


def test_no_deployed_function_may_send_plain_http_to_loopback() -> None:
    assert "WEBHOOK_ALLOW_LOOPBACK_HTTP" not in str(load_template())
    for function in RESOURCES.logical_ids("AWS::Serverless::Function"):
        assert "WEBHOOK_ALLOW_LOOPBACK_HTTP" not in RESOURCES.function_environment(function)
    assert DeliverWebhookSettings.from_environ({"INQUIRIES_TABLE": "t", "WEBHOOK_DESTINATIONS_TABLE": "d",
                                                "WEBHOOK_DELIVERY_QUEUE_URL": "q"}).webhook_allow_loopback_http == ""
    # Only the local stack turns it on, for the delivery function alone.
    overrides = local_overrides(LocalConfig())
    assert [f for f, env in overrides.items() if "WEBHOOK_ALLOW_LOOPBACK_HTTP" in env] == ["DeliverWebhookFunction"]


def test_events_come_from_the_inquiries_tables_stream_with_both_images() -> None:
    table = RESOURCES.properties("InquiriesTable")
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    [(function, _source, props)] = [s for s in RESOURCES.stream_event_sources() if s[1] == "InquiriesTable"]
    assert function == "PublishEventsFunction"
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["MaximumRetryAttempts"] == -1
    assert props["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["PublishEventsDLQ", "Arn"]}


def test_the_delivery_queue_redrives_after_the_schedule_and_outlives_it() -> None:
    queue = RESOURCES.properties("WebhookDeliveryQueue")
    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": ["WebhookDeliveryDLQ", "Arn"]},
                                      "maxReceiveCount": MAX_ATTEMPTS}
    function_timeout = int(RESOURCES.function_property("DeliverWebhookFunction", "Timeout"))
    assert int(queue["VisibilityTimeout"]) >= 6 * function_timeout
    [(function, _queue, props)] = [s for s in RESOURCES.sqs_event_sources() if s[1] == "WebhookDeliveryQueue"]
    assert function == "DeliverWebhookFunction"
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # Each attempt is bounded by the deadline; a whole batch fits in the function's timeout.
    deadline = float(RESOURCES.function_environment("DeliverWebhookFunction")["WEBHOOK_TIMEOUT_SECONDS"])
    assert int(props["BatchSize"]) * deadline < function_timeout


def test_the_bus_is_archived_and_the_tables_hold_no_phi_keys() -> None:
    archive = RESOURCES.properties("InquiryEventArchive")
    assert archive["SourceArn"] == {"Fn::GetAtt": ["InquiryEventBus", "Arn"]}
    for table in ("WebhookDestinationsTable", "InquiryEventLogTable"):
        props = RESOURCES.properties(table)
        assert props["SSESpecification"]["KMSMasterKeyId"] == {"Ref": "DataKey"}
        assert RESOURCES.resources[table]["DeletionPolicy"] == "Retain"
