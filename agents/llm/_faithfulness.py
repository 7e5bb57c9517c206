"""Number faithfulness: does every number in a text match a figure it may cite?

Contract: ``find_unfaithful_numbers(text, allowed)`` returns the numbers of ``text``, as
written (``"$95k"``, ``"down 12%"``), that match none of the ``allowed`` figures, in order
of first appearance and without duplicates; an empty list means the text is faithful.
``numbers_in(text)`` returns the values of the numbers of ``text``, so that a draft's own
numbers can be added to what its rewrite may cite. Both are pure and never raise.

How a written number is read:

- Formatting is normalised: thousands separators (``91,000``), currency symbols and ISO
  codes (``$``, ``€``, ``USD 91k``, ``EUR91k``), scale suffixes (``k``/``K``, ``m``/``M``/
  ``mn``/``mm``, ``bn``/``B``, ``thousand``, ``million``, ``billion``), multiples
  (``4.4x``, ``4.4×``, ``4.4 times``).
- Rounding: a number matches a figure when the figure, rounded to the precision written,
  gives the number: ``91k``, ``91,000``, ``$91.0k`` match 91000.0; ``4.4x`` matches 4.42;
  ``7%`` matches 7.3 but ``8%`` does not. Integers of four or more digits written with
  trailing zeros are read as rounded, keeping at least two significant figures
  (``91,000`` matches 91234; ``1,000`` matches 1,020 but not 1,100).
- Percentages (``%``, ``percent``, ``pp``, ``points``) match a figure or 100 times it:
  a share of 0.073 and an ``uplift_pct`` of 7.3 both read as ``7.3%``.
- Signs: an unsigned number matches a figure of either sign (``12%`` matches -0.12, as in
  "cut search by 12%"). A number with an explicit sign (``-12%``, ``−$3k``, ``+5%``) or a
  direction word right before it (``down 12%``, ``up by 5%``, ``a decrease of 12%``) or
  right after it (``12% lower``, ``$21k more``, ``a 12% drop``) must match a figure of that
  sign. So ``down 12%`` matches -0.12 but not +0.12: a decrease that the facts store as a
  positive magnitude must be written without a direction word next to the number.
- Exact numbers. Plain integers up to 12 (``2 channels``, ``top 3``), four-digit years
  1900–2100 (``2027``), ordinals (``3rd``) and numbers glued to letters (``FY27``, ``90d``,
  ``dv360``) are counts, dates or names, not rounded figures: each must equal an allowed
  figure exactly. In practice they must appear in the draft or in the facts.
- Labels are ignored: quarters and halves (``Q1``..``Q4``, ``H1``, ``H2``) and percentiles
  (``p10``, ``P90``).
- Numbers spelled out in words ("seven percent") are not detected.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["find_unfaithful_numbers", "numbers_in"]

_CORE = re.compile(r"(?<!\d)(?:(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?|\.\d+)")
_CURRENCY_CODES = (
    "USD|EUR|GBP|JPY|CHF|CAD|AUD|NZD|SEK|NOK|DKK|PLN|CZK|HUF|INR|CNY|RMB|BRL|MXN|ZAR|SGD|HKD"
    "|KRW|TRY|AED|SAR|ILS|THB|IDR|MYR|PHP|COP|CLP|ARS|TWD|RON"
)
_CURRENCY_BEFORE = re.compile(rf"(?:[$€£¥₹]|(?<![A-Za-z])(?:{_CURRENCY_CODES})\s?)$")
_GLUED_BEFORE = re.compile(r"(?<![A-Za-z_])([A-Za-z_]+)$")
_SIGN_BEFORE = re.compile(r"(?:^|(?<=[^\w.,]))([-−+])$")
_FALLING = (
    "down|lower|less|decrease[sd]?|declined?|declines|drop(?:s|ped)?|falls?|fell|cuts?"
    "|reduced?|reduces|minus|shrinks?|shrank"
)
_RISING = "up|higher|more|increase[sd]?|rises?|rose|grows?|grew|gains?|gained|raised?|raises|plus"
_DIRECTION_BEFORE = re.compile(
    rf"\b(?:({_FALLING})|({_RISING}))\s+(?:by\s+|of\s+)?$", re.IGNORECASE
)
_FALLING_AFTER = "lower|less|fewer|below|drop|decline|decrease|reduction"
_RISING_AFTER = "higher|more|above|increase|rise|gain|uplift|lift|growth"
_DIRECTION_AFTER = re.compile(rf"\s+(?:({_FALLING_AFTER})|({_RISING_AFTER}))\b", re.IGNORECASE)
_SUFFIX = re.compile(
    r"(?:([kK]|[mM]|mn|mm|bn|B)(?![A-Za-z])|\s?(thousand|million|billion|bn|mn)\b)"
)
_UNIT = re.compile(
    r"\s?(?:(%|percent\b|per\s?cent\b|percentage\s+points?\b|pp\b|points?\b|pts?\b)"
    r"|(x(?![A-Za-z0-9])|×|times\b))"
)
_ORDINAL = re.compile(r"(?:st|nd|rd|th)\b")
_SCALES = {
    "k": 1e3, "thousand": 1e3,
    "m": 1e6, "mn": 1e6, "mm": 1e6, "million": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9,
}  # fmt: skip


@dataclass(frozen=True)
class _Number:
    written: str
    """The number as written, with its sign, currency, suffix, unit and direction word."""
    mantissa: float
    """The written digits' value, unsigned, before the scale suffix."""
    scale: float
    decimals: int
    """Precision written: 2 for ``4.42``, 0 for ``91``, -3 for ``91,000``."""
    percent: bool
    sign: int
    """-1 or +1 when written with a sign or direction, else 0 (either sign matches)."""
    exact: bool

    @property
    def value(self) -> float:
        return (-1.0 if self.sign < 0 else 1.0) * self.mantissa * self.scale

    def matches(self, figure: float) -> bool:
        candidates = (figure, figure * 100.0) if self.percent else (figure,)
        for c in candidates:
            if self.sign and c != 0 and (c > 0) != (self.sign > 0):
                continue
            target = abs(c) / self.scale
            if self.exact:
                if abs(target - self.mantissa) <= 1e-9 * max(1.0, self.mantissa):
                    return True
            elif abs(target - self.mantissa) <= 0.5 * 10.0**-self.decimals * (1 + 1e-9) + 1e-12:
                return True
        return False


def _parse(text: str) -> list[_Number]:
    numbers: list[_Number] = []
    for m in _CORE.finditer(text):
        core = m.group()
        start, end = m.span()
        before = text[max(0, start - 40) : start]

        money = False
        glued: str | None = None
        cur = _CURRENCY_BEFORE.search(before)
        if cur:
            money = True
            start -= len(cur.group())
            before = before[: len(before) - len(cur.group())]
        elif (g := _GLUED_BEFORE.search(before)) is not None:
            glued = g.group(1)

        integer = "." not in core
        digits = core.replace(",", "")
        mantissa = float(digits)
        if (
            glued is not None
            and integer
            and len(glued) == 1
            and ((glued in "QqHh" and 1 <= mantissa <= 4) or (glued in "Pp" and len(digits) <= 2))
        ):
            continue  # Q1, H2, p90: labels, not figures

        sign = 0
        disp_start = start
        if glued is None and (s := _SIGN_BEFORE.search(before)) is not None:
            sign = 1 if s.group(1) == "+" else -1
            disp_start -= 1
            before = before[:-1]
        elif glued is None and (d := _DIRECTION_BEFORE.search(before)) is not None:
            sign = -1 if d.group(1) else 1
            disp_start -= len(d.group())

        after = text[end : end + 40]
        scale, suffix_len = 1.0, 0
        if (sfx := _SUFFIX.match(after)) is not None:
            word = sfx.group(1) or sfx.group(2)
            scale, suffix_len = _SCALES[word.lower()], len(sfx.group())
        end += suffix_len
        after = after[suffix_len:]
        percent = multiple = False
        if (unit := _UNIT.match(after)) is not None:
            percent, multiple = unit.group(1) is not None, unit.group(2) is not None
            end += len(unit.group())
            after = after[len(unit.group()) :]
        ordinal = _ORDINAL.match(after) is not None
        glued_after = not ordinal and after[:1].isalpha()

        disp_end = end
        if not sign and (d := _DIRECTION_AFTER.match(after)) is not None:
            sign = -1 if d.group(1) else 1
            disp_end += len(d.group())

        plain = not (money or percent or multiple or suffix_len)
        if integer:
            decimals = 0
            if plain and len(digits) >= 4:
                trailing = len(digits) - len(digits.rstrip("0"))
                decimals = -min(trailing, len(digits) - 2)
        else:
            decimals = len(core) - core.index(".") - 1
        year = plain and integer and "," not in core and len(digits) == 4
        exact = (
            glued is not None
            or ordinal
            or glued_after
            or (plain and integer and mantissa <= 12)
            or (year and 1900 <= mantissa <= 2100)
        )
        numbers.append(
            _Number(
                written=text[disp_start:disp_end].strip(),
                mantissa=mantissa,
                scale=scale,
                decimals=decimals,
                percent=percent,
                sign=sign,
                exact=exact,
            )
        )
    return numbers


def numbers_in(text: str) -> list[float]:
    """Values of the numbers written in ``text``, signed, scaled, percentages as written.

    ``"$91k, down 12%, 4.4x"`` gives ``[91000.0, -12.0, 4.4]``. Labels (``Q1``, ``p90``)
    are left out. Feeding these values to ``find_unfaithful_numbers`` as ``allowed``
    accepts the same numbers written in any equivalent format.
    """
    return [n.value for n in _parse(text)]


def find_unfaithful_numbers(text: str, allowed: Iterable[float]) -> list[str]:
    """The numbers of ``text`` (as written) that match none of ``allowed``.

    See the module docstring for the matching rules. Non-finite figures are ignored.
    """
    figures = [f for f in (float(a) for a in allowed) if math.isfinite(f)]
    bad: list[str] = []
    for number in _parse(text):
        if number.written not in bad and not any(number.matches(f) for f in figures):
            bad.append(number.written)
    return bad
