"""Nothing in the API is left without an implementation or an error mapping."""

from __future__ import annotations

from iamd.v1 import authorization_pb2, identity_pb2
from iamd.service.domain.errors import ALL_ERRORS, IamError
from iamd.service.rpc.authorization import AuthorizationServicer
from iamd.service.rpc.errors import STATUS_BY_ERROR
from iamd.service.rpc.identity import IdentityServicer



def test_every_rpc_has_a_servicer_method() -> None:
    for module, name, servicer in ((identity_pb2, "IdentityService", IdentityServicer),
                                   (authorization_pb2, "AuthorizationService", AuthorizationServicer)):
        methods = {m.name for m in module.DESCRIPTOR.services_by_name[name].methods}
        implemented = {n for n in vars(servicer) if n[0].isupper()}
        assert methods == implemented, (name, methods ^ implemented)


def test_every_iam_error_has_a_status_and_a_unique_code() -> None:
    subclasses, pending = set(), [IamError]
    while pending:  # every descendant: the Organizations codes extend IAM classes
        for cls in pending.pop().__subclasses__():
            subclasses.add(cls)
            pending.append(cls)
    assert subclasses == set(ALL_ERRORS)
    assert set(STATUS_BY_ERROR) == set(ALL_ERRORS)
    codes = [e.code for e in ALL_ERRORS]
    assert len(codes) == len(set(codes))
