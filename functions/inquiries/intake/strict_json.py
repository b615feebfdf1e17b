"""JSON as intake accepts it: only what can be validated, stored and sent safely.

``json.loads`` happily returns things that later fail deep inside validation or storage, where
they would answer 500 and page ops: a nesting deep enough to exhaust the stack, an integer longer
than Python converts from text, ``NaN``/``Infinity`` (not JSON at all), a second value for one
key (which one wins is parser-dependent), and lone UTF-16 surrogates (``"\\ud800"``), which no
UTF-8 encoder, DynamoDB or SES included, accepts. Each is refused here with a reason code, before
any value reaches the model.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 8  # an inquiry is one flat object; a little room for clients that wrap it
MAX_NUMBER_CHARS = 32  # far beyond any meaningful value, far below Python's int-from-text limit


class JsonRefused(ValueError):
    """The body is not JSON intake accepts. ``reason`` is a fixed code; the text holds no input."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text``, counted without parsing it (brackets
    inside strings do not count). Linear, no recursion: safe on any input."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate(text: str) -> bool:
    return _LONE_SURROGATE.search(text) is not None


def _checked(value: Any) -> Any:
    if isinstance(value, str) and _has_lone_surrogate(value):
        raise JsonRefused("lone_surrogate")
    if isinstance(value, list):
        for item in value:
            _checked(item)
    return value


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise JsonRefused("duplicate_key")
        if _has_lone_surrogate(key):
            raise JsonRefused("lone_surrogate")
        out[key] = _checked(value)
    return out


def _integer(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonRefused("number_too_long")
    return int(text)


def _real(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonRefused("number_too_long")
    value = float(text)
    if not math.isfinite(value):  # 1e999 parses to inf
        raise JsonRefused("number_not_finite")
    return value


def _constant(name: str) -> Any:
    raise JsonRefused("not_a_number")  # NaN, Infinity, -Infinity


def parse_strict_json(text: str) -> Any:
    """Parse ``text`` as JSON, refusing (``JsonRefused``) what intake cannot handle safely.

    Raises ``json.JSONDecodeError`` for text that is not JSON at all.
    """
    # Each level opens with a bracket: a body with no more of them than the limit cannot be too deep, and most
    # bodies (one flat object) are spared a scan of every character in Python.
    if text.count("[") + text.count("{") > MAX_DEPTH and nesting_depth(text) > MAX_DEPTH:
        raise JsonRefused("too_deep")
    value = json.loads(text, object_pairs_hook=_object, parse_int=_integer, parse_float=_real,
                       parse_constant=_constant)
    return _checked(value)
