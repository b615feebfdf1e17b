"""The local stack's handler workers behave as Lambda's execution environments: the handler runs in a process
of its own with the stack's environment, one invocation at a time per environment, a pool scales out, an
exception comes back by its class name only, and an environment that dies is replaced."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.handler_process import HandlerRaised, HandlerWorkers, WorkerExited
from infra.local.lambda_runtime import HandlerUnavailable, LocalFunction

HANDLERS = "tests.support.worker_handlers"


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> Iterator[HandlerWorkers]:
    monkeypatch.setenv("WORKER_TEST_VALUE", "from the stack")
    pool = HandlerWorkers(groups={"Echo": "one", "Slow": "two", "Fails": "one", "Dies": "three"},
                          environments={"two": 2})
    try:
        yield pool
    finally:
        pool.stop()


def _function(workers: HandlerWorkers, logical_id: str, handler: str) -> LocalFunction:
    return LocalFunction(logical_id, f"{HANDLERS}.{handler}", 30, 128, "us-east-1",
                         worker=workers.for_function(logical_id))


def test_a_handler_runs_in_its_own_process_with_the_stacks_environment(workers: HandlerWorkers) -> None:
    function = _function(workers, "Echo", "echo")
    assert function.is_available()
    answer = function.invoke({"Records": [{"body": "x", "when": b"bytes"}]})
    assert answer["event"] == {"Records": [{"body": "x", "when": b"bytes"}]}
    assert answer["pid"] != os.getpid() and answer["pid"] in workers.pids()
    assert answer["function"] == "Echo" and 0 < answer["remaining_ms"] <= 30_000
    assert answer["env"] == "from the stack"


def test_an_exception_comes_back_by_its_class_name_without_its_text(workers: HandlerWorkers) -> None:
    function = _function(workers, "Fails", "fails")
    with pytest.raises(HandlerRaised) as caught:
        function.invoke({"message": "my private words"})
    assert type(caught.value).__name__ == "InquiryRejected"
    assert "private" not in str(caught.value)
    # The environment goes on serving.
    assert _function(workers, "Echo", "echo").invoke({"n": 1})["event"] == {"n": 1}


def test_a_handler_that_does_not_import_is_unavailable(workers: HandlerWorkers) -> None:
    function = _function(workers, "Echo", "no_such_handler")
    assert not function.is_available()
    with pytest.raises(HandlerUnavailable):
        function.invoke({})


def _at_once(function: LocalFunction, count: int) -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = []
    threads = [threading.Thread(target=lambda: answers.append(function.invoke({"seconds": 0.5})))
               for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_one_environment_takes_one_invocation_at_a_time(workers: HandlerWorkers) -> None:
    function = LocalFunction("Slow", f"{HANDLERS}.slow", 30, 128, "us-east-1",
                             worker=HandlerWorkers(groups={"Slow": "solo"}).for_function("Slow"))
    try:
        answers = sorted(_at_once(function, 2), key=lambda a: a["started"])
        assert answers[0]["pid"] == answers[1]["pid"]
        assert answers[1]["started"] >= answers[0]["ended"]  # never overlapping
    finally:
        assert function.worker is not None
        function.worker.stop()


def test_a_pool_starts_another_environment_for_a_request_that_finds_every_one_busy(workers: HandlerWorkers) -> None:
    function = _function(workers, "Slow", "slow")
    answers = _at_once(function, 2)
    assert len({a["pid"] for a in answers}) == 2
    assert len(workers.for_function("Slow").pids()) == 2  # and no more than its size, however many come
    _at_once(function, 3)
    assert len(workers.for_function("Slow").pids()) == 2


def test_an_environment_that_dies_is_replaced(workers: HandlerWorkers) -> None:
    dies = _function(workers, "Dies", "dies")
    with pytest.raises(WorkerExited):
        dies.invoke({})
    echo = LocalFunction("Dies", f"{HANDLERS}.echo", 30, 128, "us-east-1", worker=workers.for_function("Dies"))
    assert echo.invoke({"again": True})["event"] == {"again": True}


def test_each_delivery_function_has_an_environment_of_its_own() -> None:
    """The confirmation and the care-team notification run at once, each in its own worker (as two Lambda
    functions do): one delivery's backlog never waits behind the other's (issue 23: the soak's queue age)."""
    workers = HandlerWorkers()  # the stack's own grouping
    try:
        deliveries = [LocalFunction(lid, f"{HANDLERS}.slow", 30, 128, "us-east-1", worker=workers.for_function(lid))
                      for lid in ("SendConfirmationFunction", "NotifyCareTeamFunction")]
        assert workers.for_function("SendConfirmationFunction") is not workers.for_function("NotifyCareTeamFunction")
        assert all(workers.for_function(lid) is not workers.for_function("IntakeFunction")
                   for lid in ("SendConfirmationFunction", "NotifyCareTeamFunction", "CareApiFunction"))
        answers: list[dict[str, Any]] = []
        threads = [threading.Thread(target=lambda f=f: answers.append(f.invoke({"seconds": 1.0})))
                   for f in deliveries]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len(answers) == 2 and answers[0]["pid"] != answers[1]["pid"]
        first, second = sorted(answers, key=lambda a: a["started"])
        assert second["started"] < first["ended"]  # they overlapped
    finally:
        workers.stop()
