"""Organizations' paging (service/app/next_tokens.py): pages, tokens bound to their listing, bounds."""

from __future__ import annotations

import base64
import json

import pytest

from iamd.service.app import next_tokens
from iamd.service.domain.errors import InvalidInputError

SCOPE = ("ListAccounts", "o-abcdefghij")


def _all(items: list[str], max_results: int, *, sorted_by_key: bool = True) -> list[list[str]]:
    pages, token = [], ""
    while True:
        chunk, token = next_tokens.page(items, lambda i: i, scope=SCOPE, next_token=token, max_results=max_results,
                                        sorted_by_key=sorted_by_key)
        pages.append(chunk)
        if not token:
            return pages


def test_pages_cover_every_item_once_in_order() -> None:
    items = [f"{n:012d}" for n in range(7)]
    assert _all(items, 3) == [items[:3], items[3:6], items[6:]]
    assert _all(items, 0) == [items]  # not given: AWS's default page of 20
    assert _all(items, 7) == [items]  # exactly one full page: no token
    assert _all(items[::-1], 2, sorted_by_key=False) == [items[::-1][:2], items[::-1][2:4], items[::-1][4:6],
                                                         items[::-1][6:]]
    assert next_tokens.page([], lambda i: i, scope=SCOPE, next_token="", max_results=5) == ([], "")


def test_a_page_resumes_after_its_item_even_when_the_list_changed() -> None:
    items = ["a", "b", "c", "d", "e"]
    first, token = next_tokens.page(items, lambda i: i, scope=SCOPE, next_token="", max_results=2)
    assert first == ["a", "b"]
    # "b" deleted and "aa" added before it meanwhile: the next page still starts after "b".
    rest, _ = next_tokens.page(["a", "aa", "c", "d", "e"], lambda i: i, scope=SCOPE, next_token=token,
                               max_results=2)
    assert rest == ["c", "d"]
    # An unsorted listing whose item is gone resumes at the place it had.
    rest, _ = next_tokens.page(["e", "d", "c"], lambda i: i, scope=SCOPE, next_token=token, max_results=2,
                               sorted_by_key=False)
    assert rest == ["c"]


def _forged(**fields: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode()


@pytest.mark.parametrize("token", [
    "1", "not base64!", "e30", _forged(v=1, s="0" * 16, k="b", i=2), _forged(v=2, s="x", k="b", i=2),
    "A" * 2000, "ä", _forged(v=1, s=next_tokens._scope_digest(SCOPE), k="b", i=-5),
    _forged(v=1, s=next_tokens._scope_digest(SCOPE), k=["b"], i=2),
    _forged(v=1, s=next_tokens._scope_digest(SCOPE), k="b", i=True),
])
def test_a_token_not_answered_by_this_listing_is_invalid_input(token: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        next_tokens.page(["a", "b", "c"], lambda i: i, scope=SCOPE, next_token=token, max_results=1)
    assert caught.value.reason == "INVALID_NEXT_TOKEN"
    assert caught.value.message == next_tokens.INVALID_NEXT_TOKEN


def test_a_token_of_another_listing_is_invalid() -> None:
    _, token = next_tokens.page(["a", "b", "c"], lambda i: i, scope=SCOPE, next_token="", max_results=1)
    with pytest.raises(InvalidInputError):
        next_tokens.page(["a", "b", "c"], lambda i: i, scope=("ListAccounts", "o-other00000"), next_token=token,
                         max_results=1)


@pytest.mark.parametrize(("max_results", "reason"), [(-1, "MIN_VALUE_EXCEEDED"), (21, "MAX_VALUE_EXCEEDED")])
def test_max_results_is_1_to_20(max_results: int, reason: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        next_tokens.page(["a"], lambda i: i, scope=SCOPE, next_token="", max_results=max_results)
    assert caught.value.reason == reason
