"""A small GAQL (Google Ads Query Language) parser and row evaluator for the sandbox.

Contract: `parse_gaql(text)` turns a query into a `GaqlQuery` or raises `GaqlError`, whose
`code` is a `QueryErrorEnum.QueryError` name so the server can answer the way the real API
does. Supported: `SELECT f, ... FROM resource [WHERE cond AND ...] [ORDER BY f [ASC|DESC],
...] [LIMIT n]`, where a condition is `field op value` with op one of `= != > >= < <=`,
`field [NOT] IN (v, ...)` or `field BETWEEN v AND v`. Values are quoted strings, numbers,
or bare enum constants (`ENABLED`, `TRUE`). Keywords are case-insensitive. `OR`, `LIKE`,
`DURING` and `PARAMETERS` are not supported and are rejected, never silently ignored.

`evaluate(query, rows)` filters, orders and limits plain rows (`{"campaign.id": 1, ...}`).
Values in rows are Python types (int, float, bool, str for strings and enum names,
`datetime.date`, naive `datetime.datetime`); each literal is coerced to the type of the
row value it is compared with, so `segments.date >= '2025-01-01'` compares dates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Condition",
    "GaqlError",
    "GaqlQuery",
    "Ordering",
    "evaluate",
    "matches",
    "parse_gaql",
]

Operator = Literal["=", "!=", ">", ">=", "<", "<=", "IN", "NOT IN", "BETWEEN"]
LiteralValue = str | int | float
Row = Mapping[str, object]


class GaqlError(ValueError):
    """A query the sandbox cannot run; `code` is a `QueryError` enum name."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Condition:
    field: str
    op: Operator
    values: tuple[LiteralValue, ...]


@dataclass(frozen=True)
class Ordering:
    field: str
    descending: bool = False


@dataclass(frozen=True)
class GaqlQuery:
    select: tuple[str, ...]
    resource: str
    where: tuple[Condition, ...] = ()
    order_by: tuple[Ordering, ...] = ()
    limit: int | None = None

    @property
    def referenced_fields(self) -> frozenset[str]:
        """Every field the query names, in any clause."""
        names = set(self.select) | {c.field for c in self.where}
        return frozenset(names | {o.field for o in self.order_by})


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
      | (?P<op>>=|<=|!=|=|>|<)
      | (?P<punct>[(),])
    )""",
    re.VERBOSE,
)
_UNSUPPORTED = {"OR", "LIKE", "DURING", "PARAMETERS", "CONTAINS", "REGEXP_MATCH", "IS"}


@dataclass(frozen=True)
class _Token:
    kind: Literal["string", "number", "name", "op", "punct"]
    text: str

    def keyword(self, word: str) -> bool:
        return self.kind == "name" and self.text.upper() == word


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.lastgroup is None:
            rest = text[pos:].lstrip()
            if rest[:1] in {"'", '"'}:
                raise GaqlError("STRING_NOT_TERMINATED", f"unterminated string at: {rest[:20]!r}")
            raise GaqlError("BAD_SYMBOL", f"unexpected symbol at: {rest[:20]!r}")
        kind = match.lastgroup
        tokens.append(_Token(kind, match.group(kind)))  # type: ignore[arg-type]
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: Sequence[_Token]) -> None:
        self._tokens = tokens
        self._pos = 0

    def _peek(self) -> _Token | None:
        return self._tokens[self._pos] if self._pos < len(self._tokens) else None

    def _next(self, expected: str) -> _Token:
        token = self._peek()
        if token is None:
            raise GaqlError("UNEXPECTED_END_OF_QUERY", f"query ended, expected {expected}")
        self._pos += 1
        return token

    def _at_keyword(self, word: str) -> bool:
        token = self._peek()
        return token is not None and token.keyword(word)

    def _expect_keyword(self, word: str, code: str) -> None:
        token = self._peek()
        if token is None or not token.keyword(word):
            raise GaqlError(code, f"expected {word}, got {token.text if token else 'end'}")
        self._pos += 1

    def _field(self) -> str:
        token = self._next("a field name")
        if token.kind != "name" or token.text.upper() in _KEYWORDS:
            raise GaqlError("BAD_FIELD_NAME", f"expected a field name, got {token.text!r}")
        return token.text

    def _value(self) -> LiteralValue:
        token = self._next("a value")
        if token.kind == "string":
            return re.sub(r"\\(.)", r"\1", token.text[1:-1])
        if token.kind == "number":
            return float(token.text) if "." in token.text else int(token.text)
        if token.kind == "name" and "." not in token.text:
            return token.text  # an enum constant such as ENABLED, or TRUE/FALSE
        raise GaqlError("BAD_VALUE", f"expected a value, got {token.text!r}")

    def parse(self) -> GaqlQuery:
        self._expect_keyword("SELECT", "EXPECTED_SELECT")
        select = [self._field()]
        while self._peek_punct(","):
            self._pos += 1
            select.append(self._field())
        self._expect_keyword("FROM", "EXPECTED_FROM")
        resource = self._field()
        if "." in resource:
            raise GaqlError("BAD_RESOURCE_TYPE_IN_FROM_CLAUSE", f"bad resource {resource!r}")
        where: list[Condition] = []
        if self._at_keyword("WHERE"):
            self._pos += 1
            where.append(self._condition())
            while self._at_keyword("AND"):
                self._pos += 1
                where.append(self._condition())
        order: list[Ordering] = []
        if self._at_keyword("ORDER"):
            self._pos += 1
            self._expect_keyword("BY", "EXPECTED_BY")
            order.append(self._ordering())
            while self._peek_punct(","):
                self._pos += 1
                order.append(self._ordering())
        limit: int | None = None
        if self._at_keyword("LIMIT"):
            self._pos += 1
            token = self._next("a limit")
            if token.kind != "number" or "." in token.text or int(token.text) < 1:
                raise GaqlError("BAD_LIMIT_VALUE", f"bad LIMIT {token.text!r}")
            limit = int(token.text)
        extra = self._peek()
        if extra is not None:
            code = "UNEXPECTED_INPUT" if extra.text.upper() not in _UNSUPPORTED else "BAD_OPERATOR"
            raise GaqlError(code, f"unexpected or unsupported input at {extra.text!r}")
        return GaqlQuery(tuple(select), resource, tuple(where), tuple(order), limit)

    def _peek_punct(self, char: str) -> bool:
        token = self._peek()
        return token is not None and token.kind == "punct" and token.text == char

    def _ordering(self) -> Ordering:
        field = self._field()
        if self._at_keyword("DESC") or self._at_keyword("ASC"):
            return Ordering(field, self._next("ASC/DESC").text.upper() == "DESC")
        return Ordering(field)

    def _condition(self) -> Condition:
        field = self._field()
        token = self._next("an operator")
        if token.kind == "op":
            return Condition(field, token.text, (self._value(),))  # type: ignore[arg-type]
        if token.keyword("BETWEEN"):
            low = self._value()
            self._expect_keyword("AND", "EXPECTED_VALUE_WITH_BETWEEN_OPERATOR")
            return Condition(field, "BETWEEN", (low, self._value()))
        op: Operator = "IN"
        if token.keyword("NOT"):
            self._expect_keyword("IN", "BAD_OPERATOR")
            op = "NOT IN"
        elif not token.keyword("IN"):
            raise GaqlError("BAD_OPERATOR", f"unsupported operator {token.text!r}")
        if not self._peek_punct("("):
            raise GaqlError("EXPECTED_LIST", f"{op} needs a parenthesised list")
        self._pos += 1
        if self._peek_punct(")"):
            raise GaqlError("PROHIBITED_EMPTY_LIST_IN_CONDITION", f"empty list for {field}")
        values = [self._value()]
        while self._peek_punct(","):
            self._pos += 1
            values.append(self._value())
        if not self._peek_punct(")"):
            raise GaqlError("EXPECTED_LIST", f"unterminated list for {field}")
        self._pos += 1
        return Condition(field, op, tuple(values))


_KEYWORDS = {"SELECT", "FROM", "WHERE", "AND", "ORDER", "BY", "LIMIT", "ASC", "DESC"}
_KEYWORDS |= {"IN", "NOT", "BETWEEN"} | _UNSUPPORTED


def parse_gaql(text: str) -> GaqlQuery:
    """Parse one GAQL query (see the module docstring for the supported subset)."""
    return _Parser(_tokenize(text)).parse()


def _coerce(literal: LiteralValue, like: object) -> object:
    """`literal` converted to the type of the row value `like`."""
    try:
        if isinstance(like, bool):
            text = str(literal).upper()
            if text not in {"TRUE", "FALSE"}:
                raise ValueError(text)
            return text == "TRUE"
        if isinstance(like, int | float):
            return type(like)(literal) if isinstance(like, float) else int(literal)
        if isinstance(like, dt.datetime):
            return dt.datetime.fromisoformat(str(literal))
        if isinstance(like, dt.date):
            return dt.date.fromisoformat(str(literal))
    except ValueError as exc:
        code = "INVALID_DATE_FORMAT" if isinstance(like, dt.date) else "BAD_VALUE"
        raise GaqlError(code, f"{literal!r} is not a valid {type(like).__name__}") from exc
    return str(literal)


def matches(condition: Condition, row: Row) -> bool:
    """Whether `row` satisfies `condition` (a missing field never matches)."""
    value = row.get(condition.field)
    if value is None:
        return False
    values = [_coerce(v, value) for v in condition.values]
    op = condition.op
    if op == "IN":
        return value in values
    if op == "NOT IN":
        return value not in values
    if op == "BETWEEN":
        return bool(values[0] <= value <= values[1])  # type: ignore[operator]
    other = values[0]
    if op == "=":
        return value == other
    if op == "!=":
        return value != other
    comparisons = {
        ">": lambda: value > other,  # type: ignore[operator]
        ">=": lambda: value >= other,  # type: ignore[operator]
        "<": lambda: value < other,  # type: ignore[operator]
        "<=": lambda: value <= other,  # type: ignore[operator]
    }
    return bool(comparisons[op]())


def evaluate(query: GaqlQuery, rows: Iterable[Row], *, apply_limit: bool = True) -> list[Row]:
    """Rows satisfying every WHERE condition, in ORDER BY order, cut at LIMIT."""
    selected = [row for row in rows if all(matches(c, row) for c in query.where)]
    for ordering in reversed(query.order_by):
        present = [r for r in selected if r.get(ordering.field) is not None]
        absent = [r for r in selected if r.get(ordering.field) is None]
        present.sort(key=lambda r: r[ordering.field], reverse=ordering.descending)  # type: ignore[arg-type, return-value]
        selected = present + absent
    if apply_limit and query.limit is not None:
        selected = selected[: query.limit]
    return selected
