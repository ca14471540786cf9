"""An IAM error never quotes so much of a request that its gRPC trailers would be refused."""

from __future__ import annotations

from iamd.service.domain.errors import (
    MAX_MESSAGE_BYTES,
    MAX_PROBLEMS_BYTES,
    MAX_QUOTED_BYTES,
    FieldProblem,
    NoSuchEntityError,
    ValidationError,
    clip,
)
from iamd.service.rpc.errors import to_grpc_status


def _size(text: str) -> int:
    return len(text.encode())


def test_clip_keeps_short_text_and_cuts_long_text_on_a_character_boundary() -> None:
    assert clip("abc", 10) == "abc"
    assert clip("x" * 100, 10) == "xxxxxxx..."
    assert clip("😀" * 10, 10) == "😀..."  # never half a character
    assert _size(clip("é" * 1000, 301)) <= 301


def test_huge_quotes_are_bounded() -> None:
    error = ValidationError("m" * 100_000, problems=[FieldProblem("f" * 5000, "x" * 5000, "h" * 5000)] * 1000)
    assert _size(error.message) <= MAX_MESSAGE_BYTES
    assert all(_size(p.field) <= MAX_QUOTED_BYTES and _size(p.message) <= MAX_QUOTED_BYTES for p in error.problems)
    assert sum(_size(p.field) + _size(p.message) + _size(p.hint or "") for p in error.problems) <= MAX_PROBLEMS_BYTES + 64
    assert error.problems[-1].message.endswith("more problems not shown")
    missing = NoSuchEntityError("gone", resource_type="user", resource_name="u" * 70_000)
    assert _size(missing.resource_name) <= MAX_QUOTED_BYTES


def test_the_grpc_status_of_a_huge_error_fits_the_trailers_clients_accept() -> None:
    error = ValidationError("😀" * 100_000, problems=[FieldProblem("😀" * 5000, "😀" * 5000, "😀" * 5000)] * 1000,
                            resource_type="user", resource_name="😀" * 70_000)
    status = to_grpc_status(error, "request-id")
    trailers = sum(len(k) + len(v) for k, v in status.trailing_metadata)
    assert trailers + len(status.details.encode()) * 3 < 16_384  # gRPC's hard limit; its soft one is 8 KB


def test_ordinary_errors_are_untouched() -> None:
    problems = [FieldProblem("userName", "Member must satisfy regular expression pattern: [\\w+=,.@-]+")]
    error = ValidationError("1 validation error detected", problems=problems)
    assert error.problems == tuple(problems) and error.message == "1 validation error detected"


def test_a_hint_is_shown_as_written_once() -> None:
    """Issue 14: a misspelt Effect read "did you mean did you mean `Allow`??" in the field violation."""
    from google.rpc import error_details_pb2, status_pb2

    error = ValidationError("Invalid effect", problems=[
        FieldProblem("Statement[0].Effect", "Invalid effect: `allow`", "did you mean `Allow`?"),
        FieldProblem("Statement[1].Effect", "Invalid effect: `7`", "use `Allow` or `Deny`")])
    status = to_grpc_status(error, "request-id")
    packed = status_pb2.Status.FromString(dict(status.trailing_metadata)["grpc-status-details-bin"])
    violations = next(error_details_pb2.BadRequest.FromString(d.value).field_violations
                      for d in packed.details if d.type_url.endswith("BadRequest"))
    assert [v.description for v in violations] == [
        "Invalid effect: `allow` (did you mean `Allow`?)", "Invalid effect: `7` (use `Allow` or `Deny`)"]
