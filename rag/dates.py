"""Dates as Footnote's filters take them: ISO calendar dates, checked strictly."""

from __future__ import annotations

import datetime as dt


def iso_date(text: str) -> str:
    """`text` if it is a real date in YYYY-MM-DD, YYYY-MM or YYYY form; ValueError else.

    >>> iso_date("2025-02-28"), iso_date("2025-02"), iso_date("2024")
    ('2025-02-28', '2025-02', '2024')
    >>> iso_date("2025-13-45")
    Traceback (most recent call last):
    ValueError: '2025-13-45' is not a date: month must be in 1..12 (use YYYY-MM-DD)
    >>> iso_date("2025-02-30")
    Traceback (most recent call last):
    ValueError: '2025-02-30' is not a date: day is out of range for month (use YYYY-MM-DD)
    """
    text = text.strip()
    parts = text.split("-")
    if not (1 <= len(parts) <= 3 and all(p.isdigit() for p in parts)) or len(parts[0]) != 4:
        raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)")
    if any(len(p) != 2 for p in parts[1:]):
        raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD: two digits for month and day)")
    numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
    try:
        dt.date(*numbers)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date: {exc} (use YYYY-MM-DD)") from None
    return text
