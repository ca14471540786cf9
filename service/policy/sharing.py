"""One object per distinct input, for what compiling policies makes over and over.

A deployment's policies are mostly variations of a few: their statements repeat action lists,
resource lists, conditions and sets of services. What is compiled from equal inputs is equal and
immutable, so one object can serve every statement that has them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

_T = TypeVar("_T")


class Shared:
    """Values by key, each built once, for up to `limit` keys; past that it starts afresh (equal
    inputs are merely not shared for a while). A key that cannot be hashed is built on its own."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._values: dict[Hashable, Any] = {}

    def get(self, key: Hashable, build: Callable[[], _T]) -> _T:
        try:
            found = self._values.get(key)
        except TypeError:
            return build()
        if found is None:
            if len(self._values) >= self.limit:
                self._values.clear()
            found = self._values[key] = build()
        return found  # type: ignore[no-any-return]

    def __len__(self) -> int:
        return len(self._values)
