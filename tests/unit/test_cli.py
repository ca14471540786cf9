"""iamctl and the SDK without a server: command line -> request message -> AWS-shaped output."""

from __future__ import annotations

import json
from dataclasses import dataclass

import grpc
import pytest
from google.protobuf import any_pb2, timestamp_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from iamd.client import cli
from iamd.client.iam import (
    METHODS,
    SERVICES,
    AsyncIamdClient,
    IamdClient,
    build_request,
    method_for,
    snake_case,
)
from iamd.v1 import authorization_pb2, common_pb2, identity_pb2

CREATED = timestamp_pb2.Timestamp(seconds=1767225600)  # 2026-01-01T00:00:00Z
ACCOUNT = "123456789012"
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/ReadOnly"
DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'


@dataclass
class RecordedCall:
    rpc: str
    request: object
    metadata: list
    timeout: float | None
    body: bytes


class FakeChannel:
    """Stands in for a grpc channel: records each request and answers from `responses`.

    A response is a message, a list of messages (one per call, for pages), a callable of the
    request, or an exception to raise. RPCs without one answer with an empty response.
    """

    def __init__(self, responses=None):
        self.responses = dict(responses or {})
        self.calls: list[RecordedCall] = []
        self.closed = False

    def _answer(self, path, body, timeout, metadata, response_deserializer):
        method = method_for(path.rsplit("/", 1)[1])
        request = method.request_type.FromString(body)
        self.calls.append(RecordedCall(method.name, request, list(metadata or ()), timeout, body))
        answer = self.responses.get(method.name)
        if isinstance(answer, list):
            answer = answer.pop(0)
        if callable(answer) and not isinstance(answer, type):
            answer = answer(request)
        if isinstance(answer, BaseException):
            raise answer
        answer = answer if answer is not None else method.response_type()
        return response_deserializer(answer.SerializeToString())

    def unary_unary(self, path, request_serializer=None, response_deserializer=None, **_):
        assert request_serializer is None  # the SDK serializes, so signing sees the wire bytes

        def call(body, timeout=None, metadata=None):
            return self._answer(path, body, timeout, metadata, response_deserializer)

        return call

    def close(self):
        self.closed = True

    @property
    def last(self) -> RecordedCall:
        return self.calls[-1]


class FakeAioChannel(FakeChannel):
    def unary_unary(self, path, request_serializer=None, response_deserializer=None, **_):
        async def call(body, timeout=None, metadata=None):
            return self._answer(path, body, timeout, metadata, response_deserializer)

        return call

    async def close(self):
        self.closed = True


class FakeRpcError(grpc.RpcError):
    def __init__(self, code, details, trailing=()):
        super().__init__(details)
        self._code, self._details, self._trailing = code, details, tuple(trailing)

    def code(self):
        return self._code

    def details(self):
        return self._details

    def trailing_metadata(self):
        return self._trailing


def iam_error(code, reason, message, *details):
    packed = []
    for detail in (error_details_pb2.ErrorInfo(reason=reason, domain="iamd.v1"), *details):
        any_detail = any_pb2.Any()
        any_detail.Pack(detail)
        packed.append(any_detail)
    status = status_pb2.Status(code=code.value[0], message=message, details=packed)
    return FakeRpcError(code, message, rpc_status.to_status(status).trailing_metadata)


@pytest.fixture
def channel():
    return FakeChannel()


@pytest.fixture
def iamctl(channel, capsys):
    """Run iamctl against the fake channel; returns (exit code, stdout, stderr)."""
    endpoints = []

    def run(*argv):
        def factory(endpoint):
            endpoints.append(endpoint)
            return IamdClient(endpoint, channel=channel)

        code = cli.main(list(argv), client_factory=factory)
        out, err = capsys.readouterr()
        return code, out, err

    run.endpoints = endpoints
    return run


def user(name="alice", **extra):
    return common_pb2.User(
        user_name=name,
        user_id=f"AIDA{name.upper()}",
        arn=f"arn:aws:iam::{ACCOUNT}:user/{name}",
        path="/",
        create_date=CREATED,
        **extra,
    )


# --- arguments -> requests --------------------------------------------------------------------


def test_create_user_builds_the_request_and_prints_aws_json(iamctl, channel):
    channel.responses["CreateUser"] = identity_pb2.CreateUserResponse(
        user=user(tags=[common_pb2.Tag(key="team", value="core")]), position=7
    )
    code, out, err = iamctl(
        "iam", "create-user", "--user-name", "alice", "--path", "/eng/",
        "--tags", "Key=team,Value=core", "Key=env,Value=a,b",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert channel.last.rpc == "CreateUser"
    assert channel.last.request == identity_pb2.CreateUserRequest(
        user_name="alice",
        path="/eng/",
        tags=[common_pb2.Tag(key="team", value="core"), common_pb2.Tag(key="env", value="a,b")],
    )
    assert json.loads(out) == {
        "User": {
            "UserName": "alice",
            "UserId": "AIDAALICE",
            "Arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
            "Path": "/",
            "CreateDate": "2026-01-01T00:00:00Z",
            "Tags": [{"Key": "team", "Value": "core"}],
        },
        "Position": 7,
    }


@pytest.mark.parametrize(
    ("argv", "rpc", "expected"),
    [
        (
            ["attach-role-policy", "--role-name", "deploy", "--policy-arn", POLICY_ARN],
            "AttachPolicy",
            identity_pb2.AttachPolicyRequest(
                target=common_pb2.EntityRef(kind=common_pb2.ENTITY_KIND_ROLE, name="deploy"),
                policy_arn=POLICY_ARN,
            ),
        ),
        (
            ["detach-group-policy", "--group-name", "ops", "--policy-arn", POLICY_ARN],
            "DetachPolicy",
            identity_pb2.DetachPolicyRequest(
                target=common_pb2.EntityRef(kind=common_pb2.ENTITY_KIND_GROUP, name="ops"),
                policy_arn=POLICY_ARN,
            ),
        ),
        (
            ["tag-policy", "--policy-arn", POLICY_ARN, "--tags", '[{"Key":"k","Value":"v"}]'],
            "TagEntity",
            identity_pb2.TagEntityRequest(
                target=common_pb2.EntityRef(kind=common_pb2.ENTITY_KIND_POLICY, name=POLICY_ARN),
                tags=[common_pb2.Tag(key="k", value="v")],
            ),
        ),
        (
            ["untag-user", "--user-name", "alice", "--tag-keys", "a", "b"],
            "UntagEntity",
            identity_pb2.UntagEntityRequest(
                target=common_pb2.EntityRef(kind=common_pb2.ENTITY_KIND_USER, name="alice"),
                tag_keys=["a", "b"],
            ),
        ),
        (
            ["put-role-permissions-boundary", "--role-name", "r", "--permissions-boundary",
             POLICY_ARN],
            "PutPermissionsBoundary",
            identity_pb2.PutPermissionsBoundaryRequest(
                target=common_pb2.EntityRef(kind=common_pb2.ENTITY_KIND_ROLE, name="r"),
                permissions_boundary=POLICY_ARN,
            ),
        ),
        (
            ["update-user", "--user-name", "alice", "--new-user-name", "alicia",
             "--new-path", "/x/"],
            "UpdateUser",
            identity_pb2.UpdateUserRequest(user_name="alice", new_user_name="alicia",
                                           new_path="/x/"),
        ),
        (
            ["list-policies", "--scope", "Local", "--only-attached", "--path-prefix", "/a/"],
            "ListPolicies",
            identity_pb2.ListPoliciesRequest(
                scope=identity_pb2.POLICY_SCOPE_LOCAL, only_attached=True, path_prefix="/a/"
            ),
        ),
        (
            ["create-policy-version", "--policy-arn", POLICY_ARN, "--policy-document", DOC,
             "--set-as-default"],
            "CreatePolicyVersion",
            identity_pb2.CreatePolicyVersionRequest(
                policy_arn=POLICY_ARN, policy_document=DOC, set_as_default=True
            ),
        ),
        (
            ["set-default-policy-version", "--policy-arn", POLICY_ARN, "--version-id", "v2"],
            "SetDefaultPolicyVersion",
            identity_pb2.SetDefaultPolicyVersionRequest(policy_arn=POLICY_ARN, version_id="v2"),
        ),
        (
            ["list-entities-for-policy", "--policy-arn", POLICY_ARN, "--entity-filter", "Role"],
            "ListEntitiesForPolicy",
            identity_pb2.ListEntitiesForPolicyRequest(
                policy_arn=POLICY_ARN, entity_filter=common_pb2.ENTITY_KIND_ROLE
            ),
        ),
        (
            ["get-account-authorization-details", "--filter", "User", "LocalManagedPolicy"],
            "GetAccountAuthorizationDetails",
            identity_pb2.GetAccountAuthorizationDetailsRequest(
                filter=[common_pb2.ENTITY_KIND_USER, common_pb2.ENTITY_KIND_POLICY]
            ),
        ),
        (
            ["update-role-description", "--role-name", "r", "--description", ""],
            "UpdateRoleDescription",
            identity_pb2.UpdateRoleDescriptionRequest(role_name="r", description=""),
        ),
        (
            ["add-user-to-group", "--group-name", "ops", "--user-name", "alice"],
            "AddUserToGroup",
            identity_pb2.AddUserToGroupRequest(group_name="ops", user_name="alice"),
        ),
    ],
    ids=lambda v: v[0] if isinstance(v, list) else None,
)  # fmt: skip
def test_arguments_become_the_request(iamctl, channel, argv, rpc, expected):
    code, _, err = iamctl("iam", *argv)
    assert (code, err) == (0, "")
    assert channel.last.rpc == rpc
    assert channel.last.request == expected


def test_update_role_without_description_leaves_it_unset(iamctl, channel):
    assert iamctl("iam", "update-role", "--role-name", "r", "--max-session-duration", "7200")[0] == 0
    request = channel.last.request
    assert not request.HasField("description")
    assert request.max_session_duration == 7200


def test_documents_load_from_file_urls(iamctl, channel, tmp_path):
    trust = tmp_path / "trust.json"
    trust.write_text(DOC)
    code, _, _ = iamctl(
        "iam", "create-role", "--role-name", "deploy",
        "--assume-role-policy-document", f"file://{trust}", "--max-session-duration", "7200",
        "--description", "deployments",
    )  # fmt: skip
    assert code == 0
    assert channel.last.request == identity_pb2.CreateRoleRequest(
        role_name="deploy",
        assume_role_policy_document=DOC,
        max_session_duration=7200,
        description="deployments",
    )

    code, _, _ = iamctl(
        "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "inline",
        "--policy-document", f"file://{trust}",
    )  # fmt: skip
    assert code == 0
    assert channel.last.request.policy_document == DOC
    assert channel.last.request.target.kind == common_pb2.ENTITY_KIND_USER


def test_a_missing_document_file_is_a_parameter_error(iamctl, channel, tmp_path):
    code, out, err = iamctl(
        "iam", "create-policy", "--policy-name", "p",
        "--policy-document", f"file://{tmp_path}/nope.json",
    )  # fmt: skip
    assert code == cli.EXIT_USAGE
    assert "Error parsing parameter '--policy-document': Unable to load paramfile" in err
    assert channel.calls == []


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["Key=a,Value=1"], [("a", "1")]),
        (["Key=a,Value=1", "Key=b"], [("a", "1"), ("b", "")]),
        (["Value=x,Key=k"], [("k", "x")]),
        (["Key=url,Value=a=b,c"], [("url", "a=b,c")]),
        (['[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]'], [("a", "1"), ("b", "2")]),
        (['{"a": "1"}'], [("a", "1")]),
    ],
)
def test_tag_parsing(values, expected):
    assert cli.parse_tags("--tags", values) == expected


def test_tags_from_a_file(tmp_path):
    path = tmp_path / "tags.json"
    path.write_text('[{"Key": "team", "Value": "core"}]')
    assert cli.parse_tags("--tags", [f"file://{path}"]) == [("team", "core")]


@pytest.mark.parametrize("bad", [["team=core"], ["Value=x"], ["[not json"]])
def test_bad_tags_are_parameter_errors(iamctl, channel, bad):
    code, _, err = iamctl("iam", "tag-user", "--user-name", "alice", "--tags", *bad)
    assert code == cli.EXIT_USAGE
    assert "Error parsing parameter '--tags'" in err
    assert channel.calls == []


def test_tag_keys_accept_a_json_list(iamctl, channel):
    assert iamctl("iam", "untag-role", "--role-name", "r", "--tag-keys", '["a", "b"]')[0] == 0
    assert list(channel.last.request.tag_keys) == ["a", "b"]


# --- authz ------------------------------------------------------------------------------------


def test_authz_check_builds_context_and_prints_the_decision(iamctl, channel):
    channel.responses["Authorize"] = authorization_pb2.AuthorizeResponse(
        decision=authorization_pb2.DECISION_EXPLICIT_DENY,
        determining_statements=[
            authorization_pb2.StatementRef(
                policy_id=POLICY_ARN, policy_type="identity", version_id="v1", sid="DenyAll",
                statement_index=0, effect="Deny",
            )
        ],
        results_by_policy_type={"identity": "ExplicitDeny"},
        evaluated_at_position=42,
    )  # fmt: skip
    code, out, err = iamctl(
        "authz", "check", "--principal", f"arn:aws:iam::{ACCOUNT}:user/alice",
        "--action", "s3:GetObject", "--resource", "arn:aws:s3:::bucket/key",
        "--resource-account", ACCOUNT,
        "--context", "aws:SourceIp=10.0.0.1",
        "--context", "s3:prefix=a", "--context", "s3:prefix=b",
        "--context-json", '{"aws:TagKeys": ["team"], "aws:SecureTransport": true}',
        "--min-position", "41", "--explain",
    )  # fmt: skip
    assert (code, err) == (0, "")
    request = channel.last.request
    assert (request.principal_arn, request.action, request.resource, request.resource_account) == (
        f"arn:aws:iam::{ACCOUNT}:user/alice", "s3:GetObject", "arn:aws:s3:::bucket/key", ACCOUNT,
    )  # fmt: skip
    assert (request.min_position, request.explain) == (41, True)
    context = {k: (list(v.values), v.multivalued) for k, v in request.context.items()}
    assert context == {
        "aws:SourceIp": (["10.0.0.1"], False),
        "s3:prefix": (["a", "b"], True),
        "aws:TagKeys": (["team"], True),
        "aws:SecureTransport": (["true"], False),
    }
    assert json.loads(out) == {
        "Decision": "ExplicitDeny",
        "DeterminingStatements": [
            {
                "PolicyId": POLICY_ARN,
                "PolicyType": "identity",
                "VersionId": "v1",
                "Sid": "DenyAll",
                "StatementIndex": 0,
                "Effect": "Deny",
            }
        ],
        "BlockedBy": [],
        "MissingContextKeys": [],
        "ResultsByPolicyType": {"identity": "ExplicitDeny"},
        "EvaluatedAtPosition": 42,
    }


def test_authz_check_names_a_service_principal_or_an_anonymous_caller(iamctl, channel):
    channel.responses["Authorize"] = authorization_pb2.AuthorizeResponse(decision=authorization_pb2.DECISION_ALLOW)
    policy = '{"Version":"2012-10-17","Statement":[]}'
    code, _, err = iamctl("authz", "check", "--service-principal", "sns.amazonaws.com", "--action", "sqs:SendMessage",
                          "--resource", "arn:aws:sqs:us-east-1:111111111111:q", "--resource-policy", policy)
    assert (code, err) == (0, "")
    request = channel.last.request
    assert (request.principal_arn, request.service_principal, request.anonymous, request.resource_policy) == (
        "", "sns.amazonaws.com", False, policy)
    code, _, err = iamctl("authz", "check", "--anonymous", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k")
    assert (code, err) == (0, "")
    assert channel.last.request.anonymous and not channel.last.request.service_principal


def test_authz_check_rejects_a_context_key_given_twice(iamctl, channel):
    code, _, err = iamctl(
        "authz", "check", "--principal", "p", "--action", "a", "--resource", "r",
        "--context", "k=1", "--context-json", '{"k": "2"}',
    )  # fmt: skip
    assert code == cli.EXIT_USAGE
    assert "context key `k` given twice" in err
    code, _, err = iamctl(
        "authz", "check", "--principal", "p", "--action", "a", "--resource", "r",
        "--context", "no-equals-sign",
    )  # fmt: skip
    assert code == cli.EXIT_USAGE


def test_authz_status_prints_every_field(iamctl, channel):
    channel.responses["GetProjectionStatus"] = authorization_pb2.GetProjectionStatusResponse(
        position=10, head_position=12, lag=2
    )
    code, out, _ = iamctl("authz", "status")
    assert code == 0
    assert channel.last.request == authorization_pb2.GetProjectionStatusRequest()
    assert json.loads(out) == {
        "Position": 10,
        "HeadPosition": 12,
        "Lag": 2,
        "CaughtUp": False,
        "EventsApplied": 0,
        "AuditQueueDepth": 0,
        "AuditRecordsWritten": 0,
        "AuditWriteFailures": 0,
        "Following": False,
        "StalledSeconds": 0.0,
        "StallReason": "",
        "Resubscriptions": 0,
    }


# --- pagination -------------------------------------------------------------------------------


def _pages(*pages):
    return [
        identity_pb2.ListUsersResponse(
            users=[user(n) for n in names], is_truncated=bool(marker), marker=marker
        )
        for names, marker in pages
    ]


def test_list_commands_fetch_every_page(iamctl, channel):
    channel.responses["ListUsers"] = _pages((["a", "b"], "m1"), (["c"], ""))
    code, out, _ = iamctl("iam", "list-users", "--path-prefix", "/eng/", "--page-size", "2")
    assert code == 0
    assert [c.request.page.marker for c in channel.calls] == ["", "m1"]
    assert [c.request.page.max_items for c in channel.calls] == [2, 2]
    assert all(c.request.path_prefix == "/eng/" for c in channel.calls)
    data = json.loads(out)
    assert [u["UserName"] for u in data["Users"]] == ["a", "b", "c"]
    assert set(data) == {"Users"}


def test_max_items_stops_early_and_prints_a_next_token(iamctl, channel):
    channel.responses["ListUsers"] = _pages((["a", "b"], "m1"))
    code, out, _ = iamctl("iam", "list-users", "--max-items", "2", "--starting-token", "m0")
    assert code == 0
    assert len(channel.calls) == 1
    assert channel.last.request.page == identity_pb2.Page(max_items=2, marker="m0")
    data = json.loads(out)
    assert data["NextToken"] == "m1"
    assert "IsTruncated" not in data


def test_no_paginate_makes_one_call_and_shows_the_raw_marker(iamctl, channel):
    channel.responses["ListUsers"] = _pages((["a"], "m1"))
    code, out, _ = iamctl("iam", "list-users", "--no-paginate", "--marker", "m0")
    assert code == 0
    assert len(channel.calls) == 1
    assert channel.last.request.page.marker == "m0"
    data = json.loads(out)
    assert (data["IsTruncated"], data["Marker"]) == (True, "m1")


def test_empty_lists_are_printed(iamctl, channel):
    code, out, _ = iamctl("iam", "list-users")
    assert code == 0
    assert json.loads(out) == {"Users": []}


# --- output shaping ---------------------------------------------------------------------------


def test_role_output_has_aws_keys_and_a_parsed_trust_policy(iamctl, channel):
    channel.responses["GetRole"] = identity_pb2.GetRoleResponse(
        role=common_pb2.Role(
            role_name="deploy", role_id="AROADEPLOY", arn=f"arn:aws:iam::{ACCOUNT}:role/deploy",
            path="/", create_date=CREATED, assume_role_policy_document=DOC,
            max_session_duration=3600, permissions_boundary_arn=POLICY_ARN,
        )
    )  # fmt: skip
    code, out, _ = iamctl("iam", "get-role", "--role-name", "deploy")
    assert code == 0
    role = json.loads(out)["Role"]
    assert role["RoleId"] == "AROADEPLOY"
    assert role["AssumeRolePolicyDocument"] == json.loads(DOC)
    assert role["MaxSessionDuration"] == 3600
    assert role["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",  # AWS's PermissionsBoundaryAttachmentType
        "PermissionsBoundaryArn": POLICY_ARN,
    }
    assert "Description" not in role and "Tags" not in role


def test_policy_and_version_output(iamctl, channel):
    channel.responses["GetPolicy"] = identity_pb2.GetPolicyResponse(
        policy=common_pb2.Policy(
            policy_name="ReadOnly", policy_id="ANPAX", arn=POLICY_ARN, path="/",
            default_version_id="v1", is_attachable=True, create_date=CREATED,
            update_date=CREATED,
        )
    )  # fmt: skip
    code, out, _ = iamctl("iam", "get-policy", "--policy-arn", POLICY_ARN)
    assert code == 0
    assert json.loads(out) == {
        "Policy": {
            "PolicyName": "ReadOnly",
            "PolicyId": "ANPAX",
            "Arn": POLICY_ARN,
            "Path": "/",
            "DefaultVersionId": "v1",
            "AttachmentCount": 0,
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True,
            "CreateDate": "2026-01-01T00:00:00Z",
            "UpdateDate": "2026-01-01T00:00:00Z",
        }
    }
    channel.responses["GetPolicyVersion"] = identity_pb2.GetPolicyVersionResponse(
        policy_version=common_pb2.PolicyVersion(document=DOC, version_id="v2", create_date=CREATED)
    )
    code, out, _ = iamctl("iam", "get-policy-version", "--policy-arn", POLICY_ARN,
                          "--version-id", "v2")  # fmt: skip
    assert json.loads(out) == {
        "PolicyVersion": {
            "Document": json.loads(DOC),
            "VersionId": "v2",
            "IsDefaultVersion": False,
            "CreateDate": "2026-01-01T00:00:00Z",
        }
    }


def test_inline_policy_output_is_flat_like_aws(iamctl, channel):
    channel.responses["GetInlinePolicy"] = identity_pb2.GetInlinePolicyResponse(
        policy=common_pb2.InlinePolicy(policy_name="inline", policy_document=DOC)
    )
    code, out, _ = iamctl("iam", "get-group-policy", "--group-name", "ops", "--policy-name",
                          "inline")  # fmt: skip
    assert code == 0
    assert channel.last.request.target == common_pb2.EntityRef(
        kind=common_pb2.ENTITY_KIND_GROUP, name="ops"
    )
    assert json.loads(out) == {
        "GroupName": "ops",
        "PolicyName": "inline",
        "PolicyDocument": json.loads(DOC),
    }


def test_entities_for_policy_are_named_by_kind(iamctl, channel):
    channel.responses["ListEntitiesForPolicy"] = identity_pb2.ListEntitiesForPolicyResponse(
        policy_users=[identity_pb2.PolicyEntity(name="alice", id="AIDA1")],
        policy_roles=[identity_pb2.PolicyEntity(name="deploy", id="AROA1")],
    )
    code, out, _ = iamctl("iam", "list-entities-for-policy", "--policy-arn", POLICY_ARN)
    assert code == 0
    assert json.loads(out) == {
        "PolicyUsers": [{"UserName": "alice", "UserId": "AIDA1"}],
        "PolicyGroups": [],
        "PolicyRoles": [{"RoleName": "deploy", "RoleId": "AROA1"}],
    }


def test_account_authorization_details_flatten_the_entities(iamctl, channel):
    channel.responses["GetAccountAuthorizationDetails"] = (
        identity_pb2.GetAccountAuthorizationDetailsResponse(
            user_detail_list=[
                identity_pb2.UserDetail(
                    user=user("alice"),
                    user_policy_list=[
                        common_pb2.InlinePolicy(policy_name="i", policy_document=DOC)
                    ],
                    group_list=["ops"],
                    attached_managed_policies=[
                        common_pb2.AttachedPolicy(policy_name="ReadOnly", policy_arn=POLICY_ARN)
                    ],
                )
            ]
        )
    )
    code, out, _ = iamctl("iam", "get-account-authorization-details")
    assert code == 0
    data = json.loads(out)
    assert data["UserDetailList"] == [
        {
            "UserName": "alice",
            "UserId": "AIDAALICE",
            "Arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
            "Path": "/",
            "CreateDate": "2026-01-01T00:00:00Z",
            "UserPolicyList": [{"PolicyName": "i", "PolicyDocument": json.loads(DOC)}],
            "GroupList": ["ops"],
            "AttachedManagedPolicies": [{"PolicyName": "ReadOnly", "PolicyArn": POLICY_ARN}],
        }
    ]
    assert data["GroupDetailList"] == [] and data["RoleDetailList"] == []
    assert data["Policies"] == []


def test_commands_print_their_position(iamctl, channel):
    channel.responses["DeleteUser"] = identity_pb2.CommandResponse(position=99)
    code, out, _ = iamctl("iam", "delete-user", "--user-name", "alice")
    assert code == 0
    assert json.loads(out) == {"Position": 99}


def test_table_output_is_readable(iamctl, channel):
    channel.responses["ListUsers"] = identity_pb2.ListUsersResponse(
        users=[user("alice", tags=[common_pb2.Tag(key="team", value="core")]), user("bob")]
    )
    code, out, _ = iamctl("--output", "table", "iam", "list-users")
    assert code == 0
    lines = out.splitlines()
    assert "ListUsers" in lines[1]
    header = next(line for line in lines if "UserName" in line)
    assert "Arn" in header and "CreateDate" in header
    assert any("alice" in line and "team=core" in line for line in lines)
    assert any("bob" in line for line in lines)
    assert len({len(line) for line in lines if line.startswith(("|", "+"))}) == 1


def test_output_option_is_also_accepted_after_the_command(iamctl, channel):
    channel.responses["GetUser"] = identity_pb2.GetUserResponse(user=user())
    code, out, _ = iamctl("iam", "get-user", "--user-name", "alice", "--output", "text")
    assert code == 0
    assert out.strip() == (
        f"USER\tarn:aws:iam::{ACCOUNT}:user/alice\t2026-01-01T00:00:00Z\t/\tAIDAALICE\talice"
    )


def test_nested_table_sections(channel):
    data = {"PolicyVersion": {"Document": json.loads(DOC), "VersionId": "v1"}}
    table = cli.render_table("GetPolicyVersion", data)
    assert "PolicyVersion" in table and "Statement" in table and "s3:*" in table


# --- errors and exit codes --------------------------------------------------------------------


def test_service_errors_print_like_the_aws_cli(iamctl, channel):
    channel.responses["GetUser"] = iam_error(
        grpc.StatusCode.NOT_FOUND, "NoSuchEntity", "The user with name bob cannot be found."
    )
    code, out, err = iamctl("iam", "get-user", "--user-name", "bob")
    assert code == cli.EXIT_SERVICE_ERROR == 254
    assert out == ""
    assert err.strip() == (
        "An error occurred (NoSuchEntity) when calling the GetUser operation: "
        "The user with name bob cannot be found."
    )


def test_field_violations_are_printed(iamctl, channel):
    bad = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(
                field="Statement[0].Effect", description="must be `Allow` or `Deny`"
            )
        ]
    )
    channel.responses["PutInlinePolicy"] = iam_error(
        grpc.StatusCode.INVALID_ARGUMENT, "MalformedPolicyDocument", "the policy is invalid", bad
    )
    code, _, err = iamctl("iam", "put-role-policy", "--role-name", "r", "--policy-name", "p",
                          "--policy-document", "{}")  # fmt: skip
    assert code == 254
    assert "An error occurred (MalformedPolicyDocument) when calling the PutRolePolicy operation" in err
    assert "  Statement[0].Effect: must be `Allow` or `Deny`" in err


def test_connection_failure_is_clear(iamctl, channel):
    channel.responses["ListRoles"] = FakeRpcError(
        grpc.StatusCode.UNAVAILABLE, "failed to connect to all addresses"
    )
    code, _, err = iamctl("--endpoint", "10.9.9.9:1234", "iam", "list-roles")
    assert code == cli.EXIT_CONNECTION == 255
    assert 'Could not connect to the endpoint URL: "10.9.9.9:1234"' in err
    assert iamctl.endpoints == ["10.9.9.9:1234"]


def test_unavailable_with_an_iam_code_is_a_service_error(iamctl, channel):
    channel.responses["Authorize"] = iam_error(
        grpc.StatusCode.UNAVAILABLE, "ServiceUnavailable", "projection did not reach position 9"
    )
    code, _, err = iamctl("authz", "check", "--principal", "p", "--action", "a", "--resource",
                          "r", "--min-position", "9")  # fmt: skip
    assert code == 254
    assert "(ServiceUnavailable) when calling the Authorize operation" in err


def test_deadline_is_a_timeout(iamctl, channel):
    channel.responses["GetUser"] = FakeRpcError(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline")
    code, _, err = iamctl("iam", "get-user", "--cli-read-timeout", "0.5")
    assert code == 255
    assert "Read timeout" in err
    assert channel.last.timeout == 0.5


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["iam"],
        ["iam", "no-such-command"],
        ["iam", "create-user"],
        ["iam", "list-policies", "--scope", "Everything"],
        ["iam", "create-role", "--role-name", "r", "--assume-role-policy-document", "{}",
         "--max-session-duration", "soon"],
        ["--output", "xml", "iam", "list-users"],
    ],
)  # fmt: skip
def test_usage_errors_exit_252(iamctl, channel, argv):
    code, _, err = iamctl(*argv)
    assert code == cli.EXIT_USAGE == 252
    assert "iamctl: error:" in err
    assert channel.calls == []


def test_help_exits_0(iamctl):
    code, out, _ = iamctl("iam", "create-user", "--help")
    assert code == 0
    assert "--user-name" in out and "--permissions-boundary" in out


def test_endpoint_defaults_to_the_environment(iamctl, channel, monkeypatch):
    monkeypatch.setenv("IAMD_ENDPOINT", "iamd.internal:7000")
    assert iamctl("iam", "list-groups")[0] == 0
    assert iamctl.endpoints == ["iamd.internal:7000"]
    monkeypatch.delenv("IAMD_ENDPOINT")
    assert iamctl("iam", "list-groups")[0] == 0
    assert iamctl.endpoints[-1] == "127.0.0.1:50051"


# --- completeness -----------------------------------------------------------------------------


def _descriptor_methods(service_name):
    service = next(s for s in SERVICES if s.name == service_name)
    return [m.name for m in service.methods]


def test_every_identity_rpc_has_an_iamctl_command():
    commanded = {command.rpc for _, command in cli.all_commands()}
    missing = set(_descriptor_methods("IdentityService") + _descriptor_methods("SecurityTokenService")) - commanded
    assert not missing


def test_the_iam_group_has_the_aws_cli_commands():
    names = {c.name for c in cli.GROUPS["iam"].commands}
    for entity in ("user", "group", "role"):
        for template in ("attach-{}-policy", "detach-{}-policy", "list-attached-{}-policies",
                         "put-{}-policy", "get-{}-policy", "delete-{}-policy",
                         "list-{}-policies"):  # fmt: skip
            assert template.format(entity) in names
    for entity in ("user", "role"):
        assert {f"put-{entity}-permissions-boundary", f"delete-{entity}-permissions-boundary"} <= names
    for entity in ("user", "role", "policy"):
        assert {f"tag-{entity}", f"untag-{entity}", f"list-{entity}-tags"} <= names
    assert {"simulate-custom-policy", "simulate-principal-policy", "get-context-keys-for-custom-policy",
            "get-context-keys-for-principal-policy"} <= names
    assert {"create-access-key", "list-access-keys", "update-access-key", "delete-access-key",
            "get-access-key-last-used"} <= names
    assert "revoke-role-sessions" in names
    assert {"list-virtual-mfa-devices", "get-account-summary", "generate-credential-report",
            "get-credential-report", "update-account-password-policy", "get-account-password-policy",
            "delete-account-password-policy", "create-account-alias", "delete-account-alias",
            "list-account-aliases", "create-open-id-connect-provider", "list-open-id-connect-provider-tags"} <= names
    assert {"tag-mfa-device", "untag-mfa-device", "list-mfa-device-tags"} <= names
    assert {"create-instance-profile", "add-role-to-instance-profile", "list-instance-profile-tags",
            "create-login-profile", "update-login-profile"} <= names
    assert {"change-password", "create-service-linked-role", "delete-service-linked-role",
            "get-service-linked-role-deletion-status"} <= names
    assert {"create-saml-provider", "get-saml-provider", "list-saml-providers", "update-saml-provider",
            "delete-saml-provider", "tag-saml-provider", "untag-saml-provider", "list-saml-provider-tags"} <= names
    assert {"upload-ssh-public-key", "get-ssh-public-key", "list-ssh-public-keys", "update-ssh-public-key",
            "delete-ssh-public-key"} <= names
    assert {"upload-signing-certificate", "list-signing-certificates", "update-signing-certificate",
            "delete-signing-certificate"} <= names
    assert {"upload-server-certificate", "get-server-certificate", "list-server-certificates",
            "update-server-certificate", "delete-server-certificate", "tag-server-certificate",
            "untag-server-certificate", "list-server-certificate-tags"} <= names
    assert {"create-service-specific-credential", "list-service-specific-credentials",
            "reset-service-specific-credential", "update-service-specific-credential",
            "delete-service-specific-credential"} <= names
    assert {"generate-service-last-accessed-details", "get-service-last-accessed-details",
            "get-service-last-accessed-details-with-entities", "get-mfa-device", "resync-mfa-device"} <= names
    assert {"enable-organizations-root-credentials-management", "disable-organizations-root-credentials-management",
            "enable-organizations-root-sessions", "disable-organizations-root-sessions",
            "list-organizations-features", "list-policies-granting-service-access",
            "set-security-token-service-preferences", "enable-outbound-web-identity-federation",
            "disable-outbound-web-identity-federation", "get-outbound-web-identity-federation-info",
            "generate-organizations-access-report", "get-organizations-access-report"} <= names
    assert len(names) == 174


def test_every_command_argument_names_a_request_field():
    for group, command in cli.all_commands():
        fields = method_for(command.rpc).request_type.DESCRIPTOR.fields_by_name
        for arg in command.args:
            if arg.field == cli.CLIENT_ONLY:
                continue  # an option iamctl uses itself (export's output directory)
            assert arg.request_field in fields, f"{group.name} {command.name} {arg.flag}"


def _required_argv(command):
    argv = []
    for arg in command.args:
        if not arg.required:
            continue
        value = {cli.TAGS: "Key=k,Value=v", cli.INT: "1", cli.DOCUMENT: DOC, cli.STRUCTURE: "Id=x"}.get(arg.kind, "x")
        if arg.flag == "--task-policy-arn":  # a structure whose member is `arn` (PolicyDescriptorType)
            value = "arn=x"
        if arg.flag.endswith("-time"):
            value = "2026-11-23T00:00:00Z"
        if arg.kind in (cli.CHOICE, cli.CHOICES):
            value = next(iter(arg.choices))
        argv += [arg.flag, value]
    return argv


@pytest.mark.parametrize(
    ("group", "command"),
    list(cli.all_commands()),
    ids=[f"{g.name}-{c.name}" for g, c in cli.all_commands()],
)
def test_every_command_runs_with_its_required_options(iamctl, channel, group, command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # `audit export --output-dir x` writes its files here, not in the repository
    code, out, err = iamctl(group.name, command.name, *_required_argv(command))
    # A check (audit validate) exits non-zero when the (here empty) answer is not a pass.
    assert (code, err) == (command.exit_status(json.loads(out)) if command.exit_status else 0, "")
    assert channel.last.rpc == command.rpc
    json.loads(out)


def test_every_rpc_is_reachable_from_the_sync_sdk():
    names = [m.name for s in SERVICES for m in s.methods if not m.server_streaming]
    assert sorted(m.name for m in METHODS.values()) == sorted(names)
    channel = FakeChannel()
    with IamdClient(channel=channel) as client:
        for name in names:
            response = getattr(client, snake_case(name))()
            assert channel.last.rpc == name
            assert type(response) is method_for(name).response_type
    assert not channel.closed  # a channel passed in belongs to the caller


async def test_every_rpc_is_reachable_from_the_async_sdk():
    names = [m.name for s in SERVICES for m in s.methods if not m.server_streaming]
    channel = FakeAioChannel()
    async with AsyncIamdClient(channel=channel) as client:
        for name in names:
            response = await getattr(client, snake_case(name))()
            assert channel.last.rpc == name
            assert type(response) is method_for(name).response_type


# --- SDK --------------------------------------------------------------------------------------


def test_sdk_keyword_arguments_and_metadata_provider():
    seen = []

    def provider(method, body):
        seen.append((method, body))
        return [("x-iamd-signature", "sig")]

    channel = FakeChannel()
    client = IamdClient(
        channel=channel, metadata_provider=provider, metadata=[("x-trace", "t")], timeout=3
    )
    client.attach_policy(target=("user", "alice"), policy_arn=POLICY_ARN)
    call = channel.last
    assert call.request == identity_pb2.AttachPolicyRequest(
        target=common_pb2.EntityRef(kind=common_pb2.ENTITY_KIND_USER, name="alice"),
        policy_arn=POLICY_ARN,
    )
    assert seen == [("/iamd.v1.IdentityService/AttachPolicy", call.body)]
    assert call.metadata == [("x-trace", "t"), ("x-iamd-signature", "sig")]
    assert call.timeout == 3


async def test_async_metadata_provider_may_be_a_coroutine():
    async def provider(method, body):
        return [("x-iamd-signature", method)]

    channel = FakeAioChannel()
    client = AsyncIamdClient(channel=channel, metadata_provider=provider)
    await client.authorize(principal_arn="p", action="a", resource="r", context={"k": ["1", "2"]})
    assert channel.last.metadata == [("x-iamd-signature", "/iamd.v1.AuthorizationService/Authorize")]
    assert channel.last.request.context["k"].multivalued


def test_sdk_accepts_a_request_message_or_fields_but_not_both():
    channel = FakeChannel()
    client = IamdClient(channel=channel)
    client.get_user(identity_pb2.GetUserRequest(user_name="alice"))
    assert channel.last.request.user_name == "alice"
    with pytest.raises(TypeError):
        client.get_user(identity_pb2.GetUserRequest(user_name="alice"), user_name="bob")
    with pytest.raises(TypeError):
        client.get_user(identity_pb2.GetRoleRequest(role_name="r"))
    with pytest.raises(TypeError, match="no field `usr_name`"):
        client.get_user(usr_name="alice")


def test_build_request_shorthands():
    assert build_request("ListUsers", max_items=5, marker="m") == identity_pb2.ListUsersRequest(
        page=identity_pb2.Page(max_items=5, marker="m")
    )
    assert build_request("TagEntity", target=("role", "r"), tags={"a": "1"}).tags[0].value == "1"
    assert build_request("ListPolicies", scope="AWS").scope == identity_pb2.POLICY_SCOPE_AWS
    assert build_request("ListPolicies", scope=None) == identity_pb2.ListPoliciesRequest()
    with pytest.raises(ValueError, match="not a PolicyScope"):
        build_request("ListPolicies", scope="nope")


def test_iter_pages_follows_markers():
    channel = FakeChannel({"ListUsers": _pages((["a"], "m1"), (["b"], ""))})
    pages = list(IamdClient(channel=channel).iter_pages("list_users", path_prefix="/"))
    assert [[u.user_name for u in p.users] for p in pages] == [["a"], ["b"]]
    assert [c.request.page.marker for c in channel.calls] == ["", "m1"]


def test_close_closes_only_an_owned_channel(monkeypatch):
    channel = FakeChannel()
    monkeypatch.setattr(grpc, "insecure_channel", lambda endpoint, options=(): channel)
    with IamdClient("h:1") as client:
        assert client.endpoint == "h:1"
    assert channel.closed


def test_paginated_responses_carry_is_truncated_and_marker_or_a_next_token():
    for method in METHODS.values():
        if method.is_paginated:
            fields = set(method.response_type.DESCRIPTOR.fields_by_name)
            if method.pages_by_token:  # AWS's JSON APIs: NextToken/MaxResults
                assert "max_results" in method.request_type.DESCRIPTOR.fields_by_name, method.name
                assert "next_token" in fields, method.name
            else:
                assert {"is_truncated", "marker"} <= fields, method.name


def test_simulate_custom_policy_builds_the_request(tmp_path):
    policy = tmp_path / "p.json"
    policy.write_text('{"Version": "2012-10-17", "Statement": []}')
    ns = cli.build_parser().parse_args([
        "iam", "simulate-custom-policy", "--policy-input-list", f"file://{policy}", '{"Version": "2012-10-17"}',
        "--action-names", "s3:GetObject", "s3:PutObject", "--resource-arns", "arn:aws:s3:::b/k",
        "--context-entries", '{"aws:SourceIp": "10.0.0.1"}'])
    fields = cli.request_fields(ns.command_spec, ns)
    assert fields["policy_input_list"] == [policy.read_text(), '{"Version": "2012-10-17"}']
    assert fields["action_names"] == ["s3:GetObject", "s3:PutObject"]
    request = cli.build_request("SimulateCustomPolicy", **fields)
    assert request.context_entries["aws:SourceIp"].values == ["10.0.0.1"]


def test_offline_simulate_prints_one_line_per_scenario(tmp_path, capsys):
    scenarios = tmp_path / "s.jsonl"
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    request = {"principal": "arn:aws:iam::111111111111:user/a", "action": "s3:GetObject",
               "resource": "arn:aws:s3:::b/k", "resourceAccount": "111111111111",
               "context": {"aws:PrincipalArn": "arn:aws:iam::111111111111:user/a"}}
    scenarios.write_text("\n".join(json.dumps(s) for s in (
        {"id": "yes", "request": request, "identityPolicies": [allow]},
        {"id": "no", "request": {**request, "action": "s3:PutObject"}, "identityPolicies": [allow]},
        {"id": "bad", "request": request, "identityPolicies": [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]}]},
    )) + "\n")
    code = cli.main(["simulate", "--scenarios", str(scenarios)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["id"], r.get("decision"), r.get("error")) for r in lines] == [
        ("yes", "Allow", None), ("no", "ImplicitDeny", None), ("bad", None, "MalformedPolicyDocument")]
    assert lines[0]["determiningStatements"][0]["effect"] == "Allow"
    assert code == 1, "a scenario that could not be evaluated makes the exit code non-zero"


def test_endpoint_url_takes_the_aws_cli_form() -> None:
    assert cli.endpoint_of_url("http://127.0.0.1:50051") == ("127.0.0.1:50051", False)
    assert cli.endpoint_of_url("https://iamd.example.com/") == ("iamd.example.com:443", True)
    assert cli.endpoint_of_url("https://[::1]:50051") == ("[::1]:50051", True)
    for bad in ("127.0.0.1:50051", "ftp://x:1", "https://x:1/path", "http://"):
        with pytest.raises(ValueError, match="must be http://HOST:PORT or https://HOST:PORT"):
            cli.endpoint_of_url(bad)


def test_endpoint_and_endpoint_url_together_are_a_usage_error(capsys) -> None:
    code = cli.main(["--endpoint", "a:1", "--endpoint-url", "http://b:2", "iam", "list-users"])
    assert code == cli.EXIT_USAGE and "not both" in capsys.readouterr().err


def test_no_credentials_anywhere_exits_253_before_any_call(tmp_path, monkeypatch, capsys) -> None:
    for name in ("IAMD_ACCESS_KEY_ID", "IAMD_SECRET_ACCESS_KEY", "IAMD_SESSION_TOKEN", "IAMD_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    code = cli.main(["--endpoint-url", "http://127.0.0.1:9", "iam", "list-users"])
    assert code == cli.EXIT_CONFIG == 253 and "Unable to locate credentials" in capsys.readouterr().err


def test_query_applies_a_jmespath_expression_as_the_aws_cli_does(iamctl, channel):
    channel.responses["ListUsers"] = identity_pb2.ListUsersResponse(users=[user("alice"), user("bob")])
    code, out, _ = iamctl("iam", "list-users", "--query", "Users[].UserName")
    assert code == 0 and json.loads(out) == ["alice", "bob"]
    code, out, _ = iamctl("--query", "Users[?UserName=='bob'].Arn | [0]", "--output", "text", "iam", "list-users")
    assert code == 0 and out.strip().endswith(":user/bob")
    code, _, err = iamctl("iam", "list-users", "--query", "Users[")
    assert code == cli.EXIT_USAGE and "Bad value for --query" in err


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("iamctl/")


def test_yaml_output(iamctl, channel):
    import yaml

    channel.responses["ListUsers"] = identity_pb2.ListUsersResponse(users=[user("alice")])
    code, out, _ = iamctl("--output", "yaml", "iam", "list-users")
    assert code == 0 and yaml.safe_load(out)["Users"][0]["UserName"] == "alice"


def test_region_goes_into_the_signature_scope(monkeypatch):
    monkeypatch.setenv("IAMD_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE01")
    monkeypatch.setenv("IAMD_SECRET_ACCESS_KEY", "s" * 40)
    client = cli._default_client("127.0.0.1:1", region="eu-west-1")
    metadata = dict(client.metadata_provider("/iamd.v1.IdentityService/ListUsers", b""))
    assert "/eu-west-1/iamd/aws4_request" in metadata["authorization"]


def test_debug_logs_each_call_to_stderr(iamctl, channel):
    channel.responses["GetUser"] = identity_pb2.GetUserResponse(user=user())
    code, _, err = iamctl("--debug", "iam", "get-user", "--user-name", "alice")
    assert code == 0 and "/iamd.v1.IdentityService/GetUser -> OK" in err


def test_cli_input_json_supplies_parameters_as_the_aws_cli_takes_them(iamctl, channel, tmp_path):
    channel.responses["CreateUser"] = identity_pb2.CreateUserResponse(user=user(), position=7)
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"UserName": "alice", "Path": "/eng/", "Tags": [{"Key": "team", "Value": "core"}]}))
    code, _, err = iamctl("iam", "create-user", "--cli-input-json", f"file://{params}")
    assert (code, err) == (0, "")
    assert channel.last.request == identity_pb2.CreateUserRequest(
        user_name="alice", path="/eng/", tags=[common_pb2.Tag(key="team", value="core")])
    # The command line wins over the JSON.
    code, _, _ = iamctl("iam", "create-user", "--user-name", "bob", "--cli-input-json", '{"UserName": "alice"}')
    assert code == 0 and channel.last.request.user_name == "bob"
    # AWS's spelling of acronyms is matched too.
    channel.responses["GetOpenIDConnectProvider"] = identity_pb2.GetOpenIDConnectProviderResponse()
    arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/example.com"
    code, _, err = iamctl("iam", "get-open-id-connect-provider", "--cli-input-json",
                          json.dumps({"OpenIDConnectProviderArn": arn}))
    assert (code, err) == (0, "") and channel.last.request.open_id_connect_provider_arn == arn


def test_cli_input_json_refuses_unknown_members_and_still_needs_required_ones(iamctl, channel):
    code, _, err = iamctl("iam", "create-user", "--cli-input-json", '{"UserName": "a", "Colour": "red"}')
    assert code == cli.EXIT_USAGE and 'Unknown parameter in input: "Colour"' in err and "UserName" in err
    code, _, err = iamctl("iam", "create-user", "--cli-input-json", '{"Path": "/x/"}')
    assert code == cli.EXIT_USAGE and "--user-name" in err and "required" in err
    code, _, err = iamctl("iam", "create-user", "--cli-input-json", "[1]")
    assert code == cli.EXIT_USAGE and "Invalid JSON" in err
    assert channel.calls == []


def test_every_option_of_every_command_has_help():
    import argparse

    missing = []

    def walk(parser: argparse.ArgumentParser, path: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, [*path, name])
            elif action.option_strings and action.dest != "help" and not action.help:
                missing.append(f"{' '.join(path)} {action.option_strings[0]}")

    walk(cli.build_parser(), [])
    assert missing == []
