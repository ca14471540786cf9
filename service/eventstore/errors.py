"""Backend-neutral event-store errors; adapters translate their native errors into these."""

from __future__ import annotations


class EventStoreError(Exception):
    """Base class of every event-store failure."""


class WrongExpectedVersion(EventStoreError):
    """An append's expected version did not match the stream's current version."""

    def __init__(self, stream: str, expected: object, actual: int | None) -> None:
        super().__init__(f"stream `{stream}` expected {expected}, actual {actual}")
        self.stream = stream
        self.expected = expected
        self.actual = actual  # version of the last event, None when the stream does not exist


class EventStoreUnavailable(EventStoreError):
    """The store cannot be reached or has been closed."""


class InvalidPosition(EventStoreError):
    """A read or subscription from a log position that is not one (a real KurrentDB refuses a
    commit position that is not a record's boundary): the caller's mistake, not an outage."""

    def __init__(self, position: int, detail: str = "") -> None:
        super().__init__(f"{position} is not a position of the log" + (f" ({detail})" if detail else ""))
        self.position = position


class CodecError(EventStoreError):
    """A stored event could not be decoded or upcast."""
