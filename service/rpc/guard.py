"""The gate every iamd RPC passes: authenticate the signature, then authorize the IAM action.

Health checking and reflection stay open (load balancers and tools call them unsigned); every
method of the iamd.v1 services is checked, and one missing from the permission table is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from iamd.projections.identity import IdentityProjection
from iamd.service.app.authenticate import Authenticator, Caller, SignedCall
from iamd.service.app.authorize import Authorizer
from iamd.service.app.credentials import CredentialCommands
from iamd.service.app.ports import CallContext
from iamd.service.domain import organizations_delegation
from iamd.service.domain.errors import AccessDeniedError

from . import permissions

CALLER: ContextVar[Caller | None] = ContextVar("caller", default=None)
RESOURCES: ContextVar[list[str]] = ContextVar("resources", default=[])  # ARNs the call touches, for audit
GUARDED_PREFIX = "/iamd.v1."
_SERVICE_NAMES = {"IdentityService": "iam", "SecurityTokenService": "sts", "AuthorizationService": "iamd",
                  "OrganizationsService": "organizations"}
# Calls any authenticated principal may make, whatever its policies say (as in AWS), or that
# authorize themselves: AssumeRole evaluates the trust policy with the caller's policies, and
# GetFederationToken asks for sts:TagSession only when tags are passed; AssumeRoot asks for
# sts:AssumeRoot on the member account's root user, which it trusts through the organization.
ALWAYS_ALLOWED = frozenset({"GetCallerIdentity", "GetSessionToken", "AssumeRole", "GetFederationToken",
                            "AssumeRoot"})
# Calls AWS takes unsigned, their own parameters being the credential (the web identity token, the
# SAML assertion);
# the use case authenticates and authorizes them. A signature, if one is sent, is not consulted.
UNAUTHENTICATED = frozenset({"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"})
# AWS: credentials from GetFederationToken call no IAM API, and no STS API but GetCallerIdentity
# and GetScopedCredentials (STS API reference, GetFederationToken, Permissions).
_CLOSED_TO_FEDERATED_USERS = ("iam:", "sts:")
_OPEN_TO_FEDERATED_USERS = frozenset({"sts:getcalleridentity", "sts:getscopedcredentials"})


class CallGuard:
    def __init__(self, authenticator: Authenticator, authorizer: Authorizer, projection: IdentityProjection,
                 credentials: CredentialCommands) -> None:
        self.authenticator = authenticator
        self.authorizer = authorizer
        self.projection = projection
        self.credentials = credentials

    async def note_use(self, caller: Caller, method: str, request_id: str, request_keys: Mapping[str, str]) -> None:
        """Record a long-term key's use for GetAccessKeyLastUsed (at most once an hour per key)."""
        if caller.session is not None or not self.credentials.use_to_record(caller.access_key_id):
            return
        service = method.removeprefix(GUARDED_PREFIX).split(".", 1)[0].split("/", 1)[0]
        ctx = CallContext(request_id=request_id, account_id=caller.account_id, actor_arn=caller.arn,
                          source_ip=request_keys.get("aws:SourceIp", ""), user_agent=request_keys.get("aws:UserAgent", ""))
        await self.credentials.record_use(ctx, caller, _SERVICE_NAMES.get(service, "iamd"))

    def check(self, method: str, body: bytes, request: Any, metadata: Mapping[str, str],
              context_keys: Mapping[str, str], signed: SignedCall | None = None) -> Caller | None:
        """The authenticated caller, once allowed; raises the IAM error that refuses the call.

        `body` is the request's bytes as they arrived; a client that signed the deterministic
        serialization of a message with maps may have sent them in another order, so that form
        is tried too (and only computed then). `signed`, when given, is what the signature covers
        instead of the gRPC call (a request to the AWS-compatible HTTP endpoint)."""
        if not method.startswith(GUARDED_PREFIX):
            return None
        rpc = method.rsplit("/", 1)[-1]
        if rpc in UNAUTHENTICATED:
            return None
        if signed is None:
            signed = SignedCall(method, body, alternative_body=lambda: request.SerializeToString(deterministic=True))
        caller = self.authenticator.authenticate(signed, metadata)
        CALLER.set(caller)  # known from here on, also when the call is then refused (for the audit)
        if rpc in ALWAYS_ALLOWED:
            if self.authorizer.principals.is_closed(caller.account_id):  # decided by no policy: refused here
                raise AccessDeniedError(f"User: {caller.arn} is not authorized to perform: sts:{rpc}: its account "
                                        f"{caller.account_id} is closed")
            if caller.kind == "federated-user" and rpc != "GetCallerIdentity":
                _refuse_federated_user(caller, f"sts:{rpc}", "*")
            return caller
        try:
            pairs = permissions.required(rpc, request, self.projection, caller)
        except KeyError:
            raise AccessDeniedError(f"no permission is defined for {rpc}; refusing it") from None
        pairs = list(dict.fromkeys(pairs))  # a batch asks about the same principal many times: once is enough
        own_keys = permissions.request_keys(rpc, request, self.projection, caller)  # iam:AWSServiceName, ...
        if own_keys:
            context_keys = {**context_keys, **own_keys}
        RESOURCES.set([resource for _, resource in pairs])
        session = caller.session
        for action, resource in pairs:
            lowered = action.lower()
            if (caller.kind == "federated-user" and lowered.startswith(_CLOSED_TO_FEDERATED_USERS)
                    and lowered not in _OPEN_TO_FEDERATED_USERS):
                _refuse_federated_user(caller, action, resource)
            # AWS: GetSessionToken's credentials call no IAM API unless MFA was presented for them
            # (STS API reference, GetSessionToken, Permissions), whatever the user's policies allow.
            if (session is not None and session["kind"] == "user" and not session["mfa_authenticated"]
                    and lowered.startswith("iam:")):
                raise AccessDeniedError(f"User: {caller.arn} is not authorized to perform: {action} on resource: "
                                        f"{resource}: credentials from GetSessionToken call IAM APIs only when "
                                        "they were issued with MFA")
            # AllowUsersToChangePassword grants iam:ChangePassword as an identity policy would: an
            # explicit deny or a guardrail (SCP, boundary) still refuses it.
            granted = rpc == "ChangePassword" and self._users_may_change_passwords(caller)
            # The IAM resource's tags (aws:ResourceTag/*, iam:ResourceTag/*) are added by the
            # authorizer, where Authorize gets them too.
            delegation = self._organization_delegation(caller, action, resource)
            self.authorizer.require(caller.arn, caller.kind, action, resource, context_keys,
                                    session=caller.session, granted_by_account=granted, **delegation)
        return caller

    def _organization_delegation(self, caller: Caller, action: str, resource: str) -> dict[str, Any]:
        """For a member account's delegable Organizations call (a read, a policy change) when its
        organization delegates to it: the organization's delegation as the resource policy, the
        management account as the resource's owner, so that, as AWS decides a cross-account call,
        the caller's identity policies and the delegation must both allow it. Nothing otherwise
        (the call is decided on the caller's policies alone, and answered by the use case)."""
        if not action.startswith("organizations:"):
            return {}
        management = self.projection.organization_of_account.get(caller.account_id, "")
        org = self.projection.organizations.get(management)
        if (org is None or management == caller.account_id or action.lower()[14:] in organizations_delegation.OWN_READS
                or not organizations_delegation.is_delegable(action)
                or not organizations_delegation.is_delegated(org, caller.account_id)):
            return {}
        if (action.lower() == "organizations:describeeffectivepolicy"
                and resource.endswith(f":account/{org.organization_id}/{caller.account_id}")):
            return {"resource_account": caller.account_id}  # any account may ask about itself: its own call
        policy = self.authorizer.principals.delegation_policy(caller.account_id)
        return {"resource_policy": policy, "resource_account": management} if policy is not None else {}

    def _users_may_change_passwords(self, caller: Caller) -> bool:
        """AWS: the password policy's AllowUsersToChangePassword grants every IAM user
        iam:ChangePassword on itself, at the account level (no policy needed)."""
        policy = self.projection.password_policies.get(caller.account_id) or {}
        return caller.kind == "user" and bool(policy.get("AllowUsersToChangePassword"))


def _refuse_federated_user(caller: Caller, action: str, resource: str) -> None:
    raise AccessDeniedError(f"User: {caller.arn} is not authorized to perform: {action} on resource: "
                            f"{resource}: federated users cannot call {action.split(':')[0].upper()} APIs")
