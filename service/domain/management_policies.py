"""Organizations' management policies (tag, backup and AI services opt-out policies): their
syntax, and the effective policy an account gets from those attached to its root, OUs and itself.

AWS Organizations User Guide, "Management policy syntax and inheritance" and "Inheritance
operators": a management policy is a JSON object of nested settings; a setting is given a value by
a value-setting operator (`@@assign` overwrites what is inherited, `@@append` adds to an inherited
list, `@@remove` takes values out of one), and a node may restrict the operators that policies
lower in the tree may use on it and below (`@@operators_allowed_for_child_policies`: `@@all`, the
default, `@@none`, or some of the three). Policies apply from the root down to the account; an
operator a higher policy does not allow is ignored. They are never part of an authorization
decision (only SCPs and RCPs are: organizations.guardrail_levels).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any

from .errors import ConstraintViolationError, FieldProblem, MalformedPolicyDocumentError

TAG, BACKUP, AI_OPT_OUT = "TAG_POLICY", "BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY"
MANAGEMENT_POLICY_TYPES = (TAG, BACKUP, AI_OPT_OUT)
# AWS Organizations quotas, "Maximum size of a policy document" (characters, whitespace included).
MAX_CONTENT_CHARS = {TAG: 10_000, BACKUP: 10_000, AI_OPT_OUT: 2_500}
# Each type's one top-level element (User Guide: tag policy syntax `tags`, backup policy syntax
# `plans`, AI services opt-out policy syntax `services`).
TOP_LEVEL = {TAG: "tags", BACKUP: "plans", AI_OPT_OUT: "services"}
ASSIGN, APPEND, REMOVE = "@@assign", "@@append", "@@remove"
VALUE_OPERATORS = (ASSIGN, APPEND, REMOVE)
CHILD_CONTROL = "@@operators_allowed_for_child_policies"
ALL, NONE = "@@all", "@@none"


def _malformed(message: str) -> MalformedPolicyDocumentError:
    return MalformedPolicyDocumentError(f"The provided policy document does not meet the requirements of the "
                                        f"specified policy type: {message}",
                                        problems=[FieldProblem("content", message)])


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool)) and value is not None


def _check_child_control(value: Any, where: str) -> None:
    if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
        raise _malformed(f"{CHILD_CONTROL} at `{where}` must be a non-empty list of operators")
    unknown = [v for v in value if v not in (ALL, NONE, *VALUE_OPERATORS)]
    if unknown:
        raise _malformed(f"{CHILD_CONTROL} at `{where}` names `{unknown[0]}`, not @@all, @@none, "
                         f"{', '.join(VALUE_OPERATORS)}")
    if (ALL in value or NONE in value) and len(value) > 1:
        raise _malformed(f"{CHILD_CONTROL} at `{where}`: @@all and @@none stand alone")


def _check_node(node: dict[str, Any], where: str) -> None:
    operators = [k for k in node if k in VALUE_OPERATORS]
    for key, value in node.items():
        path = f"{where}.{key}"
        if key == CHILD_CONTROL:
            _check_child_control(value, where)
        elif key in VALUE_OPERATORS:
            if key in (APPEND, REMOVE) and not isinstance(value, list):
                raise _malformed(f"{key} at `{where}` applies only to a list of values")
            if not (_scalar(value) or (isinstance(value, list) and all(_scalar(v) for v in value))):
                raise _malformed(f"{key} at `{where}` must be a value or a list of values")
        elif key.startswith("@@"):
            raise _malformed(f"unknown operator `{key}` at `{where}`")
        elif operators:
            raise _malformed(f"`{path}` is beside {operators[0]}: a setting given a value has no child settings")
        elif not isinstance(value, dict):
            raise _malformed(f"`{path}` must be an object; values are set with {ASSIGN}, {APPEND} or {REMOVE}")
        else:
            _check_node(value, path)


def parse(policy_type: str, content: str) -> dict[str, Any]:
    """The management policy's document, refused as AWS refuses it: past its type's size quota
    (ConstraintViolationException POLICY_CONTENT_LIMIT_EXCEEDED), not JSON, or not of the type's
    syntax (MalformedPolicyDocumentException)."""
    limit = MAX_CONTENT_CHARS[policy_type]
    if len(content) > limit:
        raise ConstraintViolationError(
            f"You have exceeded the maximum policy size: a {policy_type} may have at most {limit} characters, "
            f"this one has {len(content)}. (Reason: POLICY_CONTENT_LIMIT_EXCEEDED)",
            quota="POLICY_CONTENT_LIMIT_EXCEEDED",
            problems=[FieldProblem("content", f"at most {limit} characters, whitespace included")])
    try:
        document = json.loads(content)
    except ValueError as error:
        raise _malformed(f"not JSON ({error.msg} at character {error.pos})") from None
    if not isinstance(document, dict):
        raise _malformed("the document must be a JSON object")
    top = TOP_LEVEL[policy_type]
    other = [k for k in document if k != top]
    if other:
        raise _malformed(f"a {policy_type} has the one top-level element `{top}`, not `{other[0]}`")
    if top not in document:
        raise _malformed(f"a {policy_type} has the top-level element `{top}`")
    if not isinstance(document[top], dict):
        raise _malformed(f"`{top}` must be an object")
    _check_node(document[top], top)
    return document


# --- inheritance ------------------------------------------------------------------------------


def _allowed(restrictions: dict[tuple[str, ...], frozenset[str]], path: tuple[str, ...], operator: str) -> bool:
    """Whether every restriction set at the node or above it lets a child policy use the operator."""
    return all(operator in allowed for prefix, allowed in restrictions.items() if path[:len(prefix)] == prefix)


def _restriction(value: list[str]) -> frozenset[str]:
    if ALL in value:
        return frozenset(VALUE_OPERATORS)
    return frozenset(v for v in value if v in VALUE_OPERATORS)


def _as_list(value: Any) -> list[Any]:
    if value is None or isinstance(value, dict):
        return []
    return list(value) if isinstance(value, list) else [value]


def _apply(node: dict[str, Any], into: dict[str, Any], path: tuple[str, ...],
           inherited: dict[tuple[str, ...], frozenset[str]], new: dict[tuple[str, ...], frozenset[str]]) -> None:
    if CHILD_CONTROL in node:
        limit = _restriction(node[CHILD_CONTROL])
        new[path] = new.get(path, frozenset(VALUE_OPERATORS)) & limit
    for key, value in node.items():
        if key == CHILD_CONTROL or key in VALUE_OPERATORS:
            continue
        child_path = (*path, key)
        operators = [k for k in value if k in VALUE_OPERATORS]
        if operators:
            for operator in operators:
                if not _allowed(inherited, child_path, operator):
                    continue  # a higher policy does not let this one change the setting so
                given = value[operator]
                if operator == ASSIGN:
                    into[key] = copy.deepcopy(given)
                elif operator == APPEND:
                    current = _as_list(into.get(key))
                    into[key] = current + [v for v in given if v not in current]
                else:
                    if key in into:
                        into[key] = [v for v in _as_list(into[key]) if v not in given]
            if CHILD_CONTROL in value:
                new[child_path] = new.get(child_path, frozenset(VALUE_OPERATORS)) & _restriction(value[CHILD_CONTROL])
        else:
            if not isinstance(into.get(key), dict):
                into[key] = {}
            _apply(value, into[key], child_path, inherited, new)


def _prune(node: dict[str, Any]) -> dict[str, Any]:
    pruned = {}
    for key, value in node.items():
        if isinstance(value, dict):
            value = _prune(value)
            if not value:
                continue
        pruned[key] = value
    return pruned


def effective(levels: Sequence[Sequence[dict[str, Any]]]) -> dict[str, Any] | None:
    """The effective policy of an account from the documents of one type attached at each level of
    its path, root first and the account last (each level's in attachment order); None when no
    policy of the type is attached anywhere on the path. Child-control operators set at a level
    bind the levels below it."""
    if not any(levels):
        return None
    result: dict[str, Any] = {}
    restrictions: dict[tuple[str, ...], frozenset[str]] = {}
    for documents in levels:
        added: dict[tuple[str, ...], frozenset[str]] = {}
        for document in documents:
            _apply(document, result, (), restrictions, added)
        for path, allowed in added.items():
            restrictions[path] = restrictions.get(path, frozenset(VALUE_OPERATORS)) & allowed
    return _prune(result)


# --- validation of an effective policy (ListAccountsWithInvalidEffectivePolicy,
# ListEffectivePolicyValidationErrors) --------------------------------------------------------------
# An effective policy is invalid when the merge of valid policies yields what its type cannot
# enforce (API reference: "an effective policy that fails validation checks, resulting in the
# effective policy not being fully enforced"). AWS names one error code (ELEMENTS_TOO_MANY) and
# documents each type's required elements; iamd checks these:
# - a setting of one value given several (ELEMENTS_TOO_MANY): a tag policy's `tag_key` (the key's
#   one capitalization), an AI services opt-out policy's `opt_out_policy` (optIn or optOut), a
#   backup rule's `target_backup_vault_name` and `schedule_expression` (@@append on an inherited one);
# - a backup plan without what the User Guide requires of it (REQUIRED_ELEMENT_MISSING, iamd's
#   code: "Policies must specify the AWS Regions and resources to be backed up ... the IAM role that
#   AWS Backup assumes"; the element table marks rules, regions and selections required): `regions`,
#   `rules` (each with `target_backup_vault_name`), `selections` (each with `iam_role_arn`).
TOO_MANY, MISSING = "ELEMENTS_TOO_MANY", "REQUIRED_ELEMENT_MISSING"
_ONE_VALUE = {TAG: (("tag_key",),), AI_OPT_OUT: (("opt_out_policy",),)}
_BACKUP_RULE_ONE_VALUE = ("target_backup_vault_name", "schedule_expression")


def _several(value: Any) -> bool:
    return isinstance(value, list) and len(value) > 1


def validation_errors(policy_type: str, document: dict[str, Any]) -> list[tuple[str, str, tuple[str, ...]]]:
    """The validation errors of an effective policy of the type: (code, message, path), in the
    document's order; [] when it is valid."""
    errors: list[tuple[str, str, tuple[str, ...]]] = []
    top = TOP_LEVEL.get(policy_type)
    entries = document.get(top, {}) if top else {}
    if policy_type in _ONE_VALUE:
        for name, entry in entries.items():
            for (setting,) in _ONE_VALUE[policy_type]:
                if isinstance(entry, dict) and _several(entry.get(setting)):
                    errors.append((TOO_MANY, f"`{setting}` has {len(entry[setting])} values; it takes one",
                                   (top, name, setting)))  # type: ignore[arg-type]
    elif policy_type == BACKUP:
        for plan_name, plan in entries.items():
            errors.extend(_backup_plan_errors(plan_name, plan if isinstance(plan, dict) else {}))
    return errors


def _backup_plan_errors(name: str, plan: dict[str, Any]) -> list[tuple[str, str, tuple[str, ...]]]:
    where = ("plans", name)
    errors = [(MISSING, f"the backup plan `{name}` has no `{element}`", (*where, element))
              for element in ("regions", "rules", "selections") if not plan.get(element)]
    for rule_name, rule in (plan.get("rules") or {}).items():
        rule = rule if isinstance(rule, dict) else {}
        if not rule.get("target_backup_vault_name"):
            errors.append((MISSING, f"the backup rule `{rule_name}` has no `target_backup_vault_name`",
                           (*where, "rules", rule_name, "target_backup_vault_name")))
        for setting in _BACKUP_RULE_ONE_VALUE:
            if _several(rule.get(setting)):
                errors.append((TOO_MANY, f"`{setting}` of the backup rule `{rule_name}` has {len(rule[setting])} "
                                         "values; it takes one", (*where, "rules", rule_name, setting)))
    for kind, selections in (plan.get("selections") or {}).items():
        for selection_name, selection in (selections if isinstance(selections, dict) else {}).items():
            if not (isinstance(selection, dict) and selection.get("iam_role_arn")):
                errors.append((MISSING, f"the selection `{selection_name}` has no `iam_role_arn`",
                               (*where, "selections", kind, selection_name, "iam_role_arn")))
    return errors


def touches(document: dict[str, Any], path: Sequence[str]) -> bool:
    """Whether a policy document sets anything at or under `path`'s entry (its first two keys: the
    tag, service or plan), or at the path itself: it contributed to what the effective policy has there."""
    node: Any = document
    for key in path[:2]:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True
