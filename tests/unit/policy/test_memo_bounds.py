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


def test_an_index_remembers_no_plan_for_an_action_longer_than_a_real_one() -> None:
    """A principal's index lives across requests (the authorizer keeps 10,000 of them): its
    memos of statements and plans per action must not keep a 200 KB action a caller invented."""
    import json

    from iamd.service.policy import PolicyIndex, PolicyType, compile_policy

    policy = compile_policy(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}), policy_id="p", policy_type=PolicyType.IDENTITY)
    index = PolicyIndex([policy])
    long_action = "s3:get" + "x" * 200_000
    assert [st.ref.policy_id for st in index.matching_action("s3", long_action)] == ["p"]
    groups = index.plan("s3", long_action, "arn:aws:s3:::b/k", "s3")[0]
    assert len(groups) == 1
    assert long_action not in index._by_action and long_action not in index._plans
    index.plan("s3", "s3:getobject", "arn:aws:s3:::b/k", "s3")
    assert "s3:getobject" in index._by_action and "s3:getobject" in index._plans
    # Nor a plan per resource for an ARN whose service part is as long.
    long_service = "s" * 200_000
    assert len(index.plan("s3", "s3:getobject", f"arn:aws:{long_service}:::k", long_service)[0]) == 1
    assert list(index._plans["s3:getobject"]) == ["s3"]


def test_a_principal_longer_than_a_request_may_name_is_classified_but_not_remembered() -> None:
    long_user = "arn:aws:iam::111111111111:user/" + "u" * 100_000
    request = AuthorizationRequest(principal=long_user, action="s3:GetObject", resource="*")
    assert request.caller.kind == "user"
    assert long_user not in model._PLAIN_CALLERS
    # A role session is classified with the role its context names, never from the memo.
    AuthorizationRequest(principal=USER, action="s3:GetObject", resource="*")
    session = "arn:aws:sts::111111111111:assumed-role/R/s"
    request = AuthorizationRequest(principal=session, action="s3:GetObject", resource="*",
                                   context={"aws:PrincipalArn": "arn:aws:iam::111111111111:role/R"})
    assert request.caller.kind == "role-session"
    assert model._PLAIN_CALLERS[USER].kind == "user" and session not in model._PLAIN_CALLERS
