"""Action and resource matchers, compiled once per statement.

Actions: `service:Action` globs, case-insensitive. A statement's action patterns also yield
the service prefixes it can match, which is what `PolicyIndex` buckets statements by.

Resources: ARN globs, case-sensitive, matched part by part. In the partition, service, region
and account parts a wildcard stays within its part, except that a `*` ending a part may run
past colons (AWS documents this); in the resource part `*` spans anything, `/` and `:`
included. Policy variables may fill any part (AWS's own managed policies put `${aws:PrincipalAccount}`
in the account part); a pattern with one in the first five parts is matched part by part, as
ArnLike matches. A request for an action
without resource-level permissions carries resource `*`, which only `Resource: "*"` matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from .conditions.arn import split_arn_template
from .sharing import Shared
from .variables import SingleVariable, TemplateGlob, has_vars, parse_template
from .wildcard import QMARK, STAR, compile_globs, has_wildcard, tokens_of

ActionMatcher = Callable[[str], bool]  # takes the lower-cased action
ResourceMatcher = Callable[[str, Mapping[str, "str | tuple[str, ...]"], "list[str] | None"], bool]


def compile_actions(patterns: Sequence[str]) -> ActionMatcher:
    return compile_globs([p.lower() for p in patterns])


# One object per distinct set of services: tens of thousands of compiled statements name the same
# few services, and a frozenset each was ~30 MB of a deployment with 20,000 policies.
_SERVICE_SETS = Shared(limit=4096)


def _shared(services: set[str]) -> frozenset[str]:
    key = frozenset(services)
    return _SERVICE_SETS.get(key, lambda: key)


def action_services(patterns: Sequence[str]) -> frozenset[str] | None:
    """Lower-cased service prefixes the patterns can match; None when any service can match."""
    services: set[str] = set()
    for pattern in patterns:
        service, colon, _ = pattern.partition(":")
        if not colon or has_wildcard(service):
            return None
        services.add(service.lower())
    return _shared(services)


def split_arn_pattern(text: str, variables: bool = False) -> list[str] | None:
    """The six parts of a Resource ARN pattern; with `variables`, a colon inside `${...}`
    (`${aws:PrincipalAccount}`) does not end a part."""
    if variables and "${" in text:
        return split_arn_template(text, True)
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts


def _head_has_vars(parts: list[str], variables: bool) -> bool:
    return variables and any("${" in part for part in parts[:5])


def _segment_regex(segment: str, *, trailing_star_spans: bool = True) -> str:
    tokens = tokens_of(segment)
    out: list[str] = []
    for i, token in enumerate(tokens):
        if token is STAR:
            spans = trailing_star_spans and i == len(tokens) - 1
            out.append(".*" if spans else "[^:]*")
        elif token is QMARK:
            out.append("[^:]")
        else:
            out.append(re.escape(token))  # type: ignore[arg-type]
    return "".join(out)


def _resource_part_regex(tokens: Sequence[object]) -> str:
    out: list[str] = []
    for token in tokens:
        if token is STAR:
            out.append(".*")
        elif token is QMARK:
            out.append(".")
        else:
            out.append(re.escape(token))  # type: ignore[arg-type]
    return "".join(out)


def resource_services(patterns: Sequence[str]) -> frozenset[str] | None:
    """ARN service parts the patterns can match; None when any service can match.

    Only a pattern with a literal partition and service pins the service: its regex then starts
    with `arn:<partition>:<service>:`, whereas a spanning `*` ending the partition part could
    run past the service's colon. Patterns that are not ARNs match nothing and name no service.
    """
    services: set[str] = set()
    for pattern in patterns:
        if pattern == "*":
            return None
        parts = split_arn_pattern(pattern, True)
        if parts is None:
            continue
        if has_wildcard(parts[1]) or has_wildcard(parts[2]) or "${" in parts[1] or "${" in parts[2]:
            return None
        services.add(parts[2])
    return _shared(services)


class ResourcePrefixes(NamedTuple):
    """Literal text every resource the patterns match starts with (one of `prefixes`).

    `decisive`: starting with one of them is also enough (every pattern is `literal*`), so no
    matcher needs to run. Deciding checks these with one `str.startswith` before any matcher:
    most statements name other resources of the same service and stop there.
    """

    prefixes: tuple[str, ...]
    decisive: bool


def resource_prefixes(patterns: Sequence[str], *, variables: bool) -> ResourcePrefixes | None:
    """The literal prefixes of Resource `patterns`; None when one is `*` or holds a variable."""
    prefixes: list[str] = []
    decisive = True
    for pattern in patterns:
        if pattern == "*":
            return None
        parts = split_arn_pattern(pattern, variables)
        if parts is None:
            continue  # matches nothing
        head = ":".join(parts[:5]) + ":"
        if _head_has_vars(parts, variables):
            # The text before the first variable or wildcard: the rest is resolved per request.
            cuts = [i for i in (head.find("*"), head.find("?"), head.find("${")) if i >= 0]
            prefixes.append(head[:min(cuts)])
            decisive = False
            continue
        if has_wildcard(head):
            # The text before the first wildcard; that wildcard is in the first five parts.
            first = min(i for i in (head.find("*"), head.find("?")) if i >= 0)
            prefixes.append(head[:first])
            decisive = False
            continue
        tokens = parse_template(parts[5], variables=variables, wildcards=True)
        if has_vars(tokens):
            # A variable is looked up (and reported missing) once the head matches, whatever
            # follows it, so a prefix could not reach past the head, which the matcher checks
            # first anyway: no prefix is worth testing.
            return None
        literal: list[str] = []
        for token in tokens:
            if type(token) is not str:
                break
            literal.append(token)  # type: ignore[arg-type]
        prefixes.append(head + "".join(literal))
        # `literal*` is decided by its prefix; an exact ARN or a later wildcard is not.
        if not (len(literal) == len(tokens) - 1 and tokens[-1] is STAR):
            decisive = False
    return ResourcePrefixes(tuple(prefixes), decisive)


def compile_resources(patterns: Sequence[str], *, variables: bool) -> ResourceMatcher:
    """Matcher that is true when the request resource matches any of the patterns."""
    if "*" in patterns:
        return matches_any_resource
    # Static patterns in three forms, cheapest first: exact ARNs (a set), ARNs ending in their
    # only `*` (a prefix: `str.startswith` with a tuple), and the rest (one regex).
    literals: set[str] = set()
    prefixes: list[str] = []
    static: list[str] = []
    dynamic: list[tuple[str | None, Callable[[str], re.Match[str] | None] | None, TemplateGlob]] = []
    per_part: list[list[TemplateGlob]] = []  # patterns with a variable in the first five parts
    for pattern in patterns:
        parts = split_arn_pattern(pattern, variables)
        if parts is None:
            continue  # matches nothing
        if _head_has_vars(parts, variables):
            per_part.append([TemplateGlob(parse_template(p, variables=True, wildcards=True)) for p in parts])
            continue
        resource_tokens = parse_template(parts[5], variables=variables, wildcards=True)
        head_is_literal = not any(has_wildcard(p) for p in parts[:5])
        if has_vars(resource_tokens):
            if head_is_literal:
                # The five literal parts and their colons: a plain prefix of the resource.
                dynamic.append((":".join(parts[:5]) + ":", None, TemplateGlob(resource_tokens)))
                continue
            # The resource part is captured after the fifth colon, so no part may span one.
            prefix_no_span = ":".join(
                _segment_regex(p, trailing_star_spans=False) for p in parts[:5]
            )
            head = re.compile(prefix_no_span + ":(.*)", re.DOTALL).fullmatch
            dynamic.append((None, head, TemplateGlob(resource_tokens)))
        elif head_is_literal and all(type(t) is str for t in resource_tokens):
            literals.add(":".join(parts[:5]) + ":" + "".join(resource_tokens))  # type: ignore[arg-type]
        elif (
            head_is_literal
            and resource_tokens[-1] is STAR
            and all(type(t) is str for t in resource_tokens[:-1])
        ):
            prefixes.append(":".join(parts[:5]) + ":" + "".join(resource_tokens[:-1]))  # type: ignore[arg-type]
        else:
            prefix = ":".join(_segment_regex(p) for p in parts[:5])
            static.append(f"(?:{prefix}:{_resource_part_regex(resource_tokens)})")
    fullmatch = re.compile("|".join(static), re.DOTALL).fullmatch if static else None
    starts = tuple(prefixes)
    exact = frozenset(literals)

    if per_part:
        others = compile_resources([p for p in patterns if not _head_has_vars(split_arn_pattern(p, variables) or [],
                                                                                  variables)], variables=variables)
        return _per_part_matcher(per_part, others)
    if not dynamic:
        if fullmatch is None and not starts:
            if not exact:
                return _never

            def match_exact(resource: str, _ctx: object, _missing: object) -> bool:
                return resource in exact

            return match_exact
        if fullmatch is None and not exact:

            def match_prefix(resource: str, _ctx: object, _missing: object) -> bool:
                return resource.startswith(starts)

            return match_prefix

        def match_static(resource: str, _ctx: object, _missing: object) -> bool:
            return (
                resource in exact
                or (bool(starts) and resource.startswith(starts))
                or (fullmatch is not None and fullmatch(resource) is not None)
            )

        return match_static

    if len(dynamic) == 1 and fullmatch is None and not starts and not exact:
        head_text, _head_match, template = dynamic[0]
        if head_text is not None and template.single is not None:
            return _match_single_variable(head_text, template.single)

    def match(resource: str, ctx: Mapping[str, str | tuple[str, ...]], missing: list[str] | None) -> bool:
        if resource in exact or (starts and resource.startswith(starts)):
            return True
        if fullmatch is not None and fullmatch(resource) is not None:
            return True
        for head_text, head_match, template in dynamic:
            if head_text is not None:
                if not resource.startswith(head_text):
                    continue
                rest = resource[len(head_text) :]
            else:
                found = head_match(resource)  # type: ignore[misc]
                if found is None:
                    continue
                rest = found.group(1)
            # A variable without a value makes its resource match nothing (AWS docs).
            if template.match(rest, ctx, missing):
                return True
        return False

    return match


def _per_part_matcher(templates: list[list[TemplateGlob]], others: ResourceMatcher) -> ResourceMatcher:
    """Patterns with a variable before the resource part, matched part by part (a variable
    without a value makes its pattern match nothing); `others` matches the rest."""

    def match(resource: str, ctx: Mapping[str, str | tuple[str, ...]], missing: list[str] | None) -> bool:
        if others(resource, ctx, missing):
            return True
        parts = resource.split(":", 5)
        if len(parts) != 6:
            return False
        for pattern in templates:
            if all(template.match(part, ctx, missing) for template, part in zip(pattern, parts)):
                return True
        return False

    return match


def _match_single_variable(head: str, single: SingleVariable) -> ResourceMatcher:
    """The common `arn:aws:s3:::bucket/${aws:username}/*`: one literal head, one variable.

    Same answer, and the same missing key, as the general matcher, which looks the variable
    up once the head matches. With a value, the resolved text starts with the head, so one
    comparison checks both; without one, the head decides whether the key is missing.
    """
    before = head + single.before
    key, default, after, prefix_only = single.var.key, single.var.default, single.after, single.prefix_only

    def match(resource: str, ctx: Mapping[str, str | tuple[str, ...]], missing: list[str] | None) -> bool:
        value = ctx.get(key)
        if type(value) is not str:
            value = default
            if value is None:
                if missing is not None and resource.startswith(head):
                    missing.append(key)
                return False  # a variable without a value matches nothing (AWS docs)
        resolved = before + value + after
        return resource.startswith(resolved) if prefix_only else resource == resolved

    return match


def matches_any_resource(_resource: str, _ctx: object, _missing: object) -> bool:
    """The matcher of a Resource element that lists `*`."""
    return True


def _never(_resource: str, _ctx: object, _missing: object) -> bool:
    return False


__all__ = [
    "ActionMatcher",
    "ResourcePrefixes",
    "ResourceMatcher",
    "action_services",
    "compile_actions",
    "compile_resources",
    "matches_any_resource",
    "resource_prefixes",
    "resource_services",
    "split_arn_pattern",
]
