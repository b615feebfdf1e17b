"""A clinic system's way in, on one machine: the integration API and the pool's client-credentials token endpoint.

The template's ``IntegrationApi`` (the same function and path as the console's ``GET``/``PATCH
/care/inquiries/{inquiry_id}``, each asking an access token for its scope) is served on its own loopback port,
with ``POST /oauth2/token`` (``infra.local.oauth``) beside it. ``make run`` prints the integration's client id
and secret with ``LOCAL_WEBHOOK=1``; tests read them from ``LOCAL_INTEGRATION_FILE``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import boto3

from infra.local.api_gateway import ApiGatewayEmulator, routes_from_template
from infra.local.cognito import TokenVerifier
from infra.local.config import LocalConfig
from infra.local.lambda_runtime import LocalFunction
from infra.local.oauth import ClientCredentialsEndpoint
from infra.template import TemplateResources

INTEGRATION_API = "IntegrationApi"
INTEGRATION_CLIENT = "CareIntegrationClient"


@dataclass(frozen=True)
class IntegrationAccess:
    """What a clinic system is given: where to get a token, with which credentials, and where to fetch."""

    api_url: str
    token_url: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]

    def write(self, path: Path) -> None:
        """Save as JSON (the end-to-end test and the example receiver read it)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")


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
        self.api = ApiGatewayEmulator(config.integration_port, routes, stage, config.web_root,
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
        if config.integration_file:
            self.access.write(Path(config.integration_file))

    def start(self) -> None:
        """Serve the integration API and the token endpoint."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving."""
        self.api.shutdown()
        self.api.server_close()
