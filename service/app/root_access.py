"""IAM's centralized root access for member accounts: EnableOrganizationsRootCredentialsManagement,
EnableOrganizationsRootSessions, their Disable counterparts and ListOrganizationsFeatures.

The organization (its management account, trusted access, delegated administrators) is read from
the identity projection; the features are the management account's small aggregate
(service/domain/root_access.py). STS AssumeRoot, which they govern, is in sts.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from iamd.projections.identity import IdentityProjection
from iamd.service.domain import root_access
from iamd.service.domain.events import ACCOUNT, Event
from iamd.service.domain.organizations import OrganizationState

from .authenticate import Caller
from .ports import CallContext, Clock, iso8601
from .repository import Repository


@dataclass(frozen=True)
class OrganizationFeatures:
    organization_id: str
    enabled_features: list[str]
    position: int = 0


class RootAccessCommands:
    def __init__(self, repo: Repository, clock: Clock, projection: IdentityProjection) -> None:
        self.repo = repo
        self.clock = clock
        self.projection = projection

    def _organization(self, account_id: str) -> OrganizationState | None:
        management = self.projection.organization_of_account.get(account_id)
        return self.projection.organizations.get(management) if management else None

    async def enable(self, ctx: CallContext, caller: Caller, feature: str) -> OrganizationFeatures:
        return await self._change(ctx, caller, feature, enabling=True)

    async def disable(self, ctx: CallContext, caller: Caller, feature: str) -> OrganizationFeatures:
        return await self._change(ctx, caller, feature, enabling=False)

    async def _change(self, ctx: CallContext, caller: Caller, feature: str, *, enabling: bool) -> OrganizationFeatures:
        org = root_access.check_caller(self._organization(caller.account_id), caller.account_id, enabling=enabling)
        decide = root_access.enable if enabling else root_access.disable
        now = iso8601(self.clock.now())
        # A delegated administrator's call changes the management account's features (the organization's).
        state: list[root_access.RootAccessState] = []  # the features as the (last) attempt decided them

        def decided(s: root_access.RootAccessState) -> list[Event]:
            events = decide(s, org, feature, now)
            state[:] = [root_access.fold(events, s)]
            return events

        position = await self.repo.change(ACCOUNT, root_access.stream(org.management_account_id), root_access.fold,
                                          ctx, self.clock, decided)
        return OrganizationFeatures(org.organization_id,
                                    root_access.enabled_features(state[0], org.organization_id), position)

    def list_features(self, caller: Caller) -> OrganizationFeatures:
        org = root_access.check_caller(self._organization(caller.account_id), caller.account_id, enabling=False)
        recorded = self.projection.root_access.get(org.management_account_id)
        return OrganizationFeatures(org.organization_id, root_access.enabled_features(recorded, org.organization_id))
