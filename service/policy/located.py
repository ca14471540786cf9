"""JSON text parsed with the place of every value and key, for findings that point into a document.

`parse_located(text)` returns a tree of `Located` nodes: each knows its offsets in the text
(start inclusive, end exclusive; a string's span includes its quotes), and objects keep every
member in document order, duplicates included. `Lines` turns an offset into AWS's position:
line from 1, column from 0, offset from 0 (what Access Analyzer reports, see
docs/validate-policy.md). Strict JSON, as `document.parse_document` reads it: no `NaN` or
`Infinity`, no trailing commas, nesting at most MAX_NESTING_DEPTH deep.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

from .document import MAX_NESTING_DEPTH

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_LITERALS = {"true": True, "false": False, "null": None}


class JsonSyntaxError(ValueError):
    """The text is not JSON; `offset` is where reading stopped."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(slots=True)
class Member:
    """One `"key": value` of an object."""

    key: str
    key_start: int
    key_end: int
    value: Located


@dataclass(slots=True)
class Located:
    """A JSON value and where it is: `kind` is object, array, string, number, true, false or null."""

    kind: str
    start: int
    end: int
    scalar: Any = None  # the value of a string, number, true, false or null
    items: list[Located] = field(default_factory=list)  # an array's
    members: list[Member] = field(default_factory=list)  # an object's, in order, duplicates included
    raw_string: bool = False  # a string written without escapes: its characters sit at start + 1 + i

    def member(self, key: str) -> Member | None:
        """The first member named exactly `key`."""
        for m in self.members:
            if m.key == key:
                return m
        return None

    def get(self, key: str) -> Located | None:
        m = self.member(key)
        return m.value if m is not None else None

    def elements(self) -> list[tuple[int | None, Located]]:
        """A string-or-list element's items, with their indexes (None for a lone value)."""
        if self.kind == "array":
            return list(enumerate(self.items))
        return [(None, self)]


class Lines:
    """Offsets to (line from 1, column from 0), as Access Analyzer's Position."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def position(self, offset: int) -> tuple[int, int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line], offset


def parse_located(text: str) -> Located:
    """The located tree of JSON text; raises JsonSyntaxError."""
    parser = _Parser(text)
    value = parser.value(0)
    parser.skip()
    if parser.pos != len(text):
        raise JsonSyntaxError("unexpected text after the document", parser.pos)
    return value


class _Parser:
    __slots__ = ("text", "pos")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip(self) -> None:
        self.pos = _WHITESPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def value(self, depth: int) -> Located:
        self.skip()
        text, pos = self.text, self.pos
        if pos >= len(text):
            raise JsonSyntaxError("unexpected end of the document", pos)
        ch = text[pos]
        if ch in "{[":
            if depth >= MAX_NESTING_DEPTH:
                raise JsonSyntaxError(f"arrays and objects nest more than {MAX_NESTING_DEPTH} levels deep", pos)
            return self.obj(depth + 1) if ch == "{" else self.array(depth + 1)
        if ch == '"':
            value, end, raw = self.string()
            return Located("string", pos, end, scalar=value, raw_string=raw)
        for word, literal in _LITERALS.items():
            if text.startswith(word, pos):
                self.pos = pos + len(word)
                return Located(word, pos, self.pos, scalar=literal)
        number = _NUMBER.match(text, pos)
        if number is not None:
            self.pos = number.end()
            literal = number.group()
            scalar: Any = float(literal) if any(c in literal for c in ".eE") else int(literal)
            return Located("number", pos, self.pos, scalar=scalar)
        raise JsonSyntaxError("expected a value", pos)

    def string(self) -> tuple[str, int, bool]:
        start = self.pos
        match = _STRING.match(self.text, start)
        if match is None:
            raise JsonSyntaxError("malformed or unterminated string", start)
        self.pos = match.end()
        raw = match.group()
        if "\\" not in raw:
            return raw[1:-1], self.pos, True
        return json.loads(raw), self.pos, False

    def expect(self, ch: str) -> None:
        self.skip()
        if self.pos >= len(self.text) or self.text[self.pos] != ch:
            raise JsonSyntaxError(f"expected `{ch}`", self.pos)
        self.pos += 1

    def obj(self, depth: int) -> Located:
        node = Located("object", self.pos, self.pos)
        self.pos += 1
        self.skip()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            node.end = self.pos
            return node
        while True:
            self.skip()
            if not self.text.startswith('"', self.pos):
                raise JsonSyntaxError("expected a key in double quotes", self.pos)
            key_start = self.pos
            key, key_end, _ = self.string()
            self.expect(":")
            node.members.append(Member(key, key_start, key_end, self.value(depth)))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            self.expect("}")
            node.end = self.pos
            return node

    def array(self, depth: int) -> Located:
        node = Located("array", self.pos, self.pos)
        self.pos += 1
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            node.end = self.pos
            return node
        while True:
            node.items.append(self.value(depth))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            self.expect("]")
            node.end = self.pos
            return node


__all__ = ["JsonSyntaxError", "Lines", "Located", "Member", "parse_located"]
