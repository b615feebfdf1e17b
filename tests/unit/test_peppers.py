"""The hashing pepper: read once per cold start, current and previous, from Secrets Manager."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from inquiries import aws
from inquiries.peppers import Peppers, peppers, read_peppers


class StubSecrets:
    """Secrets Manager's GetSecretValue for one secret, by version stage; counts calls."""

    def __init__(self, stages: dict[str, str]) -> None:
        self.stages = stages
        self.calls: list[str] = []

    def get_secret_value(self, *, SecretId: str, VersionStage: str) -> dict[str, Any]:  # noqa: N803 - boto3's names
        self.calls.append(VersionStage)
        if VersionStage not in self.stages:
            raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no such version"}},
                              "GetSecretValue")
        return {"SecretString": self.stages[VersionStage]}


def test_a_secret_never_rotated_has_one_pepper() -> None:
    read = read_peppers(StubSecrets({"AWSCURRENT": "c" * 64}), "PepperSecret")  # type: ignore[arg-type]
    assert read == Peppers(current=b"c" * 64, previous=None)


def test_after_a_rotation_both_peppers_are_valid_and_writes_use_the_new_one() -> None:
    read = read_peppers(StubSecrets({"AWSCURRENT": "n" * 64, "AWSPREVIOUS": "o" * 64}),  # type: ignore[arg-type]
                        "PepperSecret")
    assert (read.current, read.previous) == (b"n" * 64, b"o" * 64)
    new, old = Peppers(current=b"n" * 64), Peppers(current=b"o" * 64)
    assert read.keyed_hash("email", "a@example.org") == new.keyed_hash("email", "a@example.org"), "writes: new"
    assert read.all_keyed_hashes("email", "a@example.org") == [new.keyed_hash("email", "a@example.org"),
                                                               old.keyed_hash("email", "a@example.org")]


def test_the_pepper_is_read_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    stub = StubSecrets({"AWSCURRENT": "c" * 64})
    aws.reset_clients()
    monkeypatch.setattr(aws, "secretsmanager", lambda: stub)
    try:
        for _ in range(5):
            peppers("PepperSecret")
        assert stub.calls == ["AWSCURRENT", "AWSPREVIOUS"]
    finally:
        peppers.cache_clear()


def test_a_short_pepper_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        Peppers(current=b"short")
