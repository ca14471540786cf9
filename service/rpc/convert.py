"""Conversion between protobuf messages and the app layer's views: the only place that knows both."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from iamd.v1 import authorization_pb2 as authz_pb
from iamd.v1 import common_pb2 as pb
from iamd.service.app.ports import iso8601 as ISO8601
from iamd.service.domain.errors import FieldProblem, ValidationError
from iamd.service.domain.events import GROUP, POLICY, ROLE, USER
from iamd.service.policy import Decision, Effect
from iamd.service.policy.analyzer import Finding

KIND_BY_ENUM = {pb.ENTITY_KIND_USER: USER, pb.ENTITY_KIND_GROUP: GROUP, pb.ENTITY_KIND_ROLE: ROLE,
                pb.ENTITY_KIND_POLICY: POLICY}
DECISION = {Effect.ALLOW: authz_pb.DECISION_ALLOW, Effect.EXPLICIT_DENY: authz_pb.DECISION_EXPLICIT_DENY,
            Effect.IMPLICIT_DENY: authz_pb.DECISION_IMPLICIT_DENY}
DECISION_NAME = {effect: authz_pb.Decision.Name(value) for effect, value in DECISION.items()}


def entity_ref(ref: pb.EntityRef, field: str = "target") -> tuple[str, str]:
    kind = KIND_BY_ENUM.get(ref.kind)
    if kind is None:
        raise ValidationError(f"{field}.kind must be one of USER, GROUP, ROLE, POLICY",
                              problems=[FieldProblem(f"{field}.kind", "required")])
    return kind, ref.name


def time_in(ts: Timestamp, field: str) -> str:
    """A request's Timestamp as ISO 8601; one outside what a date can hold is the caller's error."""
    try:
        return ISO8601(ts.ToDatetime(tzinfo=UTC))
    except (ValueError, OverflowError, OSError):
        raise ValidationError(f"{field} is not a valid time", problems=[FieldProblem(field, "out of range")]) from None


def timestamp(iso: str) -> Timestamp:
    ts = Timestamp()
    if iso:
        ts.FromDatetime(datetime.fromisoformat(iso.replace("Z", "+00:00")))
    return ts


def tags_in(tags: Iterable[pb.Tag]) -> list[tuple[str, str]]:
    return [(t.key, t.value) for t in tags]


def tags_out(tags: Mapping[str, str]) -> list[pb.Tag]:
    return [pb.Tag(key=k, value=v) for k, v in tags.items()]


def user(v: Mapping[str, Any]) -> pb.User:
    return pb.User(user_name=v["name"], user_id=v["id"], arn=v["arn"], path=v["path"],
                   create_date=timestamp(v["created_at"]), permissions_boundary_arn=v.get("boundary", ""),
                   tags=tags_out(v.get("tags", {})))


def root_user(created_at: str, account_id: str) -> pb.User:
    """The root user as GetUser shows it to root: the account id for its id, no name or path."""
    return pb.User(user_id=account_id, arn=f"arn:aws:iam::{account_id}:root", create_date=timestamp(created_at))


def group(v: Mapping[str, Any]) -> pb.Group:
    return pb.Group(group_name=v["name"], group_id=v["id"], arn=v["arn"], path=v["path"],
                    create_date=timestamp(v["created_at"]))


def role(v: Mapping[str, Any]) -> pb.Role:
    return pb.Role(role_name=v["name"], role_id=v["id"], arn=v["arn"], path=v["path"],
                   create_date=timestamp(v["created_at"]), assume_role_policy_document=v["trust_policy"],
                   description=v.get("description", ""), max_session_duration=v["max_session_duration"],
                   permissions_boundary_arn=v.get("boundary", ""), tags=tags_out(v.get("tags", {})))


def policy(v: Mapping[str, Any]) -> pb.Policy:
    return pb.Policy(policy_name=v["name"], policy_id=v["id"], arn=v["arn"], path=v["path"],
                     default_version_id=v["default_version_id"],
                     attachment_count=len(v.get("attached_to", ())),
                     permissions_boundary_usage_count=len(v.get("boundary_of", ())),
                     is_attachable=True, description=v.get("description", ""),
                     create_date=timestamp(v["created_at"]), update_date=timestamp(v["updated_at"]),
                     tags=tags_out(v.get("tags", {})))


def policy_version(version_id: str, v: Mapping[str, Any], default_version_id: str) -> pb.PolicyVersion:
    return pb.PolicyVersion(document=v["document"], version_id=version_id,
                            is_default_version=version_id == default_version_id,
                            create_date=timestamp(v["created_at"]))


def attached(policy_views: Iterable[Mapping[str, Any]]) -> list[pb.AttachedPolicy]:
    return [pb.AttachedPolicy(policy_name=p["name"], policy_arn=p["arn"]) for p in policy_views]


def inline(entity: Mapping[str, Any]) -> list[pb.InlinePolicy]:
    return [pb.InlinePolicy(policy_name=n, policy_document=d) for n, d in entity["inline"].items()]


def context_in(context: Mapping[str, authz_pb.ContextValue]) -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for key, value in context.items():
        if value.multivalued:
            out[key] = list(value.values)
        elif len(value.values) == 1:
            out[key] = value.values[0]
        else:
            raise ValidationError(f"context key `{key}` is single-valued but has {len(value.values)} values",
                                  problems=[FieldProblem(f"context.{key}", "set multivalued for lists")])
    return out


def decision(d: Decision, position: int, explain: bool,
             new: Callable[..., authz_pb.AuthorizeResponse] = authz_pb.AuthorizeResponse) -> authz_pb.AuthorizeResponse:
    """The answer to an Authorize request; `new` makes the message (a batch answer's
    `responses.add`, which builds it in place rather than copying it in afterwards)."""
    response = new(decision=DECISION[d.decision], evaluated_at_position=position)
    if explain:
        response.determining_statements.extend(statement_refs(d))
        response.blocked_by.extend(name_of(t) for t in d.blocked_by)
        response.missing_context_keys.extend(d.missing_context_keys)
        for policy_type, result in d.results.items():
            response.results_by_policy_type[name_of(policy_type)] = name_of(result)
    return response


def statement_refs(d: Decision) -> list[authz_pb.StatementRef]:
    return [authz_pb.StatementRef(policy_id=s.policy_id, policy_type=name_of(s.policy_type), version_id=s.version or "",
                                  sid=s.sid or "", statement_index=s.index, effect=name_of(s.effect))
            for s in d.determining]


def evaluation_result(action: str, resource: str, d: Decision,
                      spans: Mapping[tuple[str, int], Any] | None = None,
                      resource_type_arn: str = "") -> authz_pb.EvaluationResult:
    """A simulated decision; `spans` places its statements in their policies' texts."""
    refs = statement_refs(d)
    for ref in refs:
        span = (spans or {}).get((ref.policy_id, ref.statement_index))
        if span is not None:
            (start_line, start_column), (end_line, end_column) = span
            ref.start_position.CopyFrom(authz_pb.Position(line=start_line, column=start_column))
            ref.end_position.CopyFrom(authz_pb.Position(line=end_line, column=end_column))
    return authz_pb.EvaluationResult(
        eval_action_name=action, eval_resource_name=resource, eval_decision=DECISION[d.decision],
        matched_statements=refs, missing_context_values=list(d.missing_context_keys),
        blocked_by=[name_of(t) for t in d.blocked_by],
        results_by_policy_type={name_of(t): name_of(r) for t, r in d.results.items()},
        resource_type_arn=resource_type_arn)


def name_of(value: Any) -> str:
    return str(getattr(value, "value", value))


def _path_element(kind: str, value: Any) -> authz_pb.PathElement:
    if kind == "substring":
        start, length = value
        return authz_pb.PathElement(substring=authz_pb.Substring(start=start, length=length))
    return authz_pb.PathElement(**{kind: value})


def finding(f: Finding) -> authz_pb.ValidatePolicyFinding:
    """An Access Analyzer finding as ValidatePolicy answers it."""
    return authz_pb.ValidatePolicyFinding(
        finding_details=f.details, finding_type=f.finding_type, issue_code=f.issue_code,
        learn_more_link=f.learn_more_link,
        locations=[authz_pb.FindingLocation(
            path=[_path_element(kind, value) for kind, value in loc.path],
            span=authz_pb.Span(
                start=authz_pb.Position(line=loc.start.line, column=loc.start.column, offset=loc.start.offset),
                end=authz_pb.Position(line=loc.end.line, column=loc.end.column, offset=loc.end.offset)))
            for loc in f.locations])
