"""moto's server on loopback, and every local resource created from template.yaml.

moto runs in this process (a werkzeug server thread), so the outbox can read what SES "sent"
straight from moto's SES backend. moto keeps only one body of a simple SES v2 email (the HTML
when there is one), so a thin WSGI layer also keeps each SendEmail request's content, keyed by
the MessageId moto answered with; the outbox joins the two.
"""

from __future__ import annotations

import io
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server import werkzeug_app
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.ses.models import ses_backends
from werkzeug.serving import make_server

from infra.local import moto_dispatch, moto_shims
from infra.local.config import LOOPBACK
from infra.local.faults import AwsFaults, inject_faults
from infra.template import ACCOUNT_ID, TemplateResources

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

WsgiEnviron = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[WsgiEnviron, StartResponse], Iterable[bytes]]

SESV2_SEND_PATH = "/v2/email/outbound-emails"
OUTBOX_QUEUE = "LocalOutbox"  # receives every CareTeamTopic notification, for /_local/outbox
# Receives what the care team's phone would: CareTeamTopic through CareTeamUrgentSmsSubscription's filter policy.
TEXTS_QUEUE = "LocalTexts"
SMS_SUBSCRIPTION = "CareTeamUrgentSmsSubscription"
CARE_TEAM_USER_POOL = "CareTeamUserPool"
CARE_CONSOLE_CLIENT = "CareConsoleClient"
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


class SentEmailContent:
    """The content of each SES v2 SendEmail request, by the MessageId it was given (the newest ``limit``)."""

    def __init__(self, limit: int = 2000) -> None:
        self._lock = threading.Lock()
        self._by_message_id: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.limit = limit

    def remember(self, message_id: str, content: dict[str, Any]) -> None:
        """Keep one request's ``Content``, forgetting the oldest past ``limit``."""
        with self._lock:
            self._by_message_id[message_id] = content
            while len(self._by_message_id) > self.limit:
                self._by_message_id.popitem(last=False)

    def get(self, message_id: str) -> dict[str, Any] | None:
        """The ``Content`` sent with this message id, if it came through SES v2 (and is still kept)."""
        with self._lock:
            return self._by_message_id.get(message_id)


def capture_sesv2_sends(app: WsgiApp, sent: SentEmailContent) -> WsgiApp:
    """Wrap moto's WSGI app so SES v2 SendEmail content is kept whole."""

    def wrapped(environ: WsgiEnviron, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != SESV2_SEND_PATH:
            return app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request_body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(request_body)
        response_body = b"".join(app(environ, start_response))
        try:
            message_id = json.loads(response_body)["MessageId"]
            content = json.loads(request_body)["Content"]
        except (ValueError, KeyError, TypeError):
            return [response_body]  # an error answer: nothing was sent
        sent.remember(str(message_id), content)
        forget_old_emails(sent.limit)
        return [response_body]

    return wrapped


def forget_old_emails(limit: int) -> None:
    """Keep only the newest ``limit`` emails in moto's SES backends (moto keeps every one it is given)."""
    for backend in list(ses_backends[ACCOUNT_ID].values()):
        kept = backend.sent_messages
        if len(kept) > limit:
            del kept[:-limit]


def only_own_host(app: WsgiApp, port: int) -> WsgiApp:
    """Wrap moto's WSGI app so it answers only requests addressed to it on loopback.

    A web page that rebinds its own name to 127.0.0.1 would otherwise reach the emulator (and the PHI
    in its tables) with its own name as Host.
    """
    allowed = {f"{LOOPBACK}:{port}", f"localhost:{port}"}

    def wrapped(environ: WsgiEnviron, start_response: StartResponse) -> Iterable[bytes]:
        if str(environ.get("HTTP_HOST", "")).lower() not in allowed:
            body = b"This emulator answers only to 127.0.0.1 and localhost.\n"
            start_response("403 Forbidden", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
            return [body]
        return app(environ, start_response)

    return wrapped


class MotoServer(ThreadedMotoServer):
    """ThreadedMotoServer bound to loopback, keeping SES v2 email content for the outbox; ``faults``
    switches on the failures a game day injects (all off unless asked)."""

    def __init__(self, port: int, outbox_limit: int = 2000, shims: bool = True) -> None:
        super().__init__(ip_address=LOOPBACK, port=port, verbose=False)
        self.sent_email_content = SentEmailContent(outbox_limit)
        self.shims = shims
        self.faults = AwsFaults()

    def _server_entry(self) -> None:
        # moto answers every origin with permissive CORS headers unless told not to: any web page could then
        # read the emulator's tables from the browser. Its setting is read at import; the app reads this flag.
        os.environ["MOTO_DISABLE_GLOBAL_CORS"] = "true"
        werkzeug_app.DISABLE_GLOBAL_CORS = True  # type: ignore[attr-defined]
        app = capture_sesv2_sends(DomainDispatcherApplication(create_backend_app), self.sent_email_content)
        app = inject_faults(app, self.faults)
        app = only_own_host(app, self._port)
        self._server = make_server(LOOPBACK, self._port, app, threaded=True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()

    def start(self) -> None:
        """Start serving, from an empty AWS; raises OSError at once when the port is taken."""
        # moto's backends are per process: a server started earlier in this process left its state.
        if self.shims:  # a day's traffic must not slow or grow the emulator (see moto_shims)
            moto_shims.install()
            moto_dispatch.install()  # and no request re-reads moto's routing (see moto_dispatch)
        moto_api_backend.reset()
        # Bind in the caller's thread first so a busy port fails loudly instead of hanging.
        errors: list[BaseException] = []

        def entry() -> None:
            try:
                self._server_entry()
            except BaseException as exc:  # reported to the caller below
                errors.append(exc)
                self._server_ready_event.set()

        self._thread = threading.Thread(target=entry, name="moto-server", daemon=True)
        self._thread.start()
        self._server_ready_event.wait()
        if errors:
            if isinstance(errors[0], SystemExit):  # werkzeug exits when it cannot bind
                raise OSError(f"port {self._port} is in use")
            raise errors[0]


    def stop(self) -> None:
        """Stop serving and forget every resource."""
        super().stop()
        moto_api_backend.reset()


@dataclass(frozen=True)
class LocalResources:
    """What was created locally, as the stack needs it."""

    queue_urls: dict[str, str]
    queue_arns: dict[str, str]
    care_team_topic_arn: str
    outbox_queue_url: str
    user_pool_id: str
    console_client_id: str
    texts_queue_url: str = ""


def aws_session(region: str) -> boto3.Session:
    """A boto3 session with the dummy credentials the local stack uses."""
    return boto3.Session(
        region_name=region,
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def provision(
    resources: TemplateResources, session: boto3.Session, endpoint_url: str, visibility_timeout_seconds: int
) -> LocalResources:
    """Create every template resource in moto (keys and aliases, tables, queues, topics, SES configuration
    sets, the care team's user pool, app client and groups), verify the SES sender, and wire the outbox.

    Physical names are logical IDs. Queues fed to functions get a short visibility timeout (their
    redrive policy and maxReceiveCount stay as the template says).
    """
    names = resources.create_all(session, endpoint_url)
    resources.create_email_configuration_sets(session, endpoint_url)
    resources.create_user_pools(session, endpoint_url)

    kms = session.client("kms", endpoint_url=endpoint_url)
    for lid in resources.logical_ids("AWS::KMS::Alias"):
        props = resources.resolve(resources.properties(lid))
        kms.create_alias(AliasName=str(props["AliasName"]), TargetKeyId=str(props["TargetKeyId"]))

    sesv2 = session.client("sesv2", endpoint_url=endpoint_url)
    for sender in sorted(sender_identities(resources)):
        sesv2.create_email_identity(EmailIdentity=sender)

    sqs = session.client("sqs", endpoint_url=endpoint_url)
    queue_lids = resources.logical_ids("AWS::SQS::Queue")
    queue_urls = {lid: names.refs[lid] for lid in queue_lids}
    queue_arns = {lid: names.attrs[(lid, "Arn")] for lid in queue_lids}
    for _function, queue_lid, _props in resources.sqs_event_sources():
        sqs.set_queue_attributes(
            QueueUrl=queue_urls[queue_lid], Attributes={"VisibilityTimeout": str(visibility_timeout_seconds)}
        )

    topic_arn = names.refs["CareTeamTopic"]
    outbox_url = _subscribe_outbox_queue(sqs, session, endpoint_url, topic_arn)
    texts_url = _subscribe_texts_queue(sqs, session, endpoint_url, topic_arn, resources.properties(SMS_SUBSCRIPTION))
    return LocalResources(queue_urls, queue_arns, topic_arn, outbox_url, names.refs[CARE_TEAM_USER_POOL],
                          names.refs[CARE_CONSOLE_CLIENT], texts_url)


def sender_identities(resources: TemplateResources) -> set[str]:
    """Every SENDER_EMAIL a function's template environment declares."""
    found = set()
    for lid in resources.logical_ids("AWS::Serverless::Function"):
        sender = resources.function_environment(lid).get("SENDER_EMAIL")
        if sender:
            found.add(sender)
    return found


def _subscribe_outbox_queue(sqs: SQSClient, session: boto3.Session, endpoint_url: str, topic_arn: str) -> str:
    url = sqs.create_queue(QueueName=OUTBOX_QUEUE)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns = session.client("sns", endpoint_url=endpoint_url)
    # Not raw: the SNS envelope carries the subject and message attributes the outbox shows.
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "false"})
    return url


def _subscribe_texts_queue(sqs: SQSClient, session: boto3.Session, endpoint_url: str, topic_arn: str,
                           sms_subscription: dict[str, Any]) -> str:
    """A queue standing in for the care team's phone: the SMS subscription's own filter policy, applied by SNS."""
    url = sqs.create_queue(QueueName=TEXTS_QUEUE)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns = session.client("sns", endpoint_url=endpoint_url)
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes={
        "RawMessageDelivery": "false",
        "FilterPolicyScope": str(sms_subscription.get("FilterPolicyScope", "MessageAttributes")),
        "FilterPolicy": json.dumps(sms_subscription["FilterPolicy"]),
    })
    return url
