"""The local stream mapping (``infra.local.event_sources.StreamPoller``) reads its shards without describing the
stream on every poll: Lambda's mapping lists shards now and then, not before each GetRecords (issue 23: the
emulator's own overhead), and still finds a new shard when one closes or after a while."""

from __future__ import annotations

from typing import Any

from infra.local.event_sources import StreamPoller
from infra.local.lambda_runtime import LocalFunction

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2026-01-01T00:00:00.000"


class FakeStreams:
    """Shards by id, each a list of pages; a shard whose pages run out closes (no NextShardIterator)."""

    def __init__(self, shards: dict[str, list[list[int]] | None]) -> None:
        self.shards = shards  # None: open and empty for ever
        self.described = 0

    def describe_stream(self, StreamArn: str) -> dict[str, Any]:  # noqa: N803 - boto3's names
        self.described += 1
        return {"StreamDescription": {"Shards": [{"ShardId": s} for s in self.shards]}}

    def get_shard_iterator(self, StreamArn: str, ShardId: str, ShardIteratorType: str) -> dict[str, Any]:  # noqa: N803
        return {"ShardIterator": f"{ShardId}|0"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:  # noqa: N803
        shard, _, page = ShardIterator.partition("|")
        pages = self.shards[shard]
        if pages is None:
            return {"Records": [], "NextShardIterator": ShardIterator}
        n = int(page)
        numbers = pages[n] if n < len(pages) else []
        records = [{"eventName": "INSERT", "dynamodb": {"SequenceNumber": s}} for s in numbers]
        answer: dict[str, Any] = {"Records": records}
        if n < len(pages):
            answer["NextShardIterator"] = f"{shard}|{n + 1}"
        return answer


def _poller(streams: FakeStreams, seen: list[str], every: float = 60.0) -> StreamPoller:
    function = LocalFunction("F", "unused.handler", 30, 128, "us-east-1",
                             handler=lambda event, _c: seen.extend(
                                 str(r["dynamodb"]["SequenceNumber"]) for r in event["Records"]))
    return StreamPoller(function, streams, ARN, 100, "us-east-1", lambda _d: None, describe_every_seconds=every)


def test_an_open_shard_is_read_without_describing_the_stream_again() -> None:
    streams = FakeStreams({"shard-1": None})
    poller = _poller(streams, [])
    for _ in range(5):
        assert poller.poll_once() == 0
    assert streams.described == 1


def test_a_shard_that_closes_makes_the_next_poll_find_the_new_one() -> None:
    streams = FakeStreams({"shard-1": [[1, 2], [3]]})
    seen: list[str] = []
    poller = _poller(streams, seen)
    poller.poll_once()
    poller.poll_once()
    poller.poll_once()  # the last page: shard-1 closes
    streams.shards["shard-2"] = [[4]]
    poller.poll_once()
    assert seen == ["1", "2", "3", "4"]
    assert streams.described == 2


def test_a_new_shard_is_found_once_the_interval_has_passed() -> None:
    streams = FakeStreams({"shard-1": None})
    seen: list[str] = []
    poller = _poller(streams, seen, every=0.0)
    poller.poll_once()
    streams.shards["shard-2"] = [[7]]
    poller.poll_once()
    assert seen == ["7"] and streams.described == 2
