"""The account's STS preferences: IAM's SetSecurityTokenServicePreferences (the rules:
service/domain/sts_preferences.py; GetAccountSummary reports the version)."""

from __future__ import annotations

from iamd.service.domain import sts_preferences
from iamd.service.domain.events import ACCOUNT

from .ports import CallContext, Clock, iso8601
from .repository import Repository


class StsPreferencesCommands:
    def __init__(self, repo: Repository, clock: Clock) -> None:
        self.repo = repo
        self.clock = clock

    async def set(self, ctx: CallContext, global_endpoint_token_version: str) -> int:
        version = sts_preferences.check_version(global_endpoint_token_version)  # refused before any read
        now = iso8601(self.clock.now())
        return await self.repo.change(ACCOUNT, sts_preferences.stream(ctx.account_id), sts_preferences.fold, ctx,
                                      self.clock, lambda s: sts_preferences.set_version(s, version, now))
