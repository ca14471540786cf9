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


class CodecError(EventStoreError):
    """A stored event could not be decoded or upcast."""
