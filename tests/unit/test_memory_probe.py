"""The local stack's memory probe: off unless asked, and each snapshot shows what grew, where."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.bench import memory_diff
from infra.local import memory_probe


@pytest.fixture
def tracing() -> Iterator[None]:
    was = tracemalloc.is_tracing()
    yield
    if not was:
        tracemalloc.stop()


def test_the_probe_is_off_unless_a_directory_is_named(tmp_path: Path) -> None:
    assert memory_probe.from_environ({}) is None
    assert memory_probe.from_environ({"LOCAL_MEMORY_PROBE_DIR": ""}) is None
    probe = memory_probe.from_environ({"LOCAL_MEMORY_PROBE_DIR": str(tmp_path)})
    assert probe is not None and probe.directory == tmp_path and probe.frames == 0  # no tracing unless asked
    probe = memory_probe.from_environ({"LOCAL_MEMORY_PROBE_DIR": str(tmp_path), "LOCAL_TRACEMALLOC_FRAMES": "3"})
    assert probe is not None and probe.frames == 3


_kept: list[bytes] = []


def _grow() -> None:
    _kept.extend(bytes(1024) for _ in range(2048))  # ~2 MiB alive, allocated on this line


def test_snapshots_are_numbered_and_their_difference_names_the_line_that_grew(tmp_path: Path,
                                                                              tracing: None) -> None:
    probe = memory_probe.MemoryProbe(tmp_path / "snaps", frames=4)
    tracemalloc.start(probe.frames)
    first = probe.take()
    _grow()
    second = probe.take()
    _kept.clear()
    assert first == memory_probe.census_path(tmp_path / "snaps", 1) and second.exists()
    snapshots = memory_diff.snapshots_in(tmp_path / "snaps")
    assert snapshots == [memory_probe.snapshot_path(tmp_path / "snaps", n) for n in (1, 2)]
    top = memory_diff.growers(tracemalloc.Snapshot.load(str(snapshots[0])),
                              tracemalloc.Snapshot.load(str(snapshots[1])), "traceback", 1)[0]
    assert top.size_diff > 2_000_000
    assert "test_memory_probe.py" in memory_diff.describe(top, frames=2)


def test_a_census_names_the_moto_store_that_grew_and_holds_no_value() -> None:
    import boto3
    from moto import mock_aws

    from infra.local.memory_census import census

    secret = "a-stored-value-" + "x" * 64
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(TableName="Grows", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        before = census(min_bytes=1)
        for n in range(300):
            dynamodb.put_item(TableName="Grows", Item={"pk": {"S": str(n)}, "v": {"S": secret * 20}})
        after = census(min_bytes=1)
    growth = {path: grown for path, grown, _now in memory_diff.census_growth(before, after, 100)}
    assert growth["dynamodb/123456789012/us-east-1.tables[Grows]"] > 300 * 20 * len(secret)
    assert max(growth, key=lambda path: growth[path]).startswith("dynamodb/")
    assert secret not in json.dumps(after)
