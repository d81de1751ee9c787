"""The protocol's shared vocabulary: its version, the two ways a request fails, one-line error
text, and the checked reading of a request's fields."""
from __future__ import annotations

import json

PROTOCOL = 2


class RequestError(Exception):
    """A request that cannot be served: answered with "error"."""


class Unsupported(Exception):
    """A valid request this interpreter has no counterpart for: answered with "unsupported"."""


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def describe(e: BaseException) -> str:
    """`Type: message` on one line; just `Type` when the message is empty (asyncio's TimeoutError)."""
    return one_line(f"{type(e).__name__}: {e}" if str(e) else type(e).__name__)


_EXPECTED = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}


def checked_field(obj: dict, key: str, kind, default, *, minimum=None, nullable=False, prefix=""):
    """obj[key] checked against `kind` (float also takes an integer; bool is never a number);
    `default` when absent. Raises RequestError naming prefix + key."""
    value = obj.get(key, default)
    if value is None and nullable:
        return None
    accepted = (int, float) if kind is float else kind
    if isinstance(value, bool) != (kind is bool) or not isinstance(value, accepted):
        raise RequestError(f"{prefix}{key}: expected {_EXPECTED[kind]}{' or null' if nullable else ''}, "
                           f"got {json.dumps(value)}")
    if minimum is not None and value < minimum:
        raise RequestError(f"{prefix}{key}: must be >= {minimum}, got {value}")
    return value
