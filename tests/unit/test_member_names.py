"""care/members.py: the pool's name for a sub, cached per container, and never a filter built from odd text."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from inquiries import aws
from inquiries.care.members import MemberNames

from tests.support import phi

SUB = "0b7e9c1e-0000-4000-8000-00000000c0de"


class FakePool:
    def __init__(self) -> None:
        self.filters: list[str] = []
        self.name: str | None = "Casey Care"
        self.failing = False

    def list_users(self, **kwargs: Any) -> dict[str, Any]:
        self.filters.append(kwargs["Filter"])
        if self.failing:
            raise ClientError({"Error": {"Code": "TooManyRequestsException"}}, "ListUsers")
        attributes = [{"Name": "sub", "Value": SUB}] + ([{"Name": "name", "Value": self.name}] if self.name else [])
        return {"Users": [{"Username": SUB, "Attributes": attributes}]}


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch) -> FakePool:
    fake = FakePool()
    monkeypatch.setattr(aws, "cognito_idp", lambda: fake)
    return fake


def test_a_name_is_asked_for_once_per_ttl_by_sub(pool: FakePool) -> None:
    now = [0.0]
    names = MemberNames("us-east-1_Pool", ttl_seconds=300, clock=lambda: now[0])

    assert names.name_of(SUB) == names.name_of(SUB) == "Casey Care"
    assert pool.filters == [f'sub = "{SUB}"']
    pool.name = "Casey Care-Ortiz"
    now[0] = 301.0
    assert names.shown(SUB) == "Casey Care-Ortiz"
    assert len(pool.filters) == 2


def test_no_name_or_a_pool_that_cannot_be_asked_shows_the_sub_and_is_asked_again_soon(pool: FakePool) -> None:
    now = [0.0]
    names = MemberNames("us-east-1_Pool", clock=lambda: now[0])
    pool.failing = True

    assert names.name_of(SUB) is None and names.shown(SUB) == SUB
    pool.failing = False
    now[0] = 11.0
    assert names.shown(SUB) == "Casey Care"


@pytest.mark.parametrize("sub", ['x" or name ^= "', "", "a" * 65])
def test_text_that_is_not_a_sub_never_reaches_the_filter(pool: FakePool, sub: str) -> None:
    assert MemberNames("us-east-1_Pool").name_of(sub) is None
    assert pool.filters == []


def test_a_failed_lookup_logs_the_error_code_and_never_the_errors_text(
        pool: FakePool, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = "Casey Care-Ortiz maria@example.org"

    def refuse(**kwargs: Any) -> dict[str, Any]:
        raise ClientError({"Error": {"Code": "InternalErrorException", "Message": marker}}, "ListUsers")

    monkeypatch.setattr(pool, "list_users", refuse)
    with phi.LogCapture() as logged:
        assert MemberNames("us-east-1_Pool").name_of(SUB) is None

    assert "member name lookup failed" in logged.text and "InternalErrorException" in logged.text
    assert marker not in logged.text
