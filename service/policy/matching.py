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

import sys
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter, methodcaller
from typing import NamedTuple

from .conditions.arn import split_arn_template
from .sharing import Shared
from .variables import SingleVariable, TemplateGlob, has_vars, parse_template
from .wildcard import QMARK, STAR, compile_globs, has_wildcard, match_split, tokens_of

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
            prefixes.append(sys.intern(head[:min(cuts)]))  # `arn:aws:sqs:`: shared by many
            decisive = False
            continue
        if has_wildcard(head):
            # The text before the first wildcard; that wildcard is in the first five parts.
            first = min(i for i in (head.find("*"), head.find("?")) if i >= 0)
            prefixes.append(sys.intern(head[:first]))
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
    found = ResourcePrefixes(tuple(prefixes), decisive)
    return _PREFIX_SETS.get(found, lambda: found)


# Equal prefixes of many statements (`arn:aws:sqs:` of every pattern with a `*` region) as one.
_PREFIX_SETS = Shared(limit=16_384)


# --- static patterns: matched part by part, without a regex -------------------------------------
#
# A compiled regex per pattern was the largest part of the memory compiled policies take (23 MiB
# for the benchmark's 20,000 managed policies), and most patterns have one of a few shapes: an
# exact part, `*`, `prefix*`, `*suffix`. So each part gets a matcher by its shape: a C-level
# callable where one fits (`str.__eq__`, `methodcaller`), else the bound method of a small
# slotted object (a closure with its cells costs as much as the regex did, and calls no faster);
# equal patterns, heads and parts share one.

TextMatcher = Callable[[str], bool]

# By text: a policy set names the same `*` region, the same account and often the same resources
# in many statements. Each holds one kind of key, so a key is the text itself (no tuple to keep).
_PART_MATCHERS = Shared(limit=16_384)
_HEADS = Shared(limit=16_384)
_PATTERNS = Shared(limit=65_536)


def _any_text(_text: str) -> bool:
    return True


class _Pieces:
    """A glob of literal runs between `*`s: the first run starts the text, the last ends it, and
    the others are found in order, each at its leftmost place (which never loses a match)."""

    __slots__ = ("first", "middle", "last", "least")

    def __init__(self, strings: Sequence[str]) -> None:
        self.first, *middle, self.last = strings
        self.middle = tuple(middle)
        self.least = sum(map(len, strings))

    # Takes the arguments of a ResourceMatcher too: a whole-ARN glob can be one on its own.
    def matches(self, text: str, _ctx: object = None, _missing: object = None) -> bool:
        first, last = self.first, self.last
        if len(text) < self.least or not text.startswith(first) or not text.endswith(last):
            return False
        at, end = len(first), len(text) - len(last)
        for piece in self.middle:
            found = text.find(piece, at, end)
            if found < 0:
                return False
            at = found + len(piece)
        return True


class _QuestionPieces:
    """A glob with `?`s: cut at its `*`s into pieces of literal runs and `?`s (see match_split)."""

    __slots__ = ("pieces",)

    def __init__(self, pieces: Sequence[Sequence[object]]) -> None:
        self.pieces = tuple(tuple(piece) for piece in pieces)

    def matches(self, text: str, _ctx: object = None, _missing: object = None) -> bool:
        return match_split(self.pieces, text)


def _glob_matcher(tokens: Sequence[object]) -> TextMatcher:
    """Matcher of literal text, `*` (any run) and `?` (one character), by the pattern's shape.

    Callers that must not let a wildcard cross a colon pass text without one (an ARN part).
    """
    pieces: list[list[object]] = [[]]  # the pattern cut at its stars: literals and `?`s
    for token in tokens:
        if token is STAR:
            pieces.append([])
        elif type(token) is str and pieces[-1] and type(pieces[-1][-1]) is str:
            pieces[-1][-1] += token  # type: ignore[operator]
        else:
            pieces[-1].append(token)
    if any(token is QMARK for piece in pieces for token in piece):
        return _QuestionPieces(pieces).matches
    strings = [sys.intern("".join(piece)) for piece in pieces]  # type: ignore[arg-type]
    if len(strings) == 1:
        return strings[0].__eq__  # type: ignore[return-value]
    if strings == ["", ""]:
        return _any_text
    if len(strings) == 2 and not strings[1]:
        return methodcaller("startswith", strings[0])
    if len(strings) == 2 and not strings[0]:
        return methodcaller("endswith", strings[1])
    if len(strings) == 3 and not strings[0] and not strings[2]:
        return methodcaller("__contains__", strings[1])
    return _Pieces(strings).matches


def _part_matcher(part: str) -> TextMatcher:
    """The shared matcher of one of the first five parts of a pattern (no variables in it)."""
    return _PART_MATCHERS.get(part, lambda: _glob_matcher(tokens_of(part)))


class _ArnHead:
    """The partition, service, region and account parts of a pattern with a wildcard among them.

    In these parts `*` and `?` stay within their part, but a `*` that ends a part may run past
    colons (`spanning`; AWS documents this), unless a variable follows in the resource part.
    """

    __slots__ = ("partition", "service", "region", "account", "spanning", "literal_parts", "literal_text", "last")

    def __init__(self, parts: Sequence[str]) -> None:
        # parts[0] is `arn` (split_arn_pattern): only the next four vary.
        self.partition, self.service, self.region, self.account = (_part_matcher(part) for part in parts[1:5])
        spanning = tuple(bool(part) and part[-1] == "*" for part in parts[1:5])
        self.spanning = spanning if any(spanning) else None
        # The usual head (`arn:aws:sqs:*:123456789012:`) is literal parts and lone `*`s, which
        # match any part: then one comparison of the literal parts checks all four.
        self.literal_parts: Callable[[list[str]], object] | None = None
        self.literal_text: object = None
        if all(part == "*" or not has_wildcard(part) for part in parts[1:5]):
            at = [i for i in range(1, 5) if parts[i] != "*"]
            if at:
                self.literal_parts = itemgetter(*at)
                self.literal_text = self.literal_parts(list(parts))
        # The last resource asked about and its `resource_part`: the statements one decision
        # tries mostly share a head (`arn:aws:sqs:*:123456789012:` in every queue pattern of an
        # account), so the first splits the resource and the others find the answer here. A
        # tuple, replaced whole, so that threads read a consistent pair; it holds the resource,
        # whose id therefore cannot be reused by another string while it is kept.
        self.last: tuple[str | None, str | None] = (None, None)

    def matches(self, parts: list[str]) -> bool:
        """Whether the partition, service, region and account of a split ARN match."""
        if self.literal_parts is not None:
            return self.literal_parts(parts) == self.literal_text
        return (self.partition(parts[1]) and self.service(parts[2]) and self.region(parts[3])
                and self.account(parts[4]))

    def resource_part(self, resource: str) -> str | None:
        """What follows the fifth colon, if the four parts before it match (split at the first
        five colons, so no part spans one), else None."""
        last = self.last
        if last[0] is resource:
            return last[1]
        parts = resource.split(":", 5)
        found = parts[5] if len(parts) == 6 and parts[0] == "arn" and self.matches(parts) else None
        self.last = (resource, found)
        return found

    def matches_spanning(self, resource: str, rest: TextMatcher) -> bool:
        """Whether some way of letting the spanning parts run past colons matches.

        Cut at every colon, the resource is segments (the first is `arn`). A part that does not
        span takes one segment; one that spans takes its first segment, which must match it, and
        any number of the following ones; the resource part takes the rest. Each step keeps the
        segments the next part may start at: one pass over the colons per part.
        """
        assert self.spanning is not None  # INVARIANT: called only for a head that spans
        segments = resource.split(":")
        count = len(segments)
        starts: Sequence[int] = (1,)
        for matches, spans in zip((self.partition, self.service, self.region, self.account), self.spanning):
            fits = [k for k in starts if k < count and matches(segments[k])]
            if not fits:
                return False
            starts = range(fits[0] + 1, count) if spans else [k + 1 for k in fits]
        return any(k < count and rest(":".join(segments[k:])) for k in starts)


def _arn_head(parts: Sequence[str]) -> _ArnHead:
    return _HEADS.get(":".join(parts[:5]), lambda: _ArnHead(parts))


class _ArnGlob:
    """A pattern with a wildcard in its first five parts (see `_ArnHead`), then the resource
    part's glob, where `*` and `?` span anything."""

    __slots__ = ("head", "rest")

    def __init__(self, head: _ArnHead, rest: TextMatcher) -> None:
        self.head = head
        self.rest = rest

    def matches(self, resource: str, _ctx: object = None, _missing: object = None) -> bool:
        # The split at the first five colons: the only one, unless a part's `*` spans colons.
        head = self.head
        last = head.last  # head.resource_part's memo, looked up here: this runs per statement
        resource_part = last[1] if last[0] is resource else head.resource_part(resource)
        if resource_part is not None:
            if self.rest(resource_part):
                return True
            spans_further = ":" in resource_part
        else:  # a sixth colon, where a spanning `*` could take a part's place further on
            spans_further = resource.startswith("arn:") and resource.count(":") > 5
        return spans_further and head.spanning is not None and head.matches_spanning(resource, self.rest)


def _static_pattern(parts: list[str], resource_tokens: Sequence[object]) -> ResourceMatcher:
    """Matcher of one ARN pattern without variables, with a wildcard somewhere (so neither an
    exact ARN nor `literal*`). It takes a ResourceMatcher's arguments, or the resource alone."""
    if not any(has_wildcard(part) for part in parts[:5]):
        # A literal head: a glob over the whole ARN, whose `*`s span anything. It starts with
        # literal text and has a wildcard, so it is a `_Pieces` or a `_QuestionPieces`, whose
        # `matches` takes a ResourceMatcher's arguments.
        return _glob_matcher((":".join(parts[:5]) + ":", *resource_tokens))  # type: ignore[return-value]
    return _ArnGlob(_arn_head(parts), _glob_matcher(resource_tokens)).matches


def compile_resources(patterns: Sequence[str], *, variables: bool) -> ResourceMatcher:
    """Matcher that is true when the request resource matches any of the patterns."""
    if "*" in patterns:
        return matches_any_resource
    # Static patterns in three forms, cheapest first: exact ARNs (a set), ARNs ending in their
    # only `*` (a prefix: `str.startswith` with a tuple), and the rest (a matcher each).
    literals: set[str] = set()
    prefixes: list[str] = []
    static: list[ResourceMatcher] = []
    # Patterns with a variable in the resource part: the literal head their resources start
    # with, or a matcher of a head with wildcards that returns the resource part; then the part.
    dynamic: list[tuple[str | None, Callable[[str], str | None] | None, TemplateGlob]] = []
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
            else:
                dynamic.append((None, _arn_head(parts).resource_part, TemplateGlob(resource_tokens)))
        elif head_is_literal and all(type(t) is str for t in resource_tokens):
            literals.add(":".join(parts[:5]) + ":" + "".join(resource_tokens))  # type: ignore[arg-type]
        elif (
            head_is_literal
            and resource_tokens[-1] is STAR
            and all(type(t) is str for t in resource_tokens[:-1])
        ):
            prefixes.append(":".join(parts[:5]) + ":" + "".join(resource_tokens[:-1]))  # type: ignore[arg-type]
        else:
            # `variables` only changes how `${` reads, so a pattern without one is keyed by itself.
            key = pattern if "${" not in pattern else (variables, pattern)
            static.append(_PATTERNS.get(key, lambda: _static_pattern(parts, resource_tokens)))
    globs = tuple(static)
    starts = tuple(prefixes)
    exact = frozenset(literals)

    if per_part:
        others = compile_resources([p for p in patterns if not _head_has_vars(split_arn_pattern(p, variables) or [],
                                                                                  variables)], variables=variables)
        return _per_part_matcher(per_part, others)
    if not dynamic:
        if not globs and not starts:
            if not exact:
                return _never

            def match_exact(resource: str, _ctx: object, _missing: object) -> bool:
                return resource in exact

            return match_exact
        if not globs and not exact:

            def match_prefix(resource: str, _ctx: object, _missing: object) -> bool:
                return resource.startswith(starts)

            return match_prefix
        if len(globs) == 1 and not starts and not exact:
            return globs[0]

        def match_static(resource: str, _ctx: object, _missing: object) -> bool:
            if resource in exact or (starts and resource.startswith(starts)):
                return True
            for matches in globs:
                if matches(resource):
                    return True
            return False

        return match_static

    if len(dynamic) == 1 and not globs and not starts and not exact:
        head_text, _resource_part, template = dynamic[0]
        if head_text is not None and template.single is not None:
            return _match_single_variable(head_text, template.single)

    def match(resource: str, ctx: Mapping[str, str | tuple[str, ...]], missing: list[str] | None) -> bool:
        if resource in exact or (starts and resource.startswith(starts)):
            return True
        for matches in globs:
            if matches(resource):
                return True
        for head_text, resource_part, template in dynamic:
            if head_text is not None:
                if not resource.startswith(head_text):
                    continue
                rest = resource[len(head_text) :]
            else:
                found = resource_part(resource)  # type: ignore[misc]
                if found is None:
                    continue
                rest = found
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
    up once the head matches. With a value, the resolved text starts with the head, so checking
    it checks both; without one, the head decides whether the key is missing. The resolved
    text is compared piece by piece where it stands in the resource, not built: most resources
    a statement is asked about differ before the variable, and then one comparison says so.
    """
    before = head + single.before
    at = len(before)
    key, default, after, prefix_only = single.var.key, single.var.default, single.after, single.prefix_only

    def match(resource: str, ctx: Mapping[str, str | tuple[str, ...]], missing: list[str] | None) -> bool:
        value = ctx.get(key)
        if type(value) is not str:
            value = default
            if value is None:
                if missing is not None and resource.startswith(head):
                    missing.append(key)
                return False  # a variable without a value matches nothing (AWS docs)
        # resource.startswith(before + value + after), or == for a pattern without the `*`.
        end = at + len(value)
        return (
            resource.startswith(before)
            and resource.startswith(value, at)
            and resource.startswith(after, end)
            and (prefix_only or len(resource) == end + len(after))
        )

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
