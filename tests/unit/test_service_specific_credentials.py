"""Service-specific credentials: the deciders' AWS rules (no event for a refusal), the state they
fold into, DeleteUser's conflict, and the condition keys the guard adds for these calls and for
CreateServiceLinkedRole."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from iamd.service.domain import identity, service_specific_credentials as ssc
from iamd.service.domain.errors import (
    DeleteConflictError,
    InvalidInputError,
    LimitExceededError,
    NoSuchEntityError,
    ValidationError,
)
from iamd.service.domain.events import (
    ServiceSpecificCredentialCreated,
    ServiceSpecificCredentialDeleted,
    ServiceSpecificCredentialPasswordReset,
    ServiceSpecificCredentialStatusSet,
    UserCreated,
    decode_event,
)
from iamd.service.rpc import permissions
from iamd.v1 import identity_pb2 as ipb

NOW = "2026-12-05T00:00:00Z"
CODECOMMIT, KEYSPACES = "codecommit.amazonaws.com", "cassandra.amazonaws.com"
ID1, ID2, ID3 = "ACCAAAAAAAAAAAAAAAAA1", "ACCAAAAAAAAAAAAAAAAA2", "ACCAAAAAAAAAAAAAAAAA3"


def _user(*events: object) -> identity.EntityState:
    return identity.fold("user", [UserCreated("jane", "AIDAX", "arn:aws:iam::123456789012:user/jane", "/", NOW),
                                  *events])  # type: ignore[list-item]


def _created(cred_id: str, service: str = CODECOMMIT) -> ServiceSpecificCredentialCreated:
    return ServiceSpecificCredentialCreated(cred_id, service, "jane-at-123456789012", "$scrypt$hash", NOW)


def test_create_records_the_hash_and_the_generated_user_name() -> None:
    [event] = ssc.create(_user(), credential_id=ID1, service_name=KEYSPACES,
                         service_user_name=ssc.service_user_name("jane", "123456789012"), password_hash="$scrypt$h",
                         now=NOW)
    assert event == ServiceSpecificCredentialCreated(ID1, KEYSPACES, "jane-at-123456789012", "$scrypt$h", NOW)
    state = identity.apply(_user(), event)
    assert state.service_specific_credentials[ID1]["status"] == "Active"
    assert decode_event("ServiceSpecificCredentialCreated", event.to_data()) == event


def test_two_per_user_for_each_service() -> None:
    state = _user(_created(ID1), _created(ID2))
    with pytest.raises(LimitExceededError) as caught:
        ssc.create(state, credential_id=ID3, service_name=CODECOMMIT, service_user_name="u", password_hash="h", now=NOW)
    assert caught.value.message == "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2"
    assert ssc.create(state, credential_id=ID3, service_name=KEYSPACES, service_user_name="u", password_hash="h",
                      now=NOW)  # another service counts apart
    assert ssc.create(_user(_created(ID1), _created(ID2), ServiceSpecificCredentialDeleted(ID2)), credential_id=ID3,
                      service_name=CODECOMMIT, service_user_name="u", password_hash="h", now=NOW)


def test_services_aws_answers_and_the_api_keys_iamd_does_not_issue() -> None:
    with pytest.raises(NoSuchEntityError) as caught:
        ssc.check_service("serviceName", "lambda.amazonaws.com")
    assert caught.value.message == "No such service lambda.amazonaws.com is supported for Service Specific Credentials"
    with pytest.raises(InvalidInputError, match="long-term API keys"):
        ssc.check_service("serviceName", "bedrock.amazonaws.com")
    assert ssc.check_service("serviceName", CODECOMMIT) == CODECOMMIT


def test_ids_are_checked_and_unknown_ones_are_awss_no_such_entity() -> None:
    with pytest.raises(ValidationError, match=r"Member must satisfy regular expression pattern: \[\\w\]\+"):
        ssc.check_id("serviceSpecificCredentialId", "totally-wrong-credential-id-with-hyphens")
    with pytest.raises(ValidationError):
        ssc.check_id("serviceSpecificCredentialId", "ACCASHORT")
    for decide in (lambda s: ssc.reset(s, ID2, password_hash="h", now=NOW), lambda s: ssc.update(s, ID2, "Inactive"),
                   lambda s: ssc.delete(s, ID2)):
        with pytest.raises(NoSuchEntityError, match=f"No such credential {ID2} exists"):
            decide(_user(_created(ID1)))


def test_reset_update_and_delete_fold_as_aws_keeps_them() -> None:
    state = _user(_created(ID1))
    [reset] = ssc.reset(state, ID1, password_hash="$scrypt$new", now=NOW)
    assert reset == ServiceSpecificCredentialPasswordReset(ID1, "$scrypt$new", NOW)
    assert ssc.update(state, ID1, "Active") == []  # already so: no event
    [inactive] = ssc.update(state, ID1, "Inactive")
    state = identity.apply(identity.apply(state, reset), inactive)
    assert state.service_specific_credentials[ID1] == {
        "service_name": CODECOMMIT, "service_user_name": "jane-at-123456789012", "password_hash": "$scrypt$new",
        "status": "Inactive", "created_at": NOW}
    assert inactive == ServiceSpecificCredentialStatusSet(ID1, "Inactive")
    assert ssc.delete(state, ID1) == [ServiceSpecificCredentialDeleted(ID1)]


def test_delete_user_waits_for_them_with_awss_words() -> None:
    with pytest.raises(DeleteConflictError) as caught:
        identity.delete(_user(_created(ID1)))
    assert caught.value.message == "Cannot delete entity, must remove referenced objects first."
    assert identity.delete(_user(_created(ID1), ServiceSpecificCredentialDeleted(ID1)))


def test_a_rename_carries_them() -> None:
    state = _user(_created(ID1))
    assert state.snapshot()["service_specific_credentials"][ID1]["service_name"] == CODECOMMIT


class _Projection:
    def __init__(self, users: dict) -> None:
        self._account = SimpleNamespace(users=users)

    def account(self, account_id: str) -> object:
        return self._account


def test_the_condition_keys_iams_actions_define_from_the_request() -> None:
    caller = SimpleNamespace(kind="user", name="jane", account_id="123456789012", arn="arn:aws:iam::123456789012:user/jane")
    projection = _Projection({"jane": {"service_specific_credentials": {ID1: {"service_name": KEYSPACES}}}})
    keys = lambda rpc, **fields: permissions.request_keys(  # noqa: E731
        rpc, getattr(ipb, f"{rpc}Request")(**fields), projection, caller)
    assert keys("CreateServiceLinkedRole", aws_service_name="autoscaling.amazonaws.com", custom_suffix="") == {
        "iam:AWSServiceName": "autoscaling.amazonaws.com"}
    assert keys("CreateServiceSpecificCredential", user_name="jane", service_name=CODECOMMIT) == {
        "iam:ServiceSpecificCredentialServiceName": CODECOMMIT}
    # On an existing credential: its service, the caller's own when no user is named; none for an unknown id.
    assert keys("DeleteServiceSpecificCredential", user_name="", service_specific_credential_id=ID1) == {
        "iam:ServiceSpecificCredentialServiceName": KEYSPACES}
    assert keys("ResetServiceSpecificCredential", user_name="Jane", service_specific_credential_id=ID2) == {}
    assert keys("CreateUser", user_name="x") == {}
