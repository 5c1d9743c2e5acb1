"""Prices and rates in an advert, normalised to an amount, a currency and a duration.

Two ways of writing a rate are recognised, each as one regex fragment that
:mod:`plainsight.extract.persona` places in its single pass over a field:

* amount first: ``£150 per hour``, ``£150/h``, ``150ph``, ``£1,000 overnight``, ``£80 30min``,
  ``150 pounds``, or a bare ``£150`` (duration unknown);
* duration first: ``1h 150``, ``30min 80``, ``1 hour £150``, ``2hrs: £250``, ``overnight £900``.

:func:`price_detail` turns a match into the fact's value and detail, for example
``("GBP 150/1h", {"amount": 150, "currency": "GBP", "minutes": 60, "per_hour": 150.0})``.
A duration-first rate needs two or more digits, and the number must not itself be a duration
(``1 hour 30 minutes`` is no price).
"""

from __future__ import annotations

from typing import Any

__all__ = ["AMOUNT_FIRST", "DURATION_FIRST", "price_detail"]

_CUR_PRE = r"(?P<{p}cur>£|gbp|\$|usd|€|eur)"
_CUR_POST = r"(?P<{p}cur2>£|gbp|pounds?|quid|€|eur|euros?|\$|usd)(?!\w)"
_NUM = r"(?P<{p}num>\d{{1,3}}(?:,\d{{3}})+|\d{{2,5}})(?:\.\d{{1,2}})?(?!\d|,\d)"
_DURATION = (
    r"(?:(?P<{p}hours>\d{{1,2}}(?:\.5)?)\s*(?:h|hr|hrs|hour|hours)"
    r"|(?P<{p}mins>\d{{2,3}})\s*(?:m|min|mins|minute|minutes)"
    r"|(?P<{p}half>half\s+(?:an\s+)?hour|½\s*(?:h|hr|hour))"
    r"|(?P<{p}one>(?:an?|one|per|each)\s+(?:hour|hr|h)|hourly|(?:ph|p/h|/h|/hr|/hour))"
    r"|(?P<{p}night>overnight|over\s+night|all\s+night|(?:the|a|per)\s+night))(?!\w)"
)
_NOT_DURATION = r"(?!\s*(?:m|min|mins|minutes?|h|hrs?|hours?|%)(?!\w))"


def _fill(template: str, prefix: str) -> str:
    return template.format(p=prefix)


AMOUNT_FIRST = (
    "(?:"
    + _fill(_CUR_PRE, "a_")
    + r"\s?"
    + _fill(_NUM, "a_")
    + "|"
    + _fill(_NUM, "a2_")
    + r"\s?"
    + _fill(_CUR_POST, "a2_")
    + "|"
    + _fill(_NUM, "a3_")
    + r"(?=\s*(?:ph|p/h|/h|/hr|/hour|per\s+hour)(?!\w)))"
    + r"(?:\s*(?:for\s+(?:the\s+|an?\s+|one\s+)?|/\s*|per\s+)?"
    + _fill(_DURATION, "ad_")
    + r"(?!\s*[:=\-–]?\s*[£€$\d]))?"
)
"""``£150``, ``150 pounds``, ``150ph``, each optionally followed by its duration."""

DURATION_FIRST = (
    _fill(_DURATION, "bd_")
    + r"\s*[:=\-–]?\s*(?:"
    + _fill(_CUR_PRE, "b_")
    + r"\s?"
    + _fill(_NUM, "b_")
    + "|"
    + _fill(_NUM, "b2_")
    + r"(?:\s?"
    + _fill(_CUR_POST, "b2_")
    + ")?)"
    + _NOT_DURATION
)
"""``1h 150``, ``30min £80``, ``overnight £900``."""

_CURRENCIES = {
    "£": "GBP",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "quid": "GBP",
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "$": "USD",
    "usd": "USD",
}


def _minutes(groups: dict[str, str | None], prefix: str) -> tuple[int | None, bool]:
    """(minutes, overnight) of the duration groups under ``prefix``."""
    if hours := groups.get(prefix + "hours"):
        return round(float(hours) * 60), False
    if mins := groups.get(prefix + "mins"):
        return int(mins), False
    if groups.get(prefix + "half"):
        return 30, False
    if groups.get(prefix + "one"):
        return 60, False
    if groups.get(prefix + "night"):
        return None, True
    return None, False


def _label(minutes: int) -> str:
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}min"


def price_detail(
    groups: dict[str, str | None], duration_first: bool
) -> tuple[str, dict[str, Any]] | None:
    """The value and detail of a price match (``m.groupdict()``), or None if implausible."""
    if duration_first:
        num = groups.get("b_num") or groups.get("b2_num")
        cur = groups.get("b_cur") or groups.get("b2_cur2") or "£"
        minutes, night = _minutes(groups, "bd_")
    else:
        num = groups.get("a_num") or groups.get("a2_num") or groups.get("a3_num")
        cur = groups.get("a_cur") or groups.get("a2_cur2") or "£"
        minutes, night = _minutes(groups, "ad_")
    if num is None:
        return None
    amount = int(num.replace(",", ""))
    if amount < 10 or minutes == 0:
        return None
    currency = _CURRENCIES.get(cur.lower(), "GBP")
    detail: dict[str, Any] = {"amount": amount, "currency": currency, "minutes": minutes}
    value = f"{currency} {amount}"
    if minutes is not None:
        value += "/" + _label(minutes)
        detail["per_hour"] = round(amount * 60 / minutes, 2)
    elif night:
        value += "/overnight"
        detail["period"] = "overnight"
    return value, detail
