"""How much memory each of moto's stores holds in this process: a census by attribute path.

Tracing every allocation (tracemalloc) slows the emulator several times over, so a loaded machine cannot
drive a soak under it; a census costs nothing until it is taken. It walks every moto backend alive in the
process (each ``BackendDict``'s backends, by service, account and region) and sums the sizes of the objects
each attribute reaches (``sys.getsizeof``; an object reached twice counted once, where first reached),
down to ``depth`` levels of attributes and mapping keys (a table's name, a queue's name). Paths and sizes
only: no stored value is written.
"""

from __future__ import annotations

import gc
import sys
import types
from collections.abc import Iterator
from typing import Any

_SKIP = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
         types.CodeType, types.FrameType)


def deep_size(root: Any, seen: set[int]) -> int:
    """Bytes of ``root`` and everything it reaches that ``seen`` has not counted (classes, modules and
    functions left out); adds what it counts to ``seen``."""
    total = 0
    stack = [root]
    while stack:
        obj = stack.pop()
        key = id(obj)
        if key in seen or isinstance(obj, _SKIP):
            continue
        seen.add(key)
        total += sys.getsizeof(obj, 0)
        stack.extend(gc.get_referents(obj))
    return total


def _children(obj: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(obj, dict) and all(isinstance(k, str) for k in list(obj)[:50]):
        yield from ((f"[{k}]", v) for k, v in list(obj.items()))
    elif hasattr(obj, "__dict__") and not isinstance(obj, _SKIP):
        yield from ((f".{k}", v) for k, v in list(vars(obj).items()))


def backends() -> Iterator[tuple[str, Any]]:
    """Every moto backend alive in this process, named ``service/account/region``."""
    from moto.core.base_backend import BackendDict

    for name, module in list(sys.modules.items()):
        if not name.startswith("moto.") or module is None:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, BackendDict):
                for account, regions in list(value.items()):
                    for region, backend in list(regions.items()):
                        yield f"{value.service_name}/{account}/{region}", backend


def census(depth: int = 4, min_bytes: int = 256 * 1024) -> dict[str, int]:
    """Bytes held under each attribute path of each backend (paths under ``min_bytes`` left out), largest
    first; a path's size includes its children's."""
    seen: set[int] = set()
    sizes: dict[str, int] = {}

    def visit(path: str, obj: Any, level: int) -> int:
        if level >= depth:
            size = deep_size(obj, seen)
        elif id(obj) in seen or isinstance(obj, _SKIP):
            return 0  # counted already (a back reference: a stream shard's table)
        else:
            seen.add(id(obj))
            size = sys.getsizeof(obj, 0)
            for suffix, child in _children(obj):
                size += visit(path + suffix, child, level + 1)
            for rest in gc.get_referents(obj):  # its __dict__, its keys: what the children did not reach
                size += deep_size(rest, seen)
        if size >= min_bytes:
            sizes[path] = size
        return size

    done: set[int] = set()
    for name, backend in backends():
        if id(backend) not in done:
            done.add(id(backend))
            visit(name, backend, 0)
    return dict(sorted(sizes.items(), key=lambda kv: kv[1], reverse=True))
