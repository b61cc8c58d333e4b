"""Personal data typed into free-text answers: email addresses, phone numbers and postcodes.

:func:`redact` replaces each with a marker ("[email address removed]"...).  Phone numbers
are found by Google's libphonenumber (the ``phonenumbers`` package), which knows the UK's
and other countries' numbering plans; email addresses and UK postcodes by patterns (the
postcode pattern is the format the Office for National Statistics publishes).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

MIN_PHONE_DIGITS = 10
MARKERS = {"email": "[email address removed]", "phone": "[phone number removed]", "postcode": "[postcode removed]"}
NAMES = {"email": ("email address", "email addresses"), "phone": ("phone number", "phone numbers"),
         "postcode": ("postcode", "postcodes")}

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
#: UK postcodes (including GIR 0AA), with or without the space.
POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]) ?[0-9][ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)


#: A quick test before the (slow) phone number matcher: ten digits with at most three other characters between each.
_MANY_DIGITS = re.compile(r"\d(?:\D{0,3}\d){%d}" % (MIN_PHONE_DIGITS - 1))


def redact(text: str, region: str = "GB") -> tuple[str, dict[str, int]]:
    """``text`` with email addresses, phone numbers and postcodes replaced; and how many of each.

    Examples:
        >>> redact("Call 020 7946 0958 or mail jo.bloggs@example.org, SW1A 1AA.")[0]
        'Call [phone number removed] or mail [email address removed], [postcode removed].'
    """
    import phonenumbers

    counts = {"email": 0, "phone": 0, "postcode": 0}

    def sub(kind: str, pattern: re.Pattern[str], value: str) -> str:
        value, k = pattern.subn(MARKERS[kind], value)
        counts[kind] += k
        return value

    text = sub("email", EMAIL, text)
    # Possible numbers (drama and unallocated ranges included) of at least 10 digits: every UK
    # number, landline or mobile, has 10 or 11; shorter runs of digits are years, sums or ranges.
    matches = [] if not _MANY_DIGITS.search(text) else [m for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE)
               if sum(ch.isdigit() for ch in m.raw_string) >= MIN_PHONE_DIGITS]
    for m in reversed(matches):
        text = text[: m.start] + MARKERS["phone"] + text[m.end:]
    counts["phone"] += len(matches)
    text = sub("postcode", POSTCODE, text)
    return text, {k: v for k, v in counts.items() if v}


def redact_series(series: pd.Series) -> tuple[pd.Series, dict[str, int]]:
    """A text column with every value redacted (missing values stay missing); and the counts."""
    totals: dict[str, int] = {}
    cache: dict[str, str] = {}

    def one(v: Any) -> Any:
        if not isinstance(v, str):
            return v
        if v not in cache:
            cache[v], counts = redact(v)
            for k, n in counts.items():
                totals[k] = totals.get(k, 0) + n
        return cache[v]

    if not series.notna().any():
        return series, {}
    out = series.astype(object).map(one).astype(series.dtype)
    return out, totals


def summary(counts: dict[str, int]) -> str:
    """A sentence saying that redaction was applied, and what it found.

    Examples:
        >>> summary({"email": 2, "phone": 1})
        'Email addresses, phone numbers and postcodes in free-text answers are removed before publication: 2 email addresses and 1 phone number were removed.'
    """
    head = "Email addresses, phone numbers and postcodes in free-text answers are removed before publication"
    found = [f"{n:,} {NAMES[k][0] if n == 1 else NAMES[k][1]}" for k, n in counts.items() if n]
    if not found:
        return head + "; none were found."
    listed = found[0] if len(found) == 1 else ", ".join(found[:-1]) + " and " + found[-1]
    return f"{head}: {listed} {'was' if sum(counts.values()) == 1 else 'were'} removed."
