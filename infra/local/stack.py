"""The whole local pipeline: AWS emulator, resources, handlers, pollers, schedule, API, website."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infra.local.api_gateway import ApiGatewayEmulator, ApiRoute, HttpAnswer, routes_from_template
from infra.local.aws_emulator import DUMMY_CREDENTIALS, MotoServer, aws_session, provision
from infra.local.cognito import LocalSignIn, TokenVerifier, create_local_users
from infra.local.config import LocalConfig
from infra.local.event_sources import ScheduleTick, SqsPoller, StreamPages, StreamPoller
from infra.local.handler_process import HandlerWorkers
from infra.local.integration import LocalIntegration
from infra.local.lambda_runtime import Handler, LocalFunction, handler_environment
from infra.local.metrics import EmfRecorder
from infra.local.outbox import LocalOutbox
from infra.template import TemplateResources

log = logging.getLogger("infra.local")

SCHEDULED_FUNCTION = "RedispatchFunction"
LOCAL_CHAT_WEBHOOK_PARAMETER = "/inquiry-intake/local/chat-webhook"
REMINDER_FUNCTION = "RemindCareTeamFunction"


def local_overrides(config: LocalConfig) -> dict[str, dict[str, str]]:
    """Template values that must differ on this machine (origin, thank-you page, delivery lease).

    The consumers' lease must stay shorter than the queue's visibility timeout, as it is in the
    template; locally the visibility timeout is shortened, so the lease is too.
    """
    origins = f"{config.api_url},http://localhost:{config.api_port}"
    lease = {"DELIVERY_LEASE_SECONDS": str(max(1, config.visibility_timeout_seconds - 1))}
    # The local console is served by the API emulator: same origin, and links open it here.
    console = {"CONSOLE_BASE_URL": f"{config.api_url}/care/#/inquiries"}
    overrides = {
        "IntakeFunction": {"ALLOWED_ORIGINS": origins, "THANK_YOU_URL": f"{config.api_url}/thank-you.html",
                           "THANK_YOU_URL_ES": f"{config.api_url}/es/thank-you.html"},
        "SendConfirmationFunction": lease,
        "NotifyCareTeamFunction": {**lease, **console},
        "RemindCareTeamFunction": console,
        "CareApiFunction": {"CONSOLE_ORIGIN": ""},
        # Local only: a receiver on this machine (http://127.0.0.1:<port>); template.yaml never sets it.
        "DeliverWebhookFunction": {"WEBHOOK_ALLOW_LOOPBACK_HTTP": "1"},
        "RightsApiFunction": {"CONSOLE_ORIGIN": ""},
    }
    if config.require_second_approval:
        overrides["RightsApiFunction"]["REQUIRE_SECOND_APPROVAL"] = "true"
    if config.redispatch_grace_seconds is not None:
        overrides[SCHEDULED_FUNCTION] = {"REDISPATCH_GRACE_SECONDS": str(config.redispatch_grace_seconds)}
    if config.chat_webhook_url:
        overrides["NotifyCareTeamFunction"]["CHAT_WEBHOOK_PARAMETER"] = LOCAL_CHAT_WEBHOOK_PARAMETER
    if config.urgent_sms_window_seconds is not None:  # a game day's flood: a window of seconds, not minutes
        window = {"URGENT_SMS_WINDOW_SECONDS": str(config.urgent_sms_window_seconds)}
        overrides["NotifyCareTeamFunction"].update(window)
        overrides["RemindCareTeamFunction"].update(window)
    return overrides


def local_environment(config: LocalConfig) -> dict[str, str]:
    """Process settings for running the handlers against the AWS emulator."""
    return {
        "AWS_ENDPOINT_URL": config.aws_url,
        "AWS_DEFAULT_REGION": config.region,
        "AWS_REGION": config.region,
        **DUMMY_CREDENTIALS,
        # No X-Ray daemon here: tracing off. Metrics are printed only when the stack records them.
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "false" if config.record_metrics else "true",
        "POWERTOOLS_LOG_LEVEL": config.handler_log_level,
    }


class LocalStack:
    """Starts and stops every piece; ``handlers`` replaces real handlers (tests' stand-ins)."""

    def __init__(self, config: LocalConfig, resources: TemplateResources | None = None,
                 handlers: Mapping[str, Handler] | None = None) -> None:
        self.config = config
        self.resources = resources or TemplateResources(region=config.region)
        self.handlers = dict(handlers or {})
        self.moto: MotoServer | None = None
        self.api: ApiGatewayEmulator | None = None
        self.pollers: list[SqsPoller] = []
        self.stream_pollers: list[StreamPoller] = []
        self.schedule: ScheduleTick | None = None
        self.reminders: ScheduleTick | None = None
        self.sign_in: LocalSignIn | None = None
        self.outbox: LocalOutbox | None = None
        self.functions: dict[str, LocalFunction] = {}
        self.workers: HandlerWorkers | None = None
        self.session = aws_session(config.region)
        self.metrics: EmfRecorder | None = None
        self._api_thread: threading.Thread | None = None
        self.integration: LocalIntegration | None = None
        self._sqs_sources: dict[str, tuple[str, str, int]] = {}  # function -> queue URL, ARN, batch size

    @property
    def urls(self) -> dict[str, str]:
        """The addresses a person opens."""
        base = self.config.api_url
        return {"form": f"{base}/", "console": f"{base}/care/",
                "outbox": f"{base}/_local/outbox.html", "outbox_json": f"{base}/_local/outbox",
                "health": f"{base}/health", "aws": self.config.aws_url}

    def start(self) -> None:
        """Start the AWS emulator, create the resources, then pollers, schedule and the API."""
        config = self.config
        os.environ.pop("AWS_PROFILE", None)
        os.environ.update(DUMMY_CREDENTIALS)
        self.moto = MotoServer(config.aws_port, config.outbox_limit, config.moto_shims)
        self.moto.start()
        session = self.session
        created = provision(self.resources, session, config.aws_url, config.visibility_timeout_seconds)
        if config.chat_webhook_url:  # a SecureString, as ops keep the real one
            session.client("ssm", endpoint_url=config.aws_url).put_parameter(
                Name=LOCAL_CHAT_WEBHOOK_PARAMETER, Value=config.chat_webhook_url, Type="SecureString")
        if config.record_metrics:  # before any handler module binds its log handler to stdout
            self.metrics = EmfRecorder(session.client("cloudwatch", endpoint_url=config.aws_url), sys.stdout)
            self.metrics.install()
        sign_in = create_local_users(session, config.aws_url, config.region, created.user_pool_id,
                                     created.console_client_id)
        self.sign_in = sign_in
        if config.sign_in_file:
            sign_in.write(Path(config.sign_in_file))

        # Before any handler module is imported: they read os.environ once, at first use.
        env = handler_environment(self.resources, local_overrides(config), local_environment(config))
        os.environ.update(env)
        _forget_cached_clients()

        if config.handler_processes and not config.record_metrics:  # started with the environment just set
            self.workers = HandlerWorkers()
        workers = self.workers
        functions = {lid: LocalFunction.from_template(self.resources, lid, self.handlers.get(lid),
                                                      workers.for_function(lid) if workers is not None else None)
                     for lid in self.resources.logical_ids("AWS::Serverless::Function")}
        self.functions = functions
        _import_handlers(list(functions.values()))
        sqs = session.client("sqs", endpoint_url=config.aws_url)
        for function_lid, queue_lid, props in self.resources.sqs_event_sources():
            self._sqs_sources[function_lid] = (created.queue_urls[queue_lid], created.queue_arns[queue_lid],
                                               int(props.get("BatchSize", 10)))
            self.start_consumer(function_lid)
        for function_lid, table_lid, props in self.resources.stream_event_sources():
            self.start_stream(function_lid, table_lid, props, created.queue_urls)
        if SCHEDULED_FUNCTION in functions:
            self.schedule = ScheduleTick(functions[SCHEDULED_FUNCTION], config.redispatch_every_seconds, config.region)
            self.schedule.start()
        if REMINDER_FUNCTION in functions:
            self.reminders = ScheduleTick(functions[REMINDER_FUNCTION], config.remind_every_seconds, config.region)
            self.reminders.start()

        topic_names = {arn: lid for lid in self.resources.logical_ids("AWS::SNS::Topic")
                       if (arn := self.resources.names.refs.get(lid))}
        self.outbox = LocalOutbox(config.region, self.moto.sent_email_content, sqs, created.outbox_queue_url,
                                  topic_names, created.texts_queue_url, config.outbox_limit)
        stage = str(self.resources.parameter_defaults().get("Stage") or "dev")
        routes = routes_from_template(functions, self.resources.api_routes("InquiryApi"),
                                      self.resources.api_authorizers("InquiryApi"))
        verifier = TokenVerifier(f"{config.aws_url}/{sign_in.user_pool_id}/.well-known/jwks.json", sign_in.issuer,
                                 sign_in.client_id)
        # The clinic's time zone, as the handlers read it (CLINIC_TIME_ZONE from ClinicTimeZone): the console
        # shows every absolute time in it, with the zone named, whatever zone the browser is in.
        time_zone = env.get("CLINIC_TIME_ZONE") or str(self.resources.parameter_defaults().get("ClinicTimeZone")
                                                        or "UTC")
        console_config = {"region": config.region, "userPoolId": sign_in.user_pool_id, "clientId": sign_in.client_id,
                          "cognitoEndpoint": f"{config.api_url}/_local/cognito", "apiBase": "",
                          "timeZone": time_zone}
        self.api = ApiGatewayEmulator(config.api_port, routes, stage, config.web_root, self.outbox,
                                      gateway_responses=self.resources.gateway_responses(),
                                      on_answer=log_inquiry_answer, authorizer=verifier,
                                      console_config=console_config, cognito_url=f"{config.aws_url}/")
        # The integration API and its token endpoint (docs/integrations.md), ready before the main API answers.
        if "CareApiFunction" in functions:
            self.integration = LocalIntegration(config, self.resources, functions, session, sign_in.user_pool_id,
                                                sign_in.issuer, sign_in.client_id)
            self.integration.start()
        self._api_thread = threading.Thread(target=self.api.serve_forever, name="api-gateway", daemon=True)
        self._api_thread.start()

    def start_consumer(self, function_lid: str) -> None:
        """Start feeding a function its queue (as enabling its event source mapping does)."""
        queue_url, queue_arn, batch_size = self._sqs_sources[function_lid]
        sqs = self.session.client("sqs", endpoint_url=self.config.aws_url)
        poller = SqsPoller(self.functions[function_lid], sqs, queue_url, queue_arn, batch_size, self.config.region)
        self.pollers.append(poller)
        poller.start()

    def start_stream(self, function_lid: str, table_lid: str, props: Mapping[str, Any],
                     queue_urls: Mapping[str, str]) -> None:
        """Feed a function its table's stream (as its DynamoDB event source mapping does); a batch that still
        fails after its retries is described on the mapping's on-failure queue."""
        url = self.config.aws_url
        streams = self.session.client("dynamodbstreams", endpoint_url=url)
        sqs = self.session.client("sqs", endpoint_url=url)
        destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination", {})
        failure_queue = queue_urls.get(str(destination.get("Fn::GetAtt", [""])[0]))

        def on_failure(description: dict[str, Any]) -> None:
            if failure_queue:
                sqs.send_message(QueueUrl=failure_queue, MessageBody=json.dumps(description))

        poller = StreamPoller(self.functions[function_lid], streams,
                              self.resources.names.attrs[(table_lid, "StreamArn")],
                              int(props.get("BatchSize", 100)), self.config.region, on_failure,
                              pages=StreamPages(url, self.config.region))
        self.stream_pollers.append(poller)
        poller.start()

    def stop_consumer(self, function_lid: str) -> None:
        """Stop feeding a function its queue (a disabled mapping, a consumer that stopped); messages wait."""
        stopping = [p for p in self.pollers if p.function.logical_id == function_lid]
        for poller in stopping:
            poller.stop()
        for poller in stopping:
            poller.join(timeout=10)
            self.pollers.remove(poller)

    def stop(self) -> None:
        """Stop the API, the schedule and the pollers, then the AWS emulator."""
        if self.api is not None:
            self.api.shutdown()
            self.api.server_close()
        if self.integration is not None:
            self.integration.stop()
        for tick in (self.schedule, self.reminders):
            if tick is not None:
                tick.stop()
        feeders: list[SqsPoller | StreamPoller] = [*self.pollers, *self.stream_pollers]
        for feeder in feeders:
            feeder.stop()
        for feeder in feeders:
            feeder.join(timeout=10)
        for tick in (self.schedule, self.reminders):
            if tick is not None:
                tick.join(timeout=10)
        if self.workers is not None:
            self.workers.stop()
        if self.metrics is not None:
            self.metrics.uninstall()
        if self.moto is not None:
            self.moto.stop()


def log_inquiry_answer(route: ApiRoute, event: dict[str, Any], answer: HttpAnswer) -> None:
    """One line per submitted inquiry: status, inquiry id and request id, nothing the person wrote."""
    if route.method != "POST":
        return
    request_id = event["requestContext"]["requestId"]
    inquiry_id = _inquiry_id(answer)
    if answer.status in (202, 303):
        log.info("inquiry accepted (%d): inquiry=%s request=%s", answer.status, inquiry_id or "-", request_id)
    else:
        log.info("inquiry not accepted (%d): request=%s", answer.status, request_id)


def _inquiry_id(answer: HttpAnswer) -> str | None:
    try:
        value = json.loads(answer.body).get("inquiry_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and value.replace("-", "").replace("_", "").isalnum() else None


def _import_handlers(functions: list[LocalFunction]) -> None:
    """Import every handler, with the environment just set: here, now, one at a time (importing one package
    from several threads at once can fail half-way); in their workers, each worker's in turn and the workers
    at once, without waiting (each is a process of its own: the cold starts use every core while the stack
    starts; an invocation that comes first waits for its handler, as a request waits for a cold start)."""
    by_worker: dict[int, list[LocalFunction]] = {}
    for function in functions:
        by_worker.setdefault(id(function.worker), []).append(function)
    for function in by_worker.pop(id(None), []):
        function.is_available()

    def import_all(group: list[LocalFunction]) -> None:
        try:
            for function in group:
                function.is_available()
        except RuntimeError:  # the stack stopped while a worker was starting
            return

    for group in by_worker.values():
        threading.Thread(target=import_all, args=(group,), name="handler-imports", daemon=True).start()


def _forget_cached_clients() -> None:
    """Make cached boto3 clients (tests import the package first) use the emulator's endpoint."""
    from inquiries.aws import reset_clients

    reset_clients()
