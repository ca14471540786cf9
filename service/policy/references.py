"""What a policy document refers to, read from its text: the condition keys its Condition elements
test (AWS's GetContextKeysFor*Policy), and where each statement is (the simulators'
StartPosition/EndPosition). Pure: text in, values out.
"""

from __future__ import annotations

from collections.abc import Iterable

from .document import parse_document, statements_of
from .located import JsonSyntaxError, Lines, parse_located


def condition_keys(text: str) -> list[str]:
    """The condition keys a (valid) policy's statements test, each once regardless of case, spelled
    as first written, in document order. Policy variables (`${aws:username}`) are not condition
    keys: AWS's simulator fills them from the principal, not from the request's context."""
    document, _problems = parse_document(text)
    if not isinstance(document, dict):
        return []
    return unique_keys(_keys(document))


def _keys(document: dict) -> Iterable[str]:  # type: ignore[type-arg]
    for _path, statement in statements_of(document):
        condition = statement.get("Condition") if isinstance(statement, dict) else None
        if not isinstance(condition, dict):
            continue
        for block in condition.values():
            if isinstance(block, dict):
                yield from (key for key in block if isinstance(key, str))


def unique_keys(keys: Iterable[str]) -> list[str]:
    """`keys` without repeats (compared regardless of case, as AWS compares keys), first spelling kept."""
    seen: set[str] = set()
    out = []
    for key in keys:
        if key.lower() not in seen:
            seen.add(key.lower())
            out.append(key)
    return out


Position = tuple[int, int]  # (line from 1, column from 0)


def statement_spans(text: str) -> list[tuple[Position, Position]]:
    """Where each statement object is, in Statement-list order: (start at its `{`, end just past its
    `}`). A lone statement object is the only one; a document that is not JSON has none."""
    try:
        root = parse_located(text)
    except JsonSyntaxError:
        return []
    statement = root.get("Statement") if root.kind == "object" else None
    if statement is None:
        return []
    lines = Lines(text)
    spans = []
    for _index, node in statement.elements():
        start, end = lines.position(node.start), lines.position(node.end)
        spans.append(((start[0], start[1]), (end[0], end[1])))
    return spans
