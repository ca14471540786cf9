"""IAM read queries served from the identity projection (Get*, List*, account details).

Results are the projection's views (plain dicts); service/rpc/convert.py turns them into
protobuf. Lists are ordered by name and paginated the AWS way: MaxItems (1-1000, default 100)
and an opaque Marker.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from iamd.projections.identity import AccountView, IdentityProjection, View
from iamd.service.app.aws_policies import AwsManagedPolicies
from iamd.service.domain import names
from iamd.service.domain.errors import FieldProblem, InvalidInputError, NoSuchEntityError, ValidationError
from iamd.service.domain.events import GROUP, POLICY, ROLE, USER
from iamd.service.domain.identity import not_found
from iamd.service.domain.managed_policy import check_version_id
from iamd.service.domain.managed_policy import not_found as policy_not_found
from iamd.service.domain.names import casefold

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    items: list[Any]
    is_truncated: bool
    marker: str


def paginate(items: Iterable[T], key: Callable[[T], str], max_items: int, marker: str) -> Page:
    """Sort by key, resume after the marker's key, cut at max_items."""
    if max_items == 0:
        max_items = 100
    if not 1 <= max_items <= 1000:
        raise ValidationError(
            f"1 validation error detected: Value '{max_items}' at 'maxItems' failed to satisfy "
            "constraint: Member must have value between 1 and 1000",
            problems=[FieldProblem("maxItems", "between 1 and 1000")],
        )
    ordered = sorted(items, key=key)
    if marker:
        try:
            after = base64.urlsafe_b64decode(marker.encode()).decode()
        except (ValueError, UnicodeDecodeError):
            raise InvalidInputError("Invalid Marker.", problems=[FieldProblem("marker", "not a marker")]) from None
        ordered = [item for item in ordered if key(item) > after]
    page = ordered[:max_items]
    truncated = len(ordered) > max_items
    next_marker = base64.urlsafe_b64encode(key(page[-1]).encode()).decode() if truncated else ""
    return Page(page, truncated, next_marker)


def tag_page(tags: Mapping[str, str], max_items: int, marker: str) -> Page:
    """One page of an entity's tags, by key: every List*Tags call pages them alike."""
    return paginate(list(tags.items()), lambda kv: kv[0], max_items, marker)


def _by_name(view: View) -> str:
    return casefold(view["name"])


def _policy_key(view: View) -> str:
    # A customer policy may share an AWS managed policy's name: the ARN tells them apart, so a
    # page ending on one of them resumes at the other instead of skipping it.
    return f"{casefold(view['name'])}\0{view['arn']}"


class IdentityQueries:
    def __init__(self, projection: IdentityProjection, aws_policies: AwsManagedPolicies | None = None) -> None:
        self.projection = projection
        self.aws_policies = aws_policies or AwsManagedPolicies(None)

    def _account(self, account_id: str) -> AccountView:
        return self.projection.account(account_id) or AccountView(account_id)

    def entity(self, account_id: str, kind: str, name: str) -> View:
        names.check_name(kind, f"{kind}Name", name)
        view = self._account(account_id).by_kind(kind).get(casefold(name))
        if view is None:
            raise not_found(kind, name)
        return view

    def account_created(self, account_id: str) -> str:
        return self._account(account_id).created_at

    def policy(self, account_id: str, arn: str) -> View:
        names.parse_policy_arn("policyArn", arn)
        if names.is_aws_managed_policy(arn):
            aws = self._aws_policy(account_id, arn)
            if aws is None:
                raise policy_not_found(arn, self.aws_policies.missing_hint())
            return aws
        view = self._account(account_id).policy(arn)
        if view is None:
            raise policy_not_found(arn)
        return view

    def _aws_policy(self, account_id: str, arn: str) -> View | None:
        """An AWS managed policy's view with this account's holders of it."""
        view = self.aws_policies.get(arn)
        if view is None:
            return None
        usage = self._account(account_id).aws_policies.get(arn) or {}
        return {**view, "attached_to": dict(usage.get("attached_to", {})),
                "boundary_of": dict(usage.get("boundary_of", {}))}

    def policy_of_holder(self, account: AccountView, arn: str) -> View | None:
        """A policy an entity holds: the account's, or AWS's (None when gone). An AWS policy this
        iamd has no data for is still shown by its ARN and name, never dropped."""
        if names.is_aws_managed_policy(arn):
            view = self._aws_policy(account.account_id, arn)
            if view is None:
                _account, path, name = names.parse_policy_arn("policyArn", arn)
                view = {"name": name, "arn": arn, "path": path}
            return view
        return account.policy(arn)

    def aws_policies_held(self, account_id: str) -> list[View]:
        """The AWS managed policies some user, group or role of the account holds."""
        held = self._account(account_id).aws_policies
        return [view for arn, usage in sorted(held.items()) if (usage["attached_to"] or usage["boundary_of"])
                and (view := self._aws_policy(account_id, arn)) is not None]

    def list_entities(self, account_id: str, kind: str, path_prefix: str, max_items: int, marker: str) -> Page:
        prefix = names.check_path_prefix("pathPrefix", path_prefix)
        views = self._account(account_id).by_kind(kind).values()
        return paginate((v for v in views if v["path"].startswith(prefix)), _by_name, max_items, marker)

    def group_members(self, account_id: str, group_name: str, max_items: int, marker: str) -> tuple[View, Page]:
        group = self.entity(account_id, GROUP, group_name)
        account = self._account(account_id)
        members = [account.users[k] for k in group["members"] if k in account.users]
        return group, paginate(members, _by_name, max_items, marker)

    def groups_for_user(self, account_id: str, user_name: str, max_items: int, marker: str) -> Page:
        user = self.entity(account_id, USER, user_name)
        account = self._account(account_id)
        groups = [account.groups[k] for gid in user["groups"]
                  if (k := account.group_names_by_id.get(gid)) in account.groups]
        return paginate(groups, _by_name, max_items, marker)

    def list_policies(self, account_id: str, scope: str, only_attached: bool, path_prefix: str,
                      max_items: int, marker: str) -> Page:
        prefix = names.check_path_prefix("pathPrefix", path_prefix)
        views: list[View] = []
        if scope in ("All", "Local"):
            views = [v for v in self._account(account_id).policies.values()
                     if v["path"].startswith(prefix) and (v["attached_to"] or not only_attached)]
        if scope in ("All", "AWS"):
            views += [aws for v in self.aws_policies if v["path"].startswith(prefix)
                      and (aws := self._aws_policy(account_id, v["arn"])) is not None
                      and (aws["attached_to"] or not only_attached)]
        return paginate(views, _policy_key, max_items, marker)

    def policy_version(self, account_id: str, arn: str, version_id: str) -> tuple[View, str, View]:
        check_version_id(version_id)
        policy = self.policy(account_id, arn)
        version = policy["versions"].get(version_id)
        if version is None:
            raise NoSuchEntityError(f"Policy {arn} version {version_id} does not exist or is not attachable.",
                                    resource_type="policy version", resource_name=version_id)
        return policy, version_id, version

    def policy_versions(self, account_id: str, arn: str, max_items: int, marker: str) -> tuple[View, Page]:
        policy = self.policy(account_id, arn)
        versions = sorted(policy["versions"].items(), key=lambda kv: -int(kv[0][1:]))
        # AWS lists the newest first; the marker key keeps that order.
        return policy, paginate(versions, lambda kv: f"{1_000_000 - int(kv[0][1:]):07d}", max_items, marker)

    def entities_for_policy(self, account_id: str, arn: str, kind_filter: str) -> dict[str, list[View]]:
        policy = self.policy(account_id, arn)
        account = self._account(account_id)
        out: dict[str, list[View]] = {USER: [], GROUP: [], ROLE: []}
        for ref in policy["attached_to"]:
            kind, key = ref.split("/", 1)
            if kind_filter and kind != kind_filter:
                continue
            view = account.by_kind(kind).get(key)
            if view is not None:
                out[kind].append(view)
        for views in out.values():
            views.sort(key=_by_name)
        return out

    def attached_policies(self, account_id: str, kind: str, name: str, path_prefix: str,
                          max_items: int, marker: str) -> Page:
        entity = self.entity(account_id, kind, name)
        prefix = names.check_path_prefix("pathPrefix", path_prefix)
        account = self._account(account_id)
        attached = [p for arn in entity["attached"] if (p := self.policy_of_holder(account, arn)) is not None
                    and p["path"].startswith(prefix)]
        return paginate(attached, _policy_key, max_items, marker)

    def inline_policy(self, account_id: str, kind: str, name: str, policy_name: str) -> str:
        entity = self.entity(account_id, kind, name)
        names.check_name("inline policy", "policyName", policy_name)
        try:
            return entity["inline"][policy_name]
        except KeyError:
            raise NoSuchEntityError(
                f"The {kind} policy with name {policy_name} cannot be found.",
                resource_type="inline policy", resource_name=policy_name,
            ) from None

    def inline_policy_names(self, account_id: str, kind: str, name: str, max_items: int, marker: str) -> Page:
        entity = self.entity(account_id, kind, name)
        return paginate(list(entity["inline"]), lambda n: n, max_items, marker)

    def tags(self, account_id: str, kind: str, name: str, max_items: int, marker: str) -> Page:
        view = self.policy(account_id, name) if kind == POLICY else self.entity(account_id, kind, name)
        return tag_page(view["tags"], max_items, marker)

    def account_details(self, account_id: str) -> AccountView:
        return self._account(account_id)
