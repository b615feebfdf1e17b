"""Fixtures shared by every test suite."""

from __future__ import annotations

import copy
import functools
import gc
from collections.abc import Iterator
from typing import Any

import pytest
from inquiries import aws
from moto import mock_aws

from infra.template import TemplateResources, load_template
from tests.support import phi
from tests.support.stack import Stack

_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and no endpoint override: nothing can reach a real AWS account."""
    for key, value in _AWS_ENV.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(key, raising=False)


@functools.cache
def _template() -> dict[str, Any]:
    """template.yaml, read once per test process (each stack gets its own copy)."""
    return load_template()


@pytest.fixture
def stack(aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """Every table, queue, topic and key of template.yaml under moto; every function's environment set."""
    with mock_aws():
        resources = TemplateResources(template=copy.deepcopy(_template()), region="us-east-1")
        resources.create_all()
        for logical_id in resources.logical_ids("AWS::Serverless::Function"):
            for key, value in resources.function_environment(logical_id).items():
                monkeypatch.setenv(key, value)
        aws.reset_clients()
        yield Stack(resources=resources, monkeypatch=monkeypatch)
    aws.reset_clients()


@pytest.fixture(autouse=True)
def handler_imports_freeze_nothing_for_good() -> Iterator[None]:
    """Give back to the collector what a handler's cold start froze during the test.

    Each handler module ends its import with ``init_done()``, which freezes every object alive then
    (``gc.freeze``: right once per Lambda execution environment). The tests import handlers afresh for each
    stack (``Stack.handler`` reloads them), so each test froze the previous tests' uncollected garbage for
    good: about 33 MB a test, 8 GB and more across the suite (the kernel killed runs on this machine).
    """
    yield
    gc.unfreeze()
    gc.enable()


# ---- no submitted value, nor a part of one, in what a test logged -------------------------------------------
@pytest.fixture(autouse=True)
def no_phi_in_logs(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail the test that logged a value it submitted: Powertools' JSON lines and every other logger."""
    submitted = phi.start_test()
    with phi.LogCapture() as powertools_lines:
        yield
    leaked = submitted.leaks(powertools_lines.text + "\n" + caplog.text)
    if leaked:
        pytest.fail(f"{request.node.nodeid} logged submitted PHI: {leaked}", pytrace=False)
