"""IAM wildcards (`*` any run of characters, `?` exactly one) compiled once into anchored patterns.

Only `*` and `?` are special: every other character is escaped, so `[`, `.` or `+` in a policy
match themselves (fnmatch would treat `[...]` as a class). Static patterns become one compiled
regular expression; patterns whose literal text is only known at decision time (after policy
variables are substituted) are matched by `match_pieces`, which needs no regex compilation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

STAR = object()  # token: any run of characters (possibly empty)
QMARK = object()  # token: exactly one character

Token = object  # str (literal text), STAR or QMARK


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def tokens_of(text: str) -> list[Token]:
    """Split glob text into literal runs and wildcard tokens."""
    out: list[Token] = []
    literal: list[str] = []
    for ch in text:
        if ch == "*" or ch == "?":
            if literal:
                out.append("".join(literal))
                literal = []
            out.append(STAR if ch == "*" else QMARK)
        else:
            literal.append(ch)
    if literal:
        out.append("".join(literal))
    return out


def regex_of_tokens(tokens: Iterable[Token], *, star: str = ".*", qmark: str = ".") -> str:
    """Regex source for a token sequence (unanchored); literals are escaped."""
    parts: list[str] = []
    for token in tokens:
        if token is STAR:
            parts.append(star)
        elif token is QMARK:
            parts.append(qmark)
        else:
            parts.append(re.escape(token))  # type: ignore[arg-type]
    return "".join(parts)


def glob_regex(text: str, *, star: str = ".*", qmark: str = ".") -> str:
    """Regex source (unanchored) for IAM glob text."""
    return regex_of_tokens(tokens_of(text), star=star, qmark=qmark)


def compile_globs(patterns: Sequence[str], *, ignore_case: bool = False) -> Callable[[str], bool]:
    """One anchored matcher for several glob patterns (true when any matches)."""
    if any(p == "*" for p in patterns):
        return _always
    literals = frozenset(p.lower() if ignore_case else p for p in patterns if not has_wildcard(p))
    globs = [p for p in patterns if has_wildcard(p)]
    if not globs:
        if ignore_case:
            return lambda value: value.lower() in literals
        return literals.__contains__
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    regex = re.compile("|".join(f"(?:{glob_regex(p)})" for p in globs), flags)
    fullmatch = regex.fullmatch
    if not literals:
        return lambda value: fullmatch(value) is not None
    if ignore_case:
        return lambda value: value.lower() in literals or fullmatch(value) is not None
    return lambda value: value in literals or fullmatch(value) is not None


def _always(_value: str) -> bool:
    return True


def match_pieces(tokens: Sequence[Token], text: str) -> bool:
    """Match `text` against a token sequence without building a regex.

    The pattern is cut at each STAR into pieces of literals and QMARKs. The first piece must
    match at the start, the last at the end, and each middle piece at its leftmost possible
    place: for patterns made only of `*` and `?` the leftmost choice never loses a match.
    """
    pieces: list[list[Token]] = [[]]
    for token in tokens:
        if token is STAR:
            pieces.append([])
        else:
            pieces[-1].append(token)
    return match_split(pieces, text)


def match_split(pieces: Sequence[Sequence[Token]], text: str) -> bool:
    """`match_pieces` for a pattern already cut at its STARs (len(pieces) - 1 stars)."""
    if len(pieces) == 1:
        only = pieces[0]
        if len(only) == 1 and type(only[0]) is str:
            return only[0] == text
        return _piece_len(only) == len(text) and _piece_at(only, text, 0)
    first, last = pieces[0], pieces[-1]
    first_len, last_len = _piece_len(first), _piece_len(last)
    end = len(text) - last_len
    if first_len > end:
        return False
    if not _piece_at(first, text, 0) or not _piece_at(last, text, end):
        return False
    pos = first_len
    for piece in pieces[1:-1]:
        found = _find_piece(piece, text, pos, end)
        if found < 0:
            return False
        pos = found + _piece_len(piece)
    return True


def match_strings(pieces: Sequence[str], text: str) -> bool:
    """Glob match where `pieces` are the literal runs between `*`s."""
    if len(pieces) == 1:
        return pieces[0] == text
    if len(pieces) == 2 and not pieces[1]:  # the common `prefix*`
        return text.startswith(pieces[0])
    first, last = pieces[0], pieces[-1]
    end = len(text) - len(last)
    if len(first) > end or not text.startswith(first) or not text.endswith(last):
        return False
    pos = len(first)
    for piece in pieces[1:-1]:
        found = text.find(piece, pos, end)
        if found < 0:
            return False
        pos = found + len(piece)
    return True


def _piece_len(piece: Sequence[Token]) -> int:
    if len(piece) == 1:
        token = piece[0]
        return 1 if token is QMARK else len(token)  # type: ignore[arg-type]
    return sum(1 if token is QMARK else len(token) for token in piece)  # type: ignore[arg-type]


def _piece_at(piece: Sequence[Token], text: str, pos: int) -> bool:
    for token in piece:
        if token is QMARK:
            if pos >= len(text):
                return False
            pos += 1
        else:
            if not text.startswith(token, pos):  # type: ignore[arg-type]
                return False
            pos += len(token)  # type: ignore[arg-type]
    return True


def _find_piece(piece: Sequence[Token], text: str, start: int, end: int) -> int:
    width = _piece_len(piece)
    if width == 0:
        return start
    if len(piece) == 1 and piece[0] is not QMARK:
        return text.find(piece[0], start, end)  # type: ignore[arg-type]
    for pos in range(start, end - width + 1):
        if _piece_at(piece, text, pos):
            return pos
    return -1
