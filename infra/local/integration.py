"""A clinic system's way in, on one machine: the integration API and the pool's client-credentials token endpoint.

The template's ``IntegrationApi`` (the same function and path as the console's ``GET``/``PATCH
/care/inquiries/{inquiry_id}``, each asking an access token for its scope) is served on its own loopback port,
with ``POST /oauth2/token`` (``infra.local.oauth``) beside it. ``make run`` prints the integration's client id
and secret with ``LOCAL_WEBHOOK=1``; tests read them from ``LOCAL_INTEGRATION_FILE``.

With ``LOCAL_WEBHOOK=1`` the example CRM receiver (examples/crm_receiver) also runs on 127.0.0.1 and is
registered as the destination ``crm-local`` through ``infra.webhooks`` (its loopback-only path): each inquiry's
event reaches it signed, it fetches the inquiry with these client credentials and prints the FHIR. Each
delivery it got, its answer and the FHIR it made are also appended to ``LOCAL_RECEIVER_FILE`` (tests read it).
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field, replace
from http import HTTPStatus
from pathlib import Path
from typing import Any

import boto3

from examples.crm_receiver.receiver import CrmClient, CrmReceiver
from infra.local.api_gateway import ApiGatewayEmulator, ApiRoute, HttpAnswer, routes_from_template
from infra.local.cognito import TokenVerifier
from infra.local.config import LocalConfig
from infra.local.lambda_runtime import LocalFunction
from infra.local.oauth import ClientCredentialsEndpoint
from infra.template import TemplateResources
from infra.webhooks import WebhookResources, Webhooks

INTEGRATION_API = "IntegrationApi"
INTEGRATION_CLIENT = "CareIntegrationClient"
LOCAL_DESTINATION = "crm-local"


@dataclass(frozen=True)
class IntegrationAccess:
    """What a clinic system is given: where to get a token, with which credentials, and where to fetch."""

    api_url: str
    token_url: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    # With LOCAL_WEBHOOK=1: the example receiver's URL and its destination's signing secret.
    receiver_url: str = ""
    webhook_secret: str = field(default="", repr=False)

    def write(self, path: Path) -> None:
        """Save as JSON (the end-to-end test and the example receiver read it)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")


class IntegrationApiEmulator(ApiGatewayEmulator):
    """The integration API's port answers as a REST API with nothing but its routes does: a path that is no
    resource of it is API Gateway's own 403 (``MISSING_AUTHENTICATION_TOKEN``, shaped by the template's
    DEFAULT_4XX), never a 404, a file, a local page or the local sign-in (the console's port has those)."""

    def route(self, method: str, path: str) -> tuple[ApiRoute, dict[str, str]] | bool | None:
        """As API Gateway routes; a path of no resource is refused like a resource without the method (403)."""
        found = super().route(method, path)
        return False if found is None else found

    def sign_in_call(self, target: str, body: bytes) -> HttpAnswer:
        """No local sign-in here: API Gateway's 403, as for any other path."""
        return self.gateway_error(HTTPStatus.FORBIDDEN, "Missing Authentication Token")


class LocalIntegration:
    """The integration API's emulator and its thread."""

    def __init__(self, config: LocalConfig, resources: TemplateResources, functions: dict[str, LocalFunction],
                 session: boto3.Session, user_pool_id: str, issuer: str, console_client_id: str) -> None:
        stage = str(resources.parameter_defaults().get("Stage") or "dev")
        routes = routes_from_template(functions, resources.api_routes(INTEGRATION_API),
                                      resources.api_authorizers(INTEGRATION_API), resources.api_scopes(INTEGRATION_API))
        verifier = TokenVerifier(f"{config.aws_url}/{user_pool_id}/.well-known/jwks.json", issuer, console_client_id)
        tokens = ClientCredentialsEndpoint(config.region, user_pool_id)
        api = resources.properties(INTEGRATION_API)
        # An API only: no website, no console, no outbox on this port (a folder that does not exist serves nothing).
        no_files = config.web_root / ".the-integration-api-serves-no-files"
        self.api = IntegrationApiEmulator(config.integration_port, routes, stage, no_files,
                                          gateway_responses=dict(api.get("GatewayResponses", {})),
                                          authorizer=verifier, token_endpoint=tokens.answer)
        client_id = resources.names.refs[INTEGRATION_CLIENT]
        described: dict[str, Any] = dict(session.client("cognito-idp", endpoint_url=config.aws_url)
                                         .describe_user_pool_client(UserPoolId=user_pool_id,
                                                                    ClientId=client_id)["UserPoolClient"])
        base = f"http://127.0.0.1:{self.api.port}"
        self.access = IntegrationAccess(api_url=base, token_url=f"{base}/oauth2/token", client_id=client_id,
                                        client_secret=str(described.get("ClientSecret", "")),
                                        scopes=tuple(described.get("AllowedOAuthScopes", [])))
        self._thread = threading.Thread(target=self.api.serve_forever, name="integration-api", daemon=True)
        self.receiver: CrmReceiver | None = None
        if config.local_webhook:
            url = f"http://127.0.0.1:{config.receiver_port}/hooks"
            added = Webhooks(session, WebhookResources.from_environ(session)).add(LOCAL_DESTINATION, url,
                                                                                   allow_loopback_http=True)
            self.access = replace(self.access, receiver_url=url, webhook_secret=str(added["secret"]))
            client = CrmClient(self.access.token_url, self.access.api_url, client_id, self.access.client_secret)
            self.receiver = RecordingReceiver(config.receiver_port, self.access.webhook_secret, client,
                                              Path(config.receiver_file) if config.receiver_file else None)
        if config.integration_file:
            self.access.write(Path(config.integration_file))

    def start(self) -> None:
        """Serve the integration API and the token endpoint (and the example receiver, when asked)."""
        self._thread.start()
        if self.receiver is not None:
            threading.Thread(target=self.receiver.serve_forever, name="crm-receiver", daemon=True).start()

    def stop(self) -> None:
        """Stop serving."""
        self.api.shutdown()
        self.api.server_close()
        if self.receiver is not None:
            self.receiver.shutdown()
            self.receiver.server_close()


class RecordingReceiver(CrmReceiver):
    """The example receiver on 127.0.0.1, also appending each delivery and its answer, then each FHIR Bundle it
    made, to a file (one JSON object a line) for tests to read."""

    def __init__(self, port: int, secret: str, client: CrmClient, record: Path | None) -> None:
        super().__init__("127.0.0.1", port, secret, client)
        self.record = record
        self.write_lock = threading.Lock()

    def _append(self, line: dict[str, Any]) -> None:
        if self.record is not None:
            with self.write_lock, self.record.open("a", encoding="utf-8") as out:
                out.write(json.dumps(line) + "\n")

    def handle_event(self, headers: dict[str, str], body: bytes) -> int:
        """As the example does, then the record of the delivery."""
        status = super().handle_event(headers, body)
        self._append({"delivery": {"status": status, "body": body.decode("utf-8", "replace"),
                                   "headers": {k: v for k, v in headers.items() if k.startswith("webhook-")}}})
        return status

    def took(self, bundle: dict[str, Any]) -> None:
        """As the example does, then the record of the Bundle."""
        super().took(bundle)
        self._append({"fhir": bundle})
