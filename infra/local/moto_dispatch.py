"""Routing in moto's server without re-reading what never changes (issue 23: the emulator's own overhead).

Profiled with py-spy in the end-to-end benchmark, about a tenth of the stack process's CPU went to moto's
server finding which code answers a request, before any AWS work:

- ``DomainDispatcherApplication.get_backend_for_host`` lists moto's package directory
  (``list_of_moto_modules``: a ``listdir`` and a ``stat`` per entry) and then matches the host against every
  service's URL patterns, for every request. Its answer depends on the host alone (the directory and the
  patterns are fixed once moto is imported), so it is kept per host (a bounded set: service x region).
- ``BaseResponse.call_action`` lists the response class's methods with ``inspect.getmembers`` for every
  action, to check the action is one it has. A class's methods are fixed once it is defined (moto's and our
  shims replace methods, never add actions), so the names are kept per class.

Everything else moto does per request (signature parsing, the action itself, its answer) is unchanged;
``tests/integration/test_local_moto_dispatch.py`` pins that the cached answers are moto's own.
"""

from __future__ import annotations

import threading
from typing import Any

from moto import backends
from moto.core import responses, utils
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

# Hosts are service x region; past this many distinct ones (never, locally) new hosts are not kept.
MAX_HOSTS = 512

_original_list_of_moto_modules = backends.list_of_moto_modules
_original_method_names_from_class = utils.method_names_from_class
_original_get_backend_for_host = DomainDispatcherApplication.get_backend_for_host
_install_lock = threading.Lock()
_installed = False
_modules: list[str] | None = None
_names: dict[type, frozenset[str]] = {}


def original_list_of_moto_modules() -> list[str]:
    """moto's own listing of its service packages."""
    return list(_original_list_of_moto_modules())


def original_method_names(clazz: type) -> list[str]:
    """moto's own listing of a response class's methods."""
    return list(_original_method_names_from_class(clazz))


def original_backend_for_host(dispatcher: DomainDispatcherApplication, host: str | None) -> Any:
    """moto's own answer to which backend serves ``host``."""
    return _original_get_backend_for_host(dispatcher, host)


def list_of_moto_modules() -> list[str]:
    """moto's service packages, listed once."""
    global _modules
    if _modules is None:
        _modules = original_list_of_moto_modules()
    return _modules


def method_names(clazz: Any) -> frozenset[str]:
    """A response class's method names, listed once per class (``action in`` is all moto asks of them)."""
    names = _names.get(clazz)
    if names is None:
        names = _names[clazz] = frozenset(_original_method_names_from_class(clazz))
    return names


def get_backend_for_host(self: DomainDispatcherApplication, host: str | None) -> Any:
    """Which backend serves ``host``, worked out once per host (moto calls this under its dispatcher lock)."""
    known: dict[str | None, Any] = self.__dict__.setdefault("_backend_by_host", {})
    if host in known:
        return known[host]
    backend = _original_get_backend_for_host(self, host)
    if len(known) < MAX_HOSTS:
        known[host] = backend
    return backend


def install() -> None:
    """Route with the kept answers in this process (idempotent)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        backends.list_of_moto_modules = list_of_moto_modules
        responses.method_names_from_class = method_names  # type: ignore[attr-defined,assignment] # looked up per call
        DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]
        _installed = True


def uninstall() -> None:
    """Put moto's routing back as it was."""
    global _installed
    with _install_lock:
        if not _installed:
            return
        backends.list_of_moto_modules = _original_list_of_moto_modules
        responses.method_names_from_class = _original_method_names_from_class  # type: ignore[attr-defined]
        DomainDispatcherApplication.get_backend_for_host = _original_get_backend_for_host  # type: ignore[method-assign]
        _names.clear()
        _installed = False
