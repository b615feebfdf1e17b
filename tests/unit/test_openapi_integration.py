"""docs/openapi.json describes the integration API's way in: OAuth 2.0 client credentials with the scopes the
template's resource server defines, on exactly the methods IntegrationApi serves, each with the scope it asks."""

from __future__ import annotations

import json
from typing import Any

from infra.openapi import render
from infra.template import ROOT, TemplateResources

SCHEME = "IntegrationClientCredentials"


def template_scopes() -> set[str]:
    server = TemplateResources().properties("CareApiResourceServer")
    return {f"{server['Identifier']}/{scope['ScopeName']}" for scope in server["Scopes"]}


def test_the_client_credentials_scheme_lists_the_resource_servers_scopes() -> None:
    for doc in (json.loads(render()), json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))):
        scheme = doc["components"]["securitySchemes"][SCHEME]
        assert scheme["type"] == "oauth2"
        flow = scheme["flows"]["clientCredentials"]
        assert flow["tokenUrl"].startswith("https://") and flow["tokenUrl"].endswith("/oauth2/token")
        assert set(flow["scopes"]) == template_scopes()
        assert all(flow["scopes"].values())
        assert "IntegrationTokenUrl" in scheme["description"] and "IntegrationApiUrl" in scheme["description"]


def test_each_integration_method_asks_its_scope_and_no_other_operation_takes_the_scheme() -> None:
    paths: dict[str, Any] = json.loads(render())["paths"]
    served = TemplateResources().api_scopes("IntegrationApi")
    assert served  # GET and PATCH /care/inquiries/{inquiry_id}
    for path, methods in paths.items():
        for method, operation in methods.items():
            security = operation.get("security", [])
            asked = [s[SCHEME] for s in security if SCHEME in s]
            if (path, method.upper()) in served:
                assert asked == [list(served[(path, method.upper())])], (path, method)
                assert {"CognitoIdToken": []} in security, (path, method)  # the console's way stays
            else:
                assert asked == [], (path, method)
