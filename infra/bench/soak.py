"""A busy day on ``make run``: thousands of inquiries through one local stack, measured at every block.

Bounded concurrent clients POST ``/inquiries`` to the local stack (a child process, 127.0.0.1 only, each
request from its own 127.0.x.y address as API Gateway's ``sourceIp`` would differ) in blocks; after each
block the run waits until every inquiry of the block is stored, confirmed and notified, then reports:

- the API's p50 and p95 (each POST's round trip, ms);
- inquiries per second (the block's inquiries over the time from its first POST to its last delivery);
- queue age: p95 of the time from an inquiry's ``created_at`` to its later delivery (both stored);
- the stack's resident memory (VmRSS of its process and of the processes its handlers run in).

At the end every accepted inquiry must have exactly one confirmation email, one care-team notification
and one ``inquiry.received`` event (issue 22's events path: InquiriesTable's stream, PublishEventsFunction,
the event log that replays and webhooks read): the outbox is read after each block (it keeps the newest
emails and notifications, more than a block) and each email and notification is counted once by its
message id, per inquiry; the event log (InquiryEventLogTable) is read at the end, each event counted once
by its id (the same event written again by a retried batch is one event; two events is "sent twice").
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra.bench.end_to_end import _session, post_inquiry
from infra.bench.percentiles import percentile, ratio
from infra.bench.processes import descendants, rss_kib
from infra.local.child import LocalStackProcess
from infra.local.memory_probe import DIR_VARIABLE, SNAPSHOT_SIGNAL, census_path

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

P95_GROWTH_GOAL = 1.5  # p95 at the last block within this multiple of the first block's
RSS_GOAL_MIB = 1024.0  # the stack's memory at the end


@dataclass(frozen=True)
class SoakStep:
    """The figures after one block."""

    stored: int
    api_p50_ms: float
    api_p95_ms: float
    per_second: float
    queue_age_p95_s: float
    rss_mib: float


@dataclass
class SendCounts:
    """Emails and notifications seen in the outbox, counted once each by message id."""

    emails: Counter[str] = field(default_factory=Counter)  # by recipient (one address per inquiry)
    notifications: Counter[str] = field(default_factory=Counter)  # by reference
    seen: set[str] = field(default_factory=set)

    def add(self, outbox: dict[str, Any]) -> None:
        """Count what the outbox holds now that was not counted before."""
        for mail in outbox.get("emails", []):
            if (key := f"email:{mail.get('id')}") not in self.seen:
                self.seen.add(key)
                for to in mail.get("to") or []:
                    self.emails[str(to)] += 1
        for note in outbox.get("notifications", []):
            if (key := f"note:{note.get('id')}") not in self.seen:
                self.seen.add(key)
                subject = str(note.get("subject") or "")
                reference = next((w for w in subject.split() if w.startswith("INQ-")), subject)
                self.notifications[reference] += 1


@dataclass(frozen=True)
class Soak:
    """Every block's figures, the delivery counts and the goals."""

    inquiries: int
    block: int
    clients: int
    steps: list[SoakStep]
    lost: int  # accepted inquiries without their email, their notification or their received event
    duplicated: int  # inquiries with more than one email, notification or received event

    @property
    def p95_growth(self) -> float:
        """The last block's API p95 as a multiple of the first block's."""
        return ratio(self.steps[-1].api_p95_ms, self.steps[0].api_p95_ms)

    @property
    def final_rss_mib(self) -> float:
        """The stack's memory after the last block."""
        return self.steps[-1].rss_mib

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the derived figures."""
        return {**asdict(self), "p95_growth": self.p95_growth, "final_rss_mib": self.final_rss_mib}


def rss_mib(pid: int) -> float:
    """Resident memory (MiB, from /proc) of a process and all its descendants: the stack and the processes
    its handlers run in."""
    return round(sum(rss_kib(p) for p in [pid, *descendants(pid)]) / 1024, 1)


def _delivered_at(dynamodb: DynamoDBClient, ids: list[str]) -> dict[str, float]:
    """For each delivered inquiry: seconds from ``created_at`` to the later of its two deliveries."""
    ages: dict[str, float] = {}
    for start in range(0, len(ids), 100):
        keys = [{"inquiry_id": {"S": i}} for i in ids[start:start + 100]]
        resp = dynamodb.batch_get_item(RequestItems={"InquiriesTable": {
            "Keys": keys, "ConsistentRead": True,
            "ProjectionExpression": "inquiry_id, created_at, confirmation_sent_at, care_team_notified_at"}})
        for item in resp["Responses"].get("InquiriesTable", []):
            if "confirmation_sent_at" in item and "care_team_notified_at" in item:
                created = datetime.fromisoformat(item["created_at"]["S"])
                done = max(datetime.fromisoformat(item["confirmation_sent_at"]["S"]),
                           datetime.fromisoformat(item["care_team_notified_at"]["S"]))
                ages[item["inquiry_id"]["S"]] = max(0.0, (done - created).total_seconds())
    return ages


RECEIVED = "inquiry.received"
EVENT_LOG_TABLE = "InquiryEventLogTable"


def received_events(items: list[dict[str, Any]]) -> dict[str, set[str]]:
    """The ids of the ``inquiry.received`` events in the event log's items (as Scan gives them), by inquiry."""
    found: dict[str, set[str]] = {}
    for item in items:
        if item.get("type", {}).get("S") == RECEIVED:
            found.setdefault(item["inquiry_id"]["S"], set()).add(item["event_id"]["S"])
    return found


def tally(accepted: list[str], addresses: dict[str, str], counts: SendCounts,
          received: dict[str, set[str]]) -> tuple[int, int]:
    """(inquiries without one of their email, notification or received event; inquiries with more than one)."""
    from inquiries.ids import short_reference

    def each(inquiry_id: str) -> tuple[int, int, int]:
        return (counts.emails[addresses[inquiry_id]], counts.notifications[short_reference(inquiry_id)],
                len(received.get(inquiry_id, ())))

    lost = sum(1 for i in accepted if min(each(i)) < 1)
    duplicated = sum(1 for i in accepted if max(each(i)) > 1)
    return lost, duplicated


def _event_log(dynamodb: DynamoDBClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": EVENT_LOG_TABLE, "ProjectionExpression": "inquiry_id, event_id, #t",
                              "ExpressionAttributeNames": {"#t": "type"}}
    while True:
        page = dynamodb.scan(**kwargs)
        items += page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _received_by(dynamodb: DynamoDBClient, accepted: list[str], deadline_seconds: float) -> dict[str, set[str]]:
    """The event log's received events once every accepted inquiry has one (or the deadline passed): the
    events path runs beside the deliveries and may finish a moment later."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        received = received_events(_event_log(dynamodb))
        if all(i in received for i in accepted) or time.monotonic() > deadline:
            return received
        time.sleep(1.0)


def _outbox(stack: LocalStackProcess) -> dict[str, Any]:
    with urllib.request.urlopen(f"{stack.base_url}/_local/outbox", timeout=120) as response:  # noqa: S310
        data: dict[str, Any] = json.loads(response.read())
    return data


def take_census(stack: LocalStackProcess, directory: Path, number: int, timeout: float = 600.0) -> Path:
    """Ask the stack (started with LOCAL_MEMORY_PROBE_DIR=directory) for its ``number``-th memory census (and
    tracemalloc snapshot, if it traces) and wait until it is written."""
    assert stack.process is not None, "start the stack first"
    path = census_path(directory, number)
    stack.process.send_signal(SNAPSHOT_SIGNAL)
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline or stack.process.poll() is not None:
            raise TimeoutError(f"no memory snapshot {path} from the stack")
        time.sleep(0.5)
    return path


def run(stack: LocalStackProcess, inquiries: int, block: int, clients: int, deadline_seconds: float,
        log: Any = None, snapshots: Path | None = None) -> Soak:
    """Submit ``inquiries`` in blocks of ``block`` and measure after each (see the module docstring)."""
    assert stack.process is not None, "start the stack first"
    dynamodb = _session().client("dynamodb", endpoint_url=stack.aws_url)
    steps: list[SoakStep] = []
    counts = SendCounts()
    accepted: list[str] = []
    addresses: dict[str, str] = {}
    if snapshots is not None:
        take_census(stack, snapshots, 1)  # before the first inquiry
    for start in range(0, inquiries, block):
        size = min(block, inquiries - start)
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            answers = list(pool.map(lambda n: post_inquiry(stack.api_port, n), range(start, start + size)))
        ids = [posted.inquiry_id for posted in answers]
        accepted += ids
        addresses.update({posted.inquiry_id: posted.email for posted in answers})
        deadline = time.monotonic() + deadline_seconds
        ages: dict[str, float] = {}
        # Read back only what is not delivered yet: the watching must not load the emulator it measures.
        while len(ages := {**ages, **_delivered_at(dynamodb, [i for i in ids if i not in ages])}) < len(ids):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(ids) - len(ages)} of {len(ids)} inquiries not delivered in time")
            time.sleep(0.2)
        seconds = time.perf_counter() - began
        counts.add(_outbox(stack))
        latencies = [posted.ms for posted in answers]
        step = SoakStep(stored=start + size, api_p50_ms=percentile(latencies, 50),
                        api_p95_ms=percentile(latencies, 95), per_second=round(size / seconds, 2),
                        queue_age_p95_s=round(percentile(list(ages.values()), 95), 3),
                        rss_mib=rss_mib(stack.process.pid))
        steps.append(step)
        if snapshots is not None:
            take_census(stack, snapshots, len(steps) + 1)
        if log is not None:
            log(f"soak: {step}")
    lost, duplicated = tally(accepted, addresses, counts, _received_by(dynamodb, accepted, 60.0))
    return Soak(inquiries=inquiries, block=block, clients=clients, steps=steps, lost=lost, duplicated=duplicated)


def measure(inquiries: int, block: int, clients: int, log: Any = None, snapshots: Path | None = None,
            extra_env: dict[str, str] | None = None) -> Soak:
    """The soak on a fresh local stack of its own; with ``snapshots``, the stack's process writes a census of
    moto's stores there before the first block and after each (and a tracemalloc snapshot with
    LOCAL_TRACEMALLOC_FRAMES; ``infra/local/memory_probe.py``; compare them with
    ``python -m infra.bench.memory_diff``)."""
    env = {"LOCAL_OUTBOX_LIMIT": str(max(2000, 2 * block)), **(extra_env or {})}
    if snapshots is not None:
        env[DIR_VARIABLE] = str(snapshots)
    with tempfile.TemporaryDirectory() as tmp:
        stack = LocalStackProcess(Path(tmp) / "soak-stack.log", extra_env=env)
        with stack:
            return run(stack, inquiries, block, clients, deadline_seconds=max(120.0, block * 0.5), log=log,
                       snapshots=snapshots)


def main(argv: list[str] | None = None) -> int:
    """This section alone (``python -m infra.bench.soak``): every block's figures and the counts, as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inquiries", type=int, default=10_000)
    parser.add_argument("--block", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--probe", type=Path, default=None,
                        help="write the stack process's memory census here, before and after each block")
    args = parser.parse_args(argv)
    result = measure(args.inquiries, args.block, args.clients,
                     log=lambda line: sys.stderr.write(f"{line}\n"), snapshots=args.probe)
    sys.stdout.write(json.dumps(result.as_dict(), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
