"""The request's memos (context keys and actions as callers write them, lowered) are bounded in
bytes as well as in entries: a caller may send keys and actions of any length up to the request's
size limit (256 KB for Authorize, 4 MB for a batch), and 4,096 remembered ones of that size would
pin gigabytes. Only keys and actions as long as real ones are remembered; longer ones are lowered
each time, with the same result."""

from __future__ import annotations

from iamd.service.policy import model
from iamd.service.policy.model import AuthorizationRequest

USER = "arn:aws:iam::111111111111:user/alice"


def test_a_key_or_action_longer_than_any_real_one_is_lowered_but_not_remembered() -> None:
    long_key = "aws:PrincipalTag/" + "T" * 100_000
    long_action = "S3:" + "G" * 100_000
    request = AuthorizationRequest(principal=USER, action=long_action, resource="*",
                                   context={long_key: "v", "aws:SourceIp": "10.0.0.1"})
    assert request.lowered_context == {long_key.lower(): "v", "aws:sourceip": "10.0.0.1"}
    assert (request.action_key, request.service) == (long_action.lower(), "s3")
    assert long_key not in model._LOWERED_KEYS
    assert long_action not in model._ACTION_KEYS
    # Keys and actions of real lengths are still remembered (the longest AWS condition key with a
    # 128-character tag key, and a long action name).
    tag_key = "aws:PrincipalTag/" + "t" * 128
    action = "codebuild:BatchGetCommandExecutions"
    AuthorizationRequest(principal=USER, action=action, resource="*", context={tag_key: "v"})
    assert model._LOWERED_KEYS[tag_key] == tag_key.lower()
    assert model._ACTION_KEYS[action] == (action.lower(), "codebuild")
