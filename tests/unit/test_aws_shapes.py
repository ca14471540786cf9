"""The checker of printed answers against AWS's output shapes (tests/aws_shapes.py): what it finds."""

from __future__ import annotations

from typing import Any

import pytest

from tests.aws_shapes import operation_model, operation_names, output_mismatches

USER = {"Path": "/", "UserName": "a", "UserId": "AIDA1", "Arn": "arn:aws:iam::1:user/a",
        "CreateDate": "2026-01-01T00:00:00Z"}


def test_cli_names_are_botocores() -> None:
    names = operation_names("iam")
    assert names["list-users"] == "ListUsers"
    assert names["create-open-id-connect-provider"] == "CreateOpenIDConnectProvider"
    assert names["list-saml-providers"] == "ListSAMLProviders"


@pytest.mark.parametrize("operation,printed", [
    ("GetUser", {"User": USER}),
    ("GetUser", {"User": {**USER, "CreateDate": "2026-01-01T00:00:00+00:00",
                          "PermissionsBoundary": {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                                  "PermissionsBoundaryArn": "arn:p"}}}),
    ("ListUsers", {"Users": [USER]}),  # the pages gathered: no IsTruncated
    ("ListUsers", {"Users": [], "NextToken": "t"}),  # --max-items stopped early
    ("DeleteUser", {}),
    ("GetUserPolicy", {"UserName": "a", "PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17"}}),
    ("GetAccountSummary", {"SummaryMap": {"Users": 1}}),
    ("GetCredentialReport", {"Content": "dXNlcgo=", "ReportFormat": "text/csv"}),
])
def test_what_fits(operation: str, printed: dict[str, Any]) -> None:
    assert output_mismatches(operation_model("iam", operation), printed) == []


@pytest.mark.parametrize("operation,printed,problem", [
    ("GetUser", {"User": USER, "Position": 3}, "Position: not a member of GetUserResponse"),
    ("GetUser", {"User": {**USER, "Nickname": "x"}}, "User.Nickname: not a member of User"),
    ("GetUser", {"User": {k: v for k, v in USER.items() if k != "Arn"}}, "User.Arn: required by User, missing"),
    ("GetUser", {"User": {**USER, "UserName": 5}}, "User.UserName: 5: not a string (userNameType)"),
    ("GetUser", {"User": {**USER, "CreateDate": "2026-01-01T00:00:00"}}, "User.CreateDate: '2026-01-01T00:00:00': "
                                                                         "ISO 8601 without a time zone"),
    ("GetUser", {"User": {**USER, "CreateDate": 1767225600}}, "User.CreateDate: 1767225600: not a timestamp's "
                                                              "ISO 8601 text"),
    ("GetUser", {"User": {**USER, "PermissionsBoundary": {"PermissionsBoundaryType": "Policy"}}},
     "User.PermissionsBoundary.PermissionsBoundaryType: 'Policy': not one of PermissionsBoundaryAttachmentType's "
     "values ['PermissionsBoundaryPolicy']"),
    ("ListUsers", {"Users": [], "IsTruncated": False}, "IsTruncated: a paging member, which the aws CLI drops "
                                                      "after gathering the pages"),
    ("DeleteUser", {"Position": 1}, "DeleteUser has no output, but ['Position'] printed"),
    ("GetUserPolicy", {"UserName": "a", "PolicyName": "p", "PolicyDocument": "{}"},
     "PolicyDocument: '{}': a policy document the aws CLI prints as a JSON object"),
    ("GetAccountSummary", {"SummaryMap": {"Users": True}}, "SummaryMap['Users']: True: not an integer"),
    ("GetCredentialReport", {"Content": b"user"}, "Content: b'user': not a blob's base64 text"),
])
def test_what_does_not(operation: str, printed: dict[str, Any], problem: str) -> None:
    assert problem in output_mismatches(operation_model("iam", operation), printed)


def test_a_tolerated_top_level_key_is_left_out() -> None:
    assert output_mismatches(operation_model("iam", "DeleteUser"), {"Position": 1},
                             allowed_top=frozenset({"Position"})) == []
