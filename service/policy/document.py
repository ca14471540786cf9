"""Reading policy text: allowed characters, strict JSON, and the shapes every element may take.

Shared by validation and compilation so that both see the same document. Objects remember
duplicated keys (JSON allows them; an IAM policy must not, since which one wins is ambiguous).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from .model import PolicyProblem

VERSION_2012 = "2012-10-17"
VERSION_2008 = "2008-10-17"
VERSIONS = (VERSION_2012, VERSION_2008)

TOP_LEVEL_ELEMENTS = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)

# REFERENCE C7: documents may contain only U+0009, U+000A, U+000D and U+0020-U+00FF.
_FORBIDDEN_CHAR = re.compile(r"[^\t\n\r\x20-\xff]")

# How deeply arrays and objects may nest. AWS publishes no number, but its policy grammar
# (IAM User Guide, "Grammar of the IAM JSON policy language") bounds it: the deepest element,
# a condition value list, sits at depth 6 (policy object > Statement list > statement object >
# Condition object > operator object > value list). 32 leaves ample room for a document that is
# wrong in an ordinary way to get its ordinary, precise problem, while refusing nesting bombs
# (JSON 1,000 deep) before the parser recurses into them.
MAX_NESTING_DEPTH = 32
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)  # unterminated: to the end
_BRACKET = re.compile(r"[\[\]{}]")


class JsonObject(dict):  # type: ignore[type-arg]
    """A JSON object that remembers which of its keys appeared more than once."""

    duplicates: tuple[str, ...] = ()


def _object_hook(pairs: list[tuple[str, Any]]) -> JsonObject:
    obj = JsonObject()
    seen_twice: list[str] = []
    for key, value in pairs:
        if key in obj and key not in seen_twice:
            seen_twice.append(key)
        obj[key] = value
    if seen_twice:
        obj.duplicates = tuple(seen_twice)
    return obj


def _reject_constant(name: str) -> Any:
    raise ValueError(f"`{name}` is not valid JSON")


def nesting_depth(text: str, limit: int = MAX_NESTING_DEPTH) -> int:
    """How deeply arrays and objects nest in JSON text (brackets inside strings do not count).

    Stops counting once `limit` is passed, so a nesting bomb costs one linear scan. Exact for
    valid JSON; for invalid JSON an estimate that the parser's own error then supersedes.
    """
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_JSON_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif depth:
            depth -= 1
    return deepest


def parse_document(text: str) -> tuple[Any, list[PolicyProblem]]:
    """Parse policy text; returns (document or None, problems with the text itself).

    The document is a JSON object whenever it is not None: any other JSON value (`null`, a list,
    a string, a number, a boolean) is reported as a problem, as is nesting deeper than
    MAX_NESTING_DEPTH.
    """
    problems: list[PolicyProblem] = []
    if not isinstance(text, str):
        return None, [PolicyProblem("", "Syntax errors in policy", "the document must be text")]
    bad = list(_FORBIDDEN_CHAR.finditer(text))
    if bad:
        first = bad[0]
        problems.append(
            PolicyProblem(
                "",
                "Value at 'policyDocument' failed to satisfy constraint: Member must satisfy "
                "regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
                f"character U+{ord(first.group()):04X} at offset {first.start()} is not allowed"
                + (f" ({len(bad)} such characters)" if len(bad) > 1 else ""),
            )
        )
    if not text.strip():
        problems.append(PolicyProblem("", "Syntax errors in policy", "the document is empty"))
        return None, problems
    depth = nesting_depth(text)
    if depth > MAX_NESTING_DEPTH:
        problems.append(
            PolicyProblem(
                "",
                "Syntax errors in policy",
                f"arrays and objects nest more than {MAX_NESTING_DEPTH} levels deep; "
                "a policy needs at most 6",
            )
        )
        return None, problems
    try:
        document = json.loads(text, object_pairs_hook=_object_hook, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        problems.append(
            PolicyProblem("", "Syntax errors in policy", f"{e.msg} at line {e.lineno} column {e.colno}")
        )
        return None, problems
    except (ValueError, RecursionError) as e:
        problems.append(PolicyProblem("", "Syntax errors in policy", str(e)))
        return None, problems
    if not isinstance(document, dict):
        problems.append(
            PolicyProblem(
                "",
                "Syntax errors in policy",
                f"the document must be a JSON object, not {_json_kind(document)}",
            )
        )
        return None, problems
    if _has_lone_surrogate(document):
        problems.append(
            PolicyProblem(
                "",
                "Syntax errors in policy",
                "a \\u escape names half of a surrogate pair, which is not a character",
            )
        )
        return None, problems
    return document, problems


def _has_lone_surrogate(value: Any) -> bool:
    """Whether a string of the parsed document holds an unpaired surrogate (`"\\ud800"`): such
    text cannot be encoded, so could not even be quoted back in an error message."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def statements_of(document: dict[str, Any]) -> list[tuple[str, Any]]:
    """The statements with their JSON paths (`Statement` for a lone object, else `Statement[i]`)."""
    raw = document.get("Statement")
    if isinstance(raw, list):
        return [(f"Statement[{i}]", item) for i, item in enumerate(raw)]
    if raw is None:
        return []
    return [("Statement", raw)]


def string_list(value: Any) -> list[str] | None:
    """A string or a list of strings as a list; None for any other shape."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def resource_list(value: Any) -> list[str] | None:
    """`string_list` for Resource/NotResource, where AWS accepts and skips `null` items."""
    if isinstance(value, list) and all(v is None or isinstance(v, str) for v in value):
        return [v for v in value if v is not None]
    return string_list(value)


def item_paths(path: str, value: Any) -> list[str]:
    """JSON paths of the items of a string-or-list element."""
    if isinstance(value, list):
        return [f"{path}[{i}]" for i in range(len(value))]
    return [path]


def condition_values(value: Any) -> list[str] | None:
    """Condition values as strings: AWS accepts strings, numbers and booleans, alone or listed."""

    def one(v: Any) -> str | None:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return json.dumps(v)
        if isinstance(v, str):
            return v
        return None

    items: Sequence[Any] = value if isinstance(value, list) else [value]
    out = [one(v) for v in items]
    if any(v is None for v in out):
        return None
    return out  # type: ignore[return-value]


def language_version(document: dict[str, Any]) -> str:
    """The policy language version; documents without one are 2008-10-17 (no variables)."""
    version = document.get("Version")
    return version if version in VERSIONS else VERSION_2008
