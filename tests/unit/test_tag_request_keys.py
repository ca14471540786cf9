"""The request condition keys of tags (aws:RequestTag/*, aws:TagKeys), for any request message that
passes tags or tag keys: IAM's and Organizations' alike."""

from __future__ import annotations

from iamd.service.rpc.permissions import _tag_request_keys
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import organizations_pb2 as opb


def test_tags_and_tag_keys_become_request_keys() -> None:
    created = ipb.CreateUserRequest(user_name="u", tags=[pb.Tag(key="team", value="red"), pb.Tag(key="cc", value="1")])
    assert _tag_request_keys(created) == {"aws:RequestTag/team": "red", "aws:RequestTag/cc": "1",
                                          "aws:TagKeys": ["team", "cc"]}
    tagged = opb.TagOrganizationResourceRequest(resource_id="ou-ab12-cdef3456", tags=[pb.Tag(key="env", value="p")])
    assert _tag_request_keys(tagged) == {"aws:RequestTag/env": "p", "aws:TagKeys": ["env"]}
    untagged = opb.UntagOrganizationResourceRequest(resource_id="ou-ab12-cdef3456", tag_keys=["env"])
    assert _tag_request_keys(untagged) == {"aws:TagKeys": ["env"]}


def test_requests_without_tags_define_no_tag_keys() -> None:
    assert _tag_request_keys(ipb.CreateUserRequest(user_name="u")) == {}
    assert _tag_request_keys(apb.AuthorizeRequest(principal_arn="arn:aws:iam::123456789012:root")) == {}
