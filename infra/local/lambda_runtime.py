"""Running the real handlers in this process, the way Lambda would call them.

All functions share one process, so they share one ``os.environ``. The handlers read their
configuration from it once, when their module is imported (a cold start). Their template
environments differ only by additive keys (each function adds the variables it needs to the
Globals), so the stack sets the *union* of every function's resolved environment before any
handler is imported. ``handler_environment`` refuses a union in which two functions disagree.

Invocations in this process run one at a time (``INVOKE_LOCK``): as in Lambda, where each execution
environment handles a single event at a time, a handler never shares module-level state (Powertools'
Logger and Metrics singletons, cached clients) with a concurrent invocation. A function given a
``worker`` (``infra.local.handler_process``) runs there instead, one invocation at a time per worker.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from infra.template import ACCOUNT_ID, TemplateResources

if TYPE_CHECKING:
    from infra.local.handler_process import WorkerPool

log = logging.getLogger("infra.local")

Handler = Callable[[Any, Any], Any]
INVOKE_LOCK = threading.Lock()
# Importing one package from several threads at once can fail half-way; handlers import one at a time.
IMPORT_LOCK = threading.Lock()


class HandlerUnavailable(RuntimeError):
    """The handler's module cannot be imported (for instance: not written yet)."""


def handler_environment(
    resources: TemplateResources,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
    local: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The union of every function's resolved template environment, plus local-only settings.

    ``overrides`` maps a function's logical ID to variables replacing its template values
    (THANK_YOU_URL, ALLOWED_ORIGINS); ``local`` is added last (endpoint, credentials, region).
    """
    union: dict[str, str] = {}
    declared_by: dict[str, str] = {}
    for lid in resources.logical_ids("AWS::Serverless::Function"):
        env = resources.function_environment(lid, (overrides or {}).get(lid))
        for name, value in env.items():
            if name in union and union[name] != str(value):
                raise ValueError(
                    f"{lid} and {declared_by[name]} set {name} differently; one process cannot run both"
                )
            union[name] = str(value)
            declared_by.setdefault(name, lid)
    union.update(local or {})
    return union


@dataclass
class LambdaContext:
    """The parts of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    timeout_seconds: float
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function's template Timeout."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class LocalFunction:
    """One template function: its handler (imported on first use), timeout and memory size."""

    def __init__(
        self,
        logical_id: str,
        handler_path: str,
        timeout_seconds: float,
        memory_mb: int,
        region: str,
        handler: Handler | None = None,
        worker: WorkerPool | None = None,
    ) -> None:
        self.logical_id = logical_id
        self.handler_path = handler_path
        self.timeout_seconds = timeout_seconds
        self.memory_mb = memory_mb
        self.arn = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{logical_id}"
        self._handler = handler
        self._missing_reported = False
        # A stand-in handler (tests) always runs here; a real one runs in the worker when there is one.
        self.worker = worker if handler is None else None
        self._loaded_in_worker = False

    @classmethod
    def from_template(
        cls, resources: TemplateResources, logical_id: str, handler: Handler | None = None,
        worker: WorkerPool | None = None,
    ) -> LocalFunction:
        """The function as its template entry (and Globals) declare it."""
        return cls(
            logical_id,
            str(resources.function_property(logical_id, "Handler")),
            float(resources.function_property(logical_id, "Timeout") or 3),
            int(resources.function_property(logical_id, "MemorySize") or 128),
            resources.region,
            handler,
            worker,
        )

    def handler(self) -> Handler:
        """The handler callable; raises HandlerUnavailable while its module does not import."""
        with IMPORT_LOCK:
            if self._handler is None:
                module_name, _, attr = self.handler_path.rpartition(".")
                try:
                    module = importlib.import_module(module_name)
                    self._handler = getattr(module, attr)
                except Exception as exc:  # missing, or failing at import: report the type once, retry later
                    if not self._missing_reported:
                        log.warning("%s: handler %s not available yet (%s)", self.logical_id, self.handler_path,
                                    type(exc).__name__)
                        self._missing_reported = True
                    raise HandlerUnavailable(self.handler_path) from exc
            return self._handler

    def _load_in_worker(self, worker: WorkerPool) -> None:
        from infra.local.handler_process import WorkerUnavailable

        if self._loaded_in_worker:
            return
        try:
            worker.load(self.handler_path)
        except WorkerUnavailable as exc:
            if not self._missing_reported:
                log.warning("%s: handler %s not available yet (%s)", self.logical_id, self.handler_path, exc)
                self._missing_reported = True
            raise HandlerUnavailable(self.handler_path) from exc
        self._loaded_in_worker = True

    def is_available(self) -> bool:
        """True when the handler imports (in its worker, when it has one)."""
        try:
            if self.worker is not None:
                self._load_in_worker(self.worker)
            else:
                self.handler()
        except HandlerUnavailable:
            return False
        return True

    def new_context(self) -> LambdaContext:
        """A fresh context for one invocation."""
        return LambdaContext(self.logical_id, self.memory_mb, self.arn, self.timeout_seconds)

    def invoke(self, event: Any) -> Any:
        """Call the handler with ``event`` and a fresh context, one invocation at a time."""
        if self.worker is not None:
            from infra.local.handler_process import WorkerUnavailable

            self._load_in_worker(self.worker)
            context = self.new_context()
            started = time.monotonic()
            try:
                result = self.worker.invoke(self.handler_path, event, context)
            except WorkerUnavailable as exc:
                raise HandlerUnavailable(self.handler_path) from exc
        else:
            handler = self.handler()
            context = self.new_context()
            with INVOKE_LOCK:
                started = time.monotonic()
                result = handler(event, context)
        elapsed = time.monotonic() - started
        if elapsed > self.timeout_seconds:
            log.warning("%s ran %.1f s, longer than its %.0f s timeout (request %s)", self.logical_id, elapsed,
                        self.timeout_seconds, context.aws_request_id)
        return result
