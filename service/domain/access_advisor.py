"""Access advisor (IAM's service last accessed details): the rules, pure.

Which services a report lists: those whose actions the entity's permissions policies allow (AWS:
"every service that the resource could access using permissions policies"; boundaries, SCPs,
resource and session policies are not consulted, nor are Deny statements). Who is reported on:
a user or a role itself; a group's members; a managed policy's users (directly or through their
groups) and roles. What counts as an attempt: every request iamd saw for the principal, allowed
or not (AWS counts denied attempts too): the decisions its Authorize was asked for, and the
principal's own calls to iamd (IAM, STS, Organizations, CloudTrail and iamd's own actions). The
tracking period is AWS's 400 days.

The app layer gathers the documents, the entities and the attempts (service/app/access_advisor.py);
the attempts come from the audit trail (projections/audit_index.py, LastAccessed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from typing import Any

from .errors import FieldProblem, InvalidInputError, NoSuchEntityError, ValidationError, validation_error

SERVICE_LEVEL = "SERVICE_LEVEL"
ACTION_LEVEL = "ACTION_LEVEL"
GRANULARITIES = (SERVICE_LEVEL, ACTION_LEVEL)
IN_PROGRESS, COMPLETED, FAILED = "IN_PROGRESS", "COMPLETED", "FAILED"
TRACKING_PERIOD = timedelta(days=400)  # "IAM reports activity for at least the last 400 days"
JOB_ID_LENGTH = 36
DEFAULT_REGION = "us-east-1"  # where IAM's (global) calls are reported, and requests naming no region

# A principal as the attempts are keyed: (account, "user" or "role", case-folded name).
PrincipalKey = tuple[str, str, str]
# One attempt, the latest per principal and action: (ISO 8601 time, region, action as spelled).
Attempt = tuple[str, str, str]

_ENTITY_ARN = re.compile(r"arn:aws:iam::(\d{12}|aws):(user|group|role|policy)(/(?:[^/]+/)*)?([^/]+)")
_ROOT_ARN = re.compile(r"arn:aws:iam::(\d{12}):root")
_ASSUMED_ROLE_ARN = re.compile(r"arn:aws:sts::(\d{12}):assumed-role/([^/]+)/[^/]+")


@dataclass(frozen=True)
class Target:
    """The entity a report is about."""

    account_id: str
    kind: str  # "user", "group", "role" or "policy"
    name: str
    arn: str


def target_of(arn: str) -> Target:
    """The user, group, role or managed policy an ARN names (InvalidInput for anything else)."""
    if not 20 <= len(arn) <= 2048:
        raise validation_error("arn", arn[:64], "Member must have length between 20 and 2048", "20 to 2048 characters")
    m = _ENTITY_ARN.fullmatch(arn)
    if m is None or (m.group(1) == "aws" and m.group(2) != "policy"):
        raise InvalidInputError(f"ARN {arn} is not valid.",
                                problems=[FieldProblem("arn", "the ARN of a user, group, role or managed policy")])
    return Target(m.group(1), m.group(2), m.group(4), arn)


def granularity_of(value: str) -> str:
    if not value:
        return SERVICE_LEVEL
    if value not in GRANULARITIES:
        raise validation_error("granularity", value[:64],
                               "Member must satisfy enum value set: [SERVICE_LEVEL, ACTION_LEVEL]",
                               "SERVICE_LEVEL or ACTION_LEVEL")
    return value


def check_job_id(job_id: str) -> None:
    if len(job_id) != JOB_ID_LENGTH:
        raise validation_error("jobId", job_id[:64], f"Member must have length {JOB_ID_LENGTH}", "36 characters")


def check_namespace(namespace: str) -> None:
    """A service namespace as AWS's model bounds it (1-64 of [\\w-])."""
    if not 1 <= len(namespace) <= 64 or re.fullmatch(r"[\w-]+", namespace) is None:
        raise validation_error("serviceNamespace", namespace[:64],
                               "Member must satisfy regular expression pattern: [\\w-]*", "1-64 of [\\w-]")


def no_such_job(job_id: str) -> NoSuchEntityError:
    return NoSuchEntityError(f"The job with ID {job_id} cannot be found.", resource_type="job", resource_name=job_id)


def principal_key(arn: str) -> PrincipalKey | None:
    """The user or role an ARN asked about stands for: a role session counts for its role; an
    account's root user is (ACCOUNT, "root", "root") (Organizations access reports count it, no
    entity report names it); federated users and anything else count for no IAM entity."""
    m = _ROOT_ARN.fullmatch(arn)
    if m is not None:
        return m.group(1), "root", "root"
    m = _ENTITY_ARN.fullmatch(arn)
    if m is not None and m.group(1) != "aws" and m.group(2) in ("user", "role"):
        return m.group(1), m.group(2), m.group(4).casefold()
    m = _ASSUMED_ROLE_ARN.fullmatch(arn)
    if m is not None:
        return m.group(1), "role", m.group(2).casefold()
    return None


def caller_key(identity: Mapping[str, Any] | None) -> PrincipalKey | None:
    """The user or role a CloudTrail userIdentity is (a role session: its role)."""
    if not identity:
        return None
    issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
    if identity.get("type") == "AssumedRole" and issuer.get("arn"):
        return principal_key(str(issuer["arn"]))
    return principal_key(str(identity.get("arn", "")))


def namespace_of_source(event_source: str) -> str:
    """`iam.amazonaws.com` -> `iam`: the namespace of a call's own action."""
    return event_source.removesuffix(".amazonaws.com")


def region_of(resource_arn: str) -> str:
    parts = resource_arn.split(":", 5)
    return parts[3] if len(parts) == 6 and parts[3] else DEFAULT_REGION


# --- what the policies allow --------------------------------------------------------------------

@lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    """IAM's wildcards (`*`, `?`; everything else literal), case-insensitively, anchored."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern),
                      re.IGNORECASE | re.DOTALL)


def compile_globs(patterns: Sequence[str], *, ignore_case: bool = True) -> Callable[[str], bool]:
    """True for a value any of the patterns matches (as the policy engine matches actions)."""
    compiled = [_glob(p) for p in patterns]
    return lambda value: any(c.fullmatch(value) is not None for c in compiled)


@dataclass(frozen=True)
class Grant:
    """One Allow statement's actions within one service: `Action` patterns (allowed when one
    matches) or `NotAction` patterns (allowed when none matches)."""

    patterns: tuple[str, ...]  # the action-name parts (`Get*`), lower-cased
    negated: bool = False

    @cached_property
    def _matches(self) -> Callable[[str], bool]:
        return compile_globs(self.patterns, ignore_case=True)

    def allows(self, action_name: str) -> bool:
        return self._matches(action_name) != self.negated


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _allow_statements(document: str) -> Iterable[Mapping[str, Any]]:
    try:
        parsed = json.loads(document)
    except ValueError:
        return []  # stored documents were validated when written: nothing to list from one that is not JSON
    statements = parsed.get("Statement", []) if isinstance(parsed, dict) else []
    for s in statements if isinstance(statements, list) else [statements]:
        if isinstance(s, dict) and s.get("Effect") == "Allow":
            yield s


def allowed_services(documents: Iterable[str], prefixes: Mapping[str, str]) -> dict[str, list[Grant]]:
    """The services (lower-cased namespace -> the grants reaching it) that some Allow statement
    of the documents names. `prefixes` is every namespace AWS has (the action catalogue's)."""
    out: dict[str, list[Grant]] = {}
    for statement in (s for d in documents for s in _allow_statements(d)):
        negated = "NotAction" in statement
        by_service: dict[str, list[str]] = {}
        for pattern in _strings(statement.get("NotAction" if negated else "Action")):
            service, _, action = pattern.partition(":") if pattern != "*" else ("*", "", "*")
            by_service.setdefault(service.lower(), []).append(action.lower() or "*")
        if negated:
            # Everything but the patterns: every service, less those whose every action is excluded.
            matchers = [(compile_globs([s], ignore_case=True), actions) for s, actions in by_service.items()]
            for namespace in prefixes:
                excluded = [a for matches, actions in matchers if matches(namespace) for a in actions]
                if "*" not in excluded:
                    out.setdefault(namespace, []).append(Grant(tuple(excluded), negated=True))
            continue
        for service, actions in by_service.items():
            matches = compile_globs([service], ignore_case=True)
            for namespace in (prefixes if any(c in service for c in "*?") else [service] if service in prefixes else []):
                if matches(namespace):
                    out.setdefault(namespace, []).append(Grant(tuple(actions)))
    return out


def allowed_actions(grants: Sequence[Grant], actions: Iterable[str]) -> list[str]:
    """The actions (names as the catalogue spells them) of a service that the grants allow."""
    return [a for a in actions if any(g.allows(a) for g in grants)]


# --- the report ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entity:
    """A user or role a report covers."""

    key: PrincipalKey
    kind: str  # "USER" or "ROLE", as EntityInfo.Type
    arn: str
    name: str
    id: str
    path: str


@dataclass(frozen=True)
class Usage:
    """The latest attempt on a service (or action) among a report's entities."""

    time: str = ""
    entity_arn: str = ""
    region: str = ""
    entities: int = 0  # how many of the report's entities tried it


@dataclass(frozen=True)
class ServiceRow:
    namespace: str
    name: str
    usage: Usage


@dataclass
class Report:
    """What a completed job answers: the services with their usage, per service the entities,
    and per action the attempts (for ACTION_LEVEL rows, built a page at a time: action_rows)."""

    services: dict[str, ServiceRow] = field(default_factory=dict)
    grants: dict[str, tuple[Grant, ...]] = field(default_factory=dict)
    # Per entity key, per namespace, its latest attempt: (time, region).
    by_entity: dict[PrincipalKey, dict[str, tuple[str, str]]] = field(default_factory=dict)
    # Per lower-cased action (`s3:getobject`), each entity's latest attempt: (time, entity ARN, region).
    by_action: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    # Per lower-cased action, its name as the latest attempt spelled it (`GetObject`).
    spelled: dict[str, str] = field(default_factory=dict)
    entities: tuple[Entity, ...] = ()


def since(now: datetime) -> str:
    """The start of the tracking period, as the ISO 8601 times attempts carry."""
    return (now - TRACKING_PERIOD).strftime("%Y-%m-%dT%H:%M:%S")


def _latest(candidates: Iterable[tuple[str, str, str]]) -> Usage:
    """(time, entity ARN, region) candidates -> the latest, and how many distinct entities tried."""
    best: tuple[str, str, str] | None = None
    who: set[str] = set()
    for time, arn, region in candidates:
        who.add(arn)
        if best is None or time > best[0]:
            best = (time, arn, region)
    return Usage(best[0], best[1], best[2], len(who)) if best else Usage()


def build_report(services: Mapping[str, Sequence[Grant]], names: Mapping[str, str], entities: Sequence[Entity],
                 attempts: Callable[[PrincipalKey], Mapping[str, Attempt]], tracked_since: str) -> Report:
    """The report of `entities` for `services`. `attempts(key)` is a principal's latest attempt
    per lower-cased action (`s3:getobject`); attempts before `tracked_since` are left out."""
    report = Report(grants={k: tuple(v) for k, v in services.items()}, entities=tuple(entities))
    for entity in entities:
        seen = report.by_entity.setdefault(entity.key, {})
        for action, (time, region, spelled) in attempts(entity.key).items():
            if time < tracked_since:
                continue
            namespace = action.partition(":")[0]
            if namespace not in seen or time > seen[namespace][0]:
                seen[namespace] = (time, region)
            if action not in report.spelled or time > max(t for t, _, _ in report.by_action.get(action, ())):
                report.spelled[action] = spelled.partition(":")[2]
            report.by_action.setdefault(action, []).append((time, entity.arn, region))
    for namespace in sorted(services):
        usage = _latest((seen[namespace][0], e.arn, seen[namespace][1]) for e in entities
                        if namespace in (seen := report.by_entity.get(e.key, {})))
        report.services[namespace] = ServiceRow(namespace, names.get(namespace, namespace), usage)
    return report


def action_rows(report: Report, namespace: str, actions: Iterable[str]) -> list[tuple[str, Usage]]:
    """ACTION_LEVEL: the service's actions (as the catalogue names them) that the policies allow,
    each with its latest attempt among the report's entities; then any other allowed action
    attempted that the catalogue does not name."""
    grants = report.grants.get(namespace, ())
    rows = [(a, _latest(report.by_action.get(f"{namespace}:{a.lower()}", ()))) for a in allowed_actions(grants, actions)]
    named = {a.lower() for a, _ in rows}
    for action, attempts in sorted(report.by_action.items()):
        service, _, name = action.partition(":")
        if service == namespace and name not in named and any(g.allows(name) for g in grants):
            rows.append((report.spelled.get(action) or name, _latest(attempts)))
    return rows


def entities_for(report: Report, namespace: str) -> list[tuple[Entity, str]]:
    """The report's entities with when each last tried the service (`""`: never), the most recent first."""
    rows = [(e, report.by_entity.get(e.key, {}).get(namespace, ("", ""))[0]) for e in report.entities]
    tried = sorted((r for r in rows if r[1]), key=lambda r: r[1], reverse=True)
    return tried + sorted((r for r in rows if not r[1]), key=lambda r: r[0].arn)


# --- ListPoliciesGrantingServiceAccess ----------------------------------------------------------------

MAX_NAMESPACES = 200  # the model's serviceNamespaceListType
INLINE, MANAGED = "INLINE", "MANAGED"


@dataclass(frozen=True)
class PolicySource:
    """A permissions policy of an entity, as ListPoliciesGrantingServiceAccess names it: a managed
    policy by name and ARN, an inline one by name and the user, group or role it is embedded in."""

    name: str
    type: str  # INLINE or MANAGED
    document: str
    arn: str = ""
    entity_type: str = ""  # USER, GROUP or ROLE (inline policies only)
    entity_name: str = ""


def granting_target_of(arn: str) -> Target:
    """The user, group or role ListPoliciesGrantingServiceAccess asks about (not a managed policy)."""
    target = target_of(arn)
    if target.kind == "policy":
        raise InvalidInputError(f"ARN {arn} is not valid: it names a managed policy, not a user, group or role.",
                                problems=[FieldProblem("arn", "the ARN of a user, group or role")])
    return target


def check_namespaces(namespaces: Sequence[str], known: Mapping[str, str]) -> list[str]:
    """The requested namespaces, in order, without repeats: 1-200 of AWS's (the action catalogue's)."""
    if not 1 <= len(namespaces) <= MAX_NAMESPACES:
        raise ValidationError(
            f"1 validation error detected: Value at 'serviceNamespaces' failed to satisfy constraint: Member must "
            f"have length between 1 and {MAX_NAMESPACES}",
            problems=[FieldProblem("serviceNamespaces", f"1 to {MAX_NAMESPACES} namespaces")])
    for namespace in namespaces:
        check_namespace(namespace)
        if namespace.lower() not in known:
            raise InvalidInputError(f"The service namespace {namespace} is not an AWS service's namespace.",
                                    problems=[FieldProblem("serviceNamespaces", f"`{namespace}`: no such service")])
    return list(dict.fromkeys(n.lower() for n in namespaces))


def policies_granting(namespaces: Sequence[str], sources: Sequence[PolicySource],
                      known: Mapping[str, str]) -> list[tuple[str, list[PolicySource]]]:
    """Per namespace, the sources whose Allow statements reach it (as access advisor lists a
    report's services: permissions policies only, no Deny, boundary, SCP or resource policy)."""
    reach = [(source, allowed_services([source.document], known)) for source in sources]
    return [(namespace, [source for source, services in reach if namespace in services]) for namespace in namespaces]


# --- Organizations access reports (GenerateOrganizationsAccessReport) ------------------------------
# Which services: those the SCPs that apply to the entity allow (every level from the root down to
# the entity must allow a service, as SCPs limit level by level; Deny statements not consulted, as
# above), or, given a policy id, those that SCP allows. Whose activity: the principals (IAM users
# and roles; a role session counts for its role) of the member accounts at or below the entity (the
# management account is not limited by SCPs and is not reported).

SORT_KEYS = ("SERVICE_NAMESPACE_ASCENDING", "SERVICE_NAMESPACE_DESCENDING", "LAST_AUTHENTICATED_TIME_ASCENDING",
             "LAST_AUTHENTICATED_TIME_DESCENDING")
_ENTITY_PATH = re.compile(r"o-[0-9a-z]{10,32}/r-[0-9a-z]{4,32}[0-9a-z\-/]*")
_ORG_POLICY_ID = re.compile(r"p-[0-9a-zA-Z_]{8,128}")


def entity_path_of(path: str) -> list[str]:
    """An EntityPath's segments (organization, root, OUs..., maybe an account), as AWS's model bounds it."""
    if not 19 <= len(path) <= 427:
        raise validation_error("entityPath", path[:64], "Member must have length between 19 and 427",
                               "19 to 427 characters")
    if _ENTITY_PATH.fullmatch(path) is None:
        raise validation_error(
            "entityPath", path[:64],
            "Member must satisfy regular expression pattern: ^o-[0-9a-z]{10,32}\\/r-[0-9a-z]{4,32}[0-9a-z-\\/]*",
            "o-ORG/r-ROOT[/ou-.../...][/ACCOUNT]")
    return [segment for segment in path.split("/") if segment]


def check_organizations_policy_id(policy_id: str) -> str:
    if policy_id and _ORG_POLICY_ID.fullmatch(policy_id) is None:
        raise validation_error("organizationsPolicyId", policy_id[:64],
                               "Member must satisfy regular expression pattern: ^p-[0-9a-zA-Z_]{8,128}$",
                               "p- and 8-128 of [0-9a-zA-Z_]")
    return policy_id


def sort_key_of(value: str) -> str:
    if not value:
        return SORT_KEYS[0]
    if value not in SORT_KEYS:
        raise validation_error("sortKey", value[:64], f"Member must satisfy enum value set: [{', '.join(SORT_KEYS)}]",
                               "one of " + ", ".join(SORT_KEYS))
    return value


def services_allowed_by_levels(levels: Sequence[Sequence[str]], prefixes: Mapping[str, str]) -> list[str]:
    """The services every level allows: `levels` holds, from the root down, the SCP documents
    attached at each level (a level with none allows nothing, as AWS's SCPs do)."""
    allowed: set[str] | None = None
    for documents in levels:
        here = set(allowed_services(documents, prefixes))
        allowed = here if allowed is None else allowed & here
    return sorted(allowed or ())


@dataclass(frozen=True)
class AccessDetail:
    """One service of an Organizations access report, as IAM's AccessDetail."""

    namespace: str
    name: str
    time: str = ""  # the latest attempt by a principal of an account at or below the entity ("" none)
    region: str = ""
    entity_path: str = ""  # the path of the account that made it
    accounts: int = 0  # how many accounts' principals tried the service


def organizations_report(services: Sequence[str], names: Mapping[str, str],
                         accounts: Sequence[tuple[str, Sequence[PrincipalKey]]],
                         attempts: Callable[[PrincipalKey], Mapping[str, Attempt]], tracked_since: str
                         ) -> list[AccessDetail]:
    """Per service, the latest attempt among the accounts' principals. `accounts` holds each
    account's entity path and its users' and roles' keys."""
    latest: dict[str, tuple[str, str, str]] = {}  # namespace -> (time, region, account path)
    counted: dict[str, set[str]] = {}
    wanted = set(services)
    for path, principals in accounts:
        for key in principals:
            for action, (time, region, _spelled) in attempts(key).items():
                namespace = action.partition(":")[0]
                if time < tracked_since or namespace not in wanted:
                    continue
                counted.setdefault(namespace, set()).add(path)
                if namespace not in latest or time > latest[namespace][0]:
                    latest[namespace] = (time, region, path)
    rows = []
    for namespace in services:
        time, region, path = latest.get(namespace, ("", "", ""))
        rows.append(AccessDetail(namespace, names.get(namespace, namespace), time, region, path,
                                 len(counted.get(namespace, ()))))
    return rows


def sort_details(rows: Sequence[AccessDetail], sort_key: str) -> list[AccessDetail]:
    """AWS's SortKey: by namespace, or by the last attempt's time (services never tried before
    the others ascending, after them descending; ties by namespace)."""
    if sort_key.startswith("SERVICE_NAMESPACE"):
        return sorted(rows, key=lambda r: r.namespace, reverse=sort_key.endswith("DESCENDING"))
    ordered = sorted(rows, key=lambda r: (r.time, r.namespace))
    return ordered[::-1] if sort_key.endswith("DESCENDING") else ordered
