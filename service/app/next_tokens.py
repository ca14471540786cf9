"""AWS Organizations' paging: MaxResults (1-20) and an opaque NextToken.

A token names where the previous page ended (the last item's key, and its place as a fallback
should that item be gone by the next call) and the listing it belongs to: the operation, its
parameters and the organization. It is base64 of a small JSON object; what a client could forge
from it is only a place to resume at in a listing it may read anyway, and anything else — a token
of another listing, a truncated or altered one — is refused as AWS refuses a bad token
(InvalidInputException, reason INVALID_NEXT_TOKEN). Tokens carry no server secret, so every
replica of a deployment (and a restarted one) accepts the others'.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import TypeVar

from iamd.service.domain.errors import FieldProblem, InvalidInputError

T = TypeVar("T")

MAX_RESULTS = 20  # every Organizations list operation iamd serves: MaxResults 1-20 (botocore's model)
DEFAULT_RESULTS = MAX_RESULTS  # MaxResults not given
_MAX_TOKEN_CHARS = 1024  # far more than iamd's own; AWS's shape allows 100,000
_MAX_KEY_CHARS = 256
INVALID_NEXT_TOKEN = ("You specified an invalid value for nextToken. You must get the value from the response to "
                      "a previous call to the API.")


def _scope_digest(scope: Sequence[str]) -> str:
    return hashlib.sha256("\x00".join(scope).encode()).hexdigest()[:16]


def _invalid() -> InvalidInputError:
    return InvalidInputError(INVALID_NEXT_TOKEN, reason="INVALID_NEXT_TOKEN",
                             problems=[FieldProblem("nextToken", "not a token this listing answered")])


def check_max_results(max_results: int) -> int:
    """MaxResults as given (0: not given, the default)."""
    if max_results == 0:
        return DEFAULT_RESULTS
    if max_results < 1:
        raise InvalidInputError(f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to "
                                "satisfy constraint: Member must have value greater than or equal to 1",
                                reason="MIN_VALUE_EXCEEDED", problems=[FieldProblem("maxResults", "1-20")])
    if max_results > MAX_RESULTS:
        raise InvalidInputError(f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to "
                                f"satisfy constraint: Member must have value less than or equal to {MAX_RESULTS}",
                                reason="MAX_VALUE_EXCEEDED", problems=[FieldProblem("maxResults", "1-20")])
    return max_results


def encode(scope: Sequence[str], key: str, index: int) -> str:
    body = json.dumps({"v": 1, "s": _scope_digest(scope), "k": key, "i": index}, separators=(",", ":"))
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def decode(token: str, scope: Sequence[str]) -> tuple[str, int]:
    """(key, index) of a token this listing answered; InvalidInputError (INVALID_NEXT_TOKEN) else."""
    if len(token) > _MAX_TOKEN_CHARS or not token.isascii():
        raise _invalid()
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        raise _invalid() from None
    if not (isinstance(data, dict) and set(data) == {"v", "s", "k", "i"} and data["v"] == 1
            and data["s"] == _scope_digest(scope) and isinstance(data["k"], str) and len(data["k"]) <= _MAX_KEY_CHARS
            and isinstance(data["i"], int) and not isinstance(data["i"], bool) and 0 < data["i"] <= 10**7):
        raise _invalid()
    return data["k"], data["i"]


def page(items: Sequence[T], key: Callable[[T], str], *, scope: Sequence[str], next_token: str, max_results: int,
         sorted_by_key: bool = True) -> tuple[list[T], str]:
    """One page of `items` (in their stable order: by key when `sorted_by_key`) and the token of the
    next, empty on the last page. The page resumes after the item the token names; should that
    item be gone, after the key it had (sorted lists) or at the place it had (the others)."""
    limit = check_max_results(max_results)
    start = 0
    if next_token:
        after, index = decode(next_token, scope)
        keys = [key(item) for item in items]
        if sorted_by_key:
            start = bisect_right(keys, after)
        else:
            start = keys.index(after) + 1 if after in keys else min(index, len(items))
    chunk = list(items[start:start + limit])
    end = start + len(chunk)
    return chunk, encode(scope, key(chunk[-1]), end) if chunk and end < len(items) else ""
