"""Account-wide reports: GetAccountSummary and the credential report, read from the projection.

A credential report is derived data, as in AWS: GenerateCredentialReport builds it from the
current state and keeps it (one per account, bounded by the deployment's accounts) for
GetCredentialReport until it expires after 4 hours. It is not an event: a restart forgets it,
and the next GenerateCredentialReport builds it again from the same log.
"""

from __future__ import annotations

from datetime import datetime

from iamd.projections.identity import IdentityProjection
from iamd.service.domain import reports, sts_preferences
from iamd.service.domain.events import ACCOUNT, USER

from .ports import CallContext, Clock

MAX_KEPT_REPORTS = 10_000  # accounts whose last report is kept; past it the oldest is dropped


class AccountReports:
    def __init__(self, projection: IdentityProjection, clock: Clock) -> None:
        self.projection = projection
        self.clock = clock
        self._reports: dict[str, tuple[datetime, bytes]] = {}  # account id -> (generated at, CSV)

    def summary(self, ctx: CallContext) -> dict[str, int]:
        account = self.projection.account(ctx.account_id)
        devices = [d for d in self.projection.mfa_devices.values() if d["account_id"] == ctx.account_id]
        root_keys = [k for k in self.projection.access_keys.values()
                     if k["account_id"] == ctx.account_id and k["kind"] == ACCOUNT]
        counts = reports.AccountCounts(
            users=len(account.users) if account else 0, groups=len(account.groups) if account else 0,
            roles=len(account.roles) if account else 0, policies=len(account.policies) if account else 0,
            policy_attachments=(sum(len(p["attached_to"]) for p in account.policies.values())
                                + sum(len(u["attached_to"]) for u in account.aws_policies.values())) if account else 0,
            mfa_devices=len(devices), mfa_devices_in_use=sum(1 for d in devices if d["user_id"]),
            root_access_keys=bool(root_keys),
            instance_profiles=sum(1 for p in self.projection.instance_profiles.values() if p["account_id"] == ctx.account_id),
            server_certificates=sum(1 for c in self.projection.server_certificates.values()
                                    if c["account_id"] == ctx.account_id),
            global_endpoint_token_version=sts_preferences.summary_version(
                self.projection.sts_preferences.get(ctx.account_id)),
            root_password=bool((self.projection.root_login_profiles.get(ctx.account_id) or {}).get("has_password")))
        return reports.account_summary(counts)

    def generate(self, ctx: CallContext) -> tuple[str, str]:
        """(State, Description) of GenerateCredentialReport, as AWS answers: STARTED when a new
        report is made (iamd builds it at once, so GetCredentialReport has it already), COMPLETE
        while the last one is less than 4 hours old (what clients that poll Generate wait for)."""
        now = self.clock.now()
        kept = self._reports.get(ctx.account_id)
        if kept is not None and now - kept[0] <= reports.REPORT_LIFETIME:
            return "COMPLETE", "No new report generated: the last one is less than 4 hours old."
        if len(self._reports) >= MAX_KEPT_REPORTS:
            del self._reports[min(self._reports, key=lambda a: self._reports[a][0])]
        self._reports[ctx.account_id] = (now, reports.credential_report(self._rows(ctx.account_id)))
        return "STARTED", "No report exists. Starting a new report generation task"

    def get(self, ctx: CallContext) -> tuple[bytes, datetime]:
        kept = self._reports.get(ctx.account_id)
        reports.check_report(kept[0] if kept else None, self.clock.now())
        assert kept is not None
        return kept[1], kept[0]

    def _rows(self, account_id: str) -> list[reports.ReportRow]:
        account = self.projection.account(account_id)
        keys_by_owner: dict[tuple[str, str], list[reports.KeyUse]] = {}
        for key in sorted(self.projection.access_keys.values(), key=lambda k: k["created_at"]):
            if key["account_id"] == account_id:
                used = key["last_used"] or {}
                keys_by_owner.setdefault((key["kind"], key["key"]), []).append(reports.KeyUse(
                    active=key["status"] == "Active", created_at=key["created_at"],
                    last_used_at=used.get("used_at", ""), last_used_region=used.get("region", ""),
                    last_used_service=used.get("service_name", "")))
        mfa_users = {d["user_id"] for d in self.projection.mfa_devices.values()
                     if d["account_id"] == account_id and d["user_id"]}
        rows = [reports.ReportRow("<root_account>", f"arn:aws:iam::{account_id}:root",
                                  account.created_at if account else "", mfa_active=False, root=True,
                                  keys=next((k for (kind, _), k in keys_by_owner.items() if kind == ACCOUNT), []))]
        policy = self.projection.password_policies.get(account_id)
        for key, user in sorted((account.users if account else {}).items(), key=lambda kv: kv[1]["created_at"]):
            changed = (user.get("login_profile") or {}).get("password_last_changed", "")
            rows.append(reports.ReportRow(user["name"], user["arn"], user["created_at"],
                                          mfa_active=user["id"] in mfa_users,
                                          keys=keys_by_owner.get((USER, key), []),
                                          password_last_changed=changed,
                                          password_next_rotation=reports.password_next_rotation(changed, policy),
                                          certificates=[(c["status"] == "Active", c["uploaded_at"]) for c in sorted(
                                              user.get("signing_certificates", {}).values(),
                                              key=lambda c: (c["uploaded_at"], c["id"]))]))
        return rows
