"""Write-time validation of policy documents, aware of the policy type, reporting every problem.

Each problem carries a JSON path (`Statement[1].Condition.StringLikee`), a message in AWS's
words where AWS has one, and a "did you mean" hint for misspelt element and operator names.
Nothing unknown is ignored: an unknown element or condition operator is an error, because a
policy that silently drops a clause grants or denies more than its author wrote.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from .conditions import OPERATORS, UnknownOperatorError, parse_operator
from .conditions.arn import split_arn_template
from .document import (
    STATEMENT_ELEMENTS,
    TOP_LEVEL_ELEMENTS,
    VERSION_2012,
    VERSIONS,
    JsonObject,
    condition_values,
    item_paths,
    parse_document,
    resource_list,
    statements_of,
    string_list,
)
from .model import PolicyProblem, PolicyType
from .variables import VariableSyntaxError, parse_template

# Policy types IAM itself stores: their Sids must be alphanumeric.
_IAM_STORED = (PolicyType.IDENTITY, PolicyType.BOUNDARY, PolicyType.SESSION, PolicyType.TRUST)
_NO_PRINCIPAL = (PolicyType.IDENTITY, PolicyType.BOUNDARY, PolicyType.SESSION)
_PRINCIPAL_KINDS = ("AWS", "Service", "Federated", "CanonicalUser")

_SID = re.compile(r"[0-9A-Za-z]*")
_ACCOUNT = re.compile(r"\d{12}")
_AWS_PRINCIPAL_ARN = re.compile(
    r"arn:aws[a-z-]*:(?:iam::\d{12}:(?:root|user/.+|role/.+)"
    r"|sts::\d{12}:(?:assumed-role/[^/]+/.+|federated-user/.+))"
)
_SERVICE_PRINCIPAL = re.compile(r"[a-z0-9][a-z0-9.-]*\.[a-z0-9.-]+")


def did_you_mean(name: str, known: Iterable[str]) -> str | None:
    """`did you mean X?` for a misspelt name, comparing case-insensitively."""
    known = list(known)
    lowered = {k.lower(): k for k in known}
    if name.lower() in lowered:
        return f"did you mean `{lowered[name.lower()]}`?"
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return f"did you mean `{lowered[close[0]]}`?" if close else None


# How much of a document's problems an error carries. Error details travel in gRPC trailers,
# which clients refuse beyond 8 KB (16 KB at most): a document with a thousand bad statements
# must still be answered MalformedPolicyDocument. So problems are reported in full while they fit
# in REPORTED_PROBLEMS_BUDGET characters (an ordinary document's every problem does), the rest
# are counted, and what a problem quotes from the document is shortened.
REPORTED_PROBLEMS_BUDGET = 3000
_MAX_PATH, _MAX_MESSAGE, _MAX_HINT = 120, 400, 160


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def bounded(problems: list[PolicyProblem]) -> list[PolicyProblem]:
    """The problems that fit REPORTED_PROBLEMS_BUDGET, each of bounded size, then how many more there are."""
    shown: list[PolicyProblem] = []
    used = 0
    for p in problems:
        clipped = PolicyProblem(_clip(p.path, _MAX_PATH), _clip(p.message, _MAX_MESSAGE),
                                _clip(p.hint, _MAX_HINT) if p.hint else p.hint)
        size = len(clipped.path) + len(clipped.message) + len(clipped.hint or "")
        if used + size > REPORTED_PROBLEMS_BUDGET:
            more = len(problems) - len(shown)
            shown.append(PolicyProblem("", f"Syntax errors in policy: {more} more problems not shown"))
            break
        shown.append(clipped)
        used += size
    return shown


def validate_policy(text: str, policy_type: PolicyType, *, managed: bool = False) -> list[PolicyProblem]:
    """The problems with a policy document of the given type (see `reported`); [] when it is valid.

    `managed`: the document is a managed policy's (CreatePolicy, CreatePolicyVersion), which
    AWS requires to be in policy language 2012-10-17.
    """
    document, problems = parse_document(text)
    if document is not None:
        problems.extend(validate_document(document, policy_type, managed=managed))
    return reported(problems)


SYNTAX_ERRORS = "Syntax errors in policy."  # AWS's whole message for any structural fault


def aws_worded(problem: PolicyProblem) -> PolicyProblem:
    """The problem with AWS's message: for a structural fault AWS says only "Syntax errors in
    policy.", so iamd's own detail (what exactly is wrong) moves to the hint, which the error's
    details carry beside the path."""
    message = problem.message
    if message == "Syntax errors in policy":
        return PolicyProblem(problem.path, SYNTAX_ERRORS, problem.hint)
    if message.startswith("Syntax errors in policy: "):
        detail = message.removeprefix("Syntax errors in policy: ")
        return PolicyProblem(problem.path, SYNTAX_ERRORS, f"{detail}; {problem.hint}" if problem.hint else detail)
    return problem


def reported(problems: list[PolicyProblem]) -> list[PolicyProblem]:
    """What a refusal reports: the problems in AWS's words, bounded (see `bounded`)."""
    return bounded([aws_worded(p) for p in problems])


# AWS checks a document in stages and answers with the message of the first stage that fails
# (the order observed from AWS's answers, as moto's test suite records them): syntax, the
# version of a managed policy, "legacy parsing" (exact Effect case, dates, ARN colons), Sid
# uniqueness, actions present, resource formats, action vendors, resources present. iamd reports
# every problem; sorting them by stage puts AWS's message first. iamd's own checks for a policy
# type (principals, RCP rules, condition values, policy variables) come last.
SYNTAX, VERSION, LEGACY, SID, ACTIONS, RESOURCE_FORMAT, VENDOR, RESOURCES, IAMD = range(9)
LEGACY_PARSING = "The policy failed legacy parsing"
_LEGACY_HINT = "AWS's parser refuses this"


class _Found:
    """Problems with the stage AWS finds them in; `order` ranks problems within a stage."""

    def __init__(self) -> None:
        self._found: list[tuple[int, tuple[Any, ...], int, PolicyProblem]] = []

    def __call__(self, problem: PolicyProblem, stage: int = IAMD, order: tuple[Any, ...] = ()) -> None:
        self._found.append((stage, order, len(self._found), problem))

    def in_aws_order(self) -> list[PolicyProblem]:
        return [problem for *_, problem in sorted(self._found, key=lambda f: f[:3])]


def validate_document(document: Any, policy_type: PolicyType, *, managed: bool = False) -> list[PolicyProblem]:
    """Every problem with an already parsed document, the one AWS would report first."""
    add = _Found()
    _document(document, policy_type, managed, add)
    return add.in_aws_order()


def _document(document: Any, policy_type: PolicyType, managed: bool, add: _Found) -> None:
    if not isinstance(document, dict):
        add(PolicyProblem("", "Syntax errors in policy", "the document must be a JSON object"), SYNTAX)
        return
    _duplicates(document, "", add)
    for key in document:
        if key not in TOP_LEVEL_ELEMENTS:
            add(PolicyProblem(key, f"Syntax errors in policy: unknown element `{key}`",
                              did_you_mean(key, TOP_LEVEL_ELEMENTS)), SYNTAX)
    version = document.get("Version")
    if "Version" in document and version not in VERSIONS:
        add(PolicyProblem("Version", "Syntax errors in policy: the policy must contain a valid version string",
                          f"use `{VERSION_2012}`"), SYNTAX)
    elif managed and version != VERSION_2012:
        add(PolicyProblem("Version", "Policy document must be version 2012-10-17 or greater.",
                          f'a managed policy needs `"Version": "{VERSION_2012}"`'), VERSION)
    if "Id" in document and not isinstance(document["Id"], str):
        add(PolicyProblem("Id", "Syntax errors in policy: `Id` must be a string"), SYNTAX)
    variables = version == VERSION_2012

    statement = document.get("Statement")
    if statement is None:
        add(PolicyProblem("Statement", "Syntax errors in policy: missing required field `Statement`"), SYNTAX)
        return
    if not isinstance(statement, (dict, list)):
        add(PolicyProblem("Statement",
                          "Syntax errors in policy: `Statement` must be an object or a list of objects"), SYNTAX)
        return
    if statement == []:
        add(PolicyProblem("Statement", "Syntax errors in policy: `Statement` holds no statement"), SYNTAX)
        return
    sids: dict[str, str] = {}
    statements = statements_of(document)
    for path, st in statements:
        _statement(st, path, policy_type, variables, sids, add)
    if policy_type is not PolicyType.TRUST:
        _resource_formats(statements, add)


def _duplicates(obj: Any, path: str, add: _Found) -> None:
    if isinstance(obj, JsonObject):
        for key in obj.duplicates:
            where = f"{path}.{key}" if path else key
            add(PolicyProblem(where, f"Syntax errors in policy: duplicate key `{key}`"), SYNTAX)


def _statement(
    st: Any, path: str, policy_type: PolicyType, variables: bool, sids: dict[str, str], add: _Found
) -> None:
    if not isinstance(st, dict):
        add(PolicyProblem(path, "Syntax errors in policy: a statement must be a JSON object"), SYNTAX)
        return
    _duplicates(st, path, add)
    for key in st:
        if key not in STATEMENT_ELEMENTS:
            add(PolicyProblem(f"{path}.{key}", f"Syntax errors in policy: unknown element `{key}`",
                              did_you_mean(key, STATEMENT_ELEMENTS)), SYNTAX)

    # Sid
    if "Sid" in st:
        sid = st["Sid"]
        if not isinstance(sid, str):
            add(PolicyProblem(f"{path}.Sid", "Syntax errors in policy: `Sid` must be a string"), SYNTAX)
        else:
            if policy_type in _IAM_STORED and not _SID.fullmatch(sid):
                add(PolicyProblem(f"{path}.Sid",
                                  "Statement IDs (SID) must be alpha-numeric. Check that your input "
                                  "satisfies the regular expression [0-9A-Za-z]*"), SID)
            if sid:
                if sid in sids:
                    add(PolicyProblem(f"{path}.Sid", "Statement IDs (SID) in a single policy must be unique.",
                                      f"`{sid}` is also the Sid of {sids[sid]}"), SID)
                else:
                    sids[sid] = path

    # Effect: AWS's syntax check compares case-insensitively, its "legacy" parser exactly.
    effect = st.get("Effect")
    if "Effect" not in st:
        add(PolicyProblem(f"{path}.Effect", "Syntax errors in policy: missing required field `Effect`",
                          "use `Allow` or `Deny`"), SYNTAX)
    elif not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
        shown = effect if isinstance(effect, str) else repr(effect)
        add(PolicyProblem(f"{path}.Effect", f"Syntax errors in policy: invalid effect `{shown}`",
                          did_you_mean(shown, ("Allow", "Deny")) or "use `Allow` or `Deny`"), SYNTAX)
    elif effect not in ("Allow", "Deny"):
        add(PolicyProblem(f"{path}.Effect", LEGACY_PARSING, did_you_mean(effect, ("Allow", "Deny"))), LEGACY)
    elif policy_type is PolicyType.RCP and effect != "Deny":
        add(PolicyProblem(f"{path}.Effect", "Resource control policies support only `Deny` statements",
                          "RCPFullAWSAccess already allows everything; write what to deny"))

    _principal_elements(st, path, policy_type, add)
    _action_elements(st, path, add)
    _resource_elements(st, path, policy_type, variables, add)
    if "Condition" in st:
        _condition(st["Condition"], f"{path}.Condition", variables, add)


def _principal_elements(st: dict[str, Any], path: str, policy_type: PolicyType, add: _Found) -> None:
    has_p, has_np = "Principal" in st, "NotPrincipal" in st
    if has_p and has_np:
        add(PolicyProblem(f"{path}.NotPrincipal",
                          "Syntax errors in policy: a statement cannot hold both `Principal` and `NotPrincipal`"))
    if policy_type in _NO_PRINCIPAL:
        for element in ("Principal", "NotPrincipal"):
            if element in st:
                add(PolicyProblem(f"{path}.{element}", "Policy document should not specify a principal",
                                  f"{policy_type.value} policies apply to the principal they are attached to"))
        return
    if policy_type is PolicyType.SCP:
        for element in ("Principal", "NotPrincipal"):
            if element in st:
                add(PolicyProblem(f"{path}.{element}", f"Has prohibited field {element}"))
        return
    if policy_type is PolicyType.RCP:
        if has_np:
            add(PolicyProblem(f"{path}.NotPrincipal", "Has prohibited field NotPrincipal"))
        if not has_p:
            add(PolicyProblem(f"{path}.Principal", "Missing required field Principal", 'use `"Principal": "*"`'))
        elif st["Principal"] != "*" and st["Principal"] != {"AWS": "*"}:
            add(PolicyProblem(f"{path}.Principal", 'Resource control policies require `"Principal": "*"`',
                              "narrow the principals with conditions such as aws:PrincipalOrgID"))
        return
    # Resource-based and trust policies must name whom they apply to.
    if not has_p and not has_np:
        add(PolicyProblem(f"{path}.Principal", "Missing required field Principal"))
    for element in ("Principal", "NotPrincipal"):
        if element in st:
            _principal_value(st[element], f"{path}.{element}", add)


def _principal_value(value: Any, path: str, add: _Found) -> None:
    if value == "*":
        return
    if not isinstance(value, dict) or not value:
        add(PolicyProblem(path, "Invalid principal in policy",
                          'use `"*"` or an object such as `{"AWS": "arn:aws:iam::123456789012:root"}`'))
        return
    _duplicates(value, path, add)
    for kind, entries in value.items():
        where = f"{path}.{kind}"
        if kind not in _PRINCIPAL_KINDS:
            add(PolicyProblem(where, f'Invalid principal in policy: "{kind}"', did_you_mean(kind, _PRINCIPAL_KINDS)))
            continue
        items = string_list(entries)
        if not items:
            add(PolicyProblem(where, f'Invalid principal in policy: "{kind}" needs a string or a list of strings'))
            continue
        for item_path, item in zip(item_paths(where, entries), items):
            if not _principal_entry_ok(kind, item):
                add(PolicyProblem(item_path, f'Invalid principal in policy: "{kind}":"{item}"'))


def _principal_entry_ok(kind: str, item: str) -> bool:
    if kind == "AWS":
        if item == "*" or _ACCOUNT.fullmatch(item):
            return True
        return bool(_AWS_PRINCIPAL_ARN.fullmatch(item)) and "*" not in item and "?" not in item
    if kind == "Service":
        return item == "*" or bool(_SERVICE_PRINCIPAL.fullmatch(item))
    return bool(item) and "*" not in item and "?" not in item


def _action_elements(st: dict[str, Any], path: str, add: _Found) -> None:
    has_a, has_na = "Action" in st, "NotAction" in st
    if not has_a and not has_na:
        add(PolicyProblem(f"{path}.Action", "Policy statement must contain actions."), ACTIONS)
        return
    if has_a and has_na:
        add(PolicyProblem(f"{path}.NotAction",
                          "Syntax errors in policy: a statement cannot hold both `Action` and `NotAction`"), SYNTAX)
    for element in ("Action", "NotAction"):
        if element not in st:
            continue
        value = st[element]
        items = string_list(value)
        if items is None:
            add(PolicyProblem(f"{path}.{element}",
                              f"Syntax errors in policy: `{element}` must be a string or a list of strings"), SYNTAX)
            continue
        if not items:
            add(PolicyProblem(f"{path}.{element}", "Policy statement must contain actions."), ACTIONS)
        # AWS checks the vendor of every Action across the statements, then every NotAction.
        order = (0 if element == "Action" else 1,)
        for item_path, item in zip(item_paths(f"{path}.{element}", value), items):
            message = _action_problem(item)
            if message:
                add(PolicyProblem(item_path, message), VENDOR, order)


# Wildcards stay allowed in a vendor (`s*:Get*`): AWS accepts and matches them.
_VENDOR = re.compile(r"[A-Za-z0-9.*?-]*")


def _action_problem(action: str) -> str | None:
    # What follows the vendor is not checked: AWS stores `iam: list users` (it never matches).
    if action == "*":
        return None
    colons = action.count(":")
    if colons == 0:
        return "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
    if colons > 1:
        return "Actions/Condition can contain only one colon."
    vendor = action.partition(":")[0]
    if vendor != "*" and not _VENDOR.fullmatch(vendor):
        return f"Vendor {vendor} is not valid"
    return None


def _resource_elements(
    st: dict[str, Any], path: str, policy_type: PolicyType, variables: bool, add: _Found
) -> None:
    """The shape of Resource/NotResource and its policy variables; formats: `_resource_formats`."""
    has_r, has_nr = "Resource" in st, "NotResource" in st
    if policy_type is PolicyType.TRUST:
        for element in ("Resource", "NotResource"):
            if element in st:
                add(PolicyProblem(f"{path}.{element}", f"Has prohibited field {element}",
                                  "a trust policy applies to the role it is attached to"))
        return
    if not has_r and not has_nr:
        add(PolicyProblem(f"{path}.Resource", "Policy statement must contain resources."), RESOURCES)
        return
    if has_r and has_nr:
        add(PolicyProblem(f"{path}.NotResource",
                          "Syntax errors in policy: a statement cannot hold both `Resource` and `NotResource`"), SYNTAX)
    for element in ("Resource", "NotResource"):
        if element not in st:
            continue
        value = st[element]
        items = resource_list(value)
        if items is None:
            add(PolicyProblem(f"{path}.{element}",
                              f"Syntax errors in policy: `{element}` must be a string or a list of strings"), SYNTAX)
            continue
        if not items:
            add(PolicyProblem(f"{path}.{element}", "Policy statement must contain resources."), RESOURCES)
        if variables:
            for item_path, item in zip(item_paths(f"{path}.{element}", value), value if isinstance(value, list) else [value]):
                if isinstance(item, str) and "${" in item:
                    for message in _resource_variable_problems(item):
                        add(PolicyProblem(item_path, message))


def _resource_variable_problems(resource: str) -> list[str]:
    # A variable may fill any part of the ARN: AWS's own managed policies write
    # `arn:*:kms:*:${aws:PrincipalAccount}:key/*` (AmazonTimestreamInfluxDBServiceRolePolicy).
    parts = split_arn_template(resource, True) or [resource]
    try:
        for part in parts:
            parse_template(part, variables=True, wildcards=True)
    except VariableSyntaxError as e:
        return [f"Syntax errors in policy: {e}"]
    return []


# Partitions AWS knows (an ARN's second part), and its per-service rules for resource ARNs.
PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"})
_IAM_RESOURCE_TYPES = ("user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
                       "server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/",
                       "report/", "access-report/")


def _resource_formats(statements: list[tuple[str, Any]], add: _Found) -> None:
    """Resource ARN formats, in AWS's order: every statement's Resource, then every NotResource.

    Of several malformed resources AWS names the last it checks (statements in order, a list's
    resources in descending order), so that one gets the first place; "legacy parsing" (an
    ARN with `::` but fewer than five colons, or no service) is checked only until a format fault
    is found.
    """
    format_fault_seen = False
    for element_index, element in enumerate(("Resource", "NotResource")):
        for statement_index, (path, st) in enumerate(statements):
            if not isinstance(st, dict) or element not in st:
                continue
            value = st[element]
            items = resource_list(value)
            if items is None:
                continue  # a syntax error, reported with the statement
            # A list's null and empty items are skipped; a lone empty string is checked.
            raw_items = value if isinstance(value, list) else [value]
            located = [(p, r) for p, r in zip(item_paths(f"{path}.{element}", value), raw_items)
                       if r or isinstance(value, str)]
            for item_path, resource in located:
                fault = _resource_format_fault(resource)
                if fault is not None:
                    format_fault_seen = True
                    message, hint = fault
                    order = (-element_index, -statement_index, resource)
                    add(PolicyProblem(item_path, message, hint), RESOURCE_FORMAT, order)
            if format_fault_seen:
                continue
            for item_path, resource in located:
                if resource != "*" and _fails_legacy_parsing(resource, isinstance(value, str)):
                    add(PolicyProblem(item_path, LEGACY_PARSING,
                                      "an ARN reads arn:partition:service:region:account-id:resource"), LEGACY)


def _fails_legacy_parsing(resource: str, single: bool) -> bool:
    if resource.count(":") < 5 and "::" in resource:
        return True
    # Observed for a lone Resource string only: an empty service part.
    parts = resource.split(":")
    return single and (len(parts) < 3 or parts[2] == "")


def _resource_format_fault(resource: str) -> tuple[str, str | None] | None:
    if resource == "*":
        return None
    _first, colon, rest = resource.partition(":")
    if not colon:
        return (f'Resource {resource} must be in ARN format or "*".',
                "an ARN reads arn:partition:service:region:account-id:resource")
    partition, colon, rest = rest.partition(":")
    if partition not in PARTITIONS and "*" not in partition and "?" not in partition:
        # AWS renders the resource as the six parts it was reading, `*` for a missing one.
        parts = rest.split(":")
        service = parts[0] if parts[0] != "" or len(parts) > 1 else "*"
        region = parts[1] if len(parts) > 1 else "*"
        account = parts[2] if len(parts) > 2 else "*"
        tail = ":".join(parts[3:]) if len(parts) > 3 else "*"
        return (f'Partition "{partition}" is not valid for resource '
                f'"arn:{partition}:{service}:{region}:{account}:{tail}".', f"use one of {', '.join(sorted(PARTITIONS))}")
    if not colon:
        return ("Resource vendor must be fully qualified and cannot contain regexes.", None)
    service, _colon, after_service = rest.partition(":")
    if "*" in service or "?" in service:
        return ("Resource vendor must be fully qualified and cannot contain regexes.", None)
    region, _colon, after_region = after_service.partition(":")
    _account, _colon, resource_part = after_region.partition(":")
    if "${" in resource and (parts := split_arn_template(resource, True)) is not None:
        region, resource_part = parts[3], parts[5]  # a variable's own colons split nothing
    # A wildcard region is no region information (`arn:aws:iam:*:*:role/*` is accepted).
    region = "" if region == "*" else region
    if service == "iam" and region:
        return (f"IAM resource {resource} cannot contain region information.", "IAM is global: leave the region empty")
    if service == "s3" and region and not resource_part.startswith("accesspoint/"):
        return (f"Resource {resource} can not contain region information.", "S3 bucket ARNs have no region")
    # `root` too: AWS's own managed policies name `arn:aws:iam::*:root` (the root-task policies).
    if service == "iam" and resource_part not in ("*", "root") and not resource_part.startswith(_IAM_RESOURCE_TYPES):
        return ('IAM resource path must either be "*" or start with ' + ", ".join(_IAM_RESOURCE_TYPES) + ".", None)
    return None


def _condition(value: Any, path: str, variables: bool, add: _Found) -> None:
    if not isinstance(value, dict):
        add(PolicyProblem(path, "Syntax errors in policy: `Condition` must be an object of condition operators"),
            SYNTAX)
        return
    _duplicates(value, path, add)
    for op_name, block in value.items():
        op_path = f"{path}.{op_name}"
        if not isinstance(block, dict):
            add(PolicyProblem(op_path, f"Syntax errors in policy: `{op_name}` must map condition keys to values"),
                SYNTAX)
            continue
        # An operator block with no keys holds no clause; AWS accepts it even for an operator it
        # does not know, and so does iamd (nothing is ignored: there is nothing to evaluate).
        if not block:
            continue
        try:
            parsed = parse_operator(op_name)
        except UnknownOperatorError as e:
            add(PolicyProblem(op_path, str(e), e.hint), SYNTAX)
            continue
        _duplicates(block, op_path, add)
        op = parsed.operator
        for key, raw in block.items():
            # A key of any spelling is accepted (AWS stores `a`); one the request never
            # carries is simply absent when the condition is evaluated.
            key_path = f"{op_path}.{key}"
            values = condition_values(raw)
            if values is None:
                add(PolicyProblem(key_path, "Syntax errors in policy: condition values must be strings, numbers "
                                            "or booleans, alone or in a list"), SYNTAX)
                continue
            for value_path, item in zip(item_paths(key_path, raw), values):
                for message in _condition_value_problems(op.name, op, item, variables):
                    stage = LEGACY if op.family == "Date" else IAMD
                    add(PolicyProblem(value_path, LEGACY_PARSING if stage == LEGACY else message,
                                      message if stage == LEGACY else None), stage)


def _condition_value_problems(name: str, op: Any, value: str, variables: bool) -> list[str]:
    if variables and "${" in value:
        if not op.allows_variables:
            return [f"Syntax errors in policy: policy variables cannot be used with `{name}`"]
        try:
            parse_template(value, variables=True, wildcards=op.allows_wildcards)
        except VariableSyntaxError as e:
            return [f"Syntax errors in policy: {e}"]
        if op.family == "Arn" and value != "*" and split_arn_template(value, True) is None:
            return [f"Syntax errors in policy: `{value}` is not an ARN"]
        return []
    problem = op.check_value(value)
    return [f"Syntax errors in policy: {problem} (operator `{name}`)"] if problem else []


__all__ = ["validate_policy", "validate_document", "did_you_mean", "bounded", "reported", "aws_worded", "OPERATORS",
           "PARTITIONS", "REPORTED_PROBLEMS_BUDGET"]
