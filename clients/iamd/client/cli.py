"""iamctl: the command line for iamd, shaped like the AWS CLI.

    iamctl [--endpoint HOST:PORT | --endpoint-url URL] [--output json|table|text] <group> <command> [options]

Commands are rows of a table (`Command`: CLI name, RPC, arguments, optional output hook),
grouped by service (`iam`, `authz`); `register_group` is where later groups (`sts`,
`cloudtrail`, `audit`, `organizations`, `simulate`) plug in. Options carry the AWS CLI's names,
document options accept `file://path` or literal JSON, and output is the AWS CLI's JSON
(PascalCase keys) built by `to_aws`, the one place that turns proto messages into AWS shapes.

Pagination follows the AWS CLI: list commands fetch every page unless `--max-items` caps the
total (the output then carries `NextToken`, which `--starting-token` accepts back);
`--no-paginate` makes one call and shows the raw `IsTruncated`/`Marker`.

`authz check` takes request context as repeated `--context key=value`; giving a key more than
once makes it multivalued. `--context-json '{"aws:TagKeys": ["a"]}'` (or `file://`) sets keys
explicitly: a JSON list is multivalued even with one element.

Exit codes follow AWS CLI v2: 0 success, 252 usage or parameter error, 253 no credentials or an
invalid configuration, 254 an error returned
by the service, 255 connection failure or timeout, 130 interrupted; and 1 when `audit validate`
finds the trail not valid (as `aws cloudtrail validate-logs`).
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import importlib.metadata
import ipaddress
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import jmespath
import yaml
from google.protobuf import descriptor, message, timestamp_pb2

from iamd.client.errors import IamClientError
from iamd.client.credentials import CredentialsError, RequestSigner, resolve_credentials
from iamd.client.simulate import run_simulate
from iamd.client.simulation_results import evaluation_results
from iamd.client.iam import (
    ENDPOINT_ENV,
    IamdClient,
    build_request,
    default_endpoint,
    method_for,
    snake_case,
)

EXIT_OK = 0
EXIT_INVALID = 1  # a check found something wrong (audit validate), as `aws cloudtrail validate-logs`
EXIT_USAGE = 252
EXIT_CONFIG = 253  # the environment or configuration is invalid: no credentials found (AWS CLI v2)
EXIT_SERVICE_ERROR = 254
EXIT_CONNECTION = 255
EXIT_FAILED = 255  # anything else that went wrong (the aws CLI's "Command failed")
EXIT_INTERRUPTED = 130

ClientFactory = Callable[[str], IamdClient]


class UsageError(Exception):
    """The command line does not parse."""

    def __init__(self, usage: str, message: str) -> None:
        super().__init__(message)
        self.usage = usage
        self.message = message


class ParamError(Exception):
    """One option's value cannot be read (missing file, bad shorthand, bad JSON)."""

    def __init__(self, flag: str, reason: str) -> None:
        super().__init__(f"{flag}: {reason}")
        self.flag = flag
        self.reason = reason


# ---------------------------------------------------------------------------------------------
# The command table

TEXT = "text"
INT = "int"
FLAG = "flag"
DOCUMENT = "document"  # text, or file://path
TAGS = "tags"  # Key=k,Value=v ... or JSON
LIST = "list"  # several values, or a JSON list
CHOICE = "choice"  # one of `choices` (CLI value -> SDK enum name)
CHOICES = "choices"  # several of `choices`
TARGET = "target"  # names the entity an EntityRef points at
CONTEXT = "context"  # key=value, repeatable
DOCUMENTS = "documents"  # several documents, each text or file://path
POLICY_ARNS = "policy-arns"  # several `arn=ARN` (AWS CLI shorthand) or bare ARNs
LOOKUP_ATTRIBUTES = "lookup-attributes"  # AttributeKey=K,AttributeValue=V ...
CLIENT_ONLY = "-"  # an Arg.field for options iamctl uses itself, not request fields
AS_OF_POSITION = "as-of-position"  # a log position -> AsOf{position}
AS_OF_TIME = "as-of-time"  # an ISO 8601 time -> AsOf{time}
CONTEXT_JSON = "context-json"  # JSON object of context keys
CONTEXT_ENTRIES = "context-entries"  # AWS's ContextEntry list (JSON or shorthand), or a JSON object of context keys
STRUCTURE = "structure"  # one AWS structure: shorthand Name=value,... or a JSON object (members snake-cased)


@dataclass(frozen=True)
class Arg:
    """One command-line option and the request field it fills."""

    flag: str
    field: str = ""  # request field; defaults to the flag in snake_case
    kind: str = TEXT
    required: bool = False
    help: str = ""
    entity: str = ""  # TARGET: user, group, role or policy
    choices: Mapping[str, str] = dataclasses.field(default_factory=dict)
    aliases: tuple[str, ...] = ()

    @property
    def dest(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")

    @property
    def request_field(self) -> str:
        return self.field or self.dest

    def add_to(self, parser: argparse.ArgumentParser, *, input_json: bool = False) -> None:
        """Add the option; with `input_json` (--cli-input-json given) none is required here:
        `merge_cli_input_json` checks that each required one came from the line or the JSON."""
        kwargs: dict[str, Any] = {"dest": self.dest, "help": self.help or option_help(self)}
        if self.kind == FLAG:
            kwargs.update(action=argparse.BooleanOptionalAction, default=None)
        else:
            kwargs["required"] = self.required and not input_json
            if self.kind == INT:
                kwargs["type"] = int
            if self.kind in (TAGS, LIST, CHOICES, DOCUMENTS, POLICY_ARNS, LOOKUP_ATTRIBUTES, CONTEXT_ENTRIES):
                kwargs["nargs"] = "+"
            if self.kind in (CHOICE, CHOICES):
                kwargs["choices"] = list(self.choices)
            if self.kind == CONTEXT:
                kwargs["action"] = "append"
                kwargs["metavar"] = "KEY=VALUE"
        parser.add_argument(self.flag, *self.aliases, **kwargs)

    def convert(self, raw: Any) -> Any:
        """The request field's value for what was typed on the command line."""
        if self.kind == DOCUMENT:
            return load_param(self.flag, raw)
        if self.kind == DOCUMENTS:
            return [load_param(self.flag, value) for value in raw]
        if self.kind == AS_OF_POSITION:
            return {"position": int(raw)}
        if self.kind == AS_OF_TIME:
            return {"time": raw}
        if self.kind == LOOKUP_ATTRIBUTES:
            return [_lookup_attribute(self.flag, value) for value in raw]
        if self.kind == POLICY_ARNS:
            return [{"arn": value.removeprefix("arn=")} for value in parse_list(self.flag, raw)]
        if self.kind == TAGS:
            return parse_tags(self.flag, raw)
        if self.kind == LIST:  # as the aws CLI, a single value may be file://path
            return parse_list(self.flag, [load_param(self.flag, raw[0])] if len(raw) == 1 else raw)
        if self.kind == CHOICE:
            return self.choices[raw]
        if self.kind == CHOICES:
            return [self.choices[v] for v in raw]
        if self.kind == TARGET:
            return (self.entity, raw)
        if self.kind == CONTEXT:
            return parse_context_pairs(self.flag, raw)
        if self.kind == CONTEXT_JSON:
            return parse_context_json(self.flag, raw)
        if self.kind == CONTEXT_ENTRIES:
            return parse_context_entries(self.flag, raw)
        if self.kind == STRUCTURE:
            return parse_structure(self.flag, load_param(self.flag, raw))
        if self.kind == TEXT:  # any value may be file://path (the aws CLI's paramfile), a password too
            return load_param(self.flag, raw)
        return raw


Shape = Callable[[dict[str, Any], Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Command:
    """One CLI command: which RPC it calls and which options fill the request."""

    name: str
    rpc: str
    args: tuple[Arg, ...] = ()
    help: str = ""
    operation: str = ""  # the name in error messages; defaults to the AWS operation name
    offline_with: str = ""  # an option that, given, makes the command need no server (nor credentials)
    shape: Shape | None = None  # rearranges the AWS-shaped output, e.g. to flatten it
    custom: Callable[[Any, dict[str, Any], argparse.Namespace], dict[str, Any]] | None = None  # not one call
    exit_status: Callable[[dict[str, Any]], int] | None = None  # from the output, when not always 0
    unsigned: bool = False  # AWS's unsigned calls (the web identity token is the credential)

    @property
    def operation_name(self) -> str:
        """The AWS operation's name, as the aws CLI names it in errors and table titles: the RPC's
        when the command is its name (CreateOpenIDConnectProvider), else the command's words."""
        if self.operation:
            return self.operation
        if self.rpc.lower() == self.name.replace("-", ""):
            return self.rpc
        return "".join(part.capitalize() for part in self.name.split("-"))

    @property
    def is_paginated(self) -> bool:
        """Whether iamctl gathers every page, as the aws CLI does (--max-items, --starting-token,
        --page-size); a command that takes --next-token itself shows the one page asked for."""
        return (self.custom is None and method_for(self.rpc).is_paginated
                and not any(arg.flag == "--next-token" for arg in self.args))


@dataclass(frozen=True)
class CommandGroup:
    name: str
    help: str
    commands: tuple[Command, ...]


GROUPS: dict[str, CommandGroup] = {}


def register_group(group: CommandGroup) -> None:
    """Add a command group (`iamctl <group> <command>`); later groups plug in here."""
    # INVARIANT: command names are unique within a group.
    names = [c.name for c in group.commands]
    assert len(names) == len(set(names)), group.name
    GROUPS[group.name] = group


def all_commands() -> Iterable[tuple[CommandGroup, Command]]:
    for group in GROUPS.values():
        for command in group.commands:
            yield group, command


ENTITY_FLAGS = {
    "user": "--user-name",
    "group": "--group-name",
    "role": "--role-name",
    "policy": "--policy-arn",
}


def _name(entity: str, *, required: bool = True) -> Arg:
    return Arg(ENTITY_FLAGS[entity], required=required, help=f"the {entity}'s name")


def _target(entity: str) -> Arg:
    what = "ARN" if entity == "policy" else "name"
    return Arg(
        ENTITY_FLAGS[entity],
        field="target",
        kind=TARGET,
        required=True,
        help=f"the {entity}'s {what}",
        entity=entity,
    )


USER_NAME = _name("user")
GROUP_NAME = _name("group")
ROLE_NAME = _name("role")
POLICY_ARN = Arg("--policy-arn", required=True, help="the managed policy's ARN")
POLICY_NAME = Arg("--policy-name", required=True, help="the policy's name")
POLICY_DOCUMENT = Arg(
    "--policy-document", kind=DOCUMENT, required=True, help="JSON text or file://path"
)
PATH = Arg("--path", help="the entity's path, e.g. /division/ (default /)")
PATH_PREFIX = Arg("--path-prefix", help="list only entities whose path starts with this")
NEW_PATH = Arg("--new-path", help="the new path")
DESCRIPTION = Arg("--description", help="a description")
MAX_SESSION_DURATION = Arg(
    "--max-session-duration", kind=INT, help="maximum session duration in seconds (3600-43200)"
)
PERMISSIONS_BOUNDARY = Arg(
    "--permissions-boundary", help="the ARN of the managed policy to use as boundary"
)
TAG_LIST = Arg("--tags", kind=TAGS, help="Key=k,Value=v ... or a JSON list of {Key, Value}")
VERSION_ID = Arg("--version-id", required=True, help="the policy version, e.g. v2")

PAGINATION_ARGS = (
    Arg("--max-items", kind=INT, help="the total number of items to return"),
    Arg(
        "--starting-token",
        aliases=("--marker",),
        help="continue from the NextToken (or Marker) of an earlier call",
    ),
    Arg("--page-size", kind=INT, help="the number of items per service call"),
)

# Create/UpdateSAMLProvider's encrypted-assertion settings.
_ASSERTION_ENCRYPTION_MODE = Arg(
    "--assertion-encryption-mode", kind=CHOICE, choices={"Required": "required", "Allowed": "allowed"},
    help="Required: encrypted assertions only (needs a private key); Allowed: encrypted or plain")
_ADD_PRIVATE_KEY = Arg(
    "--add-private-key", kind=DOCUMENT,
    help="a private key (unencrypted PEM, RSA) to decrypt assertions with, or file://path (a secret: never "
         "answered; at most 2 per provider)")
ENTITY_KIND_CHOICES = {"User": "user", "Group": "group", "Role": "role"}


def _inline_policy_output(entity: str) -> Shape:
    """get-user-policy and friends print the AWS shape: entity name, policy name, document."""
    key = f"{entity.capitalize()}Name"

    def shape(data: dict[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
        return {key: fields["target"][1], **data.get("Policy", {})}

    return shape


def _entity_commands() -> list[Command]:
    commands: list[Command] = []
    for e in ("user", "group", "role"):
        t = _target(e)
        commands += [
            Command(f"attach-{e}-policy", "AttachPolicy", (t, POLICY_ARN),
                    f"Attach a managed policy to a {e}"),
            Command(f"detach-{e}-policy", "DetachPolicy", (t, POLICY_ARN),
                    f"Detach a managed policy from a {e}"),
            Command(f"list-attached-{e}-policies", "ListAttachedPolicies", (t, PATH_PREFIX),
                    f"List the managed policies attached to a {e}"),
            Command(f"put-{e}-policy", "PutInlinePolicy", (t, POLICY_NAME, POLICY_DOCUMENT),
                    f"Add or replace an inline policy of a {e}"),
            Command(f"get-{e}-policy", "GetInlinePolicy", (t, POLICY_NAME),
                    f"Show an inline policy of a {e}", shape=_inline_policy_output(e)),
            Command(f"delete-{e}-policy", "DeleteInlinePolicy", (t, POLICY_NAME),
                    f"Delete an inline policy of a {e}"),
            Command(f"list-{e}-policies", "ListInlinePolicies", (t,),
                    f"List the names of a {e}'s inline policies"),
        ]  # fmt: skip
    for e in ("user", "role"):
        t = _target(e)
        boundary = Arg("--permissions-boundary", required=True, help="the boundary policy's ARN")
        commands += [
            Command(f"put-{e}-permissions-boundary", "PutPermissionsBoundary", (t, boundary),
                    f"Set the permissions boundary of a {e}"),
            Command(f"delete-{e}-permissions-boundary", "DeletePermissionsBoundary", (t,),
                    f"Remove the permissions boundary of a {e}"),
        ]  # fmt: skip
    for e in ("user", "role", "policy"):
        t = _target(e)
        tags = Arg("--tags", kind=TAGS, required=True, help=TAG_LIST.help)
        keys = Arg("--tag-keys", kind=LIST, required=True, help="the keys of the tags to remove")
        commands += [
            Command(f"tag-{e}", "TagEntity", (t, tags), f"Add or overwrite tags of a {e}"),
            Command(f"untag-{e}", "UntagEntity", (t, keys), f"Remove tags from a {e}"),
            Command(f"list-{e}-tags", "ListEntityTags", (t,), f"List the tags of a {e}"),
        ]
    return commands


IAM_COMMANDS: tuple[Command, ...] = (
    Command("create-user", "CreateUser", (USER_NAME, PATH, PERMISSIONS_BOUNDARY, TAG_LIST),
            "Create an IAM user"),
    Command("get-user", "GetUser", (_name("user", required=False),), "Show a user"),
    Command("list-users", "ListUsers", (PATH_PREFIX,), "List users"),
    Command("update-user", "UpdateUser",
            (USER_NAME, Arg("--new-user-name", help="the new name"), NEW_PATH),
            "Rename a user or change its path"),
    Command("delete-user", "DeleteUser", (USER_NAME,), "Delete a user"),
    Command("create-group", "CreateGroup", (GROUP_NAME, PATH), "Create a group"),
    Command("get-group", "GetGroup", (GROUP_NAME,), "Show a group and its users"),
    Command("list-groups", "ListGroups", (PATH_PREFIX,), "List groups"),
    Command("update-group", "UpdateGroup",
            (GROUP_NAME, Arg("--new-group-name", help="the new name"), NEW_PATH),
            "Rename a group or change its path"),
    Command("delete-group", "DeleteGroup", (GROUP_NAME,), "Delete a group"),
    Command("add-user-to-group", "AddUserToGroup", (GROUP_NAME, USER_NAME),
            "Add a user to a group"),
    Command("remove-user-from-group", "RemoveUserFromGroup", (GROUP_NAME, USER_NAME),
            "Remove a user from a group"),
    Command("list-groups-for-user", "ListGroupsForUser", (USER_NAME,),
            "List the groups a user belongs to"),
    Command("create-role", "CreateRole",
            (ROLE_NAME, PATH,
             Arg("--assume-role-policy-document", kind=DOCUMENT, required=True,
                 help="the trust policy: JSON text or file://path"),
             DESCRIPTION, MAX_SESSION_DURATION, PERMISSIONS_BOUNDARY, TAG_LIST),
            "Create a role"),
    Command("get-role", "GetRole", (ROLE_NAME,), "Show a role"),
    Command("list-roles", "ListRoles", (PATH_PREFIX,), "List roles"),
    Command("update-role", "UpdateRole", (ROLE_NAME, DESCRIPTION, MAX_SESSION_DURATION),
            "Change a role's description or maximum session duration"),
    Command("update-role-description", "UpdateRoleDescription",
            (ROLE_NAME, Arg("--description", required=True, help="the new description")),
            "Change a role's description; prints the role"),
    Command("update-assume-role-policy", "UpdateAssumeRolePolicy", (ROLE_NAME, POLICY_DOCUMENT),
            "Replace a role's trust policy"),
    Command("delete-role", "DeleteRole", (ROLE_NAME,), "Delete a role"),
    Command("create-policy", "CreatePolicy",
            (Arg("--policy-name", required=True, help="the policy's name"), POLICY_DOCUMENT,
             PATH, DESCRIPTION, TAG_LIST),
            "Create a customer-managed policy"),
    Command("get-policy", "GetPolicy", (POLICY_ARN,), "Show a managed policy"),
    Command("list-policies", "ListPolicies",
            (Arg("--scope", kind=CHOICE, choices={"All": "all", "AWS": "aws", "Local": "local"},
                 help="All (default), AWS or Local"),
             Arg("--only-attached", kind=FLAG, help="list only policies that are attached"),
             PATH_PREFIX),
            "List managed policies"),
    Command("delete-policy", "DeletePolicy", (POLICY_ARN,), "Delete a managed policy"),
    Command("create-policy-version", "CreatePolicyVersion",
            (POLICY_ARN, POLICY_DOCUMENT,
             Arg("--set-as-default", kind=FLAG, help="make the new version the default")),
            "Add a version to a managed policy"),
    Command("get-policy-version", "GetPolicyVersion", (POLICY_ARN, VERSION_ID),
            "Show one version of a managed policy"),
    Command("list-policy-versions", "ListPolicyVersions", (POLICY_ARN,),
            "List the versions of a managed policy"),
    Command("set-default-policy-version", "SetDefaultPolicyVersion", (POLICY_ARN, VERSION_ID),
            "Make a version the default"),
    Command("delete-policy-version", "DeletePolicyVersion", (POLICY_ARN, VERSION_ID),
            "Delete a non-default version"),
    Command("list-entities-for-policy", "ListEntitiesForPolicy",
            (POLICY_ARN,
             Arg("--entity-filter", kind=CHOICE, choices=ENTITY_KIND_CHOICES,
                 help="User, Group or Role (default: all)")),
            "List the users, groups and roles a managed policy is attached to"),
    *_entity_commands(),
    Command("get-account-authorization-details", "GetAccountAuthorizationDetails",
            (Arg("--filter", kind=CHOICES,
                 choices={**ENTITY_KIND_CHOICES, "LocalManagedPolicy": "policy"},
                 help="User, Group, Role, LocalManagedPolicy (default: all)"),),
            "Show every user, group, role and policy of the account with their policies"),
    Command("update-account-password-policy", "UpdateAccountPasswordPolicy", (
        Arg("--minimum-password-length", kind=INT, help="6-128 (default 6)"),
        Arg("--require-symbols", kind=FLAG), Arg("--require-numbers", kind=FLAG),
        Arg("--require-uppercase-characters", kind=FLAG), Arg("--require-lowercase-characters", kind=FLAG),
        Arg("--allow-users-to-change-password", kind=FLAG),
        Arg("--max-password-age", kind=INT, help="days, 1-1095 (default: passwords do not expire)"),
        Arg("--password-reuse-prevention", kind=INT, help="1-24 (default: no reuse check)"),
        Arg("--hard-expiry", kind=FLAG),
    ), "Set the account's password policy (the whole policy: unset options take their defaults)"),
    Command("get-account-password-policy", "GetAccountPasswordPolicy", (), "Show the account's password policy"),
    Command("delete-account-password-policy", "DeleteAccountPasswordPolicy", (),
            "Delete the account's password policy"),
    Command("create-account-alias", "CreateAccountAlias", (Arg("--account-alias", required=True),),
            "Give the account its alias (it replaces the one it had)"),
    Command("delete-account-alias", "DeleteAccountAlias", (Arg("--account-alias", required=True),),
            "Remove the account's alias"),
    Command("list-account-aliases", "ListAccountAliases", (), "Show the account's alias"),
    Command("create-open-id-connect-provider", "CreateOpenIDConnectProvider", (
        Arg("--url", required=True, help="https://HOST[/PATH]"), Arg("--client-id-list", kind=LIST),
        Arg("--thumbprint-list", kind=LIST), Arg("--tags", kind=TAGS),
    ), "Register an OpenID Connect identity provider"),
    Command("get-open-id-connect-provider", "GetOpenIDConnectProvider", (Arg("--open-id-connect-provider-arn", required=True),),
            "Show an OIDC provider"),
    Command("list-open-id-connect-providers", "ListOpenIDConnectProviders", (), "List the account's OIDC providers"),
    Command("delete-open-id-connect-provider", "DeleteOpenIDConnectProvider", (Arg("--open-id-connect-provider-arn", required=True),),
            "Delete an OIDC provider"),
    Command("add-client-id-to-open-id-connect-provider", "AddClientIDToOpenIDConnectProvider", (
        Arg("--open-id-connect-provider-arn", required=True), Arg("--client-id", required=True)), "Add an audience to an OIDC provider"),
    Command("remove-client-id-from-open-id-connect-provider", "RemoveClientIDFromOpenIDConnectProvider", (
        Arg("--open-id-connect-provider-arn", required=True), Arg("--client-id", required=True)), "Remove an audience from an OIDC provider"),
    Command("update-open-id-connect-provider-thumbprint", "UpdateOpenIDConnectProviderThumbprint", (
        Arg("--open-id-connect-provider-arn", required=True), Arg("--thumbprint-list", kind=LIST, required=True)),
        "Replace an OIDC provider's certificate thumbprints"),
    Command("tag-open-id-connect-provider", "TagOpenIDConnectProvider", (
        Arg("--open-id-connect-provider-arn", required=True), Arg("--tags", kind=TAGS, required=True)), "Tag an OIDC provider"),
    Command("untag-open-id-connect-provider", "UntagOpenIDConnectProvider", (
        Arg("--open-id-connect-provider-arn", required=True), Arg("--tag-keys", kind=LIST, required=True)), "Untag an OIDC provider"),
    Command("list-open-id-connect-provider-tags", "ListOpenIDConnectProviderTags", (Arg("--open-id-connect-provider-arn", required=True),),
            "List an OIDC provider's tags"),
    Command("create-saml-provider", "CreateSAMLProvider", (
        Arg("--saml-metadata-document", kind=DOCUMENT, required=True,
            help="the IdP's SAML 2.0 metadata XML, or file://path"),
        Arg("--name", required=True, help="the provider's name"), Arg("--tags", kind=TAGS),
        _ASSERTION_ENCRYPTION_MODE, _ADD_PRIVATE_KEY),
        "Register a SAML 2.0 identity provider from its metadata"),
    Command("get-saml-provider", "GetSAMLProvider", (Arg("--saml-provider-arn", required=True),),
            "Show a SAML provider and its metadata"),
    Command("list-saml-providers", "ListSAMLProviders", (), "List the account's SAML providers"),
    Command("update-saml-provider", "UpdateSAMLProvider", (
        Arg("--saml-provider-arn", required=True),
        Arg("--saml-metadata-document", kind=DOCUMENT,
            help="the IdP's new SAML 2.0 metadata XML, or file://path (required unless the encryption "
                 "settings change)"),
        _ASSERTION_ENCRYPTION_MODE, _ADD_PRIVATE_KEY,
        Arg("--remove-private-key", help="the KeyId of a private key to remove (not with --add-private-key: "
                                         "a rotation adds the new key, then removes the old one)")),
        "Replace a SAML provider's metadata, encryption mode or private keys"),
    Command("delete-saml-provider", "DeleteSAMLProvider", (Arg("--saml-provider-arn", required=True),),
            "Delete a SAML provider"),
    Command("tag-saml-provider", "TagSAMLProvider", (
        Arg("--saml-provider-arn", required=True), Arg("--tags", kind=TAGS, required=True)), "Tag a SAML provider"),
    Command("untag-saml-provider", "UntagSAMLProvider", (
        Arg("--saml-provider-arn", required=True), Arg("--tag-keys", kind=LIST, required=True)),
        "Untag a SAML provider"),
    Command("list-saml-provider-tags", "ListSAMLProviderTags", (Arg("--saml-provider-arn", required=True),),
            "List a SAML provider's tags"),
    Command("create-instance-profile", "CreateInstanceProfile", (
        Arg("--instance-profile-name", required=True), Arg("--path"), Arg("--tags", kind=TAGS)),
        "Create an instance profile"),
    Command("get-instance-profile", "GetInstanceProfile", (Arg("--instance-profile-name", required=True),),
            "Show an instance profile and its role"),
    Command("delete-instance-profile", "DeleteInstanceProfile", (Arg("--instance-profile-name", required=True),),
            "Delete an instance profile (it must hold no role)"),
    Command("list-instance-profiles", "ListInstanceProfiles", (PATH_PREFIX,), "List instance profiles"),
    Command("add-role-to-instance-profile", "AddRoleToInstanceProfile", (
        Arg("--instance-profile-name", required=True), ROLE_NAME), "Put a role in an instance profile (one at most)"),
    Command("remove-role-from-instance-profile", "RemoveRoleFromInstanceProfile", (
        Arg("--instance-profile-name", required=True), ROLE_NAME), "Take the role out of an instance profile"),
    Command("list-instance-profiles-for-role", "ListInstanceProfilesForRole", (ROLE_NAME,),
            "List the instance profiles holding a role"),
    Command("tag-instance-profile", "TagInstanceProfile", (
        Arg("--instance-profile-name", required=True), Arg("--tags", kind=TAGS, required=True)),
        "Tag an instance profile"),
    Command("untag-instance-profile", "UntagInstanceProfile", (
        Arg("--instance-profile-name", required=True), Arg("--tag-keys", kind=LIST, required=True)),
        "Untag an instance profile"),
    Command("list-instance-profile-tags", "ListInstanceProfileTags", (Arg("--instance-profile-name", required=True),),
            "List an instance profile's tags"),
    Command("create-login-profile", "CreateLoginProfile", (
        Arg("--user-name"), Arg("--password", required=True),
        Arg("--password-reset-required", kind=FLAG, help="the user must set a new password at its next sign-in")),
        "Give a user a console password"),
    Command("get-login-profile", "GetLoginProfile", (Arg("--user-name"),), "Show whether a user has a console password"),
    Command("update-login-profile", "UpdateLoginProfile", (
        Arg("--user-name", required=True), Arg("--password"),
        Arg("--password-reset-required", kind=FLAG, help="the user must set a new password at its next sign-in")),
        "Change a user's console password"),
    Command("delete-login-profile", "DeleteLoginProfile", (Arg("--user-name"),), "Remove a user's console password"),
    Command("change-password", "ChangePassword", (
        Arg("--old-password", required=True), Arg("--new-password", required=True)),
        "Change your own console password (an IAM user's)"),
    Command("upload-ssh-public-key", "UploadSSHPublicKey", (
        USER_NAME, Arg("--ssh-public-key-body", kind=DOCUMENT, required=True, help="ssh-rsa or PEM text, or file://path")),
        "Upload a user's SSH public key (RSA, 2048 bits or more; 5 per user)"),
    Command("get-ssh-public-key", "GetSSHPublicKey", (
        USER_NAME, Arg("--ssh-public-key-id", required=True), Arg("--encoding", required=True, help="SSH or PEM")),
        "Show a user's SSH public key"),
    Command("list-ssh-public-keys", "ListSSHPublicKeys", (Arg("--user-name"),), "List a user's SSH public keys"),
    Command("update-ssh-public-key", "UpdateSSHPublicKey", (
        USER_NAME, Arg("--ssh-public-key-id", required=True), Arg("--status", required=True, help="Active or Inactive")),
        "Activate or deactivate a user's SSH public key"),
    Command("delete-ssh-public-key", "DeleteSSHPublicKey", (USER_NAME, Arg("--ssh-public-key-id", required=True)),
            "Delete a user's SSH public key"),
    Command("create-service-specific-credential", "CreateServiceSpecificCredential", (
        USER_NAME, Arg("--service-name", required=True, help="codecommit.amazonaws.com or cassandra.amazonaws.com")),
        "Generate a user name and password for a user and a service (shown once; 2 per user and service)"),
    Command("list-service-specific-credentials", "ListServiceSpecificCredentials", (
        Arg("--user-name"), Arg("--service-name", help="only this service's credentials")),
        "List a user's service-specific credentials (without passwords)"),
    Command("reset-service-specific-credential", "ResetServiceSpecificCredential", (
        Arg("--user-name"), Arg("--service-specific-credential-id", required=True)),
        "Give a service-specific credential a new generated password (shown once)"),
    Command("update-service-specific-credential", "UpdateServiceSpecificCredential", (
        Arg("--user-name"), Arg("--service-specific-credential-id", required=True),
        Arg("--status", required=True, help="Active or Inactive")),
        "Activate or deactivate a service-specific credential"),
    Command("delete-service-specific-credential", "DeleteServiceSpecificCredential", (
        Arg("--user-name"), Arg("--service-specific-credential-id", required=True)),
        "Delete a service-specific credential"),
    Command("upload-signing-certificate", "UploadSigningCertificate", (
        Arg("--user-name"), Arg("--certificate-body", kind=DOCUMENT, required=True, help="PEM text, or file://path")),
        "Upload a user's X.509 signing certificate (2 per user)"),
    Command("list-signing-certificates", "ListSigningCertificates", (Arg("--user-name"),),
            "List a user's signing certificates"),
    Command("update-signing-certificate", "UpdateSigningCertificate", (
        Arg("--user-name"), Arg("--certificate-id", required=True), Arg("--status", required=True, help="Active or Inactive")),
        "Activate or deactivate a user's signing certificate"),
    Command("delete-signing-certificate", "DeleteSigningCertificate", (
        Arg("--user-name"), Arg("--certificate-id", required=True)), "Delete a user's signing certificate"),
    Command("upload-server-certificate", "UploadServerCertificate", (
        Arg("--server-certificate-name", required=True), Arg("--path"),
        Arg("--certificate-body", kind=DOCUMENT, required=True, help="PEM text, or file://path"),
        Arg("--private-key", kind=DOCUMENT, required=True, help="PEM text, or file://path (a secret: never answered)"),
        Arg("--certificate-chain", kind=DOCUMENT, help="PEM text, or file://path"), Arg("--tags", kind=TAGS)),
        "Upload a server certificate with its private key (20 per account)"),
    Command("get-server-certificate", "GetServerCertificate", (Arg("--server-certificate-name", required=True),),
            "Show a server certificate and its chain (never its private key)"),
    Command("list-server-certificates", "ListServerCertificates", (PATH_PREFIX,), "List server certificates"),
    Command("update-server-certificate", "UpdateServerCertificate", (
        Arg("--server-certificate-name", required=True), Arg("--new-path"), Arg("--new-server-certificate-name")),
        "Move or rename a server certificate"),
    Command("delete-server-certificate", "DeleteServerCertificate", (Arg("--server-certificate-name", required=True),),
            "Delete a server certificate"),
    Command("tag-server-certificate", "TagServerCertificate", (
        Arg("--server-certificate-name", required=True), Arg("--tags", kind=TAGS, required=True)),
        "Tag a server certificate"),
    Command("untag-server-certificate", "UntagServerCertificate", (
        Arg("--server-certificate-name", required=True), Arg("--tag-keys", kind=LIST, required=True)),
        "Untag a server certificate"),
    Command("list-server-certificate-tags", "ListServerCertificateTags", (
        Arg("--server-certificate-name", required=True),), "List a server certificate's tags"),
    Command("create-service-linked-role", "CreateServiceLinkedRole", (
        Arg("--aws-service-name", required=True), Arg("--description"), Arg("--custom-suffix")),
        "Create the role an AWS service uses (AWS's name, path, trust policy and policy)"),
    Command("delete-service-linked-role", "DeleteServiceLinkedRole", (ROLE_NAME,),
            "Delete a service-linked role; prints the deletion task's id"),
    Command("get-service-linked-role-deletion-status", "GetServiceLinkedRoleDeletionStatus", (
        Arg("--deletion-task-id", required=True),), "Show whether a service-linked role's deletion succeeded"),
    Command("get-account-summary", "GetAccountSummary", (),
            "Count the account's entities, with the quotas iamd enforces"),
    Command("set-security-token-service-preferences", "SetSecurityTokenServicePreferences", (
        Arg("--global-endpoint-token-version", kind=CHOICE, required=True,
            choices={"v1Token": "v1Token", "v2Token": "v2Token"}, help="v1Token (the default) or v2Token"),),
        "Set the version of session token STS's global endpoint issues (GetAccountSummary's "
        "GlobalEndpointTokenVersion)"),
    Command("generate-credential-report", "GenerateCredentialReport", (),
            "Build the credential report (kept 4 hours)"),
    Command("get-credential-report", "GetCredentialReport", (),
            "Show the credential report: CSV, base64-encoded in Content as the aws CLI shows it"),
    Command("generate-service-last-accessed-details", "GenerateServiceLastAccessedDetails", (
        Arg("--arn", required=True, help="the ARN of a user, group, role or managed policy"),
        Arg("--granularity", kind=CHOICE, choices={"SERVICE_LEVEL": "SERVICE_LEVEL", "ACTION_LEVEL": "ACTION_LEVEL"},
            help="SERVICE_LEVEL (default) or ACTION_LEVEL")),
        "Start a report of the services an entity's policies allow and when they were last used; prints its JobId"),
    Command("get-service-last-accessed-details", "GetServiceLastAccessedDetails", (
        Arg("--job-id", required=True, help="the JobId generate-service-last-accessed-details printed"),),
        "Show a last-accessed report: IN_PROGRESS until COMPLETED, then each service's last use"),
    Command("get-service-last-accessed-details-with-entities", "GetServiceLastAccessedDetailsWithEntities", (
        Arg("--job-id", required=True, help="the JobId generate-service-last-accessed-details printed"),
        Arg("--service-namespace", required=True, help="the service's namespace, e.g. s3")),
        "Show which users and roles of a report could use a service, and when each last tried"),
)  # fmt: skip

AUTHZ_COMMANDS: tuple[Command, ...] = (
    Command(
        "check",
        "Authorize",
        (
            Arg("--principal", "principal_arn", help="the principal's ARN (or one of the next two)"),
            Arg("--service-principal", help="a service acting on the resource, e.g. sns.amazonaws.com"),
            Arg("--anonymous", kind=FLAG, help="an unauthenticated request"),
            Arg("--action", required=True, help="the action, e.g. s3:GetObject"),
            Arg("--resource", required=True, help="the resource ARN"),
            Arg("--resource-account", help="the account that owns the resource"),
            Arg("--resource-policy", kind=DOCUMENT, help="the resource's policy, instead of the registered one"),
            Arg("--context", kind=CONTEXT,
                help="a request context key, repeatable; a key given twice is multivalued"),
            Arg("--context-json", "context", CONTEXT_JSON,
                help='context keys as JSON, e.g. {"aws:TagKeys": ["a"]}, or file://path'),
            Arg("--min-position", kind=INT,
                help="wait until the projection has applied this log position"),
            Arg("--explain", kind=FLAG, help="include the determining statements"),
            Arg("--encode-denial", kind=FLAG,
                help="answer a denial's encoded authorization failure message (sts decode-authorization-message "
                     "reads it)"),
            Arg("--as-of-position", "as_of", AS_OF_POSITION, help="evaluate as of this log position"),
            Arg("--as-of-time", "as_of", AS_OF_TIME, help="evaluate as of this time (ISO 8601)"),
        ),
        "Ask whether a principal (or a service, or an anonymous caller) may perform an action on a resource",
        operation="Authorize",
    ),  # fmt: skip
    Command(
        "status",
        "GetProjectionStatus",
        (),
        "Show where the authorization projection is in the log",
        operation="GetProjectionStatus",
    ),
)

def _simulation_args() -> tuple[Arg, ...]:
    return (
        Arg("--action-names", kind=LIST, required=True, help="actions to simulate, e.g. s3:GetObject"),
        Arg("--resource-arns", kind=LIST, help="resources to simulate (default `*`)"),
        Arg("--resource-policy", kind=DOCUMENT, help="the resource's policy (or a role's trust policy)"),
        Arg("--resource-owner", help="the account that owns the resources"),
        Arg("--permissions-boundary-policy-input-list", kind=DOCUMENTS, help="boundary documents"),
        Arg("--context-entries", "context_entries", CONTEXT_ENTRIES,
            help="ContextKeyName=K,ContextKeyValues=V1,V2,ContextKeyType=T ... or their JSON list, as the aws "
                 'CLI takes them; or a JSON object of keys, e.g. {"aws:SourceIp": "10.0.0.1"}; or file://path'),
    )


def _simulation(rpc: str) -> Callable[[Any, dict[str, Any], argparse.Namespace], dict[str, Any]]:
    """Simulate*'s answer as AWS shapes it: one EvaluationResult per action, the most restrictive
    decision over the resources given, with a ResourceSpecificResults entry for each."""

    def run(client: Any, fields: dict[str, Any], ns: argparse.Namespace) -> dict[str, Any]:
        request = build_request(method_for(rpc).request_type, **fields)
        response = client.call(rpc, request, timeout=getattr(ns, "cli_read_timeout", None))
        caller = fields.get("caller_arn") or fields.get("policy_source_arn") or ""
        return {"EvaluationResults": evaluation_results(response.evaluation_results, fields.get("resource_arns") or [],
                                                        caller, fields.get("resource_owner") or "")}

    return run


SIMULATION_COMMANDS: tuple[Command, ...] = (
    Command("simulate-custom-policy", "SimulateCustomPolicy", (
        Arg("--policy-input-list", kind=DOCUMENTS, required=True, help="identity-based policy documents"),
        *_simulation_args(),
        Arg("--caller-arn", help="the simulated principal (default: the caller)"),
        Arg("--session-policy", kind=DOCUMENT, help="a session policy document"),
    ), "Simulate how policies given inline apply to actions and resources",
        custom=_simulation("SimulateCustomPolicy")),
    Command("simulate-principal-policy", "SimulatePrincipalPolicy", (
        Arg("--policy-source-arn", required=True, help="the user or role whose policies are simulated"),
        Arg("--policy-input-list", kind=DOCUMENTS, help="extra identity-based policy documents"),
        *_simulation_args(),
    ), "Simulate how a stored principal's policies apply to actions and resources",
        custom=_simulation("SimulatePrincipalPolicy")),
    Command("get-context-keys-for-custom-policy", "GetContextKeysForCustomPolicy", (
        Arg("--policy-input-list", kind=DOCUMENTS, required=True, help="policy documents"),
    ), "List the condition keys the policies' Condition elements name"),
    Command("get-context-keys-for-principal-policy", "GetContextKeysForPrincipalPolicy", (
        Arg("--policy-source-arn", required=True, help="a user, group or role"),
        Arg("--policy-input-list", kind=DOCUMENTS, help="extra policy documents"),
    ), "List the condition keys a principal's policies (and its groups') name"),
)

ACCESS_KEY_COMMANDS: tuple[Command, ...] = (
    Command("create-access-key", "CreateAccessKey", (Arg("--user-name", help="default: the caller itself"),),
            "Create an access key; the secret is shown only this once"),
    Command("list-access-keys", "ListAccessKeys", (Arg("--user-name", help="default: the caller itself"),),
            "List access keys (never their secrets)"),
    Command("update-access-key", "UpdateAccessKey", (
        Arg("--access-key-id", required=True),
        Arg("--status", kind=CHOICE, required=True, choices={"Active": "Active", "Inactive": "Inactive"}),
        Arg("--user-name", help="default: the caller itself"),
    ), "Activate or deactivate an access key"),
    Command("delete-access-key", "DeleteAccessKey", (
        Arg("--access-key-id", required=True), Arg("--user-name", help="default: the caller itself"),
    ), "Delete an access key"),
    Command("get-access-key-last-used", "GetAccessKeyLastUsed", (Arg("--access-key-id", required=True),),
            "When, and for which service, an access key was last used"),
    Command("create-virtual-mfa-device", "CreateVirtualMFADevice", (
        Arg("--virtual-mfa-device-name", required=True), Arg("--path"), Arg("--tags", kind=TAGS),
    ), "Create a virtual (TOTP) MFA device; its seed is shown only this once"),
    Command("tag-mfa-device", "TagMFADevice", (
        Arg("--serial-number", required=True), Arg("--tags", kind=TAGS, required=True)), "Tag an MFA device"),
    Command("untag-mfa-device", "UntagMFADevice", (
        Arg("--serial-number", required=True), Arg("--tag-keys", kind=LIST, required=True)), "Untag an MFA device"),
    Command("list-mfa-device-tags", "ListMFADeviceTags", (Arg("--serial-number", required=True),),
            "List an MFA device's tags"),
    Command("enable-mfa-device", "EnableMFADevice", (
        Arg("--user-name", required=True), Arg("--serial-number", required=True),
        Arg("--authentication-code1", required=True), Arg("--authentication-code2", required=True),
    ), "Enable an MFA device for a user with two consecutive codes"),
    Command("deactivate-mfa-device", "DeactivateMFADevice", (
        Arg("--user-name", required=True), Arg("--serial-number", required=True),
    ), "Deactivate a user's MFA device"),
    Command("delete-virtual-mfa-device", "DeleteVirtualMFADevice", (Arg("--serial-number", required=True),),
            "Delete a virtual MFA device that no user has enabled"),
    Command("list-mfa-devices", "ListMFADevices", (Arg("--user-name", help="default: the caller itself"),),
            "List a user's MFA devices"),
    Command("get-mfa-device", "GetMFADevice", (
        Arg("--serial-number", required=True), Arg("--user-name", help="default: the caller itself")),
        "Show an MFA device of a user"),
    Command("resync-mfa-device", "ResyncMFADevice", (
        Arg("--user-name", required=True), Arg("--serial-number", required=True),
        Arg("--authentication-code1", required=True), Arg("--authentication-code2", required=True),
    ), "Resynchronize a user's virtual MFA device whose clock drifted, with two consecutive codes"),
    Command("list-policies-granting-service-access", "ListPoliciesGrantingServiceAccess", (
        Arg("--arn", required=True, help="the ARN of a user, group or role"),
        Arg("--service-namespaces", kind=LIST, required=True, help="service namespaces, e.g. s3 iam (1-200)")),
        "Show, per service, the permissions policies of a user, group or role that allow some of its actions"),
    Command("enable-organizations-root-credentials-management", "EnableOrganizationsRootCredentialsManagement", (),
            "Let the management account (and IAM's delegated administrator) manage member accounts' root "
            "credentials (needs trusted access for iam.amazonaws.com)"),
    Command("disable-organizations-root-credentials-management", "DisableOrganizationsRootCredentialsManagement", (),
            "Stop the central management of member accounts' root credentials"),
    Command("enable-organizations-root-sessions", "EnableOrganizationsRootSessions", (),
            "Let the management account (and IAM's delegated administrator) open privileged root sessions of "
            "member accounts (sts assume-root)"),
    Command("disable-organizations-root-sessions", "DisableOrganizationsRootSessions", (),
            "Stop privileged root sessions of member accounts"),
    Command("list-organizations-features", "ListOrganizationsFeatures", (),
            "Show the organization's centralized root access features"),
    Command("generate-organizations-access-report", "GenerateOrganizationsAccessReport", (
        Arg("--entity-path", required=True, help="o-ORG/r-ROOT[/ou-...][/ACCOUNT]: the root, an OU or an account"),
        Arg("--organizations-policy-id", help="an SCP (p-...): report the services it allows instead"),
    ), "Start a report of the services an Organizations entity's SCPs allow and when its accounts last used them"),
    Command("get-organizations-access-report", "GetOrganizationsAccessReport", (
        Arg("--job-id", required=True),
        Arg("--sort-key", kind=CHOICE, choices={k: k for k in (
            "SERVICE_NAMESPACE_ASCENDING", "SERVICE_NAMESPACE_DESCENDING", "LAST_AUTHENTICATED_TIME_ASCENDING",
            "LAST_AUTHENTICATED_TIME_DESCENDING")}, help="the order of the services (by namespace by default)"),
    ), "Show an Organizations access report's state and services"),
    Command("enable-outbound-web-identity-federation", "EnableOutboundWebIdentityFederation", (),
            "Let the account's principals get JWTs for external services (sts get-web-identity-token); shows "
            "the account's issuer URL"),
    Command("disable-outbound-web-identity-federation", "DisableOutboundWebIdentityFederation", (),
            "Stop issuing JWTs for external services (tokens issued before stay verifiable)"),
    Command("get-outbound-web-identity-federation-info", "GetOutboundWebIdentityFederationInfo", (),
            "Show the account's issuer URL and whether JWTs are issued"),
    Command("list-virtual-mfa-devices", "ListVirtualMFADevices", (
        Arg("--assignment-status", kind=CHOICE, choices={"Assigned": "Assigned", "Unassigned": "Unassigned",
                                                          "Any": "Any"}, help="Assigned, Unassigned or Any (default)"),
    ), "List the account's virtual MFA devices"),
    Command("put-resource-policy", "PutResourcePolicy", (
        Arg("--resource-arn", required=True), Arg("--policy-document", kind=DOCUMENT, required=True),
    ), "Register the resource-based policy of another service's resource"),
    Command("get-resource-policy", "GetResourcePolicy", (Arg("--resource-arn", required=True),),
            "Show a resource's registered policy"),
    Command("delete-resource-policy", "DeleteResourcePolicy", (Arg("--resource-arn", required=True),),
            "Remove a resource's registered policy"),
    Command("tag-resource", "TagResource", (Arg("--resource-arn", required=True), Arg("--tags", kind=TAGS,
                                                                                      required=True)),
            "Tag a resource (feeds aws:ResourceTag/*)"),
    Command("untag-resource", "UntagResource", (Arg("--resource-arn", required=True),
                                                Arg("--tag-keys", kind=LIST, required=True)), "Untag a resource"),
    Command("list-tags-for-resource", "ListTagsForResource", (Arg("--resource-arn", required=True),),
            "List a resource's tags"),
    Command("revoke-role-sessions", "RevokeRoleSessions", (Arg("--role-name", required=True),),
            "Deny every session of a role issued before now (the console's 'Revoke active sessions')"),
)

STS_COMMANDS: tuple[Command, ...] = (
    Command("get-caller-identity", "GetCallerIdentity", (), "Show who the credentials belong to"),
    Command("assume-role", "AssumeRole", (
        Arg("--role-arn", required=True),
        Arg("--role-session-name", required=True),
        Arg("--duration-seconds", kind=INT),
        Arg("--policy", kind=DOCUMENT, help="an inline session policy"),
        Arg("--policy-arns", kind=POLICY_ARNS, help="managed session policies: arn=ARN ..."),
        Arg("--tags", kind=TAGS),
        Arg("--transitive-tag-keys", kind=LIST),
        Arg("--external-id"),
        Arg("--serial-number"),
        Arg("--token-code"),
        Arg("--source-identity"),
    ), "Get temporary credentials of a role session"),
    Command("assume-root", "AssumeRoot", (
        Arg("--target-principal", required=True, help="the member account's id, or its root user's ARN"),
        Arg("--task-policy-arn", kind=STRUCTURE, required=True,
            help="arn=arn:aws:iam::aws:policy/root-task/NAME (one of AWS's root-task policies)"),
        Arg("--duration-seconds", kind=INT, help="at most 900 (the default)"),
    ), "Get temporary credentials of a member account's root user, scoped to one privileged task"),
    Command("get-web-identity-token", "GetWebIdentityToken", (
        Arg("--audience", kind=LIST, required=True, help="the token's audiences (its aud), 1-10"),
        Arg("--signing-algorithm", kind=CHOICE, required=True, choices={"RS256": "RS256", "ES384": "ES384"},
            help="RS256 or ES384"),
        Arg("--duration-seconds", kind=INT, help="60-3600 (default 300)"),
        Arg("--tags", kind=TAGS, help="custom claims (request_tags): Key=k,Value=v ..."),
    ), "Get a signed JWT of the caller's identity for an external service (outbound identity federation)"),
    Command("get-session-token", "GetSessionToken", (
        Arg("--duration-seconds", kind=INT), Arg("--serial-number"), Arg("--token-code"),
    ), "Get temporary credentials of the calling user"),
    Command("get-scoped-credentials", "GetScopedCredentials", (
        Arg("--policy", kind=DOCUMENT, help="the scope-down policy (a session policy)"),
        Arg("--duration-seconds", kind=INT, help="1-129600, at most what remains of the calling session"),
        Arg("--scoped-session-description", help="what the scoped session is for (kept in the audit record)"),
    ), "Get credentials of the calling session scoped down to a policy, a shorter lifetime or both "
       "(temporary credentials only)"),
    Command("get-federation-token", "GetFederationToken", (
        Arg("--name", required=True),
        Arg("--policy", kind=DOCUMENT, help="an inline session policy (without one the user may do nothing)"),
        Arg("--policy-arns", kind=POLICY_ARNS, help="managed session policies: arn=ARN ..."),
        Arg("--duration-seconds", kind=INT),
        Arg("--tags", kind=TAGS),
    ), "Get temporary credentials of a federated user, cut to the given session policies"),
    Command("get-access-key-info", "GetAccessKeyInfo", (Arg("--access-key-id", required=True),),
            "Show the account an access key belongs to"),
    Command("decode-authorization-message", "DecodeAuthorizationMessage", (
        Arg("--encoded-message", required=True,
            help="the encoded authorization failure message of a denied `authz check --encode-denial`"),
    ), "Decode the details of a refusal (needs sts:DecodeAuthorizationMessage)"),
    Command("assume-role-with-web-identity", "AssumeRoleWithWebIdentity", (
        Arg("--role-arn", required=True),
        Arg("--role-session-name", required=True),
        Arg("--web-identity-token", kind=DOCUMENT, required=True,
            help="the OIDC token (a JWT), e.g. a Kubernetes service account's; file://path reads it"),
        Arg("--duration-seconds", kind=INT),
        Arg("--policy", kind=DOCUMENT, help="an inline session policy"),
        Arg("--policy-arns", kind=POLICY_ARNS, help="managed session policies: arn=ARN ..."),
    ), "Get temporary credentials of a role session for an OIDC identity (no credentials needed: the "
       "token is the credential)", unsigned=True),
    Command("assume-role-with-saml", "AssumeRoleWithSAML", (
        Arg("--role-arn", required=True),
        Arg("--principal-arn", required=True, help="the ARN of the SAML provider that issued the assertion"),
        Arg("--saml-assertion", kind=DOCUMENT, required=True,
            help="the base64 of the IdP's SAML Response; file://path reads it"),
        Arg("--duration-seconds", kind=INT),
        Arg("--policy", kind=DOCUMENT, help="an inline session policy"),
        Arg("--policy-arns", kind=POLICY_ARNS, help="managed session policies: arn=ARN ..."),
    ), "Get temporary credentials of a role session for a SAML identity (no credentials needed: the "
       "assertion is the credential)", unsigned=True),
)

register_group(CommandGroup("iam", "users, groups, roles and policies",
                            IAM_COMMANDS + SIMULATION_COMMANDS + ACCESS_KEY_COMMANDS))
register_group(CommandGroup("sts", "security tokens and caller identity", STS_COMMANDS))
# The authorization policies (SCPs, RCPs) and the management policies iamd has.
_ORG_POLICY_TYPES = {t: t for t in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", "TAG_POLICY",
                                    "BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY")}
register_group(CommandGroup("organizations", "accounts, OUs, SCPs and RCPs", (
    Command("create-organization", "CreateOrganization", (), "Make the caller's account an organization's management account"),
    Command("describe-organization", "DescribeOrganization", (), "Show the organization"),
    Command("create-account", "CreateAccount", (Arg("--account-name", required=True), Arg("--email", required=True),
                                                Arg("--tags", kind=TAGS)),
            "Create a member account (with OrganizationAccountAccessRole)"),
    Command("list-accounts", "ListAccounts", (), "List the organization's accounts"),
    Command("describe-account", "DescribeAccount", (Arg("--account-id", required=True),), "Describe an account"),
    Command("create-organizational-unit", "CreateOrganizationalUnit", (
        Arg("--parent-id", required=True), Arg("--name", required=True), Arg("--tags", kind=TAGS)),
            "Create an OU under a root or OU"),
    Command("move-account", "MoveAccount", (
        Arg("--account-id", required=True), Arg("--source-parent-id", required=True),
        Arg("--destination-parent-id", required=True)), "Move an account to another root or OU"),
    Command("create-policy", "CreateOrganizationPolicy", (
        Arg("--name", required=True),
        Arg("--type", kind=CHOICE, required=True, choices=_ORG_POLICY_TYPES),
        Arg("--content", kind=DOCUMENT, required=True),
        Arg("--description", help="what the policy is for (at most 512 characters)"), Arg("--tags", kind=TAGS)),
        "Create an SCP or RCP", operation="CreatePolicy"),
    Command("attach-policy", "AttachOrganizationPolicy", (
        Arg("--policy-id", required=True), Arg("--target-id", required=True)),
        "Attach an SCP or RCP to a root, OU or account", operation="AttachPolicy"),
    Command("detach-policy", "DetachOrganizationPolicy", (
        Arg("--policy-id", required=True), Arg("--target-id", required=True)),
        "Detach an SCP or RCP", operation="DetachPolicy"),
    Command("list-policies-for-target", "ListPoliciesForTarget", (
        Arg("--target-id", required=True), Arg("--filter", kind=CHOICE, required=True, choices=_ORG_POLICY_TYPES)),
            "List the SCPs and RCPs attached to a root, OU or account"),
    Command("list-roots", "ListRoots", (), "List the organization's root"),
    Command("remove-account-from-organization", "RemoveAccountFromOrganization", (Arg("--account-id", required=True),),
            "Make a member account standalone (its SCPs and RCPs stop applying)"),
    Command("put-resource-policy", "PutOrganizationResourcePolicy", (
        Arg("--content", kind=DOCUMENT, required=True,
            help="the delegation policy: which member accounts may make which reads and policy changes"),
        Arg("--tags", kind=TAGS, help="tags of the resource policy, when this creates it")),
        "Create or replace the organization's resource policy (its delegation policy)",
        operation="PutResourcePolicy"),
    Command("describe-resource-policy", "DescribeOrganizationResourcePolicy", (),
            "Show the organization's resource policy", operation="DescribeResourcePolicy"),
    Command("delete-resource-policy", "DeleteOrganizationResourcePolicy", (),
            "Delete the organization's resource policy: no member account is delegated by it any more",
            operation="DeleteResourcePolicy"),
    Command("close-account", "CloseAccount", (Arg("--account-id", required=True, help="a member account's id"),),
            "Close a member account: PENDING_CLOSURE, then SUSPENDED; its principals are denied everything"),
    Command("list-children", "ListChildren", (
        Arg("--parent-id", required=True),
        Arg("--child-type", kind=CHOICE, required=True,
            choices={"ACCOUNT": "ACCOUNT", "ORGANIZATIONAL_UNIT": "ORGANIZATIONAL_UNIT"})),
        "List the accounts or OUs directly under a root or OU"),
    Command("list-parents", "ListParents", (Arg("--child-id", required=True),), "Show an OU's or account's parent"),
    Command("list-organizational-units-for-parent", "ListOrganizationalUnitsForParent",
            (Arg("--parent-id", required=True),), "List the OUs directly under a root or OU"),
    Command("list-accounts-for-parent", "ListAccountsForParent", (Arg("--parent-id", required=True),),
            "List the accounts directly under a root or OU"),
    Command("describe-organizational-unit", "DescribeOrganizationalUnit",
            (Arg("--organizational-unit-id", required=True),), "Describe an OU"),
    Command("update-organizational-unit", "UpdateOrganizationalUnit", (
        Arg("--organizational-unit-id", required=True), Arg("--name", required=True)), "Rename an OU"),
    Command("delete-organizational-unit", "DeleteOrganizationalUnit",
            (Arg("--organizational-unit-id", required=True),), "Delete an empty OU"),
    Command("describe-policy", "DescribeOrganizationPolicy", (Arg("--policy-id", required=True),),
            "Show an SCP's or RCP's summary and content", operation="DescribePolicy"),
    Command("list-policies", "ListOrganizationPolicies", (
        Arg("--filter", kind=CHOICE, required=True, choices=_ORG_POLICY_TYPES),),
        "List the organization's SCPs or RCPs", operation="ListPolicies"),
    Command("list-targets-for-policy", "ListTargetsForPolicy", (Arg("--policy-id", required=True),),
            "List the roots, OUs and accounts a policy is attached to"),
    Command("update-policy", "UpdateOrganizationPolicy", (
        Arg("--policy-id", required=True), Arg("--name"), Arg("--content", kind=DOCUMENT),
        Arg("--description", help="the new description (\"\" clears it)")),
        "Rename an SCP or RCP, or replace its content or description", operation="UpdatePolicy"),
    Command("delete-policy", "DeleteOrganizationPolicy", (Arg("--policy-id", required=True),),
            "Delete an SCP or RCP attached nowhere", operation="DeletePolicy"),
    Command("tag-resource", "TagOrganizationResource", (
        Arg("--resource-id", required=True, help="an account id, or an OU (ou-), root (r-) or policy (p-) id"),
        Arg("--tags", kind=TAGS, required=True)),
        "Tag an account, OU, root or policy (at most 50 tags each)", operation="TagResource"),
    Command("untag-resource", "UntagOrganizationResource", (
        Arg("--resource-id", required=True), Arg("--tag-keys", kind=LIST, required=True)),
        "Remove tags from an account, OU, root or policy", operation="UntagResource"),
    Command("list-tags-for-resource", "ListOrganizationResourceTags", (Arg("--resource-id", required=True),),
            "List the tags of an account, OU, root or policy", operation="ListTagsForResource"),
    Command("enable-policy-type", "EnablePolicyType", (
        Arg("--root-id", required=True, help="the root's id (r-...), from list-roots"),
        Arg("--policy-type", required=True, help="SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY, TAG_POLICY, "
                                                 "BACKUP_POLICY or AISERVICES_OPT_OUT_POLICY")),
        "Enable a policy type at the root: its policies can be attached, and apply (SCPs: FullAWSAccess everywhere)"),
    Command("disable-policy-type", "DisablePolicyType", (
        Arg("--root-id", required=True, help="the root's id (r-...), from list-roots"),
        Arg("--policy-type", required=True, help="SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY, TAG_POLICY, "
                                                 "BACKUP_POLICY or AISERVICES_OPT_OUT_POLICY")),
        "Disable a policy type at the root: every policy of it is detached and stops applying"),
    Command("describe-effective-policy", "DescribeEffectivePolicy", (
        Arg("--policy-type", required=True, help="TAG_POLICY, BACKUP_POLICY or AISERVICES_OPT_OUT_POLICY"),
        Arg("--target-id", help="an account's id (default: the caller's own)")),
        "Show an account's effective management policy: its root's, OUs' and own policies of the type, merged"),
    Command("list-accounts-with-invalid-effective-policy", "ListAccountsWithInvalidEffectivePolicy", (
        Arg("--policy-type", required=True, help="TAG_POLICY, BACKUP_POLICY or AISERVICES_OPT_OUT_POLICY"),),
        "List the accounts whose effective management policy of the type fails validation"),
    Command("list-effective-policy-validation-errors", "ListEffectivePolicyValidationErrors", (
        Arg("--account-id", required=True),
        Arg("--policy-type", required=True, help="TAG_POLICY, BACKUP_POLICY or AISERVICES_OPT_OUT_POLICY")),
        "List the validation errors of an account's effective management policy of the type"),
    Command("enable-aws-service-access", "EnableAWSServiceAccess", (
        Arg("--service-principal", required=True, help="e.g. config.amazonaws.com"),),
        "Give an AWS service trusted access to the organization", operation="EnableAWSServiceAccess"),
    Command("disable-aws-service-access", "DisableAWSServiceAccess", (
        Arg("--service-principal", required=True, help="e.g. config.amazonaws.com"),),
        "Withdraw an AWS service's trusted access", operation="DisableAWSServiceAccess"),
    Command("list-aws-service-access-for-organization", "ListAWSServiceAccessForOrganization", (),
            "List the AWS services with trusted access", operation="ListAWSServiceAccessForOrganization"),
    Command("register-delegated-administrator", "RegisterDelegatedAdministrator", (
        Arg("--account-id", required=True, help="a member account's id"),
        Arg("--service-principal", required=True, help="a service with trusted access, e.g. config.amazonaws.com")),
        "Make a member account a delegated administrator for a service: it may read the organization"),
    Command("deregister-delegated-administrator", "DeregisterDelegatedAdministrator", (
        Arg("--account-id", required=True), Arg("--service-principal", required=True)),
        "End a member account's delegated administration of a service"),
    Command("list-delegated-administrators", "ListDelegatedAdministrators", (
        Arg("--service-principal", help="only this service's (default: every service's)"),),
        "List the organization's delegated administrators"),
    Command("list-delegated-services-for-account", "ListDelegatedServicesForAccount", (
        Arg("--account-id", required=True),), "List the services an account is a delegated administrator for"),
    Command("delete-organization", "DeleteOrganization", (),
            "Delete the organization (only once it has no member accounts): the management account is standalone"),
    Command("leave-organization", "LeaveOrganization", (),
            "Leave the organization, from a member account: it becomes standalone (its SCPs and RCPs stop applying)"),
    Command("invite-account-to-organization", "InviteAccountToOrganization", (
        Arg("--target", kind=STRUCTURE, required=True, help="the account: Id=ACCOUNT_ID,Type=ACCOUNT"),
        Arg("--notes"), Arg("--tags", kind=TAGS, help="tags the account gets when it joins")),
        "Invite an existing account to join the organization (a handshake, open for 15 days)"),
    Command("accept-handshake", "AcceptHandshake", (Arg("--handshake-id", required=True),),
            "Accept an invitation, from the invited account: it joins the organization"),
    Command("decline-handshake", "DeclineHandshake", (Arg("--handshake-id", required=True),),
            "Decline an invitation, from the invited account"),
    Command("cancel-handshake", "CancelHandshake", (Arg("--handshake-id", required=True),),
            "Withdraw an open invitation of the organization"),
    Command("describe-handshake", "DescribeHandshake", (Arg("--handshake-id", required=True),),
            "Describe a handshake the account is a party to"),
    Command("list-handshakes-for-account", "ListHandshakesForAccount", (
        Arg("--filter", kind=STRUCTURE, help="ActionType=INVITE or ParentHandshakeId=h-..."),),
        "List the invitations the account has received"),
    Command("list-handshakes-for-organization", "ListHandshakesForOrganization", (
        Arg("--filter", kind=STRUCTURE, help="ActionType=INVITE or ParentHandshakeId=h-..."),),
        "List the invitations the organization has sent"),
)))
register_group(CommandGroup("cloudtrail", "the audit trail", (
    Command("lookup-events", "LookupEvents", (
        Arg("--lookup-attributes", kind=LOOKUP_ATTRIBUTES,
            help="AttributeKey=EventName,AttributeValue=CreateUser (several: all must match)"),
        Arg("--start-time", help="ISO 8601, e.g. 2026-11-23T00:00:00Z"),
        Arg("--end-time", help="ISO 8601"),
        Arg("--max-results", kind=INT, help="1-50 (default 50)"),
        Arg("--next-token"),
        Arg("--decision", help="iamd: DECISION_ALLOW, DECISION_EXPLICIT_DENY or DECISION_IMPLICIT_DENY"),
        Arg("--error-code", help="iamd: e.g. AccessDenied"),
        Arg("--principal-arn", help="iamd: who made the call"),
    ), "Look up audit records, newest first, as CloudTrail's LookupEvents"),
)))
register_group(CommandGroup("audit", "tamper evidence of the audit trail", (
    Command("validate", "ValidateAuditTrail", (
        Arg("--start-time", help="ISO 8601"), Arg("--end-time", help="ISO 8601"),
        Arg("--public-key", field=CLIENT_ONLY,
            help="PEM file of the digest key you pinned: validate here, trusting it (and the keys it "
                 "endorsed), not the server"),
        Arg("--export", field=CLIENT_ONLY, help="validate an `audit export` directory offline (needs --public-key)"),
    ), "Walk the signed digest chain; name every modified, deleted, inserted, backdated or uncovered "
       "record and every altered or missing digest. Exit status 1 unless all is valid",
        operation="ValidateAuditTrail", custom=lambda client, fields, ns: validate_trail(client, fields, ns),
        offline_with="export",
        exit_status=lambda data: EXIT_OK if data.get("Status") == "VALID" else EXIT_INVALID),
    Command("create-digest", "CreateDigest", (), "Sign a digest of the records written since the last one",
            operation="CreateDigest"),
    Command("public-key", "GetDigestPublicKey", (), "Show the public key that verifies digests",
            operation="GetDigestPublicKey"),
    Command("explain", "ExplainEvent", (Arg("--event-id", required=True),),
            "Re-evaluate a recorded Authorize decision at its recorded position, and explain it",
            operation="ExplainEvent"),
    Command("replay", "CheckReplay", (),
            "Rebuild the identity state from the log alone and compare it with the live one "
            "(exit status 1 when they differ or a reference dangles)",
            operation="CheckReplay",
            exit_status=lambda data: EXIT_OK if data.get("Equal") else EXIT_INVALID),
    Command("history", "GetEntityHistory", (
        Arg("--user-name", "target", TARGET, entity="user"),
        Arg("--group-name", "target", TARGET, entity="group"),
        Arg("--role-name", "target", TARGET, entity="role"),
        Arg("--policy-arn", "target", TARGET, entity="policy"),
    ), "Every event that changed an entity, with who and when", operation="GetEntityHistory"),
    Command("export", "GetAuditRecords", (
        Arg("--start-time", field=CLIENT_ONLY, required=True, help="ISO 8601"),
        Arg("--end-time", field=CLIENT_ONLY, required=True, help="ISO 8601"),
        Arg("--output-dir", field=CLIENT_ONLY, required=True, help="where to write the CloudTrail log files"),
    ), "Write CloudTrail log files ({\"Records\": [...]}, one per hour) for a SIEM to ingest, with the signed "
       "digest files that cover them (digests/) and a manifest: `audit validate --export DIR` checks them offline",
        operation="ExportEvents", custom=lambda client, fields, ns: export_records(client, fields, ns)),
)))
register_group(CommandGroup("authz", "authorization decisions", AUTHZ_COMMANDS))
register_group(CommandGroup("accessanalyzer", "IAM Access Analyzer's policy checks", (
    Command("validate-policy", "ValidatePolicy", (
        Arg("--policy-document", kind=DOCUMENT, required=True, help="the policy: JSON text or file://path"),
        Arg("--policy-type", required=True,
            help="IDENTITY_POLICY, RESOURCE_POLICY, SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY"),
        Arg("--validate-policy-resource-type",
            help="with RESOURCE_POLICY: AWS::S3::Bucket, AWS::IAM::AssumeRolePolicyDocument, ..."),
        Arg("--locale", help="EN (findings are in English)"),
        Arg("--max-results", kind=INT, help="findings per page (1-1000); with it, one page and its nextToken"),
        Arg("--next-token", help="continue from a previous page"),
    ), "Check a policy against the IAM policy grammar, AWS's catalogue and best practices, as "
       "`aws accessanalyzer validate-policy`; prints {\"findings\": [...]} (every page unless --max-results "
       "or --next-token is given)",
        custom=lambda client, fields, ns: validate_policy(client, fields, ns)),
)))
# sts, cloudtrail, audit, organizations and simulate register here once their services exist.


# ---------------------------------------------------------------------------------------------
# Option values


# Help for the options whose Arg says none: the AWS CLI documents every option, and so does iamctl.
_OPTION_HELP = {
    "--open-id-connect-provider-arn": "the ARN of the OIDC identity provider",
    "--saml-provider-arn": "the ARN of the SAML identity provider",
    "--serial-number": "the MFA device's serial number (for a virtual device, its ARN)",
    "--tags": "tags as Key=k,Value=v ... (or a JSON list of {\"Key\", \"Value\"}, or file://tags.json)",
    "--tag-keys": "the keys of the tags to remove",
    "--resource-arn": "the ARN of the resource",
    "--policy-id": "the id of the organization policy (p-...)",
    "--name": "the name",
    "--access-key-id": "the access key's id (AKIA... or ASIA...)",
    "--parent-id": "the id of the parent: the root (r-...) or an organizational unit (ou-...)",
    "--user-name": "the IAM user's name",
    "--role-name": "the IAM role's name",
    "--duration-seconds": "how long the credentials last, in seconds",
    "--account-id": "the 12-digit account id",
    "--target-id": "the root (r-...), organizational unit (ou-...) or account (12 digits) the policy is for",
    "--organizational-unit-id": "the organizational unit's id (ou-...)",
    "--account-alias": "the account alias (lower case letters, digits and hyphens)",
    "--thumbprint-list": "SHA-1 thumbprints (40 hex digits) of the provider's certificates",
    "--client-id": "an audience (client id) of the OIDC provider",
    "--client-id-list": "the audiences (client ids) the OIDC provider issues tokens for",
    "--token-code": "the code the MFA device shows now",
    "--content": "the policy document: JSON text or file://policy.json",
    "--filter": "the kind of policy: SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY",
    "--require-symbols": "passwords need at least one symbol",
    "--require-numbers": "passwords need at least one digit",
    "--require-uppercase-characters": "passwords need at least one upper case letter",
    "--require-lowercase-characters": "passwords need at least one lower case letter",
    "--allow-users-to-change-password": "users may change their own passwords",
    "--hard-expiry": "an expired password can only be reset by an administrator",
    "--status": "Active or Inactive",
    "--virtual-mfa-device-name": "the virtual MFA device's name",
    "--path": "the entity's path, e.g. /division/ (default /)",
    "--authentication-code1": "a code the MFA device shows",
    "--authentication-code2": "the code the MFA device shows next",
    "--policy-document": "the policy document: JSON text or file://policy.json",
    "--role-arn": "the ARN of the role to assume",
    "--role-session-name": "a name for the session (in its ARN and the audit trail)",
    "--transitive-tag-keys": "session tag keys that pass on to sessions this one assumes",
    "--external-id": "the external id the role's trust policy asks for",
    "--source-identity": "the source identity to record on the session",
    "--account-name": "the account's name",
}


def option_help(arg: Arg) -> str:
    """An option's help when its Arg gives none: the table above, else one made from its name."""
    known = _OPTION_HELP.get(arg.flag)
    if known:
        return known
    words = arg.flag.removeprefix("--").replace("-", " ")
    if arg.kind == FLAG:
        return f"set {words} (--no-{arg.flag.removeprefix('--')} to clear)"
    if arg.kind == INT:
        return f"the {words} (a number)"
    if arg.kind in (LIST, CHOICES, DOCUMENTS, POLICY_ARNS):
        return f"the {words} (several values, or a JSON list)"
    if arg.kind in (DOCUMENT,):
        return f"the {words}: JSON text or file://path"
    return f"the {words}"


def load_param(flag: str, value: str) -> str:
    """A parameter's text: the file's content for `file://path` (and `fileb://`), else itself."""
    for prefix in ("file://", "fileb://"):
        if value.startswith(prefix):
            path = Path(value.removeprefix(prefix)).expanduser()
            try:
                return path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError) as e:
                raise ParamError(flag, f"Unable to load paramfile {value}: {e}") from None
    return value


def parse_tags(flag: str, values: Sequence[str]) -> list[tuple[str, str]]:
    """`Key=k,Value=v ...`, a JSON list of {"Key", "Value"}, a JSON object, or file:// of JSON."""
    text = " ".join(load_param(flag, v) for v in values).strip()
    if text.startswith(("[", "{")):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as e:
            raise ParamError(flag, f"Invalid JSON: {e}") from None
        if isinstance(parsed, dict) and not {"Key"} <= set(parsed):
            return [(str(k), str(v)) for k, v in parsed.items()]
        items = parsed if isinstance(parsed, list) else [parsed]
        if not all(isinstance(i, dict) and "Key" in i for i in items):
            raise ParamError(flag, 'expected a list of {"Key": ..., "Value": ...}')
        return [(str(i["Key"]), str(i.get("Value", ""))) for i in items]
    return [_parse_tag_shorthand(flag, v) for v in values]


def _parse_tag_shorthand(flag: str, value: str) -> tuple[str, str]:
    parts: dict[str, str] = {}
    last = ""
    for piece in value.split(","):
        name, sep, rest = piece.partition("=")
        if sep and name.strip() in ("Key", "Value"):
            last = name.strip()
            parts[last] = rest
        elif last:
            # A comma inside a value: `Value=a,b` keeps `a,b`.
            parts[last] += "," + piece
        else:
            raise ParamError(flag, f"Expected Key=<key>,Value=<value>, got `{value}`")
    if "Key" not in parts:
        raise ParamError(flag, f"Missing Key in `{value}`")
    return parts["Key"], parts.get("Value", "")


def _lookup_attribute(flag: str, value: str) -> dict[str, str]:
    parts = dict(p.split("=", 1) for p in value.split(",") if "=" in p)
    if set(parts) != {"AttributeKey", "AttributeValue"}:
        raise ParamError(flag, f"expected AttributeKey=KEY,AttributeValue=VALUE, got `{value}`")
    return {"attribute_key": parts["AttributeKey"], "attribute_value": parts["AttributeValue"]}


def parse_structure(flag: str, value: str) -> dict[str, str]:
    """An AWS structure of text members, as the aws CLI takes one: shorthand `Id=1,Type=ACCOUNT`
    or a JSON object; its members as request fields (`Id` -> `id`)."""
    if value.lstrip().startswith("{"):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as e:
            raise ParamError(flag, f"Invalid JSON: {e}") from None
        if not isinstance(parsed, dict):
            raise ParamError(flag, f"expected a JSON object, got `{value}`")
        pairs = [(str(k), str(v)) for k, v in parsed.items()]
    else:
        pieces = [p.partition("=") for p in value.split(",")]
        if any(not sep for _, sep, _ in pieces):
            raise ParamError(flag, f"expected Name=value,..., got `{value}`")
        pairs = [(k.strip(), v) for k, _, v in pieces]
    return {re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", k).lower(): v for k, v in pairs}


def parse_list(flag: str, values: Sequence[str]) -> list[str]:
    """Several values, or one JSON list of strings."""
    if len(values) == 1 and values[0].lstrip().startswith("["):
        try:
            parsed = json.loads(values[0])
        except json.JSONDecodeError as e:
            raise ParamError(flag, f"Invalid JSON: {e}") from None
        return [str(v) for v in parsed]
    return list(values)


def parse_context_pairs(flag: str, pairs: Sequence[str]) -> dict[str, str | list[str]]:
    """`key=value` pairs; a key given more than once becomes multivalued."""
    values: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ParamError(flag, f"Expected key=value, got `{pair}`")
        values.setdefault(key, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in values.items()}


_CONTEXT_ENTRY_MEMBERS = ("ContextKeyName", "ContextKeyValues", "ContextKeyType")


def parse_context_entries(flag: str, values: Sequence[str]) -> dict[str, str | list[str]]:
    """Simulate*'s context: AWS's ContextEntry list, as JSON or shorthand (one entry per value,
    `ContextKeyName=K,ContextKeyValues=V1,V2,ContextKeyType=T`), or iamd's JSON object of keys. A
    `...List` type makes the key multivalued."""
    texts = [load_param(flag, v) for v in values]
    if len(texts) == 1 and texts[0].lstrip().startswith("{"):
        return parse_context_json(flag, texts[0])
    if len(texts) == 1 and texts[0].lstrip().startswith("["):
        try:
            entries = json.loads(texts[0])
        except json.JSONDecodeError as e:
            raise ParamError(flag, f"Invalid JSON: {e}") from None
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ParamError(flag, "expected a JSON list of {ContextKeyName, ContextKeyValues, ContextKeyType}")
    else:
        entries = [_context_entry_shorthand(flag, text) for text in texts]
    context: dict[str, str | list[str]] = {}
    for entry in entries:
        name, given, kind = (entry.get(m) for m in _CONTEXT_ENTRY_MEMBERS)
        if not isinstance(name, str) or not name:
            raise ParamError(flag, f"an entry without ContextKeyName: {entry}")
        items = [_context_text(v) for v in (given if isinstance(given, list) else [] if given is None else [given])]
        context[name] = items if str(kind or "").endswith("List") or len(items) != 1 else items[0]
    return context


def _context_entry_shorthand(flag: str, text: str) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    last = ""
    for piece in text.split(","):
        name, sep, rest = piece.partition("=")
        if sep and name.strip() in _CONTEXT_ENTRY_MEMBERS:
            last = name.strip()
            entry[last] = [rest] if last == "ContextKeyValues" else rest
        elif last == "ContextKeyValues":
            entry[last].append(piece)  # the list goes on: V1,V2
        else:
            raise ParamError(flag, f"Expected ContextKeyName=...,ContextKeyValues=...,ContextKeyType=..., got `{text}`")
    return entry


def parse_context_json(flag: str, value: str) -> dict[str, str | list[str]]:
    """A JSON object of context keys: strings are single-valued, lists multivalued."""
    try:
        parsed = json.loads(load_param(flag, value))
    except json.JSONDecodeError as e:
        raise ParamError(flag, f"Invalid JSON: {e}") from None
    if not isinstance(parsed, dict):
        raise ParamError(flag, "expected a JSON object of context keys")
    context: dict[str, str | list[str]] = {}
    for key, item in parsed.items():
        if isinstance(item, list):
            context[key] = [_context_text(v) for v in item]
        else:
            context[key] = _context_text(item)
    return context


def _context_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def merge_cli_input_json(command: Command, ns: argparse.Namespace) -> None:
    """Fill the options not given on the line from --cli-input-json (JSON text or file://, with
    the operation's AWS member names, as the AWS CLI takes it); then every required one must be
    there. A member this command has no option for is refused, as the AWS CLI refuses it."""
    raw = getattr(ns, "cli_input_json", None)
    if raw is None:
        return
    try:
        given = json.loads(load_param("--cli-input-json", raw))
    except json.JSONDecodeError as e:
        raise ParamError("--cli-input-json", f"Invalid JSON: {e}") from None
    if not isinstance(given, dict):
        raise ParamError("--cli-input-json", "Invalid JSON: expected an object of the operation's parameters")
    # Compared case-insensitively: `OpenIDConnectProviderArn` is --open-id-connect-provider-arn.
    options = (*command.args, *(PAGINATION_ARGS if command.is_paginated else ()))
    by_member = {_member_name(arg).lower(): arg for arg in options}
    for member, value in given.items():
        arg = by_member.get(member.lower())
        if arg is None:
            raise ParamError("--cli-input-json", f'Unknown parameter in input: "{member}", must be one of: '
                             + ", ".join(sorted(_member_name(a) for a in options)))
        if getattr(ns, arg.dest, None) is not None:
            continue  # the command line wins, as in the AWS CLI
        if value is None:  # botocore's validation refuses it, rather than sending the text "None"
            raise ParamError("--cli-input-json", f"Invalid type for parameter {member}, value: None")
        setattr(ns, arg.dest, _from_json(arg, value))
    missing = [arg.flag for arg in command.args if arg.required and getattr(ns, arg.dest, None) is None]
    if missing:
        raise ParamError(missing[0], "the following arguments are required: " + ", ".join(missing))


def _member_name(arg: Arg) -> str:
    """The AWS member name of an option: --user-name is UserName."""
    return "".join(word[:1].upper() + word[1:] for word in arg.flag.removeprefix("--").split("-"))


def _from_json(arg: Arg, value: Any) -> Any:
    """What the command line would have held for a JSON value of the option's member."""
    if arg.kind in (TAGS, LIST, CHOICES, DOCUMENTS, POLICY_ARNS, LOOKUP_ATTRIBUTES, CONTEXT_ENTRIES):
        if arg.kind in (CHOICES,) and isinstance(value, list):
            return [str(v) for v in value]
        return [value if isinstance(value, str) else json.dumps(value)]
    if arg.kind == FLAG:
        return bool(value)
    if arg.kind == INT:
        return int(value)
    if arg.kind in (DOCUMENT, CONTEXT_JSON) and not isinstance(value, str):
        return json.dumps(value)
    if arg.kind == CONTEXT and isinstance(value, dict):
        return [f"{k}={v}" for k, v in value.items()]
    return str(value) if not isinstance(value, str) else value


def request_fields(command: Command, ns: argparse.Namespace) -> dict[str, Any]:
    """The request's fields (SDK keyword arguments) from the parsed command line."""
    fields: dict[str, Any] = {}
    for arg in command.args:
        raw = getattr(ns, arg.dest, None)
        if raw is None or arg.field == CLIENT_ONLY:
            continue
        value = arg.convert(raw)
        name = arg.request_field
        if arg.kind in (AS_OF_POSITION, AS_OF_TIME) and name in fields:
            fields[name] = {**fields[name], **value}
        elif arg.kind in (CONTEXT, CONTEXT_JSON) and name in fields:
            twice = set(fields[name]) & set(value)
            if twice:
                raise ParamError(arg.flag, f"context key `{sorted(twice)[0]}` given twice")
            fields[name] = {**fields[name], **value}
        else:
            fields[name] = value
    return fields


# ---------------------------------------------------------------------------------------------
# Proto messages to AWS-shaped dicts

# Fields holding a policy document: printed as parsed JSON, as the AWS CLI does.
_DOCUMENT_FIELDS = {"document", "policy_document", "assume_role_policy_document"}
# Numbers and flags AWS prints even when zero or false.
_ALWAYS_PRINTED = {
    "attachment_count",
    "permissions_boundary_usage_count",
    "is_attachable",
    "is_default_version",
    "statement_index",
}
# Messages whose every field is printed, defaults included.
_PRINT_DEFAULTS = {"iamd.v1.GetProjectionStatusResponse"}
# Lists AWS prints even when empty inside a nested structure: a root's PolicyTypes (no policy type
# enabled: `"PolicyTypes": []`, as the aws CLI prints a new organization's root).
_ALWAYS_LISTED = {("iamd.v1.OrganizationRoot", "policy_types"), ("iamd.v1.InstanceProfile", "roles")}
# The entity inside a *Detail message is flattened into it, as in AWS's UserDetailList.
_FLATTENED = {
    ("iamd.v1.UserDetail", "user"),
    ("iamd.v1.GroupDetail", "group"),
    ("iamd.v1.RoleDetail", "role"),
    ("iamd.v1.PolicyDetail", "policy"),
}
# Fields of iamd's answers that AWS's shapes have no member for (the gRPC API's conveniences: the
# same values are inside the AWS structure printed beside them), never printed.
_IAMD_ONLY = {
    ("iamd.v1.OrganizationResponse", "id"),  # Organization.Id
    ("iamd.v1.OrganizationResponse", "master_account_id"),  # Organization.MasterAccountId
    ("iamd.v1.OrganizationResponse", "root_id"),  # list-roots
    ("iamd.v1.CreateAccountResponse", "account_id"),  # CreateAccountStatus.AccountId, once SUCCEEDED
    ("iamd.v1.CreateAccountResponse", "access_role_arn"),
    ("iamd.v1.CreateOrganizationalUnitResponse", "id"),  # OrganizationalUnit.Id
    ("iamd.v1.OrganizationAccount", "parent_id"),  # list-parents
    ("iamd.v1.VirtualMFADevice", "user_name"),  # User.UserName
}
# The members an entity has that its *Detail in GetAccountAuthorizationDetails has not.
_NOT_IN_DETAIL = {
    "iamd.v1.RoleDetail": ("Description", "MaxSessionDuration"),
    "iamd.v1.PolicyDetail": ("Tags",),
}
# ListEntitiesForPolicy's PolicyEntity reads {UserName, UserId} etc. by the list it is in.
_POLICY_ENTITY_LISTS = {"policy_users": "User", "policy_groups": "Group", "policy_roles": "Role"}


# The AWS member names that are not the PascalCase of their field's name (acronyms), as AWS spells
# them in the outputs of iamctl's operations; tests/e2e/test_cli_output_shapes.py checks the list
# against botocore's models.
_AWS_NAMES = {
    "client_id_list": "ClientIDList",
    "issuer_url": "IssuerURL",
    "mfa_devices": "MFADevices",
    "open_id_connect_provider_arn": "OpenIDConnectProviderArn",
    "open_id_connect_provider_list": "OpenIDConnectProviderList",
    "qr_code_png": "QRCodePNG",
    "saml_key_hashes": "SAMLKeyHashes",
    "saml_metadata_document": "SAMLMetadataDocument",
    "saml_provider_arn": "SAMLProviderArn",
    "saml_provider_list": "SAMLProviderList",
    "saml_provider_uuid": "SAMLProviderUUID",
    "ssh_public_key": "SSHPublicKey",
    "ssh_public_key_body": "SSHPublicKeyBody",
    "ssh_public_key_id": "SSHPublicKeyId",
    "ssh_public_keys": "SSHPublicKeys",
    "virtual_mfa_device": "VirtualMFADevice",
    "virtual_mfa_devices": "VirtualMFADevices",
}


def pascal_case(name: str) -> str:
    """`user_name` -> `UserName`, the AWS API's key style (`ssh_public_key_id` -> `SSHPublicKeyId`)."""
    return _AWS_NAMES.get(name) or "".join(part.capitalize() for part in name.split("_"))


def to_aws(msg: message.Message, *, top_level: bool = True) -> dict[str, Any]:
    """An AWS-shaped dict of a message: PascalCase keys, ISO 8601 times, empty fields omitted.

    At the top level, lists and maps are kept even when empty (`{"Users": []}`).
    """
    out: dict[str, Any] = {}
    desc = msg.DESCRIPTOR
    print_defaults = desc.full_name in _PRINT_DEFAULTS
    for fd in desc.fields:
        if fd.GetOptions().deprecated or (desc.full_name, fd.name) in _IAMD_ONLY:
            continue  # kept on the wire for older clients, or iamd's own: the value is printed where AWS has it
        value = getattr(msg, fd.name)
        if (desc.full_name, fd.name) in _FLATTENED:
            if msg.HasField(fd.name):
                entity = to_aws(value, top_level=False)
                for member in _NOT_IN_DETAIL.get(desc.full_name, ()):
                    entity.pop(member, None)
                out.update(entity)
            continue
        if fd.name == "permissions_boundary_arn":
            if value:
                out["PermissionsBoundary"] = {
                    "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                    "PermissionsBoundaryArn": value,
                }
            continue
        key = pascal_case(fd.name)
        if _is_map(fd):
            value_fd = fd.message_type.fields_by_name["value"]
            if value or top_level:
                out[key] = {k: _aws_value(value_fd, v) for k, v in value.items()}
        elif fd.is_repeated:
            if fd.name in _POLICY_ENTITY_LISTS:
                kind = _POLICY_ENTITY_LISTS[fd.name]
                items = [{f"{kind}Name": e.name, f"{kind}Id": e.id} for e in value]
            else:
                items = [_aws_value(fd, v) for v in value]
            if items or top_level or (desc.full_name, fd.name) in _ALWAYS_LISTED:
                out[key] = items
        elif fd.message_type is not None:
            if msg.HasField(fd.name):
                out[key] = _aws_value(fd, value)
        elif (
            value
            or print_defaults
            or fd.name in _ALWAYS_PRINTED
            or (fd.has_presence and msg.HasField(fd.name))
        ):
            out[key] = _aws_value(fd, value)
    return out


def _is_map(fd: descriptor.FieldDescriptor) -> bool:
    return fd.message_type is not None and fd.message_type.GetOptions().map_entry


def _aws_value(fd: descriptor.FieldDescriptor, value: Any) -> Any:
    if isinstance(value, timestamp_pb2.Timestamp):
        return value.ToJsonString()
    if isinstance(value, message.Message):
        return to_aws(value, top_level=False)
    if fd.enum_type is not None:
        # DECISION_EXPLICIT_DENY -> ExplicitDeny, ENTITY_KIND_USER -> User
        name = fd.enum_type.values_by_number[value].name
        prefix = snake_case(fd.enum_type.name).upper() + "_"
        return pascal_case(name.removeprefix(prefix).lower())
    if isinstance(value, bytes):  # a blob, printed as the aws CLI prints one: base64 text
        return base64.b64encode(value).decode("ascii")
    if fd.name in _DOCUMENT_FIELDS and isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


# ---------------------------------------------------------------------------------------------
# Rendering


def render(data: Any, output: str, title: str) -> str:
    if output == "yaml":
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip("\n")
    if output == "table":
        return render_table(title, data)
    if output == "text":
        return render_text(data)
    return json.dumps(data, indent=4, ensure_ascii=False)


def _cell(value: Any) -> str:
    if _is_tag_list(value):
        return ", ".join(f"{t['Key']}={t.get('Value', '')}" for t in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


Box = tuple[str, list[str] | None, list[list[str]]]  # title, header, rows


def _box_widths(box: Box) -> list[int]:
    title, header, rows = box
    columns = max([len(header or []), 1] + [len(r) for r in rows])
    widths = [0] * columns
    for row in ([header] if header else []) + rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    inner = sum(widths) + 3 * columns - 1
    if len(title) + 2 > inner:
        widths[-1] += len(title) + 2 - inner
    return widths


def _draw_box(box: Box, width: int) -> list[str]:
    """One box, its last column widened so that every box of a table is `width` wide."""
    title, header, rows = box
    widths = _box_widths(box)
    widths[-1] += width - (sum(widths) + 3 * len(widths) + 1)
    inner = width - 2
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(row: list[str]) -> str:
        row = row + [""] * (len(widths) - len(row))
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |"

    lines = ["+" + "-" * inner + "+", "|" + title.center(inner) + "|"]
    if header:
        lines += [rule, line(header)]
    if rows or header:
        lines += [rule, *(line(r) for r in rows)]
    lines.append(rule if rows or header else "+" + "-" * inner + "+")
    return lines


def render_table(title: str, data: Any) -> str:
    """A readable boxed table: key/value boxes for objects, one row per item for lists."""
    boxes: list[Box] = []
    _table_boxes(boxes, title, data, top=True)
    width = max(sum(w) + 3 * len(w) + 1 for w in map(_box_widths, boxes))
    lines: list[str] = []
    for box in boxes:
        drawn = _draw_box(box, width)
        # Boxes stack: a box's top border doubles as the one above's bottom border.
        if lines and lines[-1] == drawn[0]:
            drawn = drawn[1:]
        lines += drawn
    return "\n".join(lines)


def _table_boxes(boxes: list[Box], title: str, data: Any, *, top: bool = False) -> None:
    if isinstance(data, dict):
        scalars = [[k, _cell(v)] for k, v in data.items() if _is_flat(v)]
        boxes.append((title, None, scalars))
        for key, value in data.items():
            if not _is_flat(value):
                _table_boxes(boxes, key if top else f"{title}.{key}", value)
        return
    if isinstance(data, list):
        if not all(isinstance(item, dict) for item in data):
            boxes.append((title, None, [[_cell(v)] for v in data]))
            return
        header: list[str] = []
        for item in data:
            header += [k for k, v in item.items() if k not in header and _is_flat(v)]
        rows = [[_cell(item.get(k, "")) for k in header] for item in data]
        boxes.append((title, header or None, rows))
        for index, item in enumerate(data):
            label = next((str(v) for k, v in item.items() if k.endswith("Name")), str(index))
            for key, value in item.items():
                if not _is_flat(value):
                    _table_boxes(boxes, f"{title}[{label}].{key}", value)
        return
    boxes.append((title, None, [[_cell(data)]]))


def _is_flat(value: Any) -> bool:
    """Scalars, and tag lists, which read well in one cell as k=v pairs."""
    return not isinstance(value, (dict, list)) or _is_tag_list(value)


def _is_tag_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(t, dict) and set(t) <= {"Key", "Value"} and "Key" in t for t in value)
    )


def render_text(data: Any) -> str:
    """AWS CLI text output: tab-separated values, each line labelled by its upper-case key."""
    lines: list[str] = []
    _text_lines(lines, data, "")
    return "\n".join(lines)


def _text_lines(lines: list[str], data: Any, label: str, columns: list[str] | None = None) -> None:
    """As awscli/text.py: the items of a list of objects share their columns (the sorted union of
    their scalar keys, empty where one lacks a key), and a labelled list of values is one
    `LABEL<TAB>value` line per value."""
    prefix = [label.upper()] if label else []
    if isinstance(data, dict):
        if columns is None:
            columns = sorted(k for k in data if not isinstance(data[k], (dict, list)))
        scalars = [_cell(data.get(k, "")) for k in columns]
        if scalars:
            lines.append("\t".join(prefix + scalars))
        for key in sorted(set(data) - set(columns)):
            _text_lines(lines, data[key], key)
    elif isinstance(data, list):
        if any(isinstance(v, dict) for v in data):
            shared = sorted({k for v in data if isinstance(v, dict)
                             for k, item in v.items() if not isinstance(item, (dict, list))})
            for item in data:
                _text_lines(lines, item, label, shared)
            return
        values = [v for v in data if not isinstance(v, list)]
        if values:
            if label:
                lines += ["\t".join(prefix + [_cell(v)]) for v in values]
            else:
                lines.append("\t".join(_cell(v) for v in values))
        for item in data:
            if isinstance(item, list):
                _text_lines(lines, item, label)
    else:
        lines.append("\t".join(prefix + [_cell(data)]))


# ---------------------------------------------------------------------------------------------
# Running a command


def run_command(
    client: IamdClient, command: Command, fields: Mapping[str, Any], ns: argparse.Namespace
) -> dict[str, Any]:
    """Call the command's RPC (every page of it, if paginated) and return the AWS-shaped output."""
    if command.custom is not None:
        return command.custom(client, dict(fields), ns)
    method = method_for(command.rpc)
    request = build_request(method.request_type, **fields)
    timeout = getattr(ns, "cli_read_timeout", None)
    next_token: str | None = None
    if not method.is_paginated:
        response = client.call(method.name, request, timeout=timeout)
    else:
        response, next_token = _paginate(client, method.name, request, ns, timeout)
    data = to_aws(response)
    if method.is_paginated and not method.pages_by_token and getattr(ns, "no_paginate", False):
        data.setdefault("IsTruncated", bool(response.is_truncated))  # the raw answer's, false too
    if command.shape is not None:
        data = command.shape(data, fields)
    if next_token:
        data["NextToken"] = next_token
    return data


def _finding_out(f: Any) -> dict[str, Any]:
    """One ValidatePolicy finding as the aws CLI prints it (AWS's member names, sorted)."""
    def position(p: Any) -> dict[str, int]:
        return {"column": p.column, "line": p.line, "offset": p.offset}

    def element(e: Any) -> dict[str, Any]:
        kind = e.WhichOneof("element")
        if kind == "substring":
            return {"substring": {"length": e.substring.length, "start": e.substring.start}}
        return {kind: getattr(e, kind)} if kind else {}

    return {"findingDetails": f.finding_details, "findingType": f.finding_type, "issueCode": f.issue_code,
            "learnMoreLink": f.learn_more_link,
            "locations": [{"path": [element(e) for e in loc.path],
                           "span": {"end": position(loc.span.end), "start": position(loc.span.start)}}
                          for loc in f.locations]}


def validate_policy(client: Any, fields: dict[str, Any], ns: argparse.Namespace) -> dict[str, Any]:
    """`accessanalyzer validate-policy`: every page of findings, as the aws CLI gathers them; with
    --max-results or --next-token, the one page asked for and the token of the next."""
    one_page = "max_results" in fields or "next_token" in fields
    timeout = getattr(ns, "cli_read_timeout", None)
    findings: list[dict[str, Any]] = []
    token = fields.pop("next_token", "")
    while True:
        response = client.call("ValidatePolicy", build_request("ValidatePolicy", **fields, next_token=token),
                               timeout=timeout)
        findings += [_finding_out(f) for f in response.findings]
        token = response.next_token
        if one_page or not token:
            break
    out: dict[str, Any] = {"findings": findings}
    if token:
        out["nextToken"] = token
    return out


def _all_digests(client: Any) -> list[dict[str, Any]]:
    chain: list[dict[str, Any]] = []
    index = 0
    while True:
        page = client.call("ListDigests", build_request("ListDigests", after_index=index))
        chain += [json.loads(text) for text in page.digest_json]
        if not page.next_index:
            return chain
        index = page.next_index


def _stored_records(client: Any, after: int = 0,
                    up_to: int = 0) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
    """(position, stored record, its CloudTrail rendering) for every audit record in (after, up_to]
    (0: to the head)."""
    records: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    while True:
        page = client.call("GetAuditRecords", build_request("GetAuditRecords", after_position=after,
                                                            up_to_position=up_to, max_results=1000))
        records += [(r.position, json.loads(r.record_json), json.loads(r.cloud_trail_event or r.record_json))
                    for r in page.records]
        if not page.next_position:
            return records
        after = page.next_position


def _digest_end(entry: Mapping[str, Any]) -> str:
    digest = entry["digest"]
    return str(digest.get("digestEndTime") or digest.get("digestCreatedAt") or "")


def _iso(value: str) -> str:
    """An ISO 8601 time as digests write it (UTC, `Z`), for comparing as text."""
    from datetime import UTC, datetime

    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


# The key of an export's log files under which the records are kept as iamd stored them.
STORED_RECORDS_KEY = "iamdStoredRecords"


def export_records(client: Any, fields: dict[str, Any], ns: argparse.Namespace) -> dict[str, Any]:
    """The audit records of a time range as CloudTrail log files (one per hour, oldest first), with
    every digest that covers them and a manifest, so that the directory validates offline.

    The digests taken are those cut at or after the start, up to the first cut at or after the
    end; every record in their position ranges is written (some a little outside the range),
    and, when no digest is cut after the end yet, the records since the last one up to the end.
    """
    out = Path(ns.output_dir)
    try:
        start, end = _iso(ns.start_time), _iso(ns.end_time)
    except ValueError as e:
        raise ParamError("--start-time/--end-time", str(e)) from None
    info = client.call("GetDigestPublicKey", build_request("GetDigestPublicKey"))
    chain = _all_digests(client)
    chosen: list[dict[str, Any]] = []
    for entry in chain:
        if _digest_end(entry) >= start:
            chosen.append(entry)
            if _digest_end(entry) >= end:
                break
    if not chosen and chain:
        chosen = chain[-1:]  # the range lies after the last digest: it places the uncovered records
    covered_to = int(chosen[-1]["digest"]["digestEndPosition"]) if chosen else 0
    closed = bool(chosen) and _digest_end(chosen[-1]) >= end
    after = int(chosen[0]["digest"]["digestStartPosition"]) if chosen else 0
    stored = _stored_records(client, after, covered_to if closed else 0)
    records = [(r, shown) for p, r, shown in stored
               if p <= covered_to or start <= str(r.get("eventTime", "")) <= end]
    by_hour: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for record, shown in sorted(records, key=lambda pair: str(pair[0].get("eventTime", ""))):
        by_hour.setdefault(str(record.get("eventTime", ""))[:13], []).append((record, shown))
    files = []
    account = ""
    for hour, chunk in by_hour.items():
        account = account or str(chunk[0][1].get("recipientAccountId", ""))
        day = out / hour[:4] / hour[5:7] / hour[8:10]
        day.mkdir(parents=True, exist_ok=True)
        path = day / f"{chunk[0][1].get('recipientAccountId', '')}_CloudTrail_us-east-1_{hour.replace('-', '')}00Z.json"
        # CloudTrail's shape under "Records"; beside it the records as stored, which the digests
        # hash: offline validation checks those, and that each CloudTrail record renders from one.
        path.write_text(json.dumps({"Records": [shown for _, shown in chunk],
                                    STORED_RECORDS_KEY: [record for record, _ in chunk]}))
        files.append(str(path))
    digest_dir = out / "digests"
    digest_dir.mkdir(parents=True, exist_ok=True)
    digest_files = []
    for entry in chosen:
        stamp = _digest_end(entry)[:19].replace("-", "").replace(":", "")
        path = digest_dir / f"{account}_CloudTrail-Digest_us-east-1_{stamp}Z_{entry['digest']['digestId'][:8]}.json"
        path.write_text(json.dumps(entry))
        digest_files.append(str(path))
    manifest = {"exportedAt": info.server_time, "startTime": start, "endTime": end,
                "digestIntervalSeconds": info.digest_interval_seconds, "records": len(records),
                "logFiles": [str(Path(f).relative_to(out)) for f in files],
                "digestFiles": [str(Path(f).relative_to(out)) for f in digest_files],
                "lastDigestId": chosen[-1]["digest"]["digestId"] if chosen else None,
                "digestPublicKeyFingerprint": info.fingerprint}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return {"Files": files, "Records": len(records), "DigestFiles": digest_files,
            "Manifest": str(out / "manifest.json")}


def _pinned_key(path: str) -> str:
    try:
        pem = Path(path).expanduser().read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise ParamError("--public-key", f"cannot read {path}: {e}") from None
    if "BEGIN PUBLIC KEY" not in pem:
        raise ParamError("--public-key", f"{path} holds no PEM public key")
    return pem


def validate_trail(client: Any, fields: dict[str, Any], ns: argparse.Namespace) -> dict[str, Any]:
    """`audit validate`: on the server (its own key), here against a pinned key, or an export offline."""
    from iamd.service.audit.digest import AuditEntry, validate
    from iamd.service.audit.record import render
    from iamd.service.rpc.messages import MessageDecoder, iamd_services

    start = _iso(fields["start_time"]) if fields.get("start_time") else ""
    end = _iso(fields["end_time"]) if fields.get("end_time") else ""
    pinned = _pinned_key(ns.public_key) if getattr(ns, "public_key", None) else ""
    if getattr(ns, "export", None):
        if not pinned:
            raise ParamError("--export", "an export is validated against the key you pinned: give --public-key FILE")
        return _report_output(validate_export(Path(ns.export), pinned, start, end), pinned=True)
    if not pinned:
        data = to_aws(client.call("ValidateAuditTrail", build_request("ValidateAuditTrail", **fields)))
        data.update(Valid=data.get("Status") == "VALID", KeyPinned=False)
        data["Notes"] = [*data.get("Notes", []), "validated against the server's own digest key: pin the key "
                         "(iamctl audit public-key) and pass --public-key FILE, so that a replaced key cannot "
                         "re-sign the chain"]
        return data
    info = client.call("GetDigestPublicKey", build_request("GetDigestPublicKey"))
    chain = _all_digests(client)
    records = [AuditEntry.of(position, record) for position, record, _ in _stored_records(client)]
    witness = json.loads(info.last_written_digest_json) if info.last_written_digest_json else None
    covered_to = int(chain[-1]["digest"].get("digestEndPosition") or 0) if chain else 0
    present = {r.position for r in records}
    removed = [p for p in info.committed_since_last_digest if p > covered_to and p not in present]
    report = validate(records, chain, [pinned], interval=info.digest_interval_seconds, now=info.server_time,
                      start_time=start, end_time=end, witness=witness, removed=removed)
    return _report_output(report, pinned=True)


def validate_export(directory: Path, pinned: str, start: str = "", end: str = "") -> Any:
    """Validate an `audit export` directory with nothing but the pinned public key."""
    from iamd.service.audit.digest import AuditEntry, validate
    from iamd.service.audit.record import render
    from iamd.service.rpc.messages import MessageDecoder, iamd_services

    if not directory.is_dir():
        raise ParamError("--export", f"{directory} is not a directory")
    manifest_file = directory / "manifest.json"
    rendering_problems: list[str] = []
    manifest = _export_file(manifest_file, rendering_problems) if manifest_file.exists() else {}
    digests_dir = directory / "digests"
    chain = [d for d in (_export_file(p, rendering_problems) for p in sorted(digests_dir.glob("*.json"))) if d] \
        if digests_dir.is_dir() else []
    records: list[Any] = []
    decode = MessageDecoder(iamd_services())
    for path in sorted(directory.rglob("*.json")):
        if path == manifest_file or path.parent == digests_dir:
            continue
        log_file = _export_file(path, rendering_problems)
        if not log_file:
            continue
        shown = log_file.get("Records", [])
        stored = log_file.get(STORED_RECORDS_KEY, shown)  # exports of iamd before compact records
        records += [AuditEntry.of(0, r) for r in stored]
        if len(shown) != len(stored):
            rendering_problems.append(f"{path.name}: {len(shown)} CloudTrail records for {len(stored)} stored ones")
        for record, cloud_trail in zip(stored, shown):
            if render(record, decode) != cloud_trail:
                rendering_problems.append(f"{path.name}: CloudTrail record {cloud_trail.get('eventID')} is not "
                                          "what its stored record renders to: it was altered")
    now = min(t for t in (str(manifest.get("exportedAt") or ""), str(manifest.get("endTime") or "")) if t) \
        if manifest.get("exportedAt") or manifest.get("endTime") else ""
    witness = {"digestId": manifest["lastDigestId"]} if manifest.get("lastDigestId") else None
    report = validate(records, chain, [pinned], interval=float(manifest.get("digestIntervalSeconds") or 0), now=now,
                      start_time=start, end_time=end, complete=False, witness=witness)
    report.problems += rendering_problems
    report.modified += [p.split("CloudTrail record ", 1)[1].split(" ", 1)[0] for p in rendering_problems
                        if "CloudTrail record " in p]
    if not manifest:
        report.problems.append("the export has no manifest.json")
    elif manifest.get("records") != len(records):
        report.problems.append(f"the manifest lists {manifest.get('records')} records, the log files hold {len(records)}")
    for name in manifest.get("digestFiles", []):
        if not (directory / name).exists():
            report.problems.append(f"digest file {name} named by the manifest is missing")
    return report


def _export_file(path: Path, problems: list[str]) -> dict[str, Any]:
    """A JSON object file of an export; a file that is not one is a problem (it was altered), not a crash."""
    try:
        parsed = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        problems.append(f"{path.name}: not a JSON file of the export ({e}): it was altered")
        return {}
    if not isinstance(parsed, dict):
        problems.append(f"{path.name}: not a JSON object: it was altered")
        return {}
    return parsed


def _report_output(report: Any, *, pinned: bool) -> dict[str, Any]:
    from iamd.v1 import audit_pb2

    message = audit_pb2.ValidateAuditTrailResponse(
        valid=report.ok, valid_digests=report.valid_digests, valid_records=report.valid_records,
        modified_event_ids=report.modified, deleted_event_ids=report.deleted, inserted_event_ids=report.inserted,
        invalid_digest_ids=report.digests_invalid, missing_digest_ids=report.digests_missing,
        valid_ranges=[audit_pb2.TimeRange(oldest_event_time=a, newest_event_time=b) for a, b in report.valid_ranges],
        not_yet_covered=report.uncovered, status=report.status, backdated_event_ids=report.backdated,
        overdue_event_ids=report.overdue, late_event_ids=report.late, problems=report.problems, notes=report.notes,
        newest_digest_time=report.newest_digest_time, digest_interval_seconds=report.interval,
        trusted_key_fingerprints=report.trusted_fingerprints, key_pinned=pinned)
    data = to_aws(message)
    data.update(Valid=report.ok, KeyPinned=pinned, Status=report.status)
    return data


@dataclass(frozen=True)
class _Paging:
    """How one kind of list is paged: where the request takes the token and the page size, and
    where the answer gives the next token (empty: the last page)."""

    set_token: Callable[[Any, str], None]
    set_size: Callable[[Any, int], None]
    next_token: Callable[[Any], str]
    clear: Callable[[Any], None]  # the merged answer says nothing of pages


_MARKER_PAGING = _Paging(  # IAM's Marker/MaxItems/IsTruncated
    set_token=lambda r, token: setattr(r.page, "marker", token),
    set_size=lambda r, n: setattr(r.page, "max_items", n),
    next_token=lambda a: a.marker if a.is_truncated else "",
    clear=lambda a: (setattr(a, "is_truncated", False), setattr(a, "marker", "")))
# AWS's bound on MaxResults of the Organizations lists (the JSON APIs iamctl pages by token).
_TOKEN_PAGE_LIMIT = 20
_TOKEN_PAGING = _Paging(  # NextToken/MaxResults
    set_token=lambda r, token: setattr(r, "next_token", token),
    set_size=lambda r, n: setattr(r, "max_results", min(n, _TOKEN_PAGE_LIMIT)),
    next_token=lambda a: a.next_token,
    clear=lambda a: setattr(a, "next_token", ""))


def _paginate(
    client: IamdClient,
    rpc: str,
    request: Any,
    ns: argparse.Namespace,
    timeout: float | None,
) -> tuple[Any, str | None]:
    """Every page, as the aws CLI gathers them; or --max-items of them with the token to continue
    from (pages then end exactly there, so the token is the service's own)."""
    paging = _TOKEN_PAGING if method_for(rpc).pages_by_token else _MARKER_PAGING
    max_items = getattr(ns, "max_items", None)
    page_size = getattr(ns, "page_size", None)
    if getattr(ns, "starting_token", None):
        paging.set_token(request, ns.starting_token)
    if getattr(ns, "no_paginate", False):
        if max_items or page_size:
            paging.set_size(request, max_items or page_size)
        return client.call(rpc, request, timeout=timeout), None

    merged: Any = None
    remaining = max_items
    seen: set[str] = set()
    while True:
        sizes = [n for n in (page_size, remaining) if n]
        if sizes:
            paging.set_size(request, min(sizes))
        response = client.call(rpc, request, timeout=timeout)
        if merged is None:
            merged = type(response)()
        # MergeFrom concatenates the lists and keeps the single entity (GetGroup's group).
        merged.MergeFrom(response)
        paging.clear(merged)
        if remaining is not None:
            remaining -= _count_items(response)
        token = paging.next_token(response)
        if not token or token in seen:
            return merged, None
        if remaining is not None and remaining <= 0:
            return merged, token
        seen.add(token)
        paging.set_token(request, token)


def _count_items(response: message.Message) -> int:
    return sum(len(getattr(response, f.name)) for f in response.DESCRIPTOR.fields if f.is_repeated)


def report_error(err: IamClientError, command: Command, endpoint: str, stderr: Any) -> int:
    """Print a failed call the way the AWS CLI does and return the exit code."""
    if not err.has_error_info and err.status_code == grpc.StatusCode.UNAVAILABLE:
        stderr.write(f'\nCould not connect to the endpoint URL: "{endpoint}" ({err.message})\n')
        return EXIT_CONNECTION
    if not err.has_error_info and err.status_code == grpc.StatusCode.DEADLINE_EXCEEDED:
        stderr.write(f'\nRead timeout on endpoint URL: "{endpoint}"\n')
        return EXIT_CONNECTION
    stderr.write(
        f"\nAn error occurred ({err.code}) when calling the {command.operation_name} "
        f"operation: {err.message}\n"
    )
    for field_path, description in err.field_violations:
        stderr.write(f"  {field_path}: {description}\n")
    for subject, description in err.quota_violations:
        stderr.write(f"  quota {subject}: {description}\n")
    for kind, subject, description in err.precondition_violations:
        stderr.write(f"  {kind} {subject}: {description}\n")
    return EXIT_SERVICE_ERROR


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's hook; never returns
        raise UsageError(self.format_usage(), message)


def _add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Subcommands accept the global options too (`iamctl iam list-users --output table`);
    # there they default to SUPPRESS so they don't overwrite values given before the group.
    def default(value: Any) -> Any:
        return value if top else argparse.SUPPRESS

    options = parser.add_argument_group("global options")
    options.add_argument(
        "--endpoint",
        default=default(None),
        help=f"host:port of iamd (default: ${ENDPOINT_ENV} or 127.0.0.1:50051); TLS unless on loopback "
             "(plaintext elsewhere: --endpoint-url http://HOST:PORT)",
    )
    options.add_argument(
        "--endpoint-url",
        default=default(None),
        help="iamd's gRPC address as a URL, as the AWS CLI takes it: http://HOST:PORT (plaintext) or "
             "https://HOST:PORT (TLS; --ca-bundle or the system's roots)",
    )
    options.add_argument(
        "--profile",
        default=default(None),
        help="credentials profile (default: $IAMD_PROFILE or `default`)",
    )
    options.add_argument(
        "--ca-bundle",
        default=default(None),
        help="PEM CA bundle to verify iamd's TLS certificate; TLS is used when given ($IAMD_CA_BUNDLE)",
    )
    options.add_argument(
        "--output",
        choices=["json", "yaml", "table", "text"],
        default=default("json"),
        help="output format (default: json)",
    )
    options.add_argument(
        "--region",
        default=default(None),
        help="the region in the signature's credential scope (default: $IAMD_REGION or us-east-1)",
    )
    options.add_argument(
        "--query",
        default=default(None),
        help="a JMESPath expression applied to the output, as the AWS CLI's --query",
    )
    options.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="log each call (endpoint, method, outcome, request id, time) to stderr",
    )
    options.add_argument(
        "--no-paginate",
        action="store_true",
        default=default(False),
        help="make one call and show the raw IsTruncated/Marker",
    )
    if not top:
        options.add_argument(
            "--cli-input-json",
            default=argparse.SUPPRESS,
            help="the operation's parameters as JSON (text or file://params.json) with AWS's member "
                 "names, as the AWS CLI takes them; options on the line take precedence",
        )
    options.add_argument(
        "--cli-read-timeout",
        type=float,
        default=default(60.0),
        help="seconds to wait for each call (default: 60; 0: no limit)",
    )


def _version() -> str:
    try:
        return importlib.metadata.version("iamd")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def build_parser(*, input_json: bool = False) -> argparse.ArgumentParser:
    """The command line's parser; `input_json`: --cli-input-json is on the line, so options it
    may supply are not required by the parser (see merge_cli_input_json)."""
    parser = _Parser(
        prog="iamctl",
        description="Command line for iamd, shaped like the AWS CLI.",
    )
    _add_global_options(parser, top=True)
    parser.add_argument("--version", action="version", version=f"iamctl/{_version()} Python/{sys.version.split()[0]}")
    groups = parser.add_subparsers(dest="group", metavar="<group>", required=True)
    offline = groups.add_parser("simulate", help="evaluate IAM scenarios in-process, no server needed",
                                description="Evaluate scenarios (shared/iam-scenarios/FORMAT.md) with "
                                            "the policy engine in-process; one JSON line per scenario.")
    offline.add_argument("--scenarios", required=True, metavar="FILE.jsonl", help="scenarios, or - for stdin")
    for group in GROUPS.values():
        group_parser = groups.add_parser(group.name, help=group.help, description=group.help)
        commands = group_parser.add_subparsers(dest="command", metavar="<command>", required=True)
        for command in group.commands:
            sub = commands.add_parser(command.name, help=command.help, description=command.help)
            for arg in command.args:
                arg.add_to(sub, input_json=input_json)
            if command.is_paginated:
                for arg in PAGINATION_ARGS:
                    arg.add_to(sub)
            _add_global_options(sub, top=False)
            sub.set_defaults(command_spec=command)
    return parser


def endpoint_of_url(url: str) -> tuple[str, bool]:
    """(HOST:PORT, whether TLS) of an --endpoint-url; ValueError for anything else."""
    scheme, sep, rest = url.partition("://")
    address = rest.rstrip("/")
    if not sep or scheme not in ("http", "https") or not address or "/" in address:
        raise ValueError(f"--endpoint-url `{url}` must be http://HOST:PORT or https://HOST:PORT")
    if ":" not in address.rsplit("]", 1)[-1]:
        address += ":443" if scheme == "https" else ":80"
    return address, scheme == "https"


def endpoint_tls(endpoint: str) -> bool:
    """Whether a HOST:PORT endpoint (--endpoint, $IAMD_ENDPOINT) is reached over TLS: everywhere
    but on loopback, as iamd serves plaintext only there (a plaintext peer elsewhere is not iamd,
    and a signed call carries the session token and secrets in its body or answer). Plaintext
    off loopback is asked for by name: --endpoint-url http://HOST:PORT."""
    host = endpoint.rsplit(":", 1)[0] if ":" in endpoint.rsplit("]", 1)[-1] else endpoint
    host = host.removeprefix("[").removesuffix("]")
    if endpoint.startswith("unix:") or host.lower() == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a name: it may resolve anywhere


class ConfigError(Exception):
    """The configuration names something unusable (a TLS file that cannot be read): exit 253."""


def _tls_file(path: str, what: str) -> bytes:
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as e:
        raise ConfigError(f"Could not find a suitable {what}, invalid path: {path} ({e.strerror})") from None


def _default_client(endpoint: str, profile: str | None = None, ca_bundle: str | None = None,
                    tls: bool = False, region: str | None = None, *, signed: bool = True) -> IamdClient:
    """A client that signs every call with the resolved credentials (CredentialsError without any),
    over TLS when a CA bundle is given (flag or IAMD_CA_BUNDLE); client certificates for mutual
    TLS come from IAMD_CLIENT_CERT and IAMD_CLIENT_KEY. `signed=False`: AWS's unsigned calls,
    made without looking for credentials."""
    credentials = resolve_credentials(profile) if signed else None
    if credentials is None and signed:  # as the AWS CLI: refused before any call, exit 253
        raise CredentialsError("set IAMD_ACCESS_KEY_ID and IAMD_SECRET_ACCESS_KEY, or a profile in "
                               "IAMD_SHARED_CREDENTIALS_FILE (default ~/.iamd/credentials)")
    ca_path = ca_bundle or os.environ.get("IAMD_CA_BUNDLE")
    channel_credentials = grpc.ssl_channel_credentials() if tls and not ca_path else None  # the system's roots
    if ca_path:
        cert, key = os.environ.get("IAMD_CLIENT_CERT"), os.environ.get("IAMD_CLIENT_KEY")
        channel_credentials = grpc.ssl_channel_credentials(
            root_certificates=_tls_file(ca_path, "TLS CA certificate bundle"),
            private_key=_tls_file(key, "TLS client key") if key else None,
            certificate_chain=_tls_file(cert, "TLS client certificate") if cert else None)
    signer = RequestSigner(credentials, region or os.environ.get("IAMD_REGION") or "us-east-1") \
        if credentials is not None else None
    if signer is not None:
        try:
            signer("/", b"")  # a region or an access key id no signature can carry: refused before any call
        except ValueError as e:
            raise ConfigError(f"Cannot sign requests: {e}") from None
    return IamdClient(endpoint, credentials=channel_credentials, metadata_provider=signer)


def main(argv: Sequence[str] | None = None, *, client_factory: ClientFactory | None = None) -> int:
    """Run iamctl; return the process exit code."""
    stdout, stderr = sys.stdout, sys.stderr
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        ns = build_parser(input_json="--cli-input-json" in argv).parse_args(argv)
    except UsageError as e:
        stderr.write(e.usage)
        stderr.write(f"iamctl: error: {e.message}\n")
        return EXIT_USAGE
    except SystemExit as e:  # --help
        return e.code if isinstance(e.code, int) else EXIT_USAGE if e.code else EXIT_OK

    if ns.group == "simulate":
        return run_simulate(ns.scenarios, stdout, stderr)
    if not ns.cli_read_timeout:
        ns.cli_read_timeout = None  # 0: wait as long as it takes, as the aws CLI's --cli-read-timeout 0
    command: Command = ns.command_spec
    client_log = logging.getLogger("iamd.client")
    for old in [h for h in client_log.handlers if getattr(h, "iamctl", False)]:
        client_log.removeHandler(old)  # main() run again in one process: an earlier --debug's handler goes
    if ns.debug:
        handler = logging.StreamHandler(stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        handler.iamctl = True  # type: ignore[attr-defined]
        client_log.addHandler(handler)
        client_log.setLevel(logging.DEBUG)
    tls = False
    if ns.endpoint_url:
        try:
            if ns.endpoint:
                raise ValueError("give --endpoint or --endpoint-url, not both")
            endpoint, tls = endpoint_of_url(ns.endpoint_url)
        except ValueError as e:
            stderr.write(f"iamctl: error: {e}\n")
            return EXIT_USAGE
    else:
        endpoint = ns.endpoint or default_endpoint()
        tls = endpoint_tls(endpoint)
    try:
        merge_cli_input_json(command, ns)
        fields = request_fields(command, ns)
        build_request(command.rpc, **fields)
    except ParamError as e:
        stderr.write(f"\nError parsing parameter '{e.flag}': {e.reason}\n")
        return EXIT_USAGE
    except (TypeError, ValueError) as e:
        stderr.write(f"\nError parsing parameters: {e}\n")
        return EXIT_USAGE

    try:
        factory = client_factory or (lambda e: _default_client(e, ns.profile, ns.ca_bundle, tls, ns.region,
                                                               signed=not command.unsigned))
        if command.offline_with and getattr(ns, command.offline_with, None):
            data = run_command(None, command, fields, ns)  # type: ignore[arg-type]
        else:
            with factory(endpoint) as client:
                data = run_command(client, command, fields, ns)
    except IamClientError as err:
        return report_error(err, command, endpoint, stderr)
    except ParamError as e:
        stderr.write(f"\nError parsing parameter '{e.flag}': {e.reason}\n")
        return EXIT_USAGE
    except CredentialsError as e:
        stderr.write(f"\nUnable to locate credentials: {e}\n")
        return EXIT_CONFIG
    except ConfigError as e:
        stderr.write(f"\n{e}\n")
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as e:  # as the aws CLI's main(): the message, exit 255, the traceback only with --debug
        client_log.debug("Exception caught in main()", exc_info=True)
        stderr.write(f"\n{e}\n")
        return EXIT_FAILED

    # Text output shows the token to continue from last, on a line of its own (`NEXTTOKEN<TAB>token`),
    # as the aws CLI's text formatter does; JSON, YAML and tables keep it in the object.
    next_token = data.pop("NextToken", None) if ns.output == "text" and command.is_paginated \
        and not ns.query and isinstance(data, dict) else None
    if ns.query:
        try:
            data = jmespath.search(ns.query, data)
        except jmespath.exceptions.JMESPathError as e:
            stderr.write(f"\nBad value for --query {ns.query}: {e}\n")
            return EXIT_USAGE
    shown = render(data, ns.output, command.operation_name)
    if next_token:
        shown = "\n".join(part for part in (shown, render_text({"NextToken": {"NextToken": next_token}})) if part)
    stdout.write(shown + "\n")
    return command.exit_status(data) if command.exit_status is not None else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
