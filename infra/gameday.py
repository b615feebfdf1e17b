"""``make gameday``: break the local pipeline three ways and show each break moves the metric that pages.

Against the local stack (127.0.0.1 only, free ports, a minute at most), with the handlers' metrics
recorded in the emulator's CloudWatch (infra.local.metrics):

1. **SQS sends denied** (a role lost ``sqs:SendMessage``): the person still gets 202, and
   ``DispatchDeferred`` and ``OldestDispatchPendingAge`` move: DispatchDeferredAlarm and
   OldestDispatchPendingAlarm read them.
2. **SES broken** (unverified sender, sandboxed account): ``ConfirmationRetried`` moves:
   ConfirmationRetriedAlarm.
3. **A consumer stopped** (NotifyCareTeamFunction's mapping disabled): the age of CareTeamQueue's
   oldest message grows: CareTeamQueueAgeAlarm reads it (SQS publishes it in AWS; here it is read
   from the queue the same way).

4. **A flood** (issue 18): 200 crisis-worded posts from 20 loopback addresses (127.0.0.2-21, within the
   per-client limit). Every one is stored and notified (the topic, hence the email); the care team's phone
   (CareTeamTopic through the SMS subscription's own filter policy, ``LocalTexts``) gets at most
   ``UrgentSmsPerWindow`` single texts and one "N urgent inquiries waiting" per window; and a real urgent
   inquiry once the flood's window is over is texted again. The window is shortened to seconds here.

Each metric is read with the alarm's own Namespace, MetricName, Dimensions and Statistic from
template.yaml, so an alarm watching a series the code does not emit shows up here as "did not move".
After each fault is lifted the drill waits until its inquiry reached the person and the care team:
nothing lost. Inquiries are synthetic; only their ids are printed.

    python -m infra.gameday [--json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from infra.local.child import free_port
from infra.local.config import LocalConfig
from infra.local.faults import AwsFaults
from infra.local.stack import LocalStack
from infra.template import TemplateResources

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.literals import StatisticType
    from mypy_boto3_cloudwatch.type_defs import DimensionTypeDef

WAIT_SECONDS = 15.0  # each wait is bounded: the whole game day stays well under a minute
FLOOD_POSTS = 200
FLOOD_ADDRESSES = 20  # 127.0.0.2 ... 127.0.0.21: ten posts each, under RateLimitPerClientPerHour
FLOOD_WINDOW_SECONDS = 20  # UrgentSmsWindowSeconds for the game day (900 in the template)
FLOOD_WAIT_SECONDS = 60.0
CRISIS_WORDS = "I have the pills counted out and I want to die tonight"


class DrillTimeout(RuntimeError):
    """Something the drill waits for did not happen in time."""


def wait_until(condition: Callable[[], bool], what: str, seconds: float = WAIT_SECONDS) -> None:
    """Poll ``condition`` until it holds; raise ``DrillTimeout`` naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise DrillTimeout(f"{what}: not within {seconds:.0f} s")
        time.sleep(0.2)


def quiet_logging() -> None:
    """Errors only, and nothing from the libraries and the local stack's own chatter."""
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("werkzeug", "botocore", "boto3", "urllib3", "infra.local"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class AlarmMetric:
    """One alarm's metric as template.yaml defines it, resolved for the local stack."""

    alarm: str
    namespace: str
    metric: str
    dimensions: list[DimensionTypeDef]
    statistic: str
    threshold: float

    @classmethod
    def from_template(cls, resources: TemplateResources, alarm: str) -> AlarmMetric:
        """The alarm's metric, with Ref and GetAtt resolved as the local stack names things."""
        props = resources.resolve(resources.properties(alarm))
        return cls(alarm, str(props["Namespace"]), str(props["MetricName"]),
                   [{"Name": str(d["Name"]), "Value": str(d["Value"])} for d in props.get("Dimensions", [])],
                   str(props["Statistic"]), float(props["Threshold"]))

    def describe(self) -> str:
        """Namespace/MetricName (Statistic)."""
        return f"{self.namespace}/{self.metric} ({self.statistic})"

    def read(self, cloudwatch: CloudWatchClient, since: datetime) -> float:
        """The alarm's statistic over everything recorded since ``since`` (0 when nothing was)."""
        statistic: StatisticType = "Sum" if self.statistic == "Sum" else "Maximum"
        points = cloudwatch.get_metric_statistics(
            Namespace=self.namespace, MetricName=self.metric, Dimensions=self.dimensions,
            StartTime=since, EndTime=datetime.now(UTC) + timedelta(minutes=1), Period=60,
            Statistics=[statistic])["Datapoints"]
        values = [float(p.get(statistic, 0.0)) for p in points]
        if not values:
            return 0.0
        return sum(values) if statistic == "Sum" else max(values)


@dataclass
class DrillResult:
    """What one fault moved, and whether its inquiry still arrived once the fault was lifted."""

    fault: str
    alarm: str
    metric: str
    before: float
    during: float
    threshold: float
    inquiry_id: str
    recovered: bool = False

    @property
    def moved(self) -> bool:
        """The metric went up while the fault was on."""
        return self.during > self.before


@dataclass
class FloodResult:
    """What a flood of crisis-worded posts did to the texts, and whether every inquiry still arrived."""

    posts: int
    accepted: int
    stored: int
    notified: int
    per_window_cap: int
    windows: int
    single_texts: int
    summary_texts: int
    after_flood_texted: bool
    seconds: float

    @property
    def held(self) -> bool:
        """Every post stored and notified, texts within the budget, and a real urgent one still texted."""
        return (self.accepted == self.stored == self.notified == self.posts
                and self.single_texts <= self.per_window_cap * self.windows
                and self.summary_texts <= self.windows and self.after_flood_texted)


class GameDay:
    """The drills, run one after another on a started local stack."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.config = stack.config
        self.cloudwatch = stack.session.client("cloudwatch", endpoint_url=self.config.aws_url)
        self.dynamodb = stack.session.client("dynamodb", endpoint_url=self.config.aws_url)
        self.sqs = stack.session.client("sqs", endpoint_url=self.config.aws_url)

    @property
    def faults(self) -> AwsFaults:
        """The switches of the running AWS emulator."""
        if self.stack.moto is None:
            raise RuntimeError("the local stack is not started")
        return self.stack.moto.faults

    def alarm(self, logical_id: str) -> AlarmMetric:
        return AlarmMetric.from_template(self.stack.resources, logical_id)

    # ---- the pipeline, from outside ------------------------------------------------------------------
    def submit(self) -> str:
        """POST one synthetic inquiry; return its id (the answer must be 202)."""
        tag = uuid.uuid4().hex[:10]
        body = json.dumps({"name": "Game Day", "email": f"gameday.{tag}@example.com", "topic": "other",
                           "message": "A game-day drill.", "consent_to_contact": True}).encode()
        request = urllib.request.Request(f"{self.config.api_url}/inquiries", data=body, method="POST",  # noqa: S310
                                         headers={"Content-Type": "application/json", "Idempotency-Key": tag})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the loopback stack
            if response.status != 202:
                raise DrillTimeout(f"the inquiry was answered {response.status}, not 202")
            return str(json.loads(response.read())["inquiry_id"])

    def record(self, inquiry_id: str) -> dict[str, Any]:
        return self.dynamodb.get_item(TableName="InquiriesTable", Key={"inquiry_id": {"S": inquiry_id}},
                                      ConsistentRead=True).get("Item", {})

    def confirmed(self, inquiry_id: str) -> bool:
        return "confirmation_sent_at" in self.record(inquiry_id)

    def delivered(self, inquiry_id: str) -> bool:
        """The person was emailed and the care team notified."""
        item = self.record(inquiry_id)
        return "confirmation_sent_at" in item and "care_team_notified_at" in item

    def oldest_message_age(self, queue: str) -> float:
        """Seconds since the oldest visible message was sent, as SQS's ApproximateAgeOfOldestMessage."""
        url = self.sqs.get_queue_url(QueueName=queue)["QueueUrl"]
        messages = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                            WaitTimeSeconds=0,
                                            MessageSystemAttributeNames=["SentTimestamp"]).get("Messages", [])
        sent = [int(m["Attributes"]["SentTimestamp"]) for m in messages if "Attributes" in m]
        return max(0.0, time.time() - min(sent) / 1000) if sent else 0.0

    @staticmethod
    def wait_until(condition: Callable[[], bool], what: str) -> None:
        wait_until(condition, what)

    # ---- the drills ----------------------------------------------------------------------------------
    def deny_sqs_sends(self) -> list[DrillResult]:
        """A role without sqs:SendMessage: intake answers 202, dispatch is deferred, redispatch keeps trying."""
        since = datetime.now(UTC)
        alarms = [self.alarm("DispatchDeferredAlarm"), self.alarm("OldestDispatchPendingAlarm")]
        before = [a.read(self.cloudwatch, since) for a in alarms]
        self.faults.deny_sqs_sends()
        try:
            inquiry_id = self.submit()
            for alarm, value in zip(alarms, before, strict=True):
                self.wait_until(lambda a=alarm, v=value: a.read(self.cloudwatch, since) > v,  # type: ignore[misc]
                                f"{alarm.alarm}'s metric to move")
            during = [a.read(self.cloudwatch, since) for a in alarms]
        finally:
            self.faults.deny_sqs_sends(False)
        results = [DrillResult("SQS sends denied", a.alarm, a.describe(), b, d, a.threshold, inquiry_id)
                   for a, b, d in zip(alarms, before, during, strict=True)]
        self.wait_until(lambda: self.delivered(inquiry_id), "redispatch to deliver the inquiry")
        for result in results:
            result.recovered = True
        return results

    def break_ses(self) -> DrillResult:
        """SES refuses every email: the confirmation is retried, and the retry is counted."""
        since = datetime.now(UTC)
        alarm = self.alarm("ConfirmationRetriedAlarm")
        before = alarm.read(self.cloudwatch, since)
        self.faults.break_ses()
        try:
            inquiry_id = self.submit()
            self.wait_until(lambda: alarm.read(self.cloudwatch, since) > before, f"{alarm.alarm}'s metric to move")
            during = alarm.read(self.cloudwatch, since)
        finally:
            self.faults.break_ses(False)
        result = DrillResult("SES broken", alarm.alarm, alarm.describe(), before, during, alarm.threshold,
                             inquiry_id)
        self.wait_until(lambda: self.delivered(inquiry_id), "the retried confirmation to be sent")
        result.recovered = True
        return result

    def stop_consumer(self) -> DrillResult:
        """NotifyCareTeamFunction stops reading CareTeamQueue: its oldest message ages."""
        alarm = self.alarm("CareTeamQueueAgeAlarm")
        queue = alarm.dimensions[0]["Value"]
        before = self.oldest_message_age(queue)
        self.stack.stop_consumer("NotifyCareTeamFunction")
        try:
            inquiry_id = self.submit()
            # The other consumer has handled its copy: the care team's copy is still waiting.
            self.wait_until(lambda: self.confirmed(inquiry_id), "the confirmation to be sent")
            during = self.oldest_message_age(queue)
        finally:
            self.stack.start_consumer("NotifyCareTeamFunction")
        result = DrillResult("consumer stopped", alarm.alarm, f"{alarm.describe()} of {queue}", before, during,
                             alarm.threshold, inquiry_id)
        self.wait_until(lambda: self.delivered(inquiry_id), "the care team to be notified")
        result.recovered = True
        return result

    def post_urgent(self, source: str, tag: str) -> str | None:
        """POST one crisis-worded synthetic inquiry from ``source`` (a loopback address); its id when 202."""
        body = json.dumps({"name": "Game Day", "email": f"gameday.{tag}@example.com", "topic": "depression",
                           "message": f"{CRISIS_WORDS} ({tag})", "consent_to_contact": True})
        connection = http.client.HTTPConnection("127.0.0.1", self.config.api_port, timeout=30,
                                                source_address=(source, 0))
        try:
            connection.request("POST", "/inquiries", body=body,
                               headers={"Content-Type": "application/json", "Idempotency-Key": tag})
            response = connection.getresponse()
            answer = response.read()
        finally:
            connection.close()
        return str(json.loads(answer)["inquiry_id"]) if response.status == 202 else None

    def texts(self) -> list[dict[str, Any]]:
        """What the care team's phone got so far (the outbox's ``LocalTexts``)."""
        if self.stack.outbox is None:
            raise RuntimeError("the local stack is not started")
        return self.stack.outbox.texts()

    def flood(self) -> FloodResult:
        """200 crisis-worded posts from 20 addresses; then, in a later window, one real urgent inquiry."""
        started = time.monotonic()
        window = int(self.stack.resources.function_environment(
            "NotifyCareTeamFunction", {"URGENT_SMS_WINDOW_SECONDS": str(self.config.urgent_sms_window_seconds)},
        )["URGENT_SMS_WINDOW_SECONDS"])
        cap = int(self.stack.resources.function_environment("NotifyCareTeamFunction")["URGENT_SMS_PER_WINDOW"])
        texts_before = len(self.texts())
        ids: list[str] = []
        lock = threading.Lock()

        def one_address(n: int) -> None:
            for i in range(FLOOD_POSTS // FLOOD_ADDRESSES):
                inquiry_id = self.post_urgent(f"127.0.0.{n + 2}", f"flood-{n}-{i}-{uuid.uuid4().hex[:6]}")
                if inquiry_id:
                    with lock:
                        ids.append(inquiry_id)

        first_window = int(time.time()) // window
        senders = [threading.Thread(target=one_address, args=(n,)) for n in range(FLOOD_ADDRESSES)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=FLOOD_WAIT_SECONDS)
        wait_until(lambda: all("care_team_notified_at" in self.record(i) for i in ids),
                   "every flooded inquiry to be notified", FLOOD_WAIT_SECONDS)
        last_window = int(time.time()) // window
        flood_texts = self.texts()[texts_before:]
        summaries = [t for t in flood_texts if "urgent inquiries waiting" in str(t.get("message"))]
        stored = sum(1 for i in ids if self.record(i))
        notified = sum(1 for i in ids if "care_team_notified_at" in self.record(i))

        # A real one, once the flood's last window is over: the budget is fresh, and it is texted.
        wait_until(lambda: int(time.time()) // window > last_window, "the next window", window + 1.0)
        real = self.post_urgent("127.0.0.1", f"real-{uuid.uuid4().hex[:8]}")
        reference = f"INQ-{real[-8:]}" if real else "-"
        texted = False
        if real:
            try:
                wait_until(lambda: any(reference in str(t.get("message")) for t in self.texts()),
                           "the urgent inquiry after the flood to be texted")
                texted = True
            except DrillTimeout:
                texted = False
        return FloodResult(posts=FLOOD_POSTS, accepted=len(ids), stored=stored, notified=notified,
                           per_window_cap=cap, windows=last_window - first_window + 1,
                           single_texts=len(flood_texts) - len(summaries), summary_texts=len(summaries),
                           after_flood_texted=texted, seconds=round(time.monotonic() - started, 1))

    def run(self) -> list[DrillResult]:
        """Every drill, after one inquiry that shows the pipeline works before anything is broken."""
        baseline = self.submit()
        self.wait_until(lambda: self.delivered(baseline), "the baseline inquiry to be delivered")
        return [*self.deny_sqs_sends(), self.break_ses(), self.stop_consumer()]


def game_day_config() -> LocalConfig:
    """The local stack on free loopback ports, with short timings so each recovery shows within seconds."""
    return LocalConfig(api_port=free_port(), aws_port=free_port(), visibility_timeout_seconds=2,
                       redispatch_every_seconds=1.0, redispatch_grace_seconds=1, handler_log_level="CRITICAL",
                       record_metrics=True, urgent_sms_window_seconds=FLOOD_WINDOW_SECONDS)


def report(results: list[DrillResult]) -> str:
    """A table: fault, alarm, metric, before, while broken, threshold, recovered."""
    rows = [("fault", "alarm", "metric", "before", "broken", "alarm at", "delivered after")]
    rows += [(r.fault, r.alarm, r.metric, f"{r.before:g}", f"{r.during:.3g}", f"{r.threshold:g}",
              f"yes ({r.inquiry_id})" if r.recovered else "NO") for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows)


def flood_report(flood: FloodResult) -> str:
    """The flood in a few lines."""
    return (f"flood: {flood.accepted}/{flood.posts} accepted, {flood.stored} stored, {flood.notified} notified; "
            f"texts: {flood.single_texts} single (at most {flood.per_window_cap} per window) + "
            f"{flood.summary_texts} \"N urgent inquiries waiting\" over {flood.windows} window(s); "
            f"urgent one after the flood texted: {'yes' if flood.after_flood_texted else 'NO'} "
            f"({flood.seconds:.0f} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.gameday", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    quiet_logging()
    started = time.monotonic()
    stack = LocalStack(game_day_config())
    stack.start()
    try:
        day = GameDay(stack)
        results = day.run()
        flood = day.flood()
    finally:
        stack.stop()
    ok = all(r.moved and r.recovered for r in results) and flood.held
    if args.json:
        print(json.dumps({"drills": [{**asdict(r), "moved": r.moved} for r in results],  # noqa: T201
                          "flood": {**asdict(flood), "held": flood.held}}, indent=2))
    else:
        print(report(results))  # noqa: T201 - the command's output
        print(flood_report(flood))  # noqa: T201
        print(f"\n{'every fault moved its alarm metric and lost nothing; the flood held' if ok else 'FAILED'} "  # noqa: T201
              f"({time.monotonic() - started:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
