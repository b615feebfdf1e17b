"""The real handlers in processes of their own, as Lambda runs each function in its own environment.

In one process the handlers' Python, moto's and the API emulator's share one interpreter lock, so the
local stack used one core of any machine however many inquiries arrived at once (issue 23: the end-to-end
benchmark's pipeline ran at 0.5-0.74x the boto3 floor, whose client and moto run in two processes). Here
each group of functions (``WORKER_GROUPS``: intake; the confirmation; the care-team notification; every
other function together) runs in a worker process started with ``python -m infra.local.handler_process``, which imports
the handlers there, with the environment the stack set (the union of the template's, as before).

A worker handles one invocation at a time (``HandlerWorker`` holds a lock for each call), as one Lambda
execution environment does, so a handler never shares Powertools' singletons or cached clients with a
concurrent invocation; different workers run at once, as different functions do in Lambda, and a group
may have several (``ENVIRONMENTS``: intake's concurrent requests scale out as Lambda's would). Events and
answers cross a pipe (pickle, on two inherited file descriptors: the worker's stdout stays the stack's
console, where the handlers log). An exception in a handler comes back as ``HandlerRaised`` under the
exception's own class name (what the pollers log); its text, which could quote PHI, never leaves the worker.
A worker ignores Ctrl-C (the stack stops it) and ends when its pipe closes (the stack died).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import IO, Any

from infra.template import ROOT

# Intake in its own workers, each delivery in its own (they drain their queues at once, as two Lambda
# functions do: sharing one worker made each wait behind the other's batches, the soak's 80-90 s queue age);
# every other function shares one ("other"). Each worker is a process of ~55-75 MiB: a worker per function
# would take the stack past 1 GiB in a busy day.
WORKER_GROUPS = {"IntakeFunction": "intake", "SendConfirmationFunction": "confirmation",
                 "NotifyCareTeamFunction": "care-team"}
OTHER_GROUP = "other"
# How many execution environments a group may have at once. Lambda starts another environment for a
# request that arrives while every one is busy; the API's clients arrive at once, so intake gets two.
# A queue's consumer is fed by one poller, one batch at a time: one.
ENVIRONMENTS = {"intake": 2}


class HandlerRaised(RuntimeError):
    """A handler raised in its worker; subclasses carry the raised exception's class name."""


_RAISED: dict[str, type[HandlerRaised]] = {}


def raised_as(name: str) -> type[HandlerRaised]:
    """A ``HandlerRaised`` subclass named like the exception the handler raised (made once per name)."""
    if name not in _RAISED:
        _RAISED[name] = type(name if name.isidentifier() else "HandlerError", (HandlerRaised,), {})
    return _RAISED[name]


class WorkerExited(RuntimeError):
    """The worker process ended during a call (it is replaced on the next one)."""


class WorkerUnavailable(RuntimeError):
    """The handler's module does not import in its worker (the exception's class name is the message)."""


class HandlerWorker:
    """One worker process: started on first use, one call at a time."""

    def __init__(self, group: str) -> None:
        self.group = group
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._to_worker: IO[bytes] | None = None
        self._from_worker: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The worker's process id, once started."""
        return self._process.pid if self._process is not None else None

    def _start(self) -> None:
        request_read, request_write = os.pipe()
        answer_read, answer_write = os.pipe()
        self._process = subprocess.Popen(  # noqa: S603 - this module, fixed arguments
            [sys.executable, "-m", "infra.local.handler_process", str(request_read), str(answer_write)],
            cwd=ROOT, pass_fds=(request_read, answer_write), env=dict(os.environ))
        os.close(request_read)
        os.close(answer_write)
        self._to_worker = os.fdopen(request_write, "wb")
        self._from_worker = os.fdopen(answer_read, "rb")

    def call(self, request: tuple[Any, ...]) -> tuple[Any, ...]:
        """Send one request and wait for its answer."""
        with self._lock:
            if self._process is None:
                self._start()
            assert self._to_worker is not None and self._from_worker is not None
            try:
                pickle.dump(request, self._to_worker, protocol=pickle.HIGHEST_PROTOCOL)
                self._to_worker.flush()
                answer: tuple[Any, ...] = pickle.load(self._from_worker)  # noqa: S301 - our own child's answer
            except (EOFError, OSError) as exc:  # it died: the next call starts a new one, as Lambda would
                self._forget()
                raise WorkerExited(f"the {self.group} handler worker exited") from exc
            return answer

    def _forget(self) -> None:
        for stream in (self._to_worker, self._from_worker):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._to_worker = self._from_worker = None
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()

    def load(self, handler_path: str) -> None:
        """Import the handler in the worker; raises WorkerUnavailable when it does not import."""
        answer = self.call(("load", handler_path))
        if answer[0] != "ok":
            raise WorkerUnavailable(str(answer[1]))

    def invoke(self, handler_path: str, event: Any, context: Any) -> Any:
        """Call the handler with ``event`` and ``context`` in the worker; its answer, or what it raised."""
        answer = self.call(("invoke", handler_path, event, context))
        if answer[0] == "ok":
            return answer[1]
        if answer[0] == "unavailable":
            raise WorkerUnavailable(str(answer[1]))
        raise raised_as(str(answer[1]))(f"{answer[1]} in {handler_path}")

    def stop(self, timeout: float = 10.0) -> None:
        """Close the pipe (the worker ends) and wait for it; killed if it does not."""
        with self._lock:
            process, self._process = self._process, None
            for stream in (self._to_worker, self._from_worker):
                if stream is not None:
                    stream.close()
            self._to_worker = self._from_worker = None
        if process is None:
            return
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class WorkerPool:
    """A group's execution environments: an invocation takes a free one (the first is started at once, the
    others when every started one is busy, up to ``size``) and waits when all ``size`` are busy."""

    def __init__(self, group: str, size: int = 1) -> None:
        self.group = group
        self.size = max(1, size)
        self.workers: list[HandlerWorker] = []
        self._free: list[HandlerWorker] = []
        self._loaded: set[str] = set()  # handlers the group imports (each new environment imports them)
        self._available = threading.Condition()

    def _take(self) -> HandlerWorker:
        with self._available:
            while not self._free:
                if len(self.workers) < self.size:
                    worker = HandlerWorker(f"{self.group}-{len(self.workers) + 1}")
                    self.workers.append(worker)
                    return worker
                self._available.wait()
            return self._free.pop()

    def _give_back(self, worker: HandlerWorker) -> None:
        with self._available:
            self._free.append(worker)
            self._available.notify()

    def load(self, handler_path: str) -> None:
        """Import the handler in an environment (the others import it when they start)."""
        worker = self._take()
        try:
            worker.load(handler_path)
            self._loaded.add(handler_path)
        finally:
            self._give_back(worker)

    def invoke(self, handler_path: str, event: Any, context: Any) -> Any:
        """Run one invocation in a free environment."""
        worker = self._take()
        try:
            if worker.pid is None:  # a new environment: its cold start, as in Lambda
                for path in sorted(self._loaded - {handler_path}):
                    worker.load(path)
            return worker.invoke(handler_path, event, context)
        finally:
            self._give_back(worker)

    def pids(self) -> list[int]:
        """The started environments' process ids."""
        with self._available:
            return [pid for worker in self.workers if (pid := worker.pid) is not None]

    def stop(self) -> None:
        """Stop every environment."""
        with self._available:
            workers = list(self.workers)
        for worker in workers:
            worker.stop()


class HandlerWorkers:
    """The stack's execution environments: a pool per group, started when a function of the group is used."""

    def __init__(self, groups: dict[str, str] | None = None, environments: dict[str, int] | None = None) -> None:
        self.groups = dict(WORKER_GROUPS if groups is None else groups)
        self.environments = dict(ENVIRONMENTS if environments is None else environments)
        self._pools: dict[str, WorkerPool] = {}
        self._lock = threading.Lock()

    def for_function(self, logical_id: str) -> WorkerPool:
        """The pool that runs this function."""
        group = self.groups.get(logical_id, OTHER_GROUP)
        with self._lock:
            if group not in self._pools:
                self._pools[group] = WorkerPool(group, self.environments.get(group, 1))
            return self._pools[group]

    def pids(self) -> list[int]:
        """The running environments' process ids."""
        with self._lock:
            pools = list(self._pools.values())
        return [pid for pool in pools for pid in pool.pids()]

    def stop(self) -> None:
        """Stop every environment."""
        with self._lock:
            pools = list(self._pools.values())
        for pool in pools:
            pool.stop()


# -- the worker's side ---------------------------------------------------------------------------------

def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """Answer requests until the pipe closes: ``("load", path)`` and ``("invoke", path, event, context)``."""
    handlers: dict[str, Callable[[Any, Any], Any]] = {}

    def load(path: str) -> Callable[[Any, Any], Any]:
        if path not in handlers:
            module_name, _, attr = path.rpartition(".")
            handlers[path] = getattr(importlib.import_module(module_name), attr)
        return handlers[path]

    while True:
        try:
            request = pickle.load(requests)  # noqa: S301 - from the stack that started this worker
        except EOFError:
            return
        answer: tuple[Any, ...]
        try:
            handler = load(request[1])
        except Exception as exc:  # missing, or failing at import: the stack reports the type
            answer = ("unavailable", type(exc).__name__)
        else:
            if request[0] == "load":
                answer = ("ok",)
            else:
                try:
                    answer = ("ok", handler(request[2], request[3]))
                except Exception as exc:  # the class name only: the text could quote what a person wrote
                    answer = ("raised", type(exc).__name__)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an answer Lambda could not serialize either
            data = pickle.dumps(("raised", type(exc).__name__), protocol=pickle.HIGHEST_PROTOCOL)
        answers.write(data)
        answers.flush()


def main(argv: list[str]) -> int:
    """The worker process: ``python -m infra.local.handler_process REQUEST_FD ANSWER_FD``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the stack stops us
    with os.fdopen(int(argv[0]), "rb") as requests, os.fdopen(int(argv[1]), "wb") as answers:
        serve(requests, answers)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
