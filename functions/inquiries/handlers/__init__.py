"""Thin Lambda entry points, one module per function.

Importing a handler module *is* its function's cold start, and much of an import's CPU goes to the
cyclic garbage collector walking the objects the imports create, none of which are garbage: about a
fifth of a bare Python Lambda's init (docs/benchmarks.md). So collection is paused here, which Python
runs before any handler module, and each handler module's last line, ``init_done()``, resumes it after
freezing what the cold start created: later collections, in the person's first request and every
invocation after it, skip those long-lived objects (``gc.freeze``). A handler module that fails to import
leaves collection paused, but then Lambda discards the whole execution environment.
"""

from __future__ import annotations

import gc

gc.disable()


def init_done() -> None:
    """The cold start is over: keep what it created out of every later collection, and resume collecting."""
    gc.freeze()
    gc.enable()
