"""The evaluation logic of REFERENCE C1-C5: policy types, accounts, principals, service rules."""

from __future__ import annotations

import pytest

from iamd.service.policy import (
    AuthorizationRequest,
    Effect,
    PolicyIndex,
    PolicyInputs,
    PolicyType,
    StatementEffect,
    UnsupportedPrincipalError,
    decide,
)

from .helpers import (
    ACCOUNT,
    ALICE,
    BOB_ELSEWHERE,
    FEDERATED,
    OTHER_ACCOUNT,
    QUEUE,
    ROLE,
    SESSION,
    allow,
    deny,
    index,
    policy,
    request,
    user_context,
)

ALLOW, EXPLICIT, IMPLICIT = Effect.ALLOW, Effect.EXPLICIT_DENY, Effect.IMPLICIT_DENY
ALLOW_ALL = index(policy(allow()))


def resource_policy(*statements, policy_type=PolicyType.RESOURCE):
    return index(policy(*statements, policy_type=policy_type))


def grant(principal, action="sqs:*", resource=QUEUE, effect="Allow", **extra):
    stmt = {"Effect": effect, "Principal": principal, "Action": action, **extra}
    if resource is not None:
        stmt["Resource"] = resource
    return stmt


def session_context(role=ROLE, account=ACCOUNT):
    return {"aws:PrincipalArn": role, "aws:PrincipalAccount": account, "aws:TokenIssueTime": "2024-06-01T11:00:00Z"}


def bob_context():
    return user_context("bob", OTHER_ACCOUNT)


# --- defaults and explicit deny -------------------------------------------------------------


def test_no_policies_is_an_implicit_deny():
    decision = decide(request(), PolicyInputs())
    assert decision.decision is IMPLICIT
    assert decision.determining == () and decision.blocked_by == ()
    assert decision.results[PolicyType.IDENTITY] == "ImplicitlyDenied"


def test_explicit_deny_anywhere_wins_and_is_explained():
    ident = index(policy(allow(), policy_id="admin"), policy(deny("sqs:SendMessage", QUEUE, Sid="NoSend"), policy_id="guard"))
    decision = decide(request(), PolicyInputs(identity=ident))
    assert decision.decision is EXPLICIT
    assert [(r.policy_id, r.sid, r.index, r.effect) for r in decision.determining] == [
        ("guard", "NoSend", 0, StatementEffect.DENY)
    ]
    assert decision.blocked_by == ()  # identity policies are not a guardrail


def test_explicit_deny_in_a_guardrail_is_reported_as_blocking():
    levels = [index(policy(allow(), deny("sqs:*"), policy_type=PolicyType.SCP))]
    decision = decide(request(), PolicyInputs(identity=ALLOW_ALL, scp_levels=levels))
    assert decision.decision is EXPLICIT and decision.blocked_by == (PolicyType.SCP,)


def test_allow_lists_the_granting_statements():
    ident = index(policy(allow("sqs:*", Sid="Q"), allow("s3:*"), policy_id="p"))
    decision = decide(request(), PolicyInputs(identity=ident))
    assert decision.decision is ALLOW
    assert [(r.policy_id, r.sid) for r in decision.determining] == [("p", "Q")]


def test_get_caller_identity_is_always_allowed():
    ident = index(policy(deny("sts:GetCallerIdentity")))
    req = request("sts:GetCallerIdentity", "*", resource_account=ACCOUNT)
    assert decide(req, PolicyInputs(identity=ident, scp_levels=[index(policy(deny(), policy_type=PolicyType.SCP))])).allowed


# --- SCPs and RCPs -----------------------------------------------------------------------------


def scp(*statements):
    return index(policy(*statements, policy_type=PolicyType.SCP))


def rcp(*statements):
    return index(policy(*statements, policy_type=PolicyType.RCP))


def test_every_scp_level_must_allow():
    levels = [scp(allow()), scp(allow(["sqs:*", "s3:*"])), scp(allow("sqs:*"))]
    assert decide(request(), PolicyInputs(identity=ALLOW_ALL, scp_levels=levels)).allowed
    levels[2] = scp(allow("s3:*"))
    decision = decide(request(), PolicyInputs(identity=ALLOW_ALL, scp_levels=levels))
    assert decision.decision is IMPLICIT and decision.blocked_by == (PolicyType.SCP,)
    empty_level = index()
    assert not decide(request(), PolicyInputs(identity=ALLOW_ALL, scp_levels=[scp(allow()), empty_level])).allowed


def test_scps_grant_nothing_and_cap_resource_policies():
    assert not decide(request(), PolicyInputs(scp_levels=[scp(allow())])).allowed
    rp = resource_policy(grant({"AWS": ALICE}))
    decision = decide(request(), PolicyInputs(resource=rp, scp_levels=[scp(allow("s3:*"))]))
    assert decision.decision is IMPLICIT and decision.blocked_by == (PolicyType.SCP,)


def test_scp_deny_with_condition():
    levels = [scp(allow()), scp(allow(), deny(Condition={"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}}))]
    away = request(context=user_context(**{"aws:RequestedRegion": "ap-south-1"}))
    home = request(context=user_context(**{"aws:RequestedRegion": "us-east-1"}))
    assert decide(away, PolicyInputs(identity=ALLOW_ALL, scp_levels=levels)).decision is EXPLICIT
    assert decide(home, PolicyInputs(identity=ALLOW_ALL, scp_levels=levels)).allowed


def test_rcps_only_deny_and_apply_to_anonymous_callers():
    levels = [rcp({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                   "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}), index()]
    public = resource_policy(grant("*", "s3:GetObject", "arn:aws:s3:::site/*"))
    anon = lambda transport: AuthorizationRequest(  # noqa: E731
        "anonymous", "s3:GetObject", "arn:aws:s3:::site/index.html", ACCOUNT, {"aws:SecureTransport": transport})
    assert decide(anon("true"), PolicyInputs(resource=public, rcp_levels=levels)).allowed
    decision = decide(anon("false"), PolicyInputs(resource=public, rcp_levels=levels))
    assert decision.decision is EXPLICIT and decision.blocked_by == (PolicyType.RCP,)
    assert not decide(request(), PolicyInputs(rcp_levels=levels)).allowed  # RCPs grant nothing


# --- resource-based policies, same account (C2) ------------------------------------------------


def test_resource_policy_naming_the_user_suffices_in_the_same_account():
    assert decide(request(), PolicyInputs(resource=resource_policy(grant({"AWS": ALICE})))).allowed


def test_resource_policy_naming_the_account_delegates_to_identity_policies():
    rp = resource_policy(grant({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))
    decision = decide(request(), PolicyInputs(resource=rp))
    assert decision.decision is IMPLICIT
    assert decision.results[PolicyType.RESOURCE] == "AllowedForAccount"
    assert decide(request(), PolicyInputs(resource=rp, identity=index(policy(allow("sqs:*"))))).allowed


def test_resource_policy_naming_someone_else_grants_nothing():
    rp = resource_policy(grant({"AWS": f"arn:aws:iam::{ACCOUNT}:user/bob"}))
    assert decide(request(), PolicyInputs(resource=rp)).decision is IMPLICIT


def test_boundary_caps_identity_policies():
    boundary = index(policy(allow(["s3:*", "ec2:*"]), policy_type=PolicyType.BOUNDARY))
    decision = decide(request(), PolicyInputs(identity=ALLOW_ALL, boundary=boundary))
    assert decision.decision is IMPLICIT and decision.blocked_by == (PolicyType.BOUNDARY,)


def test_boundary_versus_resource_policy_by_principal_type():
    boundary = index(policy(allow("s3:*"), policy_type=PolicyType.BOUNDARY))
    # IAM user named directly: not limited by the boundary's implicit deny.
    assert decide(request(), PolicyInputs(resource=resource_policy(grant({"AWS": ALICE})), boundary=boundary)).allowed
    # Role session named directly: not limited either.
    sess = request(principal=SESSION, context=session_context())
    assert decide(sess, PolicyInputs(resource=resource_policy(grant({"AWS": SESSION})), boundary=boundary)).allowed
    # Role ARN named: the session is limited by the boundary.
    decision = decide(sess, PolicyInputs(resource=resource_policy(grant({"AWS": ROLE})), boundary=boundary))
    assert decision.decision is IMPLICIT and decision.blocked_by == (PolicyType.BOUNDARY,)
    assert decision.results[PolicyType.RESOURCE] == "Allowed"
    # An explicit deny in the boundary always wins.
    deny_boundary = index(policy(allow(), deny("sqs:*"), policy_type=PolicyType.BOUNDARY))
    assert decide(request(), PolicyInputs(resource=resource_policy(grant({"AWS": ALICE})), boundary=deny_boundary)).decision is EXPLICIT


def test_role_sessions_are_matched_through_their_role_arn_with_path():
    role = f"arn:aws:iam::{ACCOUNT}:role/service/Worker"
    sess = request(principal=f"arn:aws:sts::{ACCOUNT}:assumed-role/Worker/ci-42", context=session_context(role))
    assert decide(sess, PolicyInputs(resource=resource_policy(grant({"AWS": role})))).allowed


# --- session policies ----------------------------------------------------------------------------


def test_session_policies_cap_role_sessions():
    sess = request(principal=SESSION, context=session_context())
    session = index(policy(allow("s3:*"), policy_type=PolicyType.SESSION))
    decision = decide(sess, PolicyInputs(identity=ALLOW_ALL, session=session))
    assert decision.decision is IMPLICIT and decision.blocked_by == (PolicyType.SESSION,)
    assert decide(sess, PolicyInputs(identity=ALLOW_ALL)).allowed  # no session policy: role's own
    denying = index(policy(allow(), deny("sqs:SendMessage"), policy_type=PolicyType.SESSION))
    assert decide(sess, PolicyInputs(identity=ALLOW_ALL, session=denying)).decision is EXPLICIT


def test_session_named_directly_is_not_limited_by_the_session_policy():
    sess = request(principal=SESSION, context=session_context())
    session = index(policy(allow("s3:*"), policy_type=PolicyType.SESSION))
    assert decide(sess, PolicyInputs(resource=resource_policy(grant({"AWS": SESSION})), session=session)).allowed
    # Naming the role, or everyone, is not a grant to the session itself.
    assert not decide(sess, PolicyInputs(resource=resource_policy(grant({"AWS": ROLE})), session=session)).allowed
    assert not decide(sess, PolicyInputs(resource=resource_policy(grant("*")), session=session)).allowed


def test_scope_down_layers_must_each_allow_where_session_policies_need_one():
    """GetScopedCredentials' scope-down policies intersect: every layer must allow, while a
    session's own policies are one set (any of them may allow)."""
    sess = request(principal=SESSION, context=session_context())
    sqs_or_s3 = index(policy(allow("sqs:*"), policy_type=PolicyType.SESSION),
                      policy(allow("s3:*"), policy_type=PolicyType.SESSION))
    assert decide(sess, PolicyInputs(identity=ALLOW_ALL, session=sqs_or_s3)).allowed  # one of the set allows
    sqs_layer = index(policy(allow("sqs:*"), policy_type=PolicyType.SESSION))
    s3_layer = index(policy(allow("s3:*"), policy_type=PolicyType.SESSION))
    both = decide(sess, PolicyInputs(identity=ALLOW_ALL, scope_down=(sqs_layer, s3_layer)))
    assert both.decision is IMPLICIT and both.blocked_by == (PolicyType.SESSION,)
    allowed = decide(sess, PolicyInputs(identity=ALLOW_ALL, session=sqs_or_s3, scope_down=(sqs_layer, sqs_layer)))
    assert allowed.allowed and allowed.results[PolicyType.SESSION] == "Allowed"
    denying = index(policy(allow(), deny("sqs:SendMessage"), policy_type=PolicyType.SESSION))
    assert decide(sess, PolicyInputs(identity=ALLOW_ALL, scope_down=(sqs_layer, denying))).decision is EXPLICIT


def test_a_resource_policy_naming_the_session_does_not_get_past_a_scope_down_layer():
    sess = request(principal=SESSION, context=session_context())
    s3_layer = index(policy(allow("s3:*"), policy_type=PolicyType.SESSION))
    named = resource_policy(grant({"AWS": SESSION}))
    assert decide(sess, PolicyInputs(resource=named, session=s3_layer)).allowed  # the session policy's bypass
    decision = decide(sess, PolicyInputs(resource=named, scope_down=(s3_layer,)))
    assert decision.decision is IMPLICIT and decision.blocked_by == (PolicyType.SESSION,)


def test_federated_user_without_a_session_policy_has_no_permissions():
    fed = request(principal=FEDERATED, context={"aws:PrincipalArn": FEDERATED, "aws:PrincipalAccount": ACCOUNT})
    decision = decide(fed, PolicyInputs(identity=ALLOW_ALL))
    assert decision.decision is IMPLICIT and decision.blocked_by == (PolicyType.SESSION,)
    session = index(policy(allow("sqs:*"), policy_type=PolicyType.SESSION))
    assert decide(fed, PolicyInputs(identity=ALLOW_ALL, session=session)).allowed
    # Named directly in a resource policy, the federated session needs no session policy ...
    assert decide(fed, PolicyInputs(resource=resource_policy(grant({"AWS": FEDERATED})))).allowed
    # ... but naming the IAM user who federated does not reach past the session's limits.
    assert not decide(fed, PolicyInputs(resource=resource_policy(grant({"AWS": ALICE})))).allowed


# --- cross account (C3) ---------------------------------------------------------------------------


def test_cross_account_needs_both_sides():
    bob = request(principal=BOB_ELSEWHERE, context=bob_context())
    trusts_account = resource_policy(grant({"AWS": OTHER_ACCOUNT}))
    names_bob = resource_policy(grant({"AWS": BOB_ELSEWHERE}))
    ident = index(policy(allow("sqs:*")))
    assert decide(bob, PolicyInputs(identity=ident, resource=trusts_account)).allowed
    assert decide(bob, PolicyInputs(identity=ident, resource=names_bob)).allowed
    assert not decide(bob, PolicyInputs(resource=names_bob)).allowed
    assert not decide(bob, PolicyInputs(identity=ident)).allowed
    wrong = resource_policy(grant({"AWS": "arn:aws:iam::333333333333:root"}))
    assert not decide(bob, PolicyInputs(identity=ident, resource=wrong)).allowed


def test_cross_account_boundary_always_caps():
    bob = request(principal=BOB_ELSEWHERE, context=bob_context())
    boundary = index(policy(allow("s3:*"), policy_type=PolicyType.BOUNDARY))
    inputs = PolicyInputs(identity=ALLOW_ALL, resource=resource_policy(grant({"AWS": BOB_ELSEWHERE})), boundary=boundary)
    assert decide(bob, inputs).blocked_by == (PolicyType.BOUNDARY,)


def test_resource_deny_naming_the_account_denies_its_principals():
    rp = resource_policy(grant("*"), grant({"AWS": ACCOUNT}, effect="Deny"))
    decision = decide(request(), PolicyInputs(identity=ALLOW_ALL, resource=rp))
    assert decision.decision is EXPLICIT
    assert decision.results[PolicyType.RESOURCE] == "DeniedForAccount"


# --- NotPrincipal (C4) ---------------------------------------------------------------------------


def test_not_principal_deny_spares_only_the_listed_principals():
    spared = {"AWS": [BOB_ELSEWHERE, f"arn:aws:iam::{OTHER_ACCOUNT}:root"]}
    rp = resource_policy(
        grant("*"),
        {"Effect": "Deny", "NotPrincipal": spared, "Action": "sqs:*", "Resource": QUEUE},
    )
    bob = request(principal=BOB_ELSEWHERE, context=bob_context())
    assert decide(bob, PolicyInputs(identity=ALLOW_ALL, resource=rp)).allowed
    assert decide(request(), PolicyInputs(identity=ALLOW_ALL, resource=rp)).decision is EXPLICIT


def test_not_principal_deny_always_denies_a_principal_with_a_boundary():
    spared = {"AWS": [ALICE, f"arn:aws:iam::{ACCOUNT}:root"]}
    stmt = {"Effect": "Deny", "NotPrincipal": spared, "Action": "sqs:*", "Resource": QUEUE}
    rp = resource_policy(grant({"AWS": ALICE}), stmt)
    assert decide(request(), PolicyInputs(resource=rp)).allowed
    boundary = index(policy(allow(), policy_type=PolicyType.BOUNDARY))
    assert decide(request(), PolicyInputs(resource=rp, boundary=boundary)).decision is EXPLICIT


def test_not_principal_deny_listing_a_user_and_its_account_spares_only_that_user():
    # IAM User Guide, "AWS JSON policy elements: NotPrincipal": with a Deny, list the spared
    # principal's account too, since AWS checks "the account first, then the user" ("the
    # account first, then the role, and then the assumed-role user" for a role session);
    # the account entry does not spare the account's other principals.
    carol = request(principal=f"arn:aws:iam::{ACCOUNT}:user/carol", context=user_context("carol"))
    root = request(principal=f"arn:aws:iam::{ACCOUNT}:root", context={"aws:PrincipalAccount": ACCOUNT})
    sess = request(principal=SESSION, context=session_context())
    spared = {"AWS": [ALICE, f"arn:aws:iam::{ACCOUNT}:root"]}
    rp = resource_policy(grant("*"), {"Effect": "Deny", "NotPrincipal": spared, "Action": "sqs:*", "Resource": QUEUE})
    inputs = PolicyInputs(identity=ALLOW_ALL, resource=rp)
    assert decide(request(), inputs).allowed
    assert decide(carol, inputs).decision is EXPLICIT
    assert decide(sess, inputs).decision is EXPLICIT
    assert decide(root, inputs).allowed  # the account itself is what the root entry names
    # Without the account, even the listed user is denied.
    user_only = resource_policy(grant("*"), {"Effect": "Deny", "NotPrincipal": {"AWS": ALICE}, "Action": "sqs:*", "Resource": QUEUE})
    assert decide(request(), PolicyInputs(identity=ALLOW_ALL, resource=user_only)).decision is EXPLICIT
    # A role session is spared by its role and account (the session name may be listed too).
    role_and_account = {"AWS": [ROLE, f"arn:aws:iam::{ACCOUNT}:root"]}
    rp = resource_policy(grant("*"), {"Effect": "Deny", "NotPrincipal": role_and_account, "Action": "sqs:*", "Resource": QUEUE})
    assert decide(sess, PolicyInputs(identity=ALLOW_ALL, resource=rp)).allowed
    session_only = {"AWS": [SESSION, f"arn:aws:iam::{ACCOUNT}:root"]}
    rp = resource_policy(grant("*"), {"Effect": "Deny", "NotPrincipal": session_only, "Action": "sqs:*", "Resource": QUEUE})
    assert decide(sess, PolicyInputs(identity=ALLOW_ALL, resource=rp)).decision is EXPLICIT


def test_allow_with_not_principal_grants_everyone_else():
    rp = resource_policy({"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/bob"}, "Action": "sqs:*", "Resource": QUEUE})
    assert decide(request(), PolicyInputs(resource=rp)).allowed


# --- STS trust policies (C5), KMS key policies -----------------------------------------------------


def trust(*statements):
    return resource_policy(*statements, policy_type=PolicyType.TRUST)


def assume(principal=ALICE, context=None, role=f"arn:aws:iam::{ACCOUNT}:role/Deployer"):
    return request("sts:AssumeRole", role, principal=principal, context=context)


def test_trust_policy_naming_the_user_is_enough_in_the_same_account():
    decision = decide(assume(), PolicyInputs(resource=trust(grant({"AWS": ALICE}, "sts:AssumeRole", None))))
    assert decision.allowed and decision.results[PolicyType.TRUST] == "Allowed"


def test_trust_policy_naming_the_account_needs_an_identity_allow():
    root = trust(grant({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "sts:AssumeRole", None))
    assert not decide(assume(), PolicyInputs(resource=root)).allowed
    ident = index(policy(allow("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/Deployer")))
    assert decide(assume(), PolicyInputs(resource=root, identity=ident)).allowed


def test_identity_allow_alone_cannot_assume_a_role_that_does_not_trust_the_caller():
    other = trust(grant({"Service": "ec2.amazonaws.com"}, "sts:AssumeRole", None))
    assert not decide(assume(), PolicyInputs(resource=other, identity=ALLOW_ALL)).allowed


def test_cross_account_assume_role_needs_trust_and_identity():
    bob = assume(BOB_ELSEWHERE, bob_context())
    trusting = trust(grant({"AWS": OTHER_ACCOUNT}, "sts:AssumeRole", None))
    assert not decide(bob, PolicyInputs(resource=trusting)).allowed
    assert decide(bob, PolicyInputs(resource=trusting, identity=ALLOW_ALL)).allowed


def test_trust_policy_external_id_condition():
    stmt = grant({"AWS": OTHER_ACCOUNT}, "sts:AssumeRole", None, Condition={"StringEquals": {"sts:ExternalId": "s3cr3t"}})
    ok = assume(BOB_ELSEWHERE, bob_context() | {"sts:ExternalId": "s3cr3t"})
    bad = assume(BOB_ELSEWHERE, bob_context() | {"sts:ExternalId": "guess"})
    assert decide(ok, PolicyInputs(resource=trust(stmt), identity=ALLOW_ALL)).allowed
    assert not decide(bad, PolicyInputs(resource=trust(stmt), identity=ALLOW_ALL)).allowed


def test_kms_key_policy_must_allow():
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234"
    decrypt = request("kms:Decrypt", key)
    ident = index(policy(allow("kms:Decrypt", key)))
    assert not decide(decrypt, PolicyInputs(identity=ident)).allowed  # no key policy
    enables_iam = resource_policy(grant({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "kms:*", "*"))
    assert decide(decrypt, PolicyInputs(identity=ident, resource=enables_iam)).allowed
    names_alice = resource_policy(grant({"AWS": ALICE}, "kms:Decrypt", "*"))
    assert decide(decrypt, PolicyInputs(resource=names_alice)).allowed
    create = request("kms:CreateKey", "*", resource_account=ACCOUNT)
    assert decide(create, PolicyInputs(identity=index(policy(allow("kms:CreateKey"))))).allowed


def test_kms_aliases_are_governed_by_iam_policies_alone():
    # AWS KMS Developer Guide, "Controlling access to aliases": "kms:CreateAlias for the alias.
    # Provide this permission in an IAM policy"; an alias has no key policy. The key named by
    # the call is a separate check, which still needs the key policy.
    alias = f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/test-key"
    ident = index(policy(allow(["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"], alias)))
    for action in ("kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"):
        decision = decide(request(action, alias), PolicyInputs(identity=ident))
        assert decision.allowed, action
        assert [r.policy_type for r in decision.determining] == [PolicyType.IDENTITY]
    assert not decide(request("kms:DeleteAlias", alias), PolicyInputs(identity=index())).allowed
    key = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234"
    on_key = index(policy(allow("kms:CreateAlias", key)))
    assert not decide(request("kms:CreateAlias", key), PolicyInputs(identity=on_key)).allowed
    # Any other action naming an alias is about the key behind it: the key policy governs.
    use = index(policy(allow("kms:Decrypt", alias)))
    assert not decide(request("kms:Decrypt", alias), PolicyInputs(identity=use)).allowed


def test_scps_never_limit_anonymous_callers_or_service_principals():
    # AWS Organizations User Guide, "Authorization policies": SCPs are principal-centric and
    # limit "principals in your member accounts"; an anonymous caller or an AWS service is not one.
    deny_all = [scp(allow(), deny())]
    anon = AuthorizationRequest("anonymous", "s3:GetObject", "arn:aws:s3:::site/index.html", ACCOUNT, {})
    public = resource_policy(grant("*", "s3:GetObject", "arn:aws:s3:::site/*"))
    decision = decide(anon, PolicyInputs(resource=public, scp_levels=deny_all))
    assert decision.allowed and decision.results[PolicyType.SCP] == "NotApplicable"
    ctx = {"aws:PrincipalIsAWSService": "true", "aws:SourceAccount": ACCOUNT}
    sns = AuthorizationRequest("sns.amazonaws.com", "sqs:SendMessage", QUEUE, ACCOUNT, ctx)
    rp = resource_policy(grant({"Service": "sns.amazonaws.com"}))
    decision = decide(sns, PolicyInputs(resource=rp, scp_levels=deny_all))
    assert decision.allowed and decision.results[PolicyType.SCP] == "NotApplicable"
    # The account's own principals still are limited.
    assert decide(request(), PolicyInputs(identity=ALLOW_ALL, scp_levels=deny_all)).decision is EXPLICIT


# --- anonymous, service and root callers -----------------------------------------------------------


def test_anonymous_callers_only_get_what_resource_policies_give_everyone():
    anon = AuthorizationRequest("anonymous", "s3:GetObject", "arn:aws:s3:::site/index.html", ACCOUNT, {})
    assert decide(anon, PolicyInputs(resource=resource_policy(grant("*", "s3:GetObject", "arn:aws:s3:::site/*")))).allowed
    named = resource_policy(grant({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "s3:GetObject", "arn:aws:s3:::site/*"))
    assert not decide(anon, PolicyInputs(resource=named)).allowed


def test_service_principals():
    ctx = {"aws:PrincipalIsAWSService": "true", "aws:SourceAccount": ACCOUNT}
    sns = AuthorizationRequest("sns.amazonaws.com", "sqs:SendMessage", QUEUE, ACCOUNT, ctx)
    rp = resource_policy(grant({"Service": "sns.amazonaws.com"}, Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}}))
    assert decide(sns, PolicyInputs(resource=rp)).allowed
    events = AuthorizationRequest("events.amazonaws.com", "sqs:SendMessage", QUEUE, ACCOUNT, ctx)
    assert not decide(events, PolicyInputs(resource=rp)).allowed


def test_root_user_has_full_access_to_its_account_except_guardrails():
    root = request(principal=f"arn:aws:iam::{ACCOUNT}:root", context={"aws:PrincipalAccount": ACCOUNT})
    assert decide(root, PolicyInputs()).allowed
    assert not decide(root, PolicyInputs(scp_levels=[scp(allow("s3:*"))])).allowed


def test_aws_managed_policies_are_read_only():
    req = request("iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/AdministratorAccess")
    assert decide(req, PolicyInputs(identity=ALLOW_ALL)).decision is IMPLICIT


# --- explanations -----------------------------------------------------------------------------------


def test_missing_context_keys_are_reported():
    ident = index(policy(allow(Condition={"StringEquals": {"aws:PrincipalTag/team": "red"}, "BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})))
    decision = decide(request(), PolicyInputs(identity=ident))
    assert decision.decision is IMPLICIT
    assert decision.missing_context_keys == ("aws:principaltag/team",)


def test_results_name_every_evaluated_policy_type():
    sess = request(principal=SESSION, context=session_context())
    inputs = PolicyInputs(
        identity=ALLOW_ALL,
        boundary=index(policy(allow(), policy_type=PolicyType.BOUNDARY)),
        session=index(policy(allow(), policy_type=PolicyType.SESSION)),
        resource=resource_policy(grant({"AWS": ROLE})),
        scp_levels=[scp(allow())],
        rcp_levels=[index()],
    )
    decision = decide(sess, inputs)
    assert decision.allowed
    assert decision.results == {
        PolicyType.IDENTITY: "Allowed",
        PolicyType.BOUNDARY: "Allowed",
        PolicyType.SESSION: "Allowed",
        PolicyType.SCP: "Allowed",
        PolicyType.RCP: "Allowed",
        PolicyType.RESOURCE: "Allowed",
    }
    assert {r.policy_type for r in decision.determining} == {
        PolicyType.IDENTITY, PolicyType.RESOURCE, PolicyType.BOUNDARY, PolicyType.SESSION, PolicyType.SCP,
    }


def test_policy_index_is_reusable_across_requests():
    ident = PolicyIndex([policy(allow("sqs:SendMessage"))])
    inputs = PolicyInputs(identity=ident)
    assert decide(request(), inputs).allowed
    assert not decide(request("sqs:DeleteQueue"), inputs).allowed
    assert decide(request(), inputs).allowed


def test_an_empty_boundary_allows_nothing_and_none_means_no_boundary():
    assert decide(request(), PolicyInputs(identity=ALLOW_ALL, boundary=None)).allowed
    decision = decide(request(), PolicyInputs(identity=ALLOW_ALL, boundary=PolicyIndex([])))
    assert decision.decision is IMPLICIT and decision.blocked_by == (PolicyType.BOUNDARY,)


def test_unsupported_principals_are_refused_not_guessed():
    for principal in ("bob", f"arn:aws:iam::{ACCOUNT}:group/admins", "arn:aws:sts::1:assumed-role/R/s"):
        with pytest.raises(UnsupportedPrincipalError):
            request(principal=principal)


def test_documents_aws_stores_though_odd_evaluate_as_written():
    # Accepted at write time because AWS accepts them (issue 14); each part means what it says.
    odd_action = index(policy(allow(["iam: list users"], "*")))
    assert not decide(request("iam:ListUsers", "*"), PolicyInputs(identity=odd_action)).allowed
    short_arn = index(policy(allow("sqs:*", ["arn:aws:fdsasf", None])))
    assert not decide(request(), PolicyInputs(identity=short_arn)).allowed
    with_null = index(policy(allow("sqs:*", [None, QUEUE])))
    assert decide(request(), PolicyInputs(identity=with_null)).allowed
    empty_blocks = index(policy(allow(Condition={"StringEquals": {}, "NoSuchOperator": {}})))
    assert decide(request(), PolicyInputs(identity=empty_blocks)).allowed
    # IAM's legacy date form: `+23` is a 23-hour offset.
    late = request(context=user_context(**{"aws:CurrentTime": "2016-12-13T00:00:01Z"}))
    early = request(context=user_context(**{"aws:CurrentTime": "2016-12-12T02:59:59Z"}))
    legacy_date = index(policy(allow(Condition={"DateGreaterThan": {"aws:CurrentTime": "2016-12-13t2:00:00+23"}})))
    assert decide(late, PolicyInputs(identity=legacy_date)).allowed
    assert not decide(early, PolicyInputs(identity=legacy_date)).allowed


def test_a_variable_in_the_account_part_of_a_resource_arn():
    # As AWS's own managed policies write it (`arn:*:kms:*:${aws:PrincipalAccount}:key/*`).
    own = index(policy(allow("sqs:*", "arn:*:sqs:*:${aws:PrincipalAccount}:orders")))
    assert decide(request(), PolicyInputs(identity=own)).allowed  # QUEUE is in alice's account
    elsewhere = request(resource=f"arn:aws:sqs:us-east-1:{OTHER_ACCOUNT}:orders", resource_account=OTHER_ACCOUNT)
    assert not decide(elsewhere, PolicyInputs(identity=own)).allowed
    no_value = request(context={k: v for k, v in user_context().items() if k != "aws:PrincipalAccount"})
    decision = decide(no_value, PolicyInputs(identity=own))
    assert not decision.allowed and "aws:principalaccount" in decision.missing_context_keys
    # Beside literal patterns in the same statement, each still matches its own resources.
    mixed = index(policy(allow("sqs:*", [f"arn:aws:sqs:us-east-1:{ACCOUNT}:billing",
                                          "arn:aws:sqs:us-east-1:${aws:PrincipalAccount}:orders"])))
    assert decide(request(), PolicyInputs(identity=mixed)).allowed
    assert decide(request(resource=f"arn:aws:sqs:us-east-1:{ACCOUNT}:billing"), PolicyInputs(identity=mixed)).allowed
    assert not decide(request(resource=f"arn:aws:sqs:us-east-1:{ACCOUNT}:other"), PolicyInputs(identity=mixed)).allowed
