"""Organizations tagging through boto3 against a real iamd: TagResource, UntagResource,
ListTagsForResource (NextToken paging) on accounts, OUs, the root and policies; Tags at
CreateAccount, CreateOrganizationalUnit and CreatePolicy; AWS's limits, errors and Reasons; the
actions authorized on the resource's ARN."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from .conftest import ACCOUNT, Credentials, Iamd
from .helpers import iamctl_json
from .test_aws_query import _client, _refused

pytestmark = pytest.mark.e2e

DENY_S3 = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})


def _tags(**kv: str) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in kv.items()]


async def test_organizations_tags_with_boto3(iamd_http: Iamd) -> None:
    org = _client(iamd_http, "organizations")

    def call(method: Any, **kwargs: Any) -> Any:
        return asyncio.to_thread(method, **kwargs)

    async def listed(resource_id: str) -> dict[str, str]:
        pages = await asyncio.to_thread(
            lambda: list(org.get_paginator("list_tags_for_resource").paginate(ResourceId=resource_id)))
        return {t["Key"]: t["Value"] for page in pages for t in page["Tags"]}

    await _refused(org.list_tags_for_resource, "AWSOrganizationsNotInUseException", 400, ResourceId="r-abcd")
    await call(org.create_organization, FeatureSet="ALL")
    [root] = (await call(org.list_roots))["Roots"]

    # Tags at creation: the OU, the policy and the account carry them.
    ou = (await call(org.create_organizational_unit, ParentId=root["Id"], Name="eng",
                     Tags=_tags(team="eng")))["OrganizationalUnit"]
    policy = (await call(org.create_policy, Name="deny-s3", Type="SERVICE_CONTROL_POLICY", Content=DENY_S3,
                         Description="", Tags=_tags(env="prod")))["Policy"]["PolicySummary"]
    status = (await call(org.create_account, Email="dev@example.com", AccountName="dev",
                         Tags=_tags(cost="42")))["CreateAccountStatus"]
    dev = (await call(org.describe_create_account_status,
                      CreateAccountRequestId=status["Id"]))["CreateAccountStatus"]["AccountId"]
    assert await listed(ou["Id"]) == {"team": "eng"}
    assert await listed(policy["Id"]) == {"env": "prod"}
    assert await listed(dev) == {"cost": "42"}
    assert await listed(root["Id"]) == {}

    # TagResource adds and overwrites, UntagResource removes; keys are case-sensitive.
    await call(org.tag_resource, ResourceId=root["Id"], Tags=_tags(a="1", A="2"))
    await call(org.tag_resource, ResourceId=root["Id"], Tags=_tags(a="3"))
    assert await listed(root["Id"]) == {"a": "3", "A": "2"}
    await call(org.untag_resource, ResourceId=root["Id"], TagKeys=["a", "not-there"])
    assert await listed(root["Id"]) == {"A": "2"}
    await call(org.tag_resource, ResourceId=ACCOUNT, Tags=_tags(role="management"))
    assert await listed(ACCOUNT) == {"role": "management"}

    # 50 tags on a resource, listed through NextToken pages; a 51st is AWS's constraint violation.
    await call(org.tag_resource, ResourceId=ou["Id"], Tags=_tags(**{f"k{i:02}": str(i) for i in range(49)}))
    first = await call(org.list_tags_for_resource, ResourceId=ou["Id"])
    assert len(first["Tags"]) == 20 and first["NextToken"]
    assert len(await listed(ou["Id"])) == 50
    error = (await _refused(org.tag_resource, "ConstraintViolationException", 400, ResourceId=ou["Id"],
                            Tags=_tags(one_more="x"))).response
    assert error["Reason"] == "MAX_TAG_LIMIT_EXCEEDED"
    await call(org.tag_resource, ResourceId=ou["Id"], Tags=_tags(team="platform"))  # an existing key: still 50
    error = (await _refused(org.list_tags_for_resource, "InvalidInputException", 400, ResourceId=root["Id"],
                            NextToken=first["NextToken"])).response
    assert error["Reason"] == "INVALID_NEXT_TOKEN"  # a token is its listing's own

    # Invalid tags: the whole request is refused, with AWS's Reason; nothing is created.
    for tags, reason in ((_tags(**{"aws:x": "1"}), "INVALID_SYSTEM_TAGS_PARAMETER"),
                         ([{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}], "DUPLICATE_TAG_KEY"),
                         (_tags(**{"k" * 129: "v"}), "MAX_LENGTH_EXCEEDED"),
                         (_tags(k="v" * 257), "MAX_LENGTH_EXCEEDED"),
                         (_tags(**{"bad#key": "v"}), "INVALID_PATTERN")):
        error = (await _refused(org.tag_resource, "InvalidInputException", 400, ResourceId=root["Id"],
                                Tags=[{"Key": "fine", "Value": ""}, *tags])).response
        assert error["Reason"] == reason, (tags, error)
    assert await listed(root["Id"]) == {"A": "2"}
    await _refused(org.create_organizational_unit, "InvalidInputException", 400, ParentId=root["Id"], Name="ops",
                   Tags=_tags(**{"aws:x": "1"}))
    assert [u["Name"] for u in (await call(org.list_organizational_units_for_parent,
                                           ParentId=root["Id"]))["OrganizationalUnits"]] == ["eng"]
    before = (await call(org.list_create_account_status))["CreateAccountStatuses"]
    await _refused(org.create_account, "ConstraintViolationException", 400, Email="x@example.com", AccountName="x",
                   Tags=_tags(**{f"k{i}": "" for i in range(51)}))
    assert (await call(org.list_create_account_status))["CreateAccountStatuses"] == before
    error = (await _refused(org.untag_resource, "InvalidInputException", 400, ResourceId=root["Id"],
                            TagKeys=["aws:createdBy"])).response
    assert error["Reason"] == "INVALID_SYSTEM_TAGS_PARAMETER"

    # Unknown and malformed resources; AWS managed policies cannot be changed.
    for method, kwargs in ((org.tag_resource, {"Tags": _tags(k="v")}), (org.untag_resource, {"TagKeys": ["k"]}),
                           (org.list_tags_for_resource, {})):
        await _refused(method, "TargetNotFoundException", 400, ResourceId="ou-zzzz-zzzzzzzz", **kwargs)
        await _refused(method, "TargetNotFoundException", 400, ResourceId="333333333333", **kwargs)
        error = (await _refused(method, "InvalidInputException", 400, ResourceId="bogus", **kwargs)).response
        assert error["Reason"] == "INVALID_PATTERN"
    error = (await _refused(org.tag_resource, "InvalidInputException", 400, ResourceId="p-FullAWSAccess",
                            Tags=_tags(k="v"))).response
    assert error["Reason"] == "IMMUTABLE_POLICY"

    # Deleted resources take their tags with them.
    await call(org.delete_policy, PolicyId=policy["Id"])
    await _refused(org.list_tags_for_resource, "TargetNotFoundException", 400, ResourceId=policy["Id"])

    # Authorized as organizations:TagResource on the resource's ARN.
    iam = _client(iamd_http, "iam")
    await call(iam.create_user, UserName="tagger")
    await call(iam.put_user_policy, UserName="tagger", PolicyName="tag-eng", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "organizations:TagResource",
                                                "Resource": ou["Arn"]}]}))
    key = (await call(iam.create_access_key, UserName="tagger"))["AccessKey"]
    as_tagger = _client(iamd_http, "organizations", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    await call(as_tagger.tag_resource, ResourceId=ou["Id"], Tags=_tags(team="tagger"))  # the OU has 50
    error = await _refused(as_tagger.tag_resource, "AccessDeniedException", 400, ResourceId=root["Id"],
                           Tags=_tags(by="tagger"))
    assert "organizations:TagResource" in str(error) and root["Arn"] in str(error)
    await _refused(as_tagger.untag_resource, "AccessDeniedException", 400, ResourceId=ou["Id"], TagKeys=["team"])
    assert (await listed(ou["Id"]))["team"] == "tagger"


async def test_organizations_tags_with_iamctl_and_grpc(iamd: Iamd, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """iamctl's `organizations tag-resource`, `untag-resource`, `list-tags-for-resource` and
    `create-organizational-unit --tags`; a key the gRPC API is given empty (boto3 refuses it
    before sending) is AWS's MIN_LENGTH_EXCEEDED."""
    import grpc

    from iamd.v1 import common_pb2
    from iamd.v1 import organizations_pb2 as opb
    from iamd.v1 import organizations_pb2_grpc

    from .helpers import refused

    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    root_id = (await org.CreateOrganization(opb.CreateOrganizationRequest())).root_id
    await refused(org.TagOrganizationResource(opb.TagOrganizationResourceRequest(
        resource_id=root_id, tags=[common_pb2.Tag(key="", value="v")])),
        grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")

    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(iamd.data_dir / "root-credentials"))

    iamctl = iamctl_json(iamd, capsys, "organizations")

    ou = (await asyncio.to_thread(iamctl, "create-organizational-unit", "--parent-id", root_id, "--name", "eng",
                                  "--tags", "Key=team,Value=eng"))["OrganizationalUnit"]
    await asyncio.to_thread(iamctl, "tag-resource", "--resource-id", ou["Id"], "--tags", "Key=env,Value=prod")
    listed = await asyncio.to_thread(iamctl, "list-tags-for-resource", "--resource-id", ou["Id"])
    assert listed["Tags"] == [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "eng"}]
    await asyncio.to_thread(iamctl, "untag-resource", "--resource-id", ou["Id"], "--tag-keys", "team")
    listed = await org.ListOrganizationResourceTags(opb.ListOrganizationResourceTagsRequest(resource_id=ou["Id"]))
    assert [(t.key, t.value) for t in listed.tags] == [("env", "prod")]
