"""The end-to-end benchmark watches the pipeline through the emulator it measures (a BatchGetItem per read
back, served by the stack's process; the floor has no watcher): while many inquiries are left it reads back
at most once a second, and often only near the end, where the read back sets when the clock stops (issue 23:
under load the read-backs were 8% of the stack process's time)."""

from __future__ import annotations

from typing import Any

import pytest

from infra.bench import end_to_end


def test_the_pipeline_is_read_back_seldom_while_many_are_left_and_often_near_the_end(
        monkeypatch: pytest.MonkeyPatch) -> None:
    left = [list(range(n)) for n in (40, 30, 20, 9, 8, 3, 0)]
    sleeps: list[float] = []
    monkeypatch.setattr(end_to_end, "_post", lambda port, n: (f"id{n}", 1.0))
    monkeypatch.setattr(end_to_end, "undone", lambda dynamodb, ids: [str(i) for i in left.pop(0)])
    monkeypatch.setattr("infra.bench.end_to_end.time.sleep", sleeps.append)

    class Stack:
        aws_url = "http://127.0.0.1:1"
        api_port = 1

    stack: Any = Stack()
    end_to_end.run_pipeline(stack, 40, 8, deadline=float("inf"))
    assert sleeps == [1.0, 1.0, 1.0, 1.0, 0.05, 0.05]
