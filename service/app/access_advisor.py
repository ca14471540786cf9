"""Access advisor: GenerateServiceLastAccessedDetails, GetServiceLastAccessedDetails(WithEntities),
and for Organizations entities GenerateOrganizationsAccessReport, GetOrganizationsAccessReport (the
rules: service/domain/access_advisor.py).

Jobs are asynchronous, as AWS's: Generate resolves the entity, its policies and the users and
roles it covers at once (NoSuchEntity then, not later), answers the job's id and computes the
rest in a task: the audit records still queued are committed and the audit index brought up to
date (their attempts included), then the report is built. Get answers IN_PROGRESS until then.

Jobs live in this process's memory only: at most MAX_JOBS (the oldest is dropped first; a principal
with MAX_JOBS_PER_OWNER drops its own oldest), each
for JOB_TTL; a restart, or another replica, does not know them (NoSuchEntity). A job is read by
the account and principal that started it (a role's sessions share their role's jobs), as AWS's
JobId "must be used by the same role within a session, or by the same user".
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog

from iamd.projections.audit_index import AuditIndex
from iamd.projections.identity import AccountView, IdentityProjection, View
from iamd.service.app.aws_policies import AwsManagedPolicies
from iamd.service.domain import access_advisor as advisor
from iamd.service.domain import organizations
from iamd.service.domain.errors import (
    AccessDeniedError,
    FieldProblem,
    InvalidInputError,
    OrganizationsNotInUseError,
    PolicyTypeNotEnabledError,
)
from iamd.service.domain.identity import not_found
from iamd.service.domain.managed_policy import not_found as policy_not_found
from iamd.service.domain.names import casefold, is_aws_managed_policy
from iamd.service.eventstore.port import EventStore
from iamd.service.policy.catalogue import Catalogue

from .authenticate import Caller
from .ports import CallContext, Clock
from .queries import Page, paginate

MAX_JOBS = 1000
MAX_JOBS_PER_OWNER = 50  # one principal's jobs past this drop its own oldest, not another's
JOB_TTL = timedelta(hours=24)
log = structlog.get_logger(__name__)


@dataclass
class Job:
    id: str
    account_id: str
    owner: str  # the principal that started it (a role session: its role)
    granularity: str
    created_at: datetime
    status: str = advisor.IN_PROGRESS
    completed_at: datetime | None = None
    report: advisor.Report | None = None
    error: tuple[str, str] | None = None  # (code, message) when FAILED
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    kind: str = "service"  # "service" (GenerateServiceLastAccessedDetails) or "organizations"
    details: list[advisor.AccessDetail] | None = None  # an Organizations report's services, once COMPLETED


@dataclass(frozen=True)
class _Scope:
    """What Generate resolved: the documents whose Allow statements list the services, and the
    users and roles whose attempts count."""

    documents: list[str]
    entities: list[advisor.Entity]


def _owner(caller: Caller) -> str:
    """The principal a job is read by: its name and its unique id (a user or role deleted and
    created again under the name is another principal), a role session's its role's (AROA...)."""
    key = advisor.principal_key(caller.arn)
    unique = caller.principal_id.partition(":")[0] if caller.kind == "assumed-role" else caller.principal_id
    return ("/".join(key) if key is not None else caller.arn) + "#" + unique


def _entity(account_id: str, kind: str, view: View) -> advisor.Entity:
    return advisor.Entity((account_id, kind, casefold(view["name"])), kind.upper(), view["arn"], view["name"],
                          view["id"], view["path"])


class AccessAdvisor:
    def __init__(self, projection: IdentityProjection, index: AuditIndex, store: EventStore,
                 flush: Callable[[], Awaitable[None]] | None, catalogue: Catalogue, aws_policies: AwsManagedPolicies,
                 clock: Clock, *, max_jobs: int = MAX_JOBS, job_ttl: timedelta = JOB_TTL,
                 max_jobs_per_owner: int = MAX_JOBS_PER_OWNER) -> None:
        self.projection = projection
        self.index = index
        self.store = store
        self.flush = flush  # commits the audit records still queued (AuditWriter.flush)
        self.catalogue = catalogue
        self.aws_policies = aws_policies
        self.clock = clock
        self.max_jobs = max_jobs
        self.job_ttl = job_ttl
        self.max_jobs_per_owner = max_jobs_per_owner
        self.jobs: OrderedDict[str, Job] = OrderedDict()

    # --- Generate --------------------------------------------------------------------------------
    def generate(self, ctx: CallContext, caller: Caller, arn: str, granularity: str) -> str:
        target = advisor.target_of(arn)
        level = advisor.granularity_of(granularity)
        scope = self._scope(ctx.account_id, target)
        now = self.clock.now()
        job = Job(str(uuid.uuid4()), ctx.account_id, _owner(caller), level, now)
        self._keep(job, now)
        job.task = asyncio.get_running_loop().create_task(self._run(job, scope))
        return job.id

    def _keep(self, job: Job, now: datetime) -> None:
        # A principal at its share drops its own oldest job first: without it, one principal
        # generating MAX_JOBS reports evicted (and cancelled) every other principal's and
        # account's jobs, which then answered NoSuchEntity.
        own = [j for j in self.jobs.values() if (j.account_id, j.owner) == (job.account_id, job.owner)]
        for old in own[:max(0, len(own) - self.max_jobs_per_owner + 1)]:
            self._forget(old)
        while self.jobs:
            oldest = next(iter(self.jobs.values()))
            if len(self.jobs) < self.max_jobs and oldest.created_at + self.job_ttl > now:
                break
            self._forget(oldest)
        self.jobs[job.id] = job

    def _forget(self, job: Job) -> None:
        self.jobs.pop(job.id, None)
        if job.task is not None and not job.task.done():
            job.task.cancel()

    async def _complete(self, job: Job, build: Callable[[], None], failure_event: str) -> None:
        """Run a job: every attempt recorded so far counted (the audit writer flushed, the index
        refreshed), then `build` fills in its answer; a failure is the job's (logged), not raised."""
        try:
            if self.flush is not None:
                await self.flush()
            await self.index.refresh(self.store)  # every attempt recorded so far counts
            build()
            job.status = advisor.COMPLETED
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(failure_event, job_id=job.id)
            job.status, job.error = advisor.FAILED, ("ServiceFailure", "the report could not be built")
        job.completed_at = self.clock.now()

    async def _run(self, job: Job, scope: _Scope) -> None:
        def build() -> None:
            services = advisor.allowed_services(scope.documents, self.catalogue.prefixes)
            job.report = advisor.build_report(services, self.catalogue.prefixes, scope.entities,
                                              self.index.last_accessed.attempts, advisor.since(job.created_at))

        await self._complete(job, build, "access_advisor_job_failed")

    def _scope(self, account_id: str, target: advisor.Target) -> _Scope:
        if target.kind == "policy":  # the account's own, or AWS's (used by this account's entities)
            own = target.account_id in (account_id, "aws")
            return self._policy_scope(self.projection.account(account_id) if own else None, account_id, target.arn)
        account = self.projection.account(account_id) if target.account_id == account_id else None
        view = account.by_kind(target.kind).get(casefold(target.name)) if account is not None else None
        if view is None or view["arn"] != target.arn:
            raise not_found(target.kind, target.name)
        assert account is not None
        if target.kind == "group":
            members = [account.users[k] for k in view["members"] if k in account.users]
            return _Scope(self._documents(account, [view]), [_entity(account_id, "user", u) for u in members])
        holders = [view]
        if target.kind == "user":
            holders += [g for gid in view["groups"]
                        if (g := account.groups.get(account.group_names_by_id.get(gid, ""))) is not None]
        return _Scope(self._documents(account, holders), [_entity(account_id, target.kind, view)])

    def _policy_scope(self, account: AccountView | None, account_id: str, arn: str) -> _Scope:
        policy = self._managed(account, arn) if account is not None or is_aws_managed_policy(arn) else None
        if policy is None or (account is None and not is_aws_managed_policy(arn)):
            raise policy_not_found(arn)
        account = account or AccountView(account_id)
        usage = account.policy_usage(arn) or {}
        entities: dict[str, advisor.Entity] = {}
        for ref in usage.get("attached_to", {}):
            kind, key = ref.split("/", 1)
            view = account.by_kind(kind).get(key)
            if view is None:
                continue
            if kind == "group":  # the group's members use the policy
                for member in view["members"]:
                    if (user := account.users.get(member)) is not None:
                        entities.setdefault(user["arn"], _entity(account_id, "user", user))
            else:
                entities.setdefault(view["arn"], _entity(account_id, kind, view))
        document = policy["versions"][policy["default_version_id"]]["document"]
        return _Scope([document], sorted(entities.values(), key=lambda e: e.arn))

    def _managed(self, account: AccountView | None, arn: str) -> View | None:
        if is_aws_managed_policy(arn):
            return self.aws_policies.get(arn)
        return account.policy(arn) if account is not None else None

    def _documents(self, account: AccountView, holders: list[View]) -> list[str]:
        """The inline and attached (default version) policies of users, groups or roles."""
        texts: list[str] = []
        for holder in holders:
            texts += holder["inline"].values()
            for arn in holder["attached"]:
                policy = self._managed(account, arn)
                if policy is not None and (version := policy["versions"].get(policy["default_version_id"])):
                    texts.append(version["document"])
        return texts

    # --- ListPoliciesGrantingServiceAccess --------------------------------------------------------
    def policies_granting(self, ctx: CallContext, arn: str, namespaces: list[str],
                          marker: str = "") -> tuple[Page, list[str]]:
        """Per requested service, the permissions policies of a user (its own and its groups'), a
        group or a role that allow some of its actions (IAM's ListPoliciesGrantingServiceAccess);
        a page of (namespace, policies) rows, in the order asked."""
        target = advisor.granting_target_of(arn)
        wanted = advisor.check_namespaces(namespaces, self.catalogue.prefixes)
        account = self.projection.account(ctx.account_id) if target.account_id == ctx.account_id else None
        view = account.by_kind(target.kind).get(casefold(target.name)) if account is not None else None
        if view is None or view["arn"] != target.arn:
            raise not_found(target.kind, target.name)
        assert account is not None
        holders = [(target.kind, view)]
        if target.kind == "user":  # the user's groups' policies too (AWS: "attached to the group to which the user belongs")
            holders += [("group", g) for gid in view["groups"]
                        if (g := account.groups.get(account.group_names_by_id.get(gid, ""))) is not None]
        sources = []
        for kind, holder in holders:
            for name, document in sorted(holder["inline"].items()):
                sources.append(advisor.PolicySource(name, advisor.INLINE, document, entity_type=kind.upper(),
                                                    entity_name=holder["name"]))
            for policy_arn in holder["attached"]:
                policy = self._managed(account, policy_arn)
                if policy is not None and (version := policy["versions"].get(policy["default_version_id"])):
                    sources.append(advisor.PolicySource(policy["name"], advisor.MANAGED, version["document"],
                                                        arn=policy_arn))
        rows = advisor.policies_granting(wanted, sources, self.catalogue.prefixes)
        numbered = [(f"{i:03d}", namespace, policies) for i, (namespace, policies) in enumerate(rows)]
        return paginate(numbered, lambda row: row[0], advisor.MAX_NAMESPACES, marker), wanted

    # --- Organizations access reports ------------------------------------------------------------
    def generate_organizations(self, ctx: CallContext, caller: Caller, entity_path: str, policy_id: str) -> str:
        """A job reporting on an entity of the caller's organization (its root, an OU or an account):
        the services its SCPs (or the SCP named) allow, and the member accounts' attempts on them."""
        segments = advisor.entity_path_of(entity_path)
        advisor.check_organizations_policy_id(policy_id)
        management = self.projection.organization_of_account.get(ctx.account_id)
        org = self.projection.organizations.get(management) if management else None
        if org is None or not org.exists:
            raise OrganizationsNotInUseError("Your account is not a member of an organization.")
        if ctx.account_id != org.management_account_id:
            raise AccessDeniedError(f"User: {caller.arn} is not authorized to perform: "
                                    "iam:GenerateOrganizationsAccessReport: Organizations access reports are the "
                                    f"management account's ({org.management_account_id})")
        if organizations.SCP not in org.policy_types:
            raise PolicyTypeNotEnabledError("This operation can be performed only for enabled policy types: SCPs "
                                            "must be enabled for the organization's root.")
        node = self._entity_node(org, segments, entity_path)
        if policy_id:
            policy = organizations.policy_of(org, policy_id)
            if policy is None or policy["type"] != organizations.SCP:
                raise InvalidInputError(f"The policy {policy_id} is not a service control policy of the organization.",
                                        problems=[FieldProblem("organizationsPolicyId", "an SCP of the organization")])
            services = sorted(advisor.allowed_services([policy["content"]], self.catalogue.prefixes))
        else:
            levels = [[content for _, content in level]
                      for level in organizations.guardrail_levels(org, node, organizations.SCP)]
            services = advisor.services_allowed_by_levels(levels, self.catalogue.prefixes)
        accounts = []
        for account_id in sorted(org.accounts):
            path = organizations.path_of(org, account_id)
            if account_id == org.management_account_id or node not in path:
                continue  # SCPs do not limit the management account: not reported
            view = self.projection.account(account_id)
            # AWS: what "principals in an account (root user, IAM users, or IAM roles)" attempted.
            principals = [(account_id, "root", "root")] + ([] if view is None else [
                (account_id, kind, casefold(entity["name"]))
                for kind, entities in (("user", view.users), ("role", view.roles)) for entity in entities.values()])
            accounts.append(("/".join([org.organization_id, *path]), principals))
        now = self.clock.now()
        job = Job(str(uuid.uuid4()), ctx.account_id, _owner(caller), advisor.SERVICE_LEVEL, now, kind="organizations")
        self._keep(job, now)
        job.task = asyncio.get_running_loop().create_task(self._run_organizations(job, services, accounts))
        return job.id

    @staticmethod
    def _entity_node(org: organizations.OrganizationState, segments: list[str], entity_path: str) -> str:
        """The root, OU or account a path names, each segment the child of the one before."""
        problem = InvalidInputError(f"The entity path {entity_path} does not name an entity of your organization "
                                    f"({org.organization_id}/{org.root_id}/...).",
                                    problems=[FieldProblem("entityPath", "a path in the caller's organization")])
        if segments[0] != org.organization_id or segments[1] != org.root_id:
            raise problem
        for parent, child in zip(segments[1:], segments[2:]):
            if org.parents.get(child) != parent:
                raise problem
        return segments[-1]

    async def _run_organizations(self, job: Job, services: list[str],
                                 accounts: list[tuple[str, list[advisor.PrincipalKey]]]) -> None:
        def build() -> None:
            job.details = advisor.organizations_report(services, self.catalogue.prefixes, accounts,
                                                       self.index.last_accessed.attempts,
                                                       advisor.since(job.created_at))

        await self._complete(job, build, "organizations_access_report_failed")

    @staticmethod
    def details_page(job: Job, sort_key: str, max_items: int, marker: str) -> Page:
        """A page of a completed Organizations report's services, in the order asked."""
        rows = advisor.sort_details(job.details or [], advisor.sort_key_of(sort_key))
        numbered = [(f"{i:05d}", row) for i, row in enumerate(rows)]
        return paginate(numbered, lambda row: row[0], max_items, marker)

    # --- Get -------------------------------------------------------------------------------------
    def job(self, ctx: CallContext, caller: Caller, job_id: str, kind: str = "service") -> Job:
        advisor.check_job_id(job_id)
        now = self.clock.now()
        job = self.jobs.get(job_id)
        if job is not None and job.created_at + self.job_ttl <= now:
            self._forget(job)
            job = None
        if job is None or job.account_id != ctx.account_id or job.owner != _owner(caller) or job.kind != kind:
            raise advisor.no_such_job(job_id)
        return job

    def services_page(self, job: Job, max_items: int, marker: str) -> tuple[Page, dict[str, list[Any]]]:
        """A page of a completed job's services and, for ACTION_LEVEL, each one's action rows."""
        report = job.report or advisor.Report()
        page = paginate(report.services.values(), lambda row: row.namespace, max_items, marker)
        actions: dict[str, list[Any]] = {}
        if job.granularity == advisor.ACTION_LEVEL:
            for row in page.items:
                service = self.catalogue.service(row.namespace)
                names = [a.name for a in service.actions.values()] if service is not None else []
                actions[row.namespace] = advisor.action_rows(report, row.namespace, names)
        return page, actions

    @staticmethod
    def entities_page(job: Job, namespace: str, max_items: int, marker: str) -> Page:
        """A page of the entities (most recent attempt first) of a completed job for one service."""
        if job.report is None:
            return paginate([], lambda x: "", max_items, marker)
        rows = advisor.entities_for(job.report, namespace.lower())
        numbered = [(f"{i:08d}", entity, time) for i, (entity, time) in enumerate(rows)]
        return paginate(numbered, lambda row: row[0], max_items, marker)

