"""AWS IAM naming rules: entity names, paths, tags, ARNs and the quotas of REFERENCE.md C7.

Validators raise ValidationError/InvalidInputError naming the request field at fault, in AWS's
words, so that a rejected command never reaches the event store.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from .errors import FieldProblem, InvalidInputError, LimitExceededError, ValidationError

# --- quotas (REFERENCE.md C7) ----------------------------------------------------------------
MAX_USERS_PER_ACCOUNT = 5000
MAX_GROUPS_PER_ACCOUNT = 300
MAX_ROLES_PER_ACCOUNT = 1000
MAX_POLICIES_PER_ACCOUNT = 1500
MAX_GROUPS_PER_USER = 10
MAX_ATTACHED_POLICIES = {"user": 10, "group": 10, "role": 10}
MAX_POLICY_VERSIONS = 5
MAX_TAGS = 50
# Aggregate inline-policy size per entity and managed-policy size, whitespace not counted.
MAX_INLINE_POLICY_CHARS = {"user": 2048, "group": 5120, "role": 10240}
MAX_MANAGED_POLICY_CHARS = 6144
MAX_TRUST_POLICY_CHARS = 2048
MAX_POLICY_DOCUMENT_TRANSPORT = 131072  # policyDocumentType's length limit on any document

MAX_NAME_LENGTH = {"user": 64, "group": 128, "role": 64, "policy": 128, "inline policy": 128,
                   "instanceprofile": 128, "servercertificate": 128}
MAX_PATH_LENGTH = 512
MAX_DESCRIPTION_LENGTH = 1000
MIN_SESSION_DURATION, MAX_SESSION_DURATION, DEFAULT_SESSION_DURATION = 3600, 43200, 3600

_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)
_PATH = re.compile(r"(/[\x21-\x7e]+/)|/")  # "//" is not a path: AWS wants one character or more between
_PATH_PREFIX = re.compile(r"/[\x21-\x7f]*")
_POLICY_PATH = re.compile(r"(/[A-Za-z0-9.,+@=_-]+)*/")  # policyPathType: narrower, no `*` (CreatePolicy)
# AWS's tag pattern is [\p{L}\p{Z}\p{N}_.:/=+\-@]*: letters, separators (spaces, not tabs or
# newlines, which are control characters), numbers and `_.:/=+-@`. Python's re has no \p{..}.
_TAG_PUNCTUATION = frozenset("_.:/=+-@")
_TAG_CATEGORIES = ("L", "Z", "N")
_DESCRIPTION = re.compile(r"[\t\n\r\x20-\x7e\xa1-\xff]*")
_ACCOUNT = re.compile(r"\d{12}")

_ARN_KIND = {"user": "user", "group": "group", "role": "role", "policy": "policy"}


def casefold(name: str) -> str:
    """The form under which IAM compares names: case-insensitively."""
    return name.casefold()


def non_whitespace_length(document: str) -> int:
    """Size of a policy document as IAM counts it against quotas: whitespace is not counted."""
    return sum(1 for ch in document if not ch.isspace())


def _constraint(field: str, value: str, rule: str) -> ValidationError:
    if len(value) > 128:  # the message echoes the value, as AWS's does; a huge one only in part
        value = value[:128] + "..."
    return ValidationError(
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: "
        f"{rule}",
        problems=[FieldProblem(field, rule)],
    )


def check_name(kind: str, field: str, name: str) -> str:
    """Validate a user/group/role/policy/instance profile/server certificate name; returns it unchanged."""
    limit = MAX_NAME_LENGTH[kind]
    if not 1 <= len(name) <= limit:
        raise _constraint(
            field, name, f"Member must have length less than or equal to {limit}"
            if name else "Member must have length greater than or equal to 1"
        )
    if not _NAME.fullmatch(name):
        raise _constraint(
            field, name, r"Member must satisfy regular expression pattern: [\w+=,.@-]+"
        )
    return name


def _checked_path(field: str, value: str, pattern: re.Pattern[str], rule: str) -> str:
    """A path-like member (entity path, policy path, path prefix): empty means `/`; then AWS's length
    bound and the member's own pattern, each refused with its rule."""
    value = value or "/"
    if len(value) > MAX_PATH_LENGTH:
        raise _constraint(field, value, f"Member must have length less than or equal to {MAX_PATH_LENGTH}")
    if not pattern.fullmatch(value):
        raise _constraint(field, value, f"Member must satisfy regular expression pattern: {rule}")
    return value


def check_path(field: str, path: str) -> str:
    """Validate an IAM path (`/` or `/a/b/`); an empty value means the default `/`."""
    return _checked_path(field, path, _PATH, r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)")


def check_policy_path(field: str, path: str) -> str:
    """Validate a managed policy's path (`/` or `/a/b/`), narrower than an entity's: letters,
    digits and `.,+@=_-` between the slashes (botocore's policyPathType); empty means `/`."""
    return _checked_path(field, path, _POLICY_PATH, r"((/[A-Za-z0-9\.,\+@=_-]+)*)/")


def check_path_prefix(field: str, prefix: str) -> str:
    """A ListX PathPrefix; an empty value means `/` (everything)."""
    return _checked_path(field, prefix, _PATH_PREFIX, r"\u002F[\u0021-\u007F]*")


def check_description(field: str, description: str) -> str:
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise _constraint(field, "***", f"Member must have length less than or equal to {MAX_DESCRIPTION_LENGTH}")
    if not _DESCRIPTION.fullmatch(description):
        raise _constraint(
            field, "***",
            r"Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*",
        )
    return description


def check_policy_description(field: str, description: str) -> str:
    """A managed policy's description: policyDescriptionType bounds only its length (no pattern)."""
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise _constraint(field, "***", f"Member must have length less than or equal to {MAX_DESCRIPTION_LENGTH}")
    return description


def check_max_session_duration(field: str, seconds: int) -> int:
    if not MIN_SESSION_DURATION <= seconds <= MAX_SESSION_DURATION:
        raise _constraint(
            field, str(seconds),
            f"Member must have value between {MIN_SESSION_DURATION} and {MAX_SESSION_DURATION}",
        )
    return seconds


def check_account_id(account_id: str) -> str:
    if not _ACCOUNT.fullmatch(account_id):
        raise InvalidInputError(f"account id `{account_id}` must be 12 digits")
    return account_id


def _tag_chars_ok(text: str) -> bool:
    r"""Whether every character of a tag key or value matches [\p{L}\p{Z}\p{N}_.:/=+\-@]."""
    return all(ch in _TAG_PUNCTUATION or unicodedata.category(ch).startswith(_TAG_CATEGORIES) for ch in text)


def _check_tag_key_length(field: str, key: str) -> None:
    if not key:
        raise _constraint(field, key, "Member must have length greater than or equal to 1")
    if len(key) > 128:
        raise _constraint(field, key, "Member must have length less than or equal to 128")


def check_tag_key(field: str, key: str) -> str:
    """A tag key as TagKeys (UntagX, TransitiveTagKeys) name it: 1-128 characters of the tag pattern."""
    _check_tag_key_length(field, key)
    if not _tag_chars_ok(key):
        raise _constraint(field, key, r"Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+")
    return key


def check_tag_keys(field: str, keys: Iterable[str]) -> list[str]:
    """The TagKeys of an UntagX call: at most MAX_TAGS keys, each a valid tag key."""
    keys = list(keys)
    if len(keys) > MAX_TAGS:
        raise _constraint(field, str(len(keys)), f"Member must have length less than or equal to {MAX_TAGS}")
    for i, key in enumerate(keys, start=1):
        check_tag_key(f"{field}.member.{i}", key)
    return keys


def check_tags(field: str, tags: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Validate the tags of one request: at most MAX_TAGS, keys unique case-insensitively (AWS
    refuses a request that repeats one, whatever the case)."""
    tags = list(tags)
    if len(tags) > MAX_TAGS:
        raise _constraint(field, f"{len(tags)} tags", f"Member must have length less than or equal to {MAX_TAGS}")
    out: dict[str, str] = {}
    for i, (key, value) in enumerate(tags, start=1):
        key_field, value_field = f"{field}.{i}.member.key", f"{field}.{i}.member.value"
        _check_tag_key_length(key_field, key)
        if len(value) > 256:
            raise _constraint(value_field, value, "Member must have length less than or equal to 256")
        if not _tag_chars_ok(key):
            raise _constraint(key_field, key, r"Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+")
        if not _tag_chars_ok(value):
            raise _constraint(value_field, value, r"Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*")
        if key.lower().startswith("aws:"):
            raise InvalidInputError(
                "User-defined tag keys can't start with 'aws:'", problems=[FieldProblem(key_field, "reserved prefix")]
            )
        if any(k.casefold() == key.casefold() for k in out):
            raise InvalidInputError("Duplicate tag keys found. Please note that Tag keys are case insensitive.",
                                    problems=[FieldProblem(key_field, "repeats a tag key")])
        out[key] = value
    return out


def without_tags(current: Mapping[str, str], keys: Iterable[str]) -> dict[str, str]:
    """Apply UntagX semantics: the tags whose keys are not named (keys compare case-insensitively)."""
    wanted = {k.casefold() for k in keys}
    return {k: v for k, v in current.items() if k.casefold() not in wanted}


def merge_tags(current: Mapping[str, str], new: Mapping[str, str]) -> dict[str, str]:
    """Apply TagX semantics: a key that differs only in case replaces the old one."""
    merged = {k: v for k, v in current.items() if k.casefold() not in {n.casefold() for n in new}}
    merged.update(new)
    if len(merged) > MAX_TAGS:
        raise LimitExceededError(
            f"The number of tags has reached the maximum limit of {MAX_TAGS}.", quota="TagsPerEntity"
        )
    return merged


def entity_arn(account_id: str, kind: str, path: str, name: str) -> str:
    """`arn:aws:iam::123456789012:user/division/alice` for users, groups, roles and policies."""
    return f"arn:aws:iam::{account_id}:{_ARN_KIND[kind]}{path}{name}"


def parse_policy_arn(field: str, arn: str) -> tuple[str, str, str]:
    """Split a managed-policy ARN into (account or `aws`, path, name)."""
    m = re.fullmatch(r"arn:aws:iam::(\d{12}|aws):policy(/(?:[\x21-\x7e]*/)?)?([\w+=,.@-]+)", arn or "")
    if not m:
        raise InvalidInputError(f"ARN {arn} is not valid.", problems=[FieldProblem(field, "not a policy ARN")])
    return m.group(1), m.group(2) or "/", m.group(3)


AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy/"  # AWS managed policies: read-only, attachable
AWS_SERVICE_ROLE_POLICY_PREFIX = AWS_POLICY_PREFIX + "aws-service-role/"  # for service-linked roles only


def is_aws_managed_policy(arn: str) -> bool:
    return arn.startswith(AWS_POLICY_PREFIX)


def stream_name(kind: str, account_id: str, name: str) -> str:
    """`user-123456789012-alice`: one stream per case-insensitive name, so NO_STREAM is uniqueness."""
    return f"{kind}-{account_id}-{casefold(name)}"
