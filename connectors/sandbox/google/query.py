"""A subset of Drive's `files.list` query language (`q`), compiled to a predicate.

Contract: `compile_query(q)` returns a predicate over `DriveFileData` or raises
`QueryError` (the sandbox answers 400 ``invalid``, as Drive does). Supported, with
``and``/``or``/``not`` and parentheses:

- ``name = 'x'``, ``name != 'x'``, ``name contains 'x'``
- ``mimeType = 'x'``, ``mimeType != 'x'``
- ``trashed = true|false``
- ``modifiedTime <op> 'RFC 3339'`` with ``= != < <= > >=``
- ``fullText contains 'x'`` (the name or any cell's text)
- ``'x' in owners``, ``'x' in parents`` (every file is in ``root``)

Strings are single-quoted with ``\\'`` and ``\\\\`` escapes. ``contains`` on names is
case-insensitive prefix matching of words, like Drive's: ``name contains 'plan'``
matches "Q3 Media Plan" and "Planning", not "Workplan".
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable
from typing import Any

from connectors.sandbox.data import DriveFileData

__all__ = ["Predicate", "QueryError", "compile_query"]

Predicate = Callable[[DriveFileData], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<op>!=|<=|>=|[=<>()])|(?P<word>[A-Za-z_][\w.]*))"
)
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class QueryError(ValueError):
    pass


def _tokens(q: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(q):
        if q[pos:].strip() == "":
            break
        m = _TOKEN.match(q, pos)
        if m is None:
            raise QueryError(f"Invalid Value: cannot parse q at {q[pos:]!r}")
        kind = m.lastgroup or ""
        text = m.group(kind)
        if kind == "str":
            text = re.sub(r"\\(.)", r"\1", text[1:-1])
        out.append((kind, text))
        pos = m.end()
    return out


def word_prefix_match(text: str, term: str) -> bool:
    text, term = text.lower(), term.lower()
    start = text.find(term)
    while start != -1:
        if start == 0 or not text[start - 1].isalnum():
            return True
        start = text.find(term, start + 1)
    return False


def _cell_text(f: DriveFileData) -> str:
    return " ".join(str(c) for rows in f.sheets.values() for row in rows for c in row if c)


class _Parser:
    def __init__(self, q: str) -> None:
        self.tokens = _tokens(q)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self, what: str) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise QueryError(f"Invalid Value: q ends where {what} was expected")
        self.pos += 1
        return tok

    def keyword(self, word: str) -> bool:
        tok = self.peek()
        if tok is not None and tok[0] == "word" and tok[1].lower() == word:
            self.pos += 1
            return True
        return False

    def parse(self) -> Predicate:
        pred = self.or_expr()
        extra = self.peek()
        if extra is not None:
            raise QueryError(f"Invalid Value: unexpected {extra[1]!r} in q")
        return pred

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.keyword("or"):
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda f: any(p(f) for p in parts))

    def and_expr(self) -> Predicate:
        parts = [self.unary()]
        while self.keyword("and"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda f: all(p(f) for p in parts))

    def unary(self) -> Predicate:
        if self.keyword("not"):
            inner = self.unary()
            return lambda f: not inner(f)
        if self.peek() == ("op", "("):
            self.pos += 1
            inner = self.or_expr()
            if self.next("')'") != ("op", ")"):
                raise QueryError("Invalid Value: unbalanced parentheses in q")
            return inner
        return self.term()

    def term(self) -> Predicate:
        kind, text = self.next("a term")
        if kind == "str":
            if not self.keyword("in"):
                raise QueryError("Invalid Value: expected 'in' after a string")
            _, collection = self.next("owners or parents")
            if collection == "owners":
                return lambda f: text in f.owners
            if collection == "parents":
                return lambda f: text == "root"
            raise QueryError(f"Invalid Value: unsupported collection {collection!r}")
        if kind != "word":
            raise QueryError(f"Invalid Value: unexpected {text!r} in q")
        op_kind, op = self.next("an operator")
        if op_kind == "word" and op.lower() == "contains":
            op = "contains"
        elif op_kind != "op" or op not in _COMPARE:
            raise QueryError(f"Invalid Value: unsupported operator {op!r}")
        value_kind, value = self.next("a value")
        return _field_predicate(text, op, value_kind, value)


def _field_predicate(name: str, op: str, kind: str, value: str) -> Predicate:
    if name == "trashed" and op in ("=", "!=") and kind == "word":
        want = value.lower() == "true"
        return lambda f: (f.trashed == want) == (op == "=")
    if kind != "str":
        raise QueryError(f"Invalid Value: {name} needs a quoted string")
    if name in ("name", "mimeType") and op in ("=", "!="):
        attr = "name" if name == "name" else "mime_type"
        cmp = _COMPARE[op]
        return lambda f: bool(cmp(getattr(f, attr), value))
    if name == "name" and op == "contains":
        return lambda f: word_prefix_match(f.name, value)
    if name == "fullText" and op == "contains":
        return lambda f: value.lower() in f"{f.name} {_cell_text(f)}".lower()
    if name == "modifiedTime" and op in _COMPARE:
        try:
            when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise QueryError(f"Invalid Value: bad time {value!r}") from exc
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        cmp = _COMPARE[op]
        return lambda f: bool(cmp(f.modified_time, when))
    raise QueryError(f"Invalid Value: unsupported term {name} {op}")


def compile_query(q: str | None) -> Predicate:
    if q is None or not q.strip():
        return lambda f: True
    return _Parser(q).parse()
