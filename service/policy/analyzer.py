"""IAM Access Analyzer's policy checks (its ValidatePolicy): findings in AWS's issue codes, each
pointing into the document's text.

`validate_policy_findings(text, policy_type, resource_type, catalogue)` returns every finding,
ordered by where it points. A finding has AWS's `findingType` (ERROR: the policy will not work;
SECURITY_WARNING: it grants more than it seems to; WARNING: against best practice; SUGGESTION:
style), its `issueCode` (the check's title in UPPER_SNAKE_CASE, as AWS names them), details in
AWS's words where AWS has them, the AWS documentation link of the check, and locations: a JSON
path (`[{"value": "Statement"}, {"index": 0}, {"value": "Action"}, {"index": 1}]`) and the span
of the text it names (line from 1, column from 0, offset from 0; a string's span includes its
quotes).

What IAM would refuse comes from the write-time validator (`validate.validate_document`), its
problems mapped to AWS's ERROR codes; everything that needs AWS's catalogue (does this action
exist, does it support that condition key, does this ARN have a resource type) comes from
`catalogue.Catalogue`. The work is bounded: past MAX_CHECKED_ITEMS actions or resources the
catalogue checks stop (the grammar checks go on), and pattern comparisons are capped.
docs/validate-policy.md lists the checks and what is not checked.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .catalogue import ARN_FIELDS, GLOBAL_KEYS, Action, Catalogue, ResourceType
from .conditions import SET_ALL, SET_ANY, UnknownOperatorError, parse_operator
from .document import VERSION_2008, VERSION_2012, parse_document
from .located import JsonSyntaxError, Lines, Located, parse_located
from .model import PolicyProblem, PolicyType
from .validate import validate_document
from .wildcard import glob_regex, has_wildcard

ERROR, SECURITY_WARNING, WARNING, SUGGESTION = "ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION"
POLICY_TYPES = ("IDENTITY_POLICY", "RESOURCE_POLICY", "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
RESOURCE_TYPES = ("AWS::S3::Bucket", "AWS::S3::AccessPoint", "AWS::S3::MultiRegionAccessPoint",
                  "AWS::S3ObjectLambda::AccessPoint", "AWS::IAM::AssumeRolePolicyDocument", "AWS::DynamoDB::Table")
TRUST_POLICY = "AWS::IAM::AssumeRolePolicyDocument"
LEARN_MORE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"
_ANCHOR_KIND = {ERROR: "error", SECURITY_WARNING: "security-warning", WARNING: "general-warning",
                SUGGESTION: "suggestion"}

# Every issue code iamd reports, with its finding type (AWS's policy check reference).
ISSUES: dict[str, str] = {
    **dict.fromkeys((
        "ARN_ACCOUNT_NOT_ALLOWED", "ARN_REGION_NOT_ALLOWED", "DATA_TYPE_MISMATCH",
        "DUPLICATE_KEYS_WITH_DIFFERENT_CASE", "INVALID_ACTION", "INVALID_ARN_ACCOUNT", "INVALID_ARN_PREFIX",
        "INVALID_ARN_REGION", "INVALID_ARN_RESOURCE", "INVALID_ARN_SERVICE_CASE", "INVALID_CONDITION_KEY_FORMAT",
        "INVALID_CONDITION_OPERATOR", "INVALID_EFFECT", "INVALID_GLOBAL_CONDITION_KEY", "INVALID_PARTITION",
        "INVALID_POLICY_ELEMENT", "INVALID_PRINCIPAL_FORMAT", "INVALID_PRINCIPAL_KEY", "INVALID_REGION",
        "INVALID_SERVICE", "INVALID_SERVICE_CONDITION_KEY", "INVALID_SERVICE_IN_ACTION",
        "INVALID_SERVICE_PRINCIPAL_FORMAT", "INVALID_VARIABLE_FOR_OPERATOR", "INVALID_VERSION",
        "JSON_SYNTAX_ERROR", "MISSING_ACTION", "MISSING_ARN_FIELD", "MISSING_ARN_REGION", "MISSING_EFFECT",
        "MISSING_PRINCIPAL", "MISSING_RESOURCE", "MISSING_STATEMENT", "NULL_WITH_IF_EXISTS",
        "SCP_SYNTAX_ERROR_PRINCIPAL", "RCP_SYNTAX_ERROR_PRINCIPAL", "RCP_SYNTAX_ERROR_ALLOW",
        "UNIQUE_SIDS_REQUIRED", "UNSUPPORTED_ELEMENT_COMBINATION", "UNSUPPORTED_GLOBAL_CONDITION_KEY",
        "UNSUPPORTED_PRINCIPAL", "UNSUPPORTED_SID", "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
        "MISSING_BRACE_IN_VARIABLE", "MISSING_QUOTE_IN_VARIABLE", "UNSUPPORTED_SPACE_IN_VARIABLE",
        "EMPTY_VARIABLE", "VARIABLE_UNSUPPORTED_IN_VERSION", "POLICY_SIZE_EXCEEDS_SCP_QUOTA",
        "UNSUPPORTED_ACTION_FOR_CONDITION_KEY", "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL",
        "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE",
        "MISMATCHED_ACTION_FOR_PRINCIPAL",
    ), ERROR),
    **dict.fromkeys((
        "CREATE_SLR_WITH_NOT_RESOURCE", "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
        "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE", "CREATE_SLR_WITH_STAR_IN_RESOURCE",
        "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
        "MISSING_VERSION", "UNIQUE_SIDS_RECOMMENDED", "WILDCARD_WITHOUT_LIKE_OPERATOR",
        "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", "TYPE_MISMATCH_BOOLEAN", "TYPE_MISMATCH_DATE",
        "TYPE_MISMATCH_IP_RANGE", "TYPE_MISMATCH_NUMBER", "TYPE_MISMATCH_STRING",
    ), WARNING),
    **dict.fromkeys((
        "ALLOW_WITH_NOT_PRINCIPAL", "FORALLVALUES_WITH_SINGLE_VALUED_KEY", "PASS_ROLE_WITH_NOT_RESOURCE",
        "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE",
        "PASS_ROLE_WITH_STAR_IN_RESOURCE", "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
        "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL",
    ), SECURITY_WARNING),
    **dict.fromkeys((
        "EMPTY_ARRAY_ACTION", "EMPTY_ARRAY_CONDITION", "EMPTY_ARRAY_CONDITION_FORALLVALUES",
        "EMPTY_ARRAY_CONDITION_FORANYVALUE", "EMPTY_ARRAY_CONDITION_IFEXISTS", "EMPTY_ARRAY_PRINCIPAL",
        "EMPTY_ARRAY_RESOURCE", "EMPTY_OBJECT_CONDITION", "EMPTY_OBJECT_PRINCIPAL", "EMPTY_SID_VALUE",
        "NULL_WITH_QUALIFIER", "REDUNDANT_ACTION", "REDUNDANT_RESOURCE", "REDUNDANT_STATEMENT",
        "WILDCARD_IN_SERVICE_NAME",
    ), SUGGESTION),
}

# Bounds on the work one document may cause (a 64 KiB document holds ~10,000 actions).
MAX_CHECKED_ITEMS = 2000  # actions and resources checked against the catalogue
MAX_SUGGESTIONS = 50  # "did you mean" searches
MAX_PATTERNS = 100  # wildcard entries compared with the others for redundancy
MAX_PATTERN_TEXT = 512  # ARN resource parts longer than this are not compared as patterns
IDENTITY_POLICY_QUOTA = 6144  # characters, whitespace excluded
SCP_QUOTA = 5120
# The keys that say on whose behalf a service principal acts (confused-deputy protection).
SOURCE_KEYS = frozenset(k.lower() for k in ("aws:SourceArn", "aws:SourceAccount", "aws:SourceOrgID",
                                            "aws:SourceOrgPaths"))
_ACCOUNT = re.compile(r"\d{12}")
_ACTION = re.compile(r"([A-Za-z0-9*?-]+):([A-Za-z0-9_*?-]+)")


# --- findings -----------------------------------------------------------------------------------

PathElement = tuple[str, Any]  # ("index", 0), ("key", "Sid"), ("value", "Statement"), ("substring", (start, length))


@dataclass(frozen=True, slots=True)
class Position:
    line: int  # from 1
    column: int  # from 0
    offset: int  # from 0


@dataclass(frozen=True, slots=True)
class Location:
    path: tuple[PathElement, ...]
    start: Position
    end: Position


@dataclass(frozen=True, slots=True)
class Finding:
    finding_type: str
    issue_code: str
    details: str
    locations: tuple[Location, ...]

    @property
    def learn_more_link(self) -> str:
        return learn_more_link(self.issue_code)


def learn_more_link(issue_code: str) -> str:
    """The policy check reference's section for an issue code."""
    kind = _ANCHOR_KIND[ISSUES[issue_code]]
    return f"{LEARN_MORE}#access-analyzer-reference-policy-checks-{kind}-{issue_code.lower().replace('_', '-')}"


class InvalidRequestError(ValueError):
    """A request ValidatePolicy refuses outright (ValidationException): `field` names the member."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


def iam_policy_type(policy_type: str, resource_type: str = "") -> PolicyType:
    """The engine's policy type for Access Analyzer's policyType (and validatePolicyResourceType)."""
    if policy_type not in POLICY_TYPES:
        raise InvalidRequestError("policyType", f"`{policy_type}` is not a policy type; use one of "
                                  + ", ".join(POLICY_TYPES))
    if resource_type and resource_type not in RESOURCE_TYPES:
        raise InvalidRequestError("validatePolicyResourceType", f"`{resource_type}` is not a resource type "
                                  "ValidatePolicy knows; use one of " + ", ".join(RESOURCE_TYPES))
    if resource_type and policy_type != "RESOURCE_POLICY":
        raise InvalidRequestError("validatePolicyResourceType", "a resource type goes only with RESOURCE_POLICY")
    return {"IDENTITY_POLICY": PolicyType.IDENTITY,
            "RESOURCE_POLICY": PolicyType.TRUST if resource_type == TRUST_POLICY else PolicyType.RESOURCE,
            "SERVICE_CONTROL_POLICY": PolicyType.SCP, "RESOURCE_CONTROL_POLICY": PolicyType.RCP}[policy_type]


def validate_policy_findings(text: str, policy_type: str, resource_type: str, catalogue: Catalogue) -> list[Finding]:
    """Every finding of Access Analyzer's checks on a policy document (see the module's docstring)."""
    kind = iam_policy_type(policy_type, resource_type)
    return _Analysis(text, policy_type, kind, catalogue).run()


# --- the walk -----------------------------------------------------------------------------------

@dataclass
class _Statement:
    node: Located
    path: tuple[PathElement, ...]
    effect: str | None
    actions: list[tuple[tuple[PathElement, ...], Located, str]] = field(default_factory=list)  # Action items
    not_action: Located | None = None
    resources: list[tuple[tuple[PathElement, ...], Located, str]] = field(default_factory=list)  # Resource items
    not_resource: Located | None = None
    condition: Located | None = None
    condition_keys: set[str] = field(default_factory=set)  # lower-cased
    # The literal actions named (service prefix, the catalogue's action, where it is named) and
    # every action named, wildcards expanded (service prefix, action).
    resolved: list[tuple[str, Action, Location]] = field(default_factory=list)
    expanded: list[tuple[str, Action]] = field(default_factory=list)
    everything: bool = False  # an Action of `*`


def _items(node: Located | None) -> list[tuple[int | None, Located]]:
    return node.elements() if node is not None else []


def _strings(node: Located | None, path: tuple[PathElement, ...]) -> list[tuple[tuple[PathElement, ...], Located, str]]:
    out = []
    for index, item in _items(node):
        if item.kind == "string":
            out.append((path if index is None else (*path, ("index", index)), item, item.scalar))
    return out


class _Analysis:
    def __init__(self, text: str, aa_type: str, kind: PolicyType, catalogue: Catalogue) -> None:
        self.text = text
        self.aa_type = aa_type
        self.kind = kind
        self.catalogue = catalogue
        self.lines = Lines(text)
        self.findings: dict[tuple[str, tuple[Location, ...]], Finding] = {}
        self.checked = 0
        self.suggestions = 0
        self._expansions: dict[str, list[Action] | None] = {}

    # -- recording

    def location(self, path: Sequence[PathElement], start: int, end: int) -> Location:
        line, column, offset = self.lines.position(start)
        end_line, end_column, end_offset = self.lines.position(end)
        return Location(tuple(path), Position(line, column, offset), Position(end_line, end_column, end_offset))

    def at(self, path: Sequence[PathElement], node: Located) -> Location:
        return self.location(path, node.start, node.end)

    def at_key(self, path: Sequence[PathElement], parent: Located, key: str, *, last: bool = False) -> Location:
        """The key itself (`{"key": ...}`), for findings about its name (`last`: its last occurrence)."""
        named = [m for m in parent.members if m.key == key]
        member = (named[-1] if last else named[0]) if named else None
        if member is None:
            return self.at(path, parent)
        return self.location((*path, ("key", key)), member.key_start, member.key_end)

    def add(self, code: str, details: str, *locations: Location) -> None:
        finding = Finding(ISSUES[code], code, details, tuple(locations))
        self.findings.setdefault((code, finding.locations), finding)

    # -- entry

    def run(self) -> list[Finding]:
        document, problems = parse_document(self.text)
        if document is None:
            self._syntax(problems)
        else:
            try:
                tree = parse_located(self.text)
            except JsonSyntaxError as e:  # both parsers read strict JSON: not expected
                self._syntax_at(e.offset)
            else:
                self._document(tree)
                self._problems(tree, validate_document(document, self.kind))
        return sorted(self.findings.values(), key=lambda f: (
            f.locations[0].start.offset if f.locations else -1, f.issue_code))

    def _syntax(self, problems: list[PolicyProblem]) -> None:
        try:
            parse_located(self.text)
        except JsonSyntaxError as e:
            self._syntax_at(e.offset)
            return
        whole = self.location((), 0, len(self.text))
        if not self.text.strip():
            self.add("JSON_SYNTAX_ERROR", "Fix the JSON syntax error.", whole)
        elif problems and "must be a JSON object" in (problems[-1].hint or ""):
            self.add("DATA_TYPE_MISMATCH", "The text does not match the expected JSON data type Object.", whole)
        else:
            self.add("JSON_SYNTAX_ERROR", "Fix the JSON syntax error.", whole)

    def _syntax_at(self, offset: int) -> None:
        line, column, _ = self.lines.position(offset)
        self.add("JSON_SYNTAX_ERROR", f"Fix the JSON syntax error at index {offset} line {line} column {column}.",
                 self.location((), offset, min(offset + 1, len(self.text))))

    # -- the validator's problems in AWS's codes

    def _problems(self, tree: Located, problems: list[PolicyProblem]) -> None:
        for problem in problems:
            path, node, parent, key = _resolve(tree, problem.path)
            mapped = _problem_issue(problem, node, parent, key, self.aa_type, self.kind)
            if mapped is None or (mapped[0] == "MISSING_RESOURCE" and self._trust_like(node)):
                continue
            code, details, on_key = mapped
            if on_key and parent is not None and key is not None:
                where = self.at_key(path[:-1], parent, key, last=code == "JSON_SYNTAX_ERROR")
            elif node is not None:
                where = self.at(path, node)
            else:
                where = self.location((), 0, len(self.text))
            if not self._reported_at(code, where):
                self.add(code, details, where)

    def _reported_at(self, code: str, where: Location) -> bool:
        """Whether iamd's own checks already report this place: with the same code, or (for a
        problem only the validator's words describe) with any code."""
        n = len(where.path)
        generic = code == "INVALID_POLICY_ELEMENT"
        return any((generic or f.issue_code == code) and l.path[:n] == where.path and (n or generic)
                   for f in self.findings.values() for l in f.locations)

    def _trust_like(self, statement: Located | None) -> bool:
        """A statement of a generic resource policy that reads as a role trust policy's (only sts:
        actions): those name no Resource, and AWS does not ask for one."""
        if self.kind is not PolicyType.RESOURCE or statement is None or statement.kind != "object":
            return False
        actions = _strings(statement.get("Action"), ())
        return bool(actions) and all(a.lower().startswith("sts:") for _, _, a in actions)

    # -- iamd's own walk, with the catalogue

    def _document(self, tree: Located) -> None:
        version = tree.get("Version")
        if version is None:
            self.add("MISSING_VERSION", "We recommend that you specify the Version element to help you with "
                     "debugging permission issues.", self.location((), 0, min(1, len(self.text))))
        self._size()
        raw = tree.get("Statement")
        if raw is None or raw.kind not in ("object", "array"):
            return
        statements = []
        for index, node in _items(raw):
            path: tuple[PathElement, ...] = (("value", "Statement"),) if index is None else (
                ("value", "Statement"), ("index", index))
            if node.kind == "object":
                statements.append(self._statement(node, path))
        if version is None or (version.kind == "string" and version.scalar == VERSION_2008):
            for st in statements:
                self._variables_need_version(st)
        self._redundant_statements(statements)

    def _size(self) -> None:
        size = len(re.sub(r"\s", "", self.text))
        whole = self.location((), 0, len(self.text))
        if self.aa_type == "IDENTITY_POLICY" and size > IDENTITY_POLICY_QUOTA:
            self.add("POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
                     f"The {size} characters in the identity policy, excluding whitespace, exceed the "
                     f"{IDENTITY_POLICY_QUOTA} character maximum for inline and managed policies. We recommend "
                     "that you use multiple granular policies.", whole)
        if self.aa_type == "SERVICE_CONTROL_POLICY" and size > SCP_QUOTA:
            self.add("POLICY_SIZE_EXCEEDS_SCP_QUOTA",
                     f"The {size} characters in the service control policy (SCP) exceed the {SCP_QUOTA} character "
                     "maximum for SCPs. We recommend that you use multiple granular policies.", whole)

    def _statement(self, node: Located, path: tuple[PathElement, ...]) -> _Statement:
        effect_node = node.get("Effect")
        effect = effect_node.scalar if effect_node is not None and effect_node.kind == "string" else None
        st = _Statement(node, path, effect)
        sid = node.get("Sid")
        if sid is not None and sid.kind == "string" and sid.scalar == "":
            self.add("EMPTY_SID_VALUE", "Add a value to the empty string in the Sid element.",
                     self.at((*path, ("value", "Sid")), sid))
        st.actions = _strings(node.get("Action"), (*path, ("value", "Action")))
        st.not_action = node.get("NotAction")
        st.resources = _strings(node.get("Resource"), (*path, ("value", "Resource")))
        st.not_resource = node.get("NotResource")
        st.condition = node.get("Condition")
        if st.condition is not None and st.condition.kind == "object":
            for op in st.condition.members:
                if op.value.kind == "object":
                    st.condition_keys |= {m.key.lower() for m in op.value.members}
        self._actions(st)
        if st.not_action is not None:
            self._action_items(_strings(st.not_action, (*path, ("value", "NotAction"))), st, collect=False)
        self._principals(st)
        self._resources(st)
        self._conditions(st)
        self._pass_role(st)
        return st

    # -- actions

    def _actions(self, st: _Statement) -> None:
        self._action_items(st.actions, st, collect=True)
        self._redundant_actions(st)

    def _action_items(self, items: list[tuple[tuple[PathElement, ...], Located, str]], st: _Statement,
                      *, collect: bool) -> None:
        for path, node, action in items:
            if action == "*":
                st.everything = st.everything or collect
                continue
            match = _ACTION.fullmatch(action)
            if match is None:
                continue  # the validator's problem says what is wrong with it
            prefix, name = match.groups()
            if has_wildcard(prefix):
                self.add("WILDCARD_IN_SERVICE_NAME", "Avoid using wildcards (*, ?) in the service name because it "
                         "might grant unintended access to other AWS services with similar names.", self.at(path, node))
                continue
            if not self._budget():
                continue
            service = self.catalogue.service(prefix)
            if service is None:
                guess = self._suggest(prefix, self.catalogue.prefixes)
                if guess:
                    self.add("INVALID_SERVICE_IN_ACTION", f"The service {prefix} specified in the action does not "
                             f"exist. Did you mean {guess}?", self.at(path, node))
                else:
                    self.add("INVALID_SERVICE", f"The service {prefix} does not exist. Use a valid service name.",
                             self.at(path, node))
                continue
            matched = service.matching(name)
            if not matched:
                guess = self._suggest(name, [a.name for a in service.actions.values()])
                self.add("INVALID_ACTION", f"The action {action} does not exist."
                         + (f" Did you mean {prefix}:{guess}?" if guess else ""), self.at(path, node))
                continue
            if collect:
                st.expanded.extend((service.prefix, a) for a in matched)
                if not has_wildcard(name):
                    st.resolved.append((service.prefix, matched[0], self.at(path, node)))

    def _budget(self) -> bool:
        self.checked += 1
        return self.checked <= MAX_CHECKED_ITEMS

    def _suggest(self, name: str, known: Iterable[str]) -> str | None:
        if self.suggestions >= MAX_SUGGESTIONS:
            return None
        self.suggestions += 1
        lowered = {k.lower(): k for k in known}
        close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.75)
        return lowered[close[0]] if close else None

    def _expansion(self, action: str) -> list[Action] | None:
        """The actions an Action entry names (None: unknown, or not worth expanding)."""
        lowered = action.lower()
        if lowered not in self._expansions:
            match = _ACTION.fullmatch(action)
            service = self.catalogue.service(match.group(1)) if match and not has_wildcard(match.group(1)) else None
            self._expansions[lowered] = service.matching(match.group(2)) if service and match else None
        return self._expansions[lowered]

    def _redundant_actions(self, st: _Statement) -> None:
        if len(st.actions) < 2:
            return
        redundant: list[Location] = []
        names: list[str] = []
        seen: set[str] = set()
        patterns = [(i, a) for i, (_, _, a) in enumerate(st.actions) if has_wildcard(a)][:MAX_PATTERNS]
        covers = {i: {f"{x.name}".lower() for x in (self._expansion(a) or ())} for i, a in patterns if a != "*"}
        prefixes = {i: a.split(":", 1)[0].lower() for i, a in patterns if a != "*"}
        star = any(a == "*" for _, a in patterns)
        for i, (path, node, action) in enumerate(st.actions):
            lowered = action.lower()
            duplicate = lowered in seen
            seen.add(lowered)
            covered = duplicate or (star and action != "*")
            if not covered and action != "*":
                mine = self._expansion(action) if has_wildcard(action) or i < MAX_CHECKED_ITEMS else None
                prefix = lowered.split(":", 1)[0]
                if mine:
                    own = {x.name.lower() for x in mine}
                    covered = any(j != i and prefixes.get(j) == prefix and own <= covers[j]
                                  and (own != covers[j] or j < i) for j in covers)
            if covered:
                redundant.append(self.at(path, node))
                names.append(action)
        if redundant:
            self.add("REDUNDANT_ACTION", f"The {len(redundant)} action(s) are redundant because they provide similar "
                     f"permissions. Update the policy to remove the redundant action such as: {names[0]}.", *redundant)

    # -- principals

    def _principals(self, st: _Statement) -> None:
        path = st.path
        not_principal = st.node.get("NotPrincipal")
        if not_principal is not None:
            where = self.at((*path, ("value", "NotPrincipal")), not_principal)
            if self.kind is PolicyType.TRUST:
                self.add("ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", "Role trust policies do not support "
                         "NotPrincipal. Update the policy to use a Principal element instead.", where)
            elif st.effect == "Allow":
                self.add("ALLOW_WITH_NOT_PRINCIPAL", "Using Allow with NotPrincipal can be overly permissive. We "
                         "recommend that you use Principal instead.", where)
        principal = st.node.get("Principal")
        if principal is None:
            return
        ppath = (*path, ("value", "Principal"))
        if self.kind is PolicyType.TRUST and principal.kind == "string" and principal.scalar == "*":
            self.add("ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", '"Principal:" "*" is not supported in '
                     "the principal element of a role trust policy. Replace the wildcard with a valid principal "
                     "value.", self.at(ppath, principal))
        if principal.kind != "object":
            return
        federated = principal.get("Federated")
        if federated is not None:
            names = [s for _, _, s in _strings(federated, ())]
            for apath, anode, action in st.actions:
                if action.lower() == "sts:assumerole" and names:
                    self.add("MISMATCHED_ACTION_FOR_PRINCIPAL", f"The {action} action is invalid with the following "
                             f"principal(s): {', '.join(names)}. Use a SAML provider principal with the "
                             "sts:AssumeRoleWithSAML action or use an OIDC provider principal with the "
                             "sts:AssumeRoleWithWebIdentity action. Ensure the provider is Federated if you use "
                             "either of the two options.", self.at(apath, anode),
                             self.at((*ppath, ("value", "Federated")), federated))
        service = principal.get("Service")
        if (service is not None and st.effect == "Allow" and self.kind is PolicyType.RESOURCE
                and not st.condition_keys & SOURCE_KEYS and not self._only_sts(st)
                and any(s.endswith(".amazonaws.com") for _, _, s in _strings(service, ()))):
            self.add("RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", "Granting access to a service principal without "
                     "specifying a source is overly permissive. Use aws:SourceArn or aws:SourceAccount condition key "
                     "and scope access to a specific source to grant fine-grained access.",
                     self.at((*ppath, ("value", "Service")), service))

    @staticmethod
    def _only_sts(st: _Statement) -> bool:
        """A trust statement (sts:AssumeRole and friends): services assume roles without a source."""
        return bool(st.actions) and all(a.lower().startswith("sts:") for _, _, a in st.actions)

    # -- resources

    def _resources(self, st: _Statement) -> None:
        for path, node, arn in st.resources:
            self._arn(path, node, arn, st)
        if st.not_resource is not None:
            for path, node, arn in _strings(st.not_resource, (*st.path, ("value", "NotResource"))):
                self._arn(path, node, arn, None)
        self._redundant_resources(st)

    def _arn(self, path: tuple[PathElement, ...], node: Located, arn: str, st: _Statement | None) -> None:
        fields = arn.split(":", ARN_FIELDS - 1)
        if len(fields) != ARN_FIELDS or fields[0] != "arn" or any("${" in f for f in fields[:5]):
            return  # "*", or the validator's problem (INVALID_ARN_PREFIX, MISSING_ARN_FIELD, a misplaced variable)
        _, partition, service, region, account, resource = fields
        if not service or has_wildcard(service) or not self._budget():
            return
        if service != service.lower():
            self.add("INVALID_ARN_SERVICE_CASE", f"Update the service name {service} in the resource ARN to use all "
                     "lowercase letters.", self._part(path, node, arn, 2))
            return
        formats = self.catalogue.formats(service)
        if not formats:
            self.add("INVALID_ARN_RESOURCE", "Resource ARN does not match the expected ARN format. Update the "
                     "resource portion of the ARN.", self.at(path, node))
            return
        if not has_wildcard(partition) and "${" not in partition and partition not in self.catalogue.partitions:
            supported = [p for p, data in self.catalogue.partitions.items()
                         if any(f.service in data.services for f in formats)] or list(self.catalogue.partitions)
            self.add("INVALID_PARTITION", f"The resource ARN for the service {service} does not support the partition "
                     f"{partition}. Use the supported values: {', '.join(supported)}", self._part(path, node, arn, 1))
            return
        matching = [f for f in formats if _patterns_meet(resource, f.fields[5])]
        if not matching:
            self.add("INVALID_ARN_RESOURCE", "Resource ARN does not match the expected ARN format. Update the "
                     "resource portion of the ARN.", self._part(path, node, arn, 5))
            return
        if st is not None and not st.everything:
            self._arn_for_actions(path, node, resource, st, service)
        concrete_region = region and not has_wildcard(region) and "${" not in region
        if not region and all(f.region_required for f in matching):
            self.add("MISSING_ARN_REGION", f"Add a Region to the {service} resource ARN.", self.at(path, node))
        elif concrete_region and all(f.fields[3] == "" for f in matching):
            self.add("ARN_REGION_NOT_ALLOWED", f"The service {service} does not support specifying a Region in the "
                     "resource ARN.", self._part(path, node, arn, 3))
        elif concrete_region and not self._region_ok(partition, region, service):
            self.add("INVALID_ARN_REGION", f"The Region {region} is not valid for this resource. Update the resource "
                     "ARN to include a supported Region.", self._part(path, node, arn, 3))
        concrete_account = account and not has_wildcard(account) and "${" not in account
        if concrete_account and all(f.fields[4] == "" for f in matching):
            self.add("ARN_ACCOUNT_NOT_ALLOWED", f"The service {service} does not support specifying an account ID in "
                     "the resource ARN.", self._part(path, node, arn, 4))
        elif (concrete_account and not _ACCOUNT.fullmatch(account)
              and not any(f.fields[4] == account for f in matching)
              and any(f.account_required for f in matching)):
            self.add("INVALID_ARN_ACCOUNT", f"The resource ARN account ID {account} is not valid. Provide a 12-digit "
                     "account ID.", self._part(path, node, arn, 4))

    def _arn_for_actions(self, path: tuple[PathElement, ...], node: Located, resource: str, st: _Statement,
                         arn_service: str) -> None:
        """A Resource no resource type of the statement's actions has (s3:GetObject on a bucket's ARN)."""
        types: dict[tuple[str, str], ResourceType] = {}
        for prefix, action in st.expanded:
            service = self.catalogue.service(prefix)
            if service is None:
                continue
            for name in action.resource_types:
                t = service.resource_types.get(name)
                if t is not None:
                    types[(t.service, t.name)] = t
        if not types or any(_patterns_meet(resource, t.fields[5]) for t in types.values() if t.fields[2] == arn_service):
            return
        names = sorted({t.name for t in types.values()})
        self.add("INVALID_ARN_RESOURCE", "Resource ARN does not match the expected ARN format. Update the resource "
                 "portion of the ARN. It matches no resource type of the statement's actions: "
                 f"{', '.join(names[:10])}{', ...' if len(names) > 10 else ''}.", self.at(path, node))

    def _region_ok(self, partition: str, region: str, arn_service: str) -> bool:
        data = self.catalogue.partitions.get(partition)
        if data is None:
            return True  # a partition with a wildcard or variable
        if region not in data.regions:
            return False
        # Where the ARN's service has endpoints; one botocore does not list, or lists without a
        # regional endpoint (a global service), is not checked.
        regions = data.services.get(arn_service)
        return not regions or region in regions

    def _part(self, path: tuple[PathElement, ...], node: Located, arn: str, index: int) -> Location:
        """The `index`th field of an ARN string, as a substring location (the whole string when escaped)."""
        fields = arn.split(":", ARN_FIELDS - 1)
        start = sum(len(f) + 1 for f in fields[:index])
        length = len(fields[index])
        if not node.raw_string:
            return self.at(path, node)
        return self.location((*path, ("substring", (start, length))), node.start + 1 + start,
                             node.start + 1 + start + length)

    def _redundant_resources(self, st: _Statement) -> None:
        if len(st.resources) < 2:
            return
        patterns = [(i, r) for i, (_, _, r) in enumerate(st.resources) if has_wildcard(r)][:MAX_PATTERNS]
        regexes = [(i, _glob(r)) for i, r in patterns]
        seen: set[str] = set()
        redundant = []
        for i, (path, node, arn) in enumerate(st.resources):
            covered = arn in seen
            seen.add(arn)
            if not covered and not has_wildcard(arn):
                covered = any(j != i and regex.fullmatch(arn) for j, regex in regexes)
            if covered:
                redundant.append(self.at(path, node))
        if redundant:
            self.add("REDUNDANT_RESOURCE", f"The {len(redundant)} resource ARN(s) are redundant because they reference "
                     "the same resource. Review the use of wildcards (*)", *redundant)

    # -- conditions

    def _conditions(self, st: _Statement) -> None:
        condition = st.condition
        cpath = (*st.path, ("value", "Condition"))
        if condition is None or condition.kind != "object":
            return
        if not condition.members:
            self.add("EMPTY_OBJECT_CONDITION", "This condition block is empty and it does not affect the policy. "
                     "Specify conditions.", self.at(cpath, condition))
        for op in condition.members:
            try:
                parsed = parse_operator(op.key)
            except UnknownOperatorError:
                continue  # the validator's problem
            if op.value.kind != "object":
                continue
            opath = (*cpath, ("value", op.key))
            spellings: dict[str, str] = {}
            for member in op.value.members:
                key = member.key
                kpath = (*opath, ("value", key))
                lowered = key.lower()
                if lowered in spellings and spellings[lowered] != key:
                    self.add("DUPLICATE_KEYS_WITH_DIFFERENT_CASE", f"The condition key {key} appears more than once "
                             "with different capitalization in the same condition block. Remove the duplicate "
                             "condition keys.", self.at_key(opath, op.value, key))
                spellings.setdefault(lowered, key)
                self._condition_key(st, parsed, op.key, key, kpath, member.value, op.value)

    def _condition_key(self, st: _Statement, parsed: Any, op_name: str, key: str, kpath: tuple[PathElement, ...],
                       values: Located, block: Located) -> None:
        prefix, colon, name = key.partition(":")
        if not colon or not prefix or not name:
            self.add("INVALID_CONDITION_KEY_FORMAT", "The condition key format is not valid. Use the format "
                     "service:keyname.", self.at_key(kpath[:-1], block, key))
            return
        if values.kind == "array" and not values.items:
            code, details, _ = _empty_condition(f".Condition.{op_name}", key)
            self.add(code, details, self.at(kpath, values))
        operator = parsed.operator
        strings = [(p, n, s) for p, n, s in _strings(values, kpath)]
        if operator.family == "String" and not operator.allows_wildcards:
            for p, n, s in strings:
                if has_wildcard(re.sub(r"\$\{[^}]*\}", "", s)):
                    self.add("WILDCARD_WITHOUT_LIKE_OPERATOR", "Your condition value includes a * or ? character. If "
                             "you meant to use a wildcard (*, ?), update the condition operator to include Like.",
                             self.at(p, n))
        info = self._key_info(key, kpath, block)
        if info is None:
            return
        if key.lower() == "aws:requestedregion" and operator.family == "String" and not operator.allows_wildcards:
            regions = {r for p in self.catalogue.partitions.values() for r in p.regions}
            for p, n, s in strings:
                if s and s not in regions and "${" not in s and not has_wildcard(s):
                    self.add("INVALID_REGION", f"The Region {s} is not valid. Update the condition value to a "
                             "suported Region.", self.at(p, n))  # (sic): AWS's words
        if parsed.set_qualifier == SET_ALL and not info[1].startswith("ArrayOf"):
            self.add("FORALLVALUES_WITH_SINGLE_VALUED_KEY", f"Using ForAllValues qualifier with the single-valued "
                     f"condition key {key} can be overly permissive. We recommend that you remove ForAllValues:.",
                     self.at(kpath, values))
        if prefix.lower() != "aws" and st.resolved:
            unsupported = [(service, a, where) for service, a, where in st.resolved if key not in a.keys]
            if unsupported:
                where = [w for _, _, w in unsupported]
                shown = ", ".join(dict.fromkeys(f"{service}:{a.name}" for service, a, _ in unsupported))
                self.add("UNSUPPORTED_ACTION_FOR_CONDITION_KEY", f"The following actions: {shown} are not supported "
                         f"by the condition key {key}. The condition will not be evaluated for these actions. We "
                         "recommend that you move these actions to a different statement without this condition "
                         "key.", *where, self.at(kpath, values))

    def _key_info(self, key: str, kpath: tuple[PathElement, ...], block: Located) -> tuple[str, str] | None:
        """The key's (spelling, type) in the catalogue; an unknown key is reported and gives None."""
        prefix = key.partition(":")[0]
        where = self.at_key(kpath[:-1], block, key)
        if prefix.lower() == "aws":
            if key.lower() == "aws:arn":
                self.add("UNSUPPORTED_GLOBAL_CONDITION_KEY", "The condition key aws:ARN is not supported. Use "
                         "aws:PrincipalArn or aws:SourceArn instead.", where)
                return None
            found = GLOBAL_KEYS.find(key)
            if found is None:
                self.add("INVALID_GLOBAL_CONDITION_KEY", f"The condition key {key} does not exist. Use a valid "
                         "condition key.", where)
            return found
        if not self._budget():
            return None
        services = (prefix,) if prefix.lower() in self.catalogue.prefixes else self.catalogue.key_services(prefix)
        if not services:
            self.add("INVALID_SERVICE", f"The service {prefix} does not exist. Use a valid service name.", where)
            return None
        for name in services:
            service = self.catalogue.service(name)
            found = service.keys.find(key) if service is not None else None
            if found is not None:
                return found
        self.add("INVALID_SERVICE_CONDITION_KEY", f"The condition key {key} does not exist in the service "
                 f"{services[0]}. Use a valid condition key.", where)
        return None

    # -- iam:PassRole and iam:CreateServiceLinkedRole

    def _pass_role(self, st: _Statement) -> None:
        if st.effect != "Allow" or self.kind not in (PolicyType.IDENTITY, PolicyType.RESOURCE):
            return
        star_resources = [(p, n) for p, n, r in st.resources if _star_role(r)]
        for action, code, passed_key, warning in (
                ("iam:PassRole", "PASS_ROLE", "iam:passedtoservice",
                 "can be overly permissive because it {grants} iam:PassRole permissions on {scope} resources"),
                ("iam:CreateServiceLinkedRole", "CREATE_SLR", "iam:awsservicename",
                 "can allow creation of unintended service-linked roles because it {grants} "
                 "iam:CreateServiceLinkedRole permissions on {scope} resources")):
            if passed_key in st.condition_keys:
                continue
            literal = [(p, n) for p, n, a in st.actions if a.lower() == action.lower()]
            starred = [(p, n) for p, n, a in st.actions if has_wildcard(a) and _glob(a, True).fullmatch(action)]
            not_action = st.not_action is not None and not any(
                _glob(a, True).fullmatch(action) for _, _, a in _strings(st.not_action, ()))
            where_na = [self.at((*st.path, ("value", "NotAction")), st.not_action)] if not_action else []
            where_nr = ([self.at((*st.path, ("value", "NotResource")), st.not_resource)]
                        if st.not_resource is not None else [])
            stars = [self.at(p, n) for p, n in star_resources]
            if code == "PASS_ROLE":
                tail = " We recommend that you specify resource ARNs instead."
                tail_star = " We recommend that you specify resource ARNs or add the iam:PassedToService condition key " \
                            "to your statement."
            else:
                tail = tail_star = " We recommend that you specify resource ARNs instead."
            if st.not_resource is not None:
                if literal:
                    self.add(f"{code}_WITH_NOT_RESOURCE", f"Using the {action} action with NotResource "
                             + warning.format(grants="can allow", scope="multiple") + "." + tail,
                             *[self.at(p, n) for p, n in literal], *where_nr)
                if starred:
                    self.add(f"{code}_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "Using an action with a wildcard (*) and "
                             "NotResource " + warning.format(grants="can allow", scope="multiple") + "." + tail,
                             *[self.at(p, n) for p, n in starred], *where_nr)
                if not_action:
                    self.add(f"{code}_WITH_NOT_ACTION_AND_NOT_RESOURCE", "Using NotAction with NotResource "
                             + warning.format(grants="can allow", scope="multiple") + "." + tail, *where_na, *where_nr)
            if stars:
                if literal:
                    self.add(f"{code}_WITH_STAR_IN_RESOURCE", f"Using the {action} action with wildcards (*) in the "
                             "resource " + warning.format(grants="allows", scope="multiple") + "." + tail_star,
                             *[self.at(p, n) for p, n in literal], *stars)
                if starred:
                    self.add(f"{code}_WITH_STAR_IN_ACTION_AND_RESOURCE", "Using wildcards (*) in the action and the "
                             "resource " + warning.format(grants="allows", scope="all") + "." + tail_star,
                             *[self.at(p, n) for p, n in starred], *stars)
                if not_action:
                    self.add(f"{code}_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "Using a resource with wildcards (*) and "
                             "NotAction " + warning.format(grants="allows", scope="all") + "." + tail_star,
                             *where_na, *stars)

    # -- across statements

    def _variables_need_version(self, st: _Statement) -> None:
        items = list(st.resources)
        if st.condition is not None and st.condition.kind == "object":
            for op in st.condition.members:
                if op.value.kind == "object":
                    for m in op.value.members:
                        items += _strings(m.value, (*st.path, ("value", "Condition"), ("value", op.key),
                                                    ("value", m.key)))
        for path, node, text in items:
            if re.search(r"\$\{[^}]*\}", text):
                self.add("VARIABLE_UNSUPPORTED_IN_VERSION", "To include variables in your policy, use the policy "
                         "version 2012-10-17 or later.", self.at(path, node))

    def _redundant_statements(self, statements: list[_Statement]) -> None:
        seen: dict[str, _Statement] = {}
        for st in statements:
            canonical = _canonical(st.node)
            if canonical in seen:
                self.add("REDUNDANT_STATEMENT", "The statements are redundant because they provide identical "
                         "permissions. Update the policy to remove the redundant statement.",
                         self.at(st.path, st.node), self.at(seen[canonical].path, seen[canonical].node))
            else:
                seen[canonical] = st


# --- the validator's problems -------------------------------------------------------------------

def _resolve(tree: Located, path: str) -> tuple[tuple[PathElement, ...], Located | None, Located | None, str | None]:
    """The validator's JSON path (`Statement[1].Condition.StringLike`) as path elements, with the node
    it names, that node's parent object and its key (keys may hold dots: the longest key wins)."""
    elements: list[PathElement] = []
    node: Located | None = tree
    parent: Located | None = None
    key: str | None = None
    pos = 0
    while pos < len(path) and node is not None:
        if path[pos] == "[":
            close = path.find("]", pos)
            if close < 0 or node.kind != "array" or not path[pos + 1:close].isdigit():
                break
            index = int(path[pos + 1:close])
            if index >= len(node.items):
                break
            elements.append(("index", index))
            parent, key, node = None, None, node.items[index]
            pos = close + 1
        else:
            if node.kind != "object":
                break
            best = None
            for m in node.members:
                end = pos + len(m.key)
                if path.startswith(m.key, pos) and (end == len(path) or path[end] in ".[") and (
                        best is None or len(m.key) > len(best.key)):
                    best = m
            if best is None:
                break
            elements.append(("value", best.key))
            parent, key, node = node, best.key, best.value
            pos += len(best.key)
        if pos < len(path) and path[pos] == ".":
            pos += 1
    if pos < len(path):  # names something absent (a missing element): the nearest node there is
        return tuple(elements), node, None, None
    return tuple(elements), node, parent, key


_TYPE_MISMATCH = {"Numeric": ("TYPE_MISMATCH_NUMBER", "Add a valid numeric value for the condition operator {op}."),
                  "Date": ("TYPE_MISMATCH_DATE", "The date condition operator is used with an invalid value. Specify "
                           "a valid date using YYYY-MM-DD or other ISO 8601 date/time format."),
                  "Bool": ("TYPE_MISMATCH_BOOLEAN", "Add a valid Boolean value (true or false) for the condition "
                           "operator {op}."),
                  "IpAddress": ("TYPE_MISMATCH_IP_RANGE", "The condition operator {op} is used with an invalid IP "
                                "range value. Specify the IP range in standard CIDR format."),
                  "Binary": ("TYPE_MISMATCH_STRING", "Add a valid base64-encoded string value for the condition "
                             "operator {op}.")}
_VARIABLE_PROBLEMS = (("is not closed with", "MISSING_BRACE_IN_VARIABLE",
                       "The policy variable is missing a closing curly brace. Add } after the variable text."),
                      ("has no key name", "EMPTY_VARIABLE", "Empty policy variable. Remove the ${ } variable "
                       "structure or provide a variable within the structure."),
                      ("contains whitespace", "UNSUPPORTED_SPACE_IN_VARIABLE",
                       "A space is not supported within the policy variable text. Remove the space."),
                      ("must be in single quotes", "MISSING_QUOTE_IN_VARIABLE", "The policy variable default value "
                       "must begin and end with a single quote. Add the missing quote."))
_MISMATCH = "The text does not match the expected JSON data type {}."


def _problem_issue(problem: PolicyProblem, node: Located | None, parent: Located | None, key: str | None,
                   aa_type: str, kind: PolicyType) -> tuple[str, str, bool] | None:
    """(issue code, details, whether it is about the key) of one of the validator's problems.

    By what the problem says and where it is (its words are iamd's and may change: matched
    loosely); a problem none of these fit is still a reason IAM refuses the document
    (INVALID_POLICY_ELEMENT, with the validator's words)."""
    message = problem.message
    m = message.lower()
    empty_array = node is not None and node.kind == "array" and not node.items
    empty_object = node is not None and node.kind == "object" and not node.members
    steps = [s.split("[", 1)[0] for s in problem.path.split(".")]
    element = steps[-1] if steps else ""
    scalar = node.scalar if node is not None and node.kind == "string" else None
    in_condition = "Condition" in steps[:-1] or (element == "Condition" and key != "Condition")
    in_actions = any(s in ("Action", "NotAction") for s in steps[1:]) and not in_condition
    in_resources = any(s in ("Resource", "NotResource") for s in steps[1:]) and not in_condition

    if "unknown element" in m:
        return "INVALID_POLICY_ELEMENT", f"The policy element {key} is not valid.", True
    if "duplicate key" in m:
        return "JSON_SYNTAX_ERROR", "Fix the JSON syntax error.", True
    if "valid version string" in m:
        shown = scalar if scalar is not None else json.dumps(node.scalar if node is not None else None)
        return "INVALID_VERSION", (f"The version {shown} is not valid. Use one of the following versions: "
                                   f"{VERSION_2012}, {VERSION_2008}"), False
    if "missing required field" in m or "holds no statement" in m:
        if element == "Statement" or "statement" in m.rsplit("field", 1)[-1] or "holds no statement" in m:
            return "MISSING_STATEMENT", "Add a statement to the policy", False
        if element == "Effect":
            return "MISSING_EFFECT", "Add an Effect element to the policy statement with a value of Allow or Deny.", False
        if element == "Principal":
            return "MISSING_PRINCIPAL", "Add a Principal element to the policy statement.", False
    if element == "Effect" and ("invalid effect" in m or "legacy parsing" in m):
        shown = scalar if scalar is not None else json.dumps(node.scalar if node is not None else None)
        return "INVALID_EFFECT", f"The effect {shown} is not valid. Use Allow or Deny.", False
    if "support only `deny`" in m:
        return "RCP_SYNTAX_ERROR_ALLOW", "Resource control policies support only Deny statements.", False
    if "cannot hold both" in m:
        first, second = (re.findall(r"`(\w+)`", message) + ["", ""])[:2]
        return "UNSUPPORTED_ELEMENT_COMBINATION", (f"The policy elements {first} and {second} can not be used in the "
                                                   "same statement. Remove one of these elements."), True
    if "should not specify a principal" in m:
        return "UNSUPPORTED_PRINCIPAL", (f"The policy type {aa_type} does not support the Principal element. Remove "
                                         "the Principal element."), True
    if "prohibited field" in m:
        if kind is PolicyType.SCP:
            return "SCP_SYNTAX_ERROR_PRINCIPAL", ("SCPs do not support specifying principals. Remove the Principal or "
                                                  "NotPrincipal element."), True
        if kind is PolicyType.RCP:
            return "RCP_SYNTAX_ERROR_PRINCIPAL", 'Resource control policies support only "Principal": "*".', True
        if kind is PolicyType.TRUST:
            return "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", (
                "Role trust policies apply to the role that they are attached to. You cannot specify a resource. "
                "Remove the Resource or NotResource element."), True
    if "resource control policies require" in m:
        return "RCP_SYNTAX_ERROR_PRINCIPAL", 'Resource control policies support only "Principal": "*".', False
    if "invalid principal" in m:
        if empty_object:
            return "EMPTY_OBJECT_PRINCIPAL", ("This statement includes no principals and does not affect the policy. "
                                              "Specify principals."), False
        if empty_array:
            return "EMPTY_ARRAY_PRINCIPAL", ("This statement includes no principals and does not affect the policy. "
                                             "Specify principals."), False
        if parent is not None and key is not None and element not in ("Principal", "NotPrincipal") \
                and key not in ("AWS", "Service", "Federated", "CanonicalUser"):
            return "INVALID_PRINCIPAL_KEY", f"The principal key {key} is not valid.", True
        principal_key = next((s for s in reversed(steps) if s in ("AWS", "Service", "Federated", "CanonicalUser")), "")
        if scalar and has_wildcard(scalar):
            return "UNSUPPORTED_WILDCARD_IN_PRINCIPAL", (f"Wildcards (*, ?) are not supported with the principal key "
                                                         f"{principal_key}. Replace the wildcard with a valid "
                                                         "principal value."), False
        if principal_key == "Service" and scalar:
            return "INVALID_SERVICE_PRINCIPAL_FORMAT", ("The service principal does not match the expected format. "
                                                        "Use the format service-name.amazonaws.com."), False
        if node is not None and node.kind not in ("string", "object"):
            return "DATA_TYPE_MISMATCH", _MISMATCH.format("String"), False
        return "INVALID_PRINCIPAL_FORMAT", ("The Principal element contents are not valid. Specify a key-value pair "
                                            "in the Principal element."), False
    if "must contain actions" in m:
        if empty_array:
            return "EMPTY_ARRAY_ACTION", ("This statement includes no actions and does not affect the policy. Specify "
                                          "actions."), False
        return "MISSING_ACTION", "Add an Action or NotAction element to the policy statement.", False
    if "must contain resources" in m:
        if empty_array:
            return "EMPTY_ARRAY_RESOURCE", ("This statement includes no resources and does not affect the policy. "
                                            "Specify resources."), False
        return "MISSING_RESOURCE", "Add a Resource or NotResource element to the policy statement.", False
    if element == "Sid" and "alpha-numeric" in m:
        return "UNSUPPORTED_SID", ("Update the characters in the Sid element to use one of the following character "
                                   "types: [a-z, A-Z, 0-9]"), False
    if element == "Sid" and "unique" in m:
        if kind is PolicyType.IDENTITY:
            return "UNIQUE_SIDS_REQUIRED", ("Duplicate statement IDs are not supported for this policy type. Update "
                                            "the Sid value."), False
        return "UNIQUE_SIDS_RECOMMENDED", ("We recommend that you use statement IDs that are unique to your policy. "
                                           "Update the Sid value."), False
    for needle, code, details in _VARIABLE_PROBLEMS:
        if needle in m:
            return code, details, False
    if "policy variables cannot be used" in m:
        return "INVALID_VARIABLE_FOR_OPERATOR", "Policy variables can only be used with String and ARN operators.", False
    if in_condition:
        if "prefaced by a vendor" in m:
            return "INVALID_CONDITION_KEY_FORMAT", ("The condition key format is not valid. Use the format "
                                                    "service:keyname."), True
        if "null takes no" in m:
            if (key or "").lower().endswith("ifexists"):
                return "NULL_WITH_IF_EXISTS", ("The Null condition operator cannot be used with the IfExists suffix. "
                                               "Update the operator or the suffix."), True
            return "NULL_WITH_QUALIFIER", ("Avoid using the Null condition operator with the ForAllValues or "
                                           "ForAnyValue qualifiers because they always return a true or false "
                                           "respectively."), True
        if "condition operator" in m:
            return "INVALID_CONDITION_OPERATOR", (f"The condition operator {key} is not valid. Use a valid condition "
                                                  "operator."), True
        if "must map condition keys" in m and empty_object:
            return "EMPTY_OBJECT_CONDITION", ("This condition block is empty and it does not affect the policy. "
                                              "Specify conditions."), False
        if "at least one value" in m:
            return _empty_condition(problem.path, key)
        operator_name = re.search(r"\(operator `([^`]+)`\)", message)
        if operator_name is not None:
            try:
                family = parse_operator(operator_name.group(1)).operator.family
            except UnknownOperatorError:
                family = ""
            if family in _TYPE_MISMATCH:
                code, details = _TYPE_MISMATCH[family]
                return code, details.format(op=operator_name.group(1)), False
    if in_actions and node is not None and node.kind == "string":
        if "vendor" in m and "prefaced" not in m:
            service = scalar.partition(":")[0] if scalar else ""
            return "INVALID_SERVICE", f"The service {service} does not exist. Use a valid service name.", False
        return "INVALID_ACTION", f"The action {scalar} does not exist.", False
    if in_resources and node is not None and node.kind == "string":
        if "arn format" in m:
            if (scalar or "").split(":", 1)[0] != "arn":
                return "INVALID_ARN_PREFIX", "Add the required prefix (arn) to the resource ARN.", False
            return "MISSING_ARN_FIELD", ("Resource ARNs must include at least 6 fields in the following structure: "
                                         "arn:partition:service:region:account:resource"), False
        if "region information" in m:
            service = (scalar or "").split(":")[2:3] or [""]
            return "ARN_REGION_NOT_ALLOWED", (f"The service {service[0]} does not support specifying a Region in the "
                                              "resource ARN."), False
        if "partition" in m:
            return "INVALID_PARTITION", f"The resource ARN does not support the partition: {message}", False
        if "legacy parsing" in m or "vendor" in m:
            return "MISSING_ARN_FIELD", ("Resource ARNs must include at least 6 fields in the following structure: "
                                         "arn:partition:service:region:account:resource"), False
    if "must be a" in m or "must be an" in m or "condition values must be" in m or "must map condition keys" in m:
        expected = "Object" if re.search(r"must (?:be an|map) ", m) or "object" in m.split("must", 1)[-1] else "String"
        return "DATA_TYPE_MISMATCH", _MISMATCH.format(expected), False
    return "INVALID_POLICY_ELEMENT", (f"The policy element {element or 'Statement'} is not valid: "
                                      f"{message.removeprefix('Syntax errors in policy: ').rstrip('.')}."), False


def _empty_condition(path: str, key: str | None) -> tuple[str, str, bool]:
    operator = path.split(".Condition.", 1)[-1].split(".", 1)[0].lower()
    if operator.startswith(SET_ALL.lower()):
        return "EMPTY_ARRAY_CONDITION_FORALLVALUES", (f"The ForAllValues prefix with an empty condition key matches "
                                                      f"only if the key {key} is missing from the request context. To "
                                                      "determine if the request context is empty, we recommend that "
                                                      "you use the Null condition operator with the value of true "
                                                      "instead."), False
    if operator.startswith(SET_ANY.lower()):
        return "EMPTY_ARRAY_CONDITION_FORANYVALUE", (f"The ForAnyValue prefix with an empty condition key {key} never "
                                                     "matches the request context and it does not affect the policy. "
                                                     "Specify conditions."), False
    if operator.endswith("ifexists"):
        return "EMPTY_ARRAY_CONDITION_IFEXISTS", (f"The IfExists suffix with an empty condition key matches only if the "
                                                  f"key {key} is missing from the request context. To determine if the "
                                                  "request context is empty, we recommend that you use the Null "
                                                  "condition operator with the value of true instead."), False
    return "EMPTY_ARRAY_CONDITION", (f"There are no values for the condition key {key} and it does not affect the "
                                     "policy. Specify conditions."), False


# --- patterns -----------------------------------------------------------------------------------

def _glob(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    return re.compile(glob_regex(pattern), (re.IGNORECASE if ignore_case else 0) | re.DOTALL)


def _star_role(resource: str) -> bool:
    """`*`, or an ARN naming every role (`arn:aws:iam::123456789012:role/*`)."""
    if resource == "*":
        return True
    fields = resource.split(":", ARN_FIELDS - 1)
    return len(fields) == ARN_FIELDS and fields[2] in ("iam", "*") and fields[5] in ("*", "role/*", "role*", "role/?*")


_LIT, _ONE, _STAR = 0, 1, 2


def _policy_tokens(text: str) -> list[tuple[int, str]]:
    """A policy's ARN text as tokens: `*` and `${variable}` any run, `?` one character."""
    tokens: list[tuple[int, str]] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "$" and text.startswith("${", i) and text.find("}", i) > 0:
            tokens.append((_STAR, ""))
            i = text.find("}", i) + 1
            continue
        tokens.append((_STAR, "") if c == "*" else (_ONE, "") if c == "?" else (_LIT, c))
        i += 1
    return tokens


def _format_tokens(text: str) -> list[tuple[int, str]]:
    """An ARN format's text as tokens: a `${Placeholder}` is one or more characters."""
    tokens: list[tuple[int, str]] = []
    for piece in re.split(r"(\$\{[^}]*\})", text):
        if piece.startswith("${"):
            tokens += [(_ONE, ""), (_STAR, "")]
        else:
            tokens += [(_STAR, "") if c == "*" else (_LIT, c) for c in piece]
    return tokens


_FORMAT_REGEXES: dict[str, re.Pattern[str]] = {}


def _patterns_meet(policy: str, fmt: str) -> bool:
    """Whether some ARN resource part matches both the policy's pattern and a resource type's format."""
    if not has_wildcard(policy) and "${" not in policy:
        regex = _FORMAT_REGEXES.get(fmt)
        if regex is None:
            if len(_FORMAT_REGEXES) > 10_000:
                _FORMAT_REGEXES.clear()
            regex = _FORMAT_REGEXES[fmt] = re.compile(
                "".join(".+" if p.startswith("${") else ".*" if p == "*" else re.escape(p)
                        for p in re.split(r"(\$\{[^}]*\}|\*)", fmt)), re.DOTALL)
        return regex.fullmatch(policy) is not None
    if len(policy) > MAX_PATTERN_TEXT:
        return True
    return _intersect(_policy_tokens(policy), _format_tokens(fmt))


def _intersect(a: list[tuple[int, str]], b: list[tuple[int, str]]) -> bool:
    """Whether two token patterns (see _policy_tokens) match a common string: a search of the
    product automaton, (position in a, position in b) states."""
    seen = {(0, 0)}
    queue = deque([(0, 0)])
    while queue:
        i, j = queue.popleft()
        if i == len(a) and j == len(b):
            return True
        steps = []
        if i < len(a) and a[i][0] == _STAR:
            steps.append((i + 1, j))
        if j < len(b) and b[j][0] == _STAR:
            steps.append((i, j + 1))
        if i < len(a) and j < len(b) and not (a[i][0] == _STAR and b[j][0] == _STAR):
            (ka, ca), (kb, cb) = a[i], b[j]
            if ka != _LIT or kb != _LIT or ca == cb:
                steps.append((i if ka == _STAR else i + 1, j if kb == _STAR else j + 1))
        for state in steps:
            if state not in seen:
                seen.add(state)
                queue.append(state)
    return False


def _canonical(node: Located) -> str:
    """A statement without its Sid, its lists as sets: equal for statements granting the same."""
    def plain(n: Located) -> Any:
        if n.kind == "object":
            return {m.key: plain(m.value) for m in n.members}
        if n.kind == "array":
            return sorted({json.dumps(plain(i), sort_keys=True) for i in n.items})
        return n.scalar

    value = plain(node)
    value.pop("Sid", None)
    for element in ("Action", "NotAction"):
        if isinstance(value.get(element), str):
            value[element] = [json.dumps(value[element])]
        if isinstance(value.get(element), list):
            value[element] = sorted({v.lower() for v in value[element]})
    for element in ("Resource", "NotResource"):
        if isinstance(value.get(element), str):
            value[element] = [json.dumps(value[element])]
    return json.dumps(value, sort_keys=True)


__all__ = ["ERROR", "Finding", "ISSUES", "InvalidRequestError", "Location", "POLICY_TYPES", "Position",
           "RESOURCE_TYPES", "SECURITY_WARNING", "SUGGESTION", "WARNING", "iam_policy_type", "learn_more_link",
           "validate_policy_findings"]
