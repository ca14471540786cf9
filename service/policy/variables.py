"""Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, `${*}` `${?}` `${$}`).

Text is split once, at compile time, into literal runs, wildcard tokens and `Var`s; a decision
only substitutes context values. Variables exist only in policy language version 2012-10-17;
in 2008-10-17 documents `${...}` is ordinary text. A variable resolves to the key's single
value, else to its default; a missing or multivalued key without a default leaves the
variable unresolved, and whatever holds it does not match.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from .wildcard import QMARK, STAR, Token, match_split, match_strings

_ESCAPES = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True, slots=True)
class Var:
    """One `${key}` or `${key, 'default'}` reference."""

    key: str  # lower-cased context key
    default: str | None
    text: str  # as written, for explanations


class VariableSyntaxError(ValueError):
    """A `${...}` reference that cannot be parsed."""


def parse_variable_body(body: str) -> Var | str:
    """Parse what is between `${` and `}`: an escape (returned as its literal) or a Var."""
    if body in _ESCAPES:
        return _ESCAPES[body]
    key, comma, rest = body.partition(",")
    key = key.strip()
    if not key:
        raise VariableSyntaxError("policy variable has no key name")
    if any(ch.isspace() for ch in key):
        raise VariableSyntaxError(f"policy variable key `{key}` contains whitespace")
    default: str | None = None
    if comma:
        rest = rest.strip()
        if len(rest) < 2 or rest[0] != "'" or rest[-1] != "'":
            raise VariableSyntaxError(
                f"default value of policy variable `{key}` must be in single quotes"
            )
        default = rest[1:-1]
    return Var(key=key.lower(), default=default, text="${" + body + "}")


def parse_template(text: str, *, variables: bool, wildcards: bool) -> tuple[Token | Var, ...]:
    """Split text into literal strings, STAR/QMARK (when `wildcards`) and Vars (when `variables`)."""
    out: list[Token | Var] = []
    literal: list[str] = []

    def flush() -> None:
        if literal:
            out.append("".join(literal))
            literal.clear()

    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if variables and ch == "$" and text.startswith("${", i):
            close = text.find("}", i + 2)
            if close < 0:
                raise VariableSyntaxError("policy variable `${` is not closed with `}`")
            parsed = parse_variable_body(text[i + 2 : close])
            if isinstance(parsed, str):
                literal.append(parsed)  # escaped `*`, `?`, `$`: always literal text
            else:
                flush()
                out.append(parsed)
            i = close + 1
            continue
        if wildcards and (ch == "*" or ch == "?"):
            flush()
            out.append(STAR if ch == "*" else QMARK)
        else:
            literal.append(ch)
        i += 1
    flush()
    return tuple(out)


def has_vars(tokens: tuple[Token | Var, ...]) -> bool:
    return any(type(token) is Var for token in tokens)


def lookup_single(context: Mapping[str, str | tuple[str, ...]], var: Var) -> str | None:
    value = context.get(var.key)
    if type(value) is str:
        return value
    return var.default


def resolve_text(
    tokens: tuple[str | Var, ...],
    context: Mapping[str, str | tuple[str, ...]],
    missing: list[str] | None,
) -> str | None:
    """Substitute every Var in a wildcard-free template; None when one cannot be resolved."""
    parts: list[str] = []
    for token in tokens:
        if type(token) is Var:
            value = lookup_single(context, token)  # type: ignore[arg-type]
            if value is None:
                if missing is not None:
                    missing.append(token.key)  # type: ignore[union-attr]
                return None
            parts.append(value)
        else:
            parts.append(token)  # type: ignore[arg-type]
    return "".join(parts)


class TemplateGlob:
    """A glob template holding variables, cut at its `*`s once so a decision only substitutes.

    `match` returns None when a variable has no value (the caller decides what that means).
    """

    __slots__ = ("_pieces", "_plain", "single")  # single: the `SingleVariable` shape, or None

    def __init__(self, tokens: tuple[Token | Var, ...]) -> None:
        pieces: list[list[Token | Var]] = [[]]
        for token in tokens:
            if token is STAR:
                pieces.append([])
            else:
                pieces[-1].append(token)
        # Without `?` every piece resolves to one string: matched with str methods only. A
        # piece without variables is joined now, so a decision substitutes only what varies.
        self._plain = not any(token is QMARK for piece in pieces for token in piece)
        if self._plain:
            self._pieces: tuple[object, ...] = tuple(
                piece_text if (piece_text := _literal_text(piece)) is not None else tuple(piece)
                for piece in pieces
            )
        else:
            self._pieces = tuple(tuple(piece) for piece in pieces)
        self.single = _single_variable(pieces)

    def match(
        self,
        text: str,
        context: Mapping[str, str | tuple[str, ...]],
        missing: list[str] | None,
    ) -> bool | None:
        single = self.single
        if single is not None:
            text_before, var, text_after, prefix_only = single
            value = context.get(var.key)
            if type(value) is not str:  # lookup_single, inlined on the hot path
                value = var.default
                if value is None:
                    if missing is not None:
                        missing.append(var.key)
                    return None
            expected = text_before + value + text_after
            return text.startswith(expected) if prefix_only else text == expected
        if self._plain:
            strings: list[str] = []
            for piece in self._pieces:
                if type(piece) is str:
                    strings.append(piece)
                    continue
                parts: list[str] = []
                for token in piece:  # type: ignore[attr-defined]
                    if type(token) is Var:
                        value = context.get(token.key)
                        if type(value) is not str:  # lookup_single, inlined on the hot path
                            value = token.default
                            if value is None:
                                if missing is not None:
                                    missing.append(token.key)
                                return None
                        parts.append(value)  # type: ignore[arg-type]
                    else:
                        parts.append(token)
                strings.append("".join(parts))
            return match_strings(strings, text)
        resolved: list[list[Token]] = []
        for piece in self._pieces:
            out: list[Token] = []
            for token in piece:  # type: ignore[attr-defined]
                if type(token) is Var:
                    value = lookup_single(context, token)  # type: ignore[arg-type]
                    if value is None:
                        if missing is not None:
                            missing.append(token.key)  # type: ignore[union-attr]
                        return None
                    token = value
                if type(token) is str and out and type(out[-1]) is str:
                    out[-1] = out[-1] + token  # type: ignore[operator]
                else:
                    out.append(token)
            resolved.append(out)
        return match_split(resolved, text)


class SingleVariable(NamedTuple):
    """The common template shape `before${var}after`, or `before${var}after*` (`prefix_only`)."""

    before: str
    var: Var
    after: str
    prefix_only: bool


def _single_variable(pieces: list[list[Token | Var]]) -> SingleVariable | None:
    if len(pieces) == 2 and pieces[1]:
        return None  # text after the star
    if len(pieces) > 2:
        return None
    first = pieces[0]
    variables = [i for i, token in enumerate(first) if type(token) is Var]
    if len(variables) != 1 or any(token is QMARK for token in first):
        return None
    at = variables[0]
    before, after = _literal_text(first[:at]), _literal_text(first[at + 1 :])
    assert before is not None and after is not None  # INVARIANT: one Var, no wildcard left
    return SingleVariable(before, first[at], after, len(pieces) == 2)  # type: ignore[arg-type]


def _literal_text(piece: list[Token | Var]) -> str | None:
    """The piece's text when it holds only literal strings, else None."""
    if all(type(token) is str for token in piece):
        return "".join(piece)  # type: ignore[arg-type]
    return None
