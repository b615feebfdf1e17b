"""``make faults``: inject failures into the running local stack and count what was lost or sent twice.

Against the local stack (127.0.0.1 only, free ports), through its HTTP API and its AWS emulator:

1. **DynamoDB throttles the write**: the person gets 503 with ``Retry-After`` and nothing is stored;
   the same request retried (same ``Idempotency-Key``) is accepted: no idempotency record holds it back.
2. **SQS fails after the commit**: 202 all the same; RedispatchFunction sends it once SQS recovers.
3. **SES throttles**: the confirmation is retried, and sent once.
4. **SNS fails**: the care team's notification is retried, and published once.
5. **The chat webhook is down**: SNS is still published (the chat post alone is retried).
6. **A crash between two writes**: the inquiry is written but the answer is lost on the way back:
   botocore's retry finds the submission guard and answers with the stored inquiry, which
   RedispatchFunction then dispatches.
7. **The same crash, with every retry's answer lost too**: the person gets 503, retries with the
   same key, and gets the inquiry already stored: one inquiry, one email, one notification.

Every accepted inquiry is then checked in the outbox: exactly one email and one notification each.

    python -m infra.fault_drills [--json]
"""

from __future__ import annotations

import argparse
import json
import socket
import urllib.error
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from inquiries.ids import short_reference

from infra.gameday import DrillTimeout, quiet_logging, wait_until
from infra.local.child import free_port
from infra.local.config import LOOPBACK, LocalConfig
from infra.local.faults import AwsCall, AwsFaults
from infra.local.stack import LocalStack

WAIT_SECONDS = 20.0
BOTOCORE_ATTEMPTS = 4  # inquiries.aws: standard mode, max_attempts=3 retries after the first attempt


class DrillFailed(RuntimeError):
    """Something a drill expected did not happen."""


@dataclass
class ScenarioResult:
    """One fault: what the person was answered and whether everything arrived exactly once."""

    scenario: str
    answers: list[int]
    inquiry_ids: list[str] = field(default_factory=list)
    passed: bool = False
    detail: str = ""


@dataclass
class Answer:
    """An HTTP answer from the local API."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any]


def closed_loopback_port() -> int:
    """A loopback port nothing listens on (the chat webhook that is down)."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


class FaultDrills:
    """The scenarios, run one after another on a started local stack."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.config = stack.config
        self.dynamodb = stack.session.client("dynamodb", endpoint_url=self.config.aws_url)
        self.accepted: list[str] = []

    @property
    def faults(self) -> AwsFaults:
        """The switches of the running AWS emulator."""
        if self.stack.moto is None:
            raise RuntimeError("the local stack is not started")
        return self.stack.moto.faults

    # ---- the pipeline, from outside ------------------------------------------------------------------
    def post(self, key: str, message: str = "A fault drill.") -> Answer:
        """POST one synthetic inquiry with ``key`` (one address per key)."""
        body = json.dumps({"name": "Fault Drill", "email": f"drill.{key}@example.com", "topic": "other",
                           "message": message, "consent_to_contact": True}).encode()
        request = urllib.request.Request(f"{self.config.api_url}/inquiries", data=body, method="POST",  # noqa: S310
                                         headers={"Content-Type": "application/json", "Idempotency-Key": key})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the loopback stack
                answer = Answer(response.status, dict(response.headers), json.loads(response.read()))
        except urllib.error.HTTPError as err:
            answer = Answer(err.code, dict(err.headers), json.loads(err.read() or b"{}"))
        if answer.status == 202:
            self.accepted.append(str(answer.body["inquiry_id"]))
        return answer

    def stored_count(self) -> int:
        """How many inquiries InquiriesTable holds."""
        return int(self.dynamodb.scan(TableName="InquiriesTable", Select="COUNT", ConsistentRead=True)["Count"])

    def record(self, inquiry_id: str) -> dict[str, Any]:
        return self.dynamodb.get_item(TableName="InquiriesTable", Key={"inquiry_id": {"S": inquiry_id}},
                                      ConsistentRead=True).get("Item", {})

    def delivered(self, inquiry_id: str) -> bool:
        """The person was emailed and the care team notified (recorded on the inquiry)."""
        item = self.record(inquiry_id)
        return "confirmation_sent_at" in item and "care_team_notified_at" in item and "dispatch_state" not in item

    def sends(self, inquiry_id: str) -> tuple[int, int]:
        """(emails, notifications) in the outbox that carry this inquiry's reference."""
        if self.stack.outbox is None:
            raise RuntimeError("the local stack is not started")
        outbox = self.stack.outbox.as_json()
        reference = short_reference(inquiry_id)
        emails = sum(1 for e in outbox["emails"] if reference in (e.get("text") or ""))
        notes = sum(1 for n in outbox["notifications"] if reference in json.dumps(n))
        return emails, notes

    def delivered_once(self, inquiry_id: str) -> None:
        wait_until(lambda: self.delivered(inquiry_id), f"{inquiry_id} to reach the person and the care team",
                   WAIT_SECONDS)
        wait_until(lambda: self.sends(inquiry_id) == (1, 1), f"{inquiry_id}'s email and notification", WAIT_SECONDS)

    # ---- the scenarios -------------------------------------------------------------------------------
    def dynamodb_throttles_the_write(self) -> ScenarioResult:
        key = uuid.uuid4().hex
        before = self.stored_count()
        self.faults.throttle_next(AwsCall.DYNAMODB_TRANSACT_WRITE, BOTOCORE_ATTEMPTS)
        refused = self.post(key)
        if refused.status != 503 or "Retry-After" not in refused.headers or self.stored_count() != before:
            raise DrillFailed(f"throttled write answered {refused.status}, stored {self.stored_count() - before}")
        retried = self.post(key)
        if retried.status != 202:
            raise DrillFailed(f"the retry was answered {retried.status}: a record held it back")
        inquiry_id = str(retried.body["inquiry_id"])
        self.delivered_once(inquiry_id)
        return ScenarioResult("DynamoDB throttles the write", [refused.status, retried.status], [inquiry_id])

    def sqs_fails_after_the_commit(self) -> ScenarioResult:
        self.faults.throttle_next(AwsCall.SQS_SEND, BOTOCORE_ATTEMPTS)
        answer = self.post(uuid.uuid4().hex)
        if answer.status != 202:
            raise DrillFailed(f"answered {answer.status}")
        inquiry_id = str(answer.body["inquiry_id"])
        if "dispatch_state" not in self.record(inquiry_id):
            raise DrillFailed("the dispatch-pending marker is missing")
        self.delivered_once(inquiry_id)  # by RedispatchFunction
        return ScenarioResult("SQS fails after the commit", [answer.status], [inquiry_id])

    def ses_throttles(self) -> ScenarioResult:
        self.faults.throttle_next(AwsCall.SES_SEND, BOTOCORE_ATTEMPTS + 1)
        answer = self.post(uuid.uuid4().hex)
        inquiry_id = str(answer.body["inquiry_id"])
        self.delivered_once(inquiry_id)
        return ScenarioResult("SES throttles", [answer.status], [inquiry_id])

    def sns_fails(self) -> ScenarioResult:
        self.faults.throttle_next(AwsCall.SNS_PUBLISH, BOTOCORE_ATTEMPTS + 1)
        answer = self.post(uuid.uuid4().hex)
        inquiry_id = str(answer.body["inquiry_id"])
        self.delivered_once(inquiry_id)
        return ScenarioResult("SNS fails", [answer.status], [inquiry_id])

    def chat_webhook_down(self) -> ScenarioResult:
        if not self.config.chat_webhook_url:
            raise DrillFailed("the stack was started without a chat webhook")
        answer = self.post(uuid.uuid4().hex)
        inquiry_id = str(answer.body["inquiry_id"])
        self.delivered_once(inquiry_id)
        if "care_team_chat_sent_at" in self.record(inquiry_id):
            raise DrillFailed("the chat post cannot have succeeded: nothing listens there")
        return ScenarioResult("chat webhook down", [answer.status], [inquiry_id])

    def crash_between_the_write_and_its_answer(self) -> ScenarioResult:
        self.faults.lose_answers_of_next(AwsCall.DYNAMODB_TRANSACT_WRITE, 1)
        before = self.stored_count()
        answer = self.post(uuid.uuid4().hex)
        if answer.status != 202 or self.stored_count() != before + 1:
            raise DrillFailed(f"answered {answer.status}, stored {self.stored_count() - before}")
        inquiry_id = str(answer.body["inquiry_id"])
        self.delivered_once(inquiry_id)  # the replayed answer dispatched nothing: RedispatchFunction does
        return ScenarioResult("crash between two writes (answer lost, retried by the SDK)", [answer.status],
                              [inquiry_id])

    def crash_and_every_retry_lost(self) -> ScenarioResult:
        key = uuid.uuid4().hex
        before = self.stored_count()
        self.faults.lose_answers_of_next(AwsCall.DYNAMODB_TRANSACT_WRITE, BOTOCORE_ATTEMPTS)
        lost = self.post(key)
        retried = self.post(key)
        if lost.status != 503 or retried.status != 202 or self.stored_count() != before + 1:
            raise DrillFailed(f"answered {lost.status} then {retried.status}, stored {self.stored_count() - before}")
        inquiry_id = str(retried.body["inquiry_id"])
        self.delivered_once(inquiry_id)
        return ScenarioResult("crash between two writes (every answer lost, the person retries)",
                              [lost.status, retried.status], [inquiry_id])

    def run(self) -> list[ScenarioResult]:
        """Every scenario; a scenario that fails is reported, and the rest still run."""
        results = []
        for scenario in (self.dynamodb_throttles_the_write, self.sqs_fails_after_the_commit, self.ses_throttles,
                         self.sns_fails, self.chat_webhook_down, self.crash_between_the_write_and_its_answer,
                         self.crash_and_every_retry_lost):
            self.faults.clear()
            try:
                result = scenario()
                result.passed = True
            except (DrillFailed, DrillTimeout, KeyError) as exc:
                result = ScenarioResult(scenario.__name__, [], detail=str(exc))
            results.append(result)
        self.faults.clear()
        return results

    def totals(self) -> dict[str, int]:
        """Over every inquiry accepted (202): how many never arrived, and how many were sent more than once."""
        accepted = sorted(set(self.accepted))
        lost = sum(1 for i in accepted if not self.delivered(i) or 0 in self.sends(i))
        duplicates = sum(max(0, e - 1) + max(0, n - 1) for e, n in (self.sends(i) for i in accepted))
        return {"accepted": len(accepted), "lost": lost, "duplicate_sends": duplicates}


def drill_config() -> LocalConfig:
    """The local stack on free loopback ports, short timings, and a chat webhook nobody answers."""
    return LocalConfig(api_port=free_port(), aws_port=free_port(), visibility_timeout_seconds=2,
                       redispatch_every_seconds=1.0, redispatch_grace_seconds=1, handler_log_level="CRITICAL",
                       record_metrics=True, chat_webhook_url=f"http://{LOOPBACK}:{closed_loopback_port()}/hook")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.fault_drills", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    quiet_logging()
    stack = LocalStack(drill_config())
    stack.start()
    try:
        drills = FaultDrills(stack)
        results = drills.run()
        totals = drills.totals()
    finally:
        stack.stop()
    ok = all(r.passed for r in results) and totals["lost"] == 0 and totals["duplicate_sends"] == 0
    if args.json:
        print(json.dumps({"scenarios": [asdict(r) for r in results], **totals}, indent=2))  # noqa: T201
    else:
        for r in results:
            print(f"{'ok  ' if r.passed else 'FAIL'} {r.scenario}: answered {r.answers} {r.detail}")  # noqa: T201
        print(f"{len(results)} scenarios; {totals['accepted']} inquiries accepted, "  # noqa: T201
              f"{totals['lost']} lost, {totals['duplicate_sends']} sent twice")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
