"""The deadline policy: the lengths in `CPOR_DEADLINES`, counted in business days (without
weekends and the public holidays of CPOR_HOLIDAY_COUNTRY, from the maintained `holidays`
library) or calendar days, and the words that name them.

Below every app that uses it: the request flow, arbitration and the checks' advice all name
these lengths, and every message takes the number from here, so changing the setting changes
what people are told.
"""

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise, lazy


@lru_cache(maxsize=8)
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=year)


def is_business_day(day: date, country: str | None = None) -> bool:
    country = country or settings.CPOR_HOLIDAY_COUNTRY
    return day.weekday() < 5 and day not in _holidays(country, day.year)


def add_business_days(start: datetime, days: int, country: str | None = None) -> datetime:
    """The moment `days` business days after `start`, at the same local time of day."""
    local = timezone.localtime(start)
    day = local.date()
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_business_day(day, country):
            remaining -= 1
    return local.replace(year=day.year, month=day.month, day=day.day)


def subtract_business_days(end: datetime, days: int, country: str | None = None) -> datetime:
    """The moment `days` business days before `end`: what is older has waited longer."""
    local = timezone.localtime(end)
    day = local.date()
    remaining = days
    while remaining:
        day -= timedelta(days=1)
        if is_business_day(day, country):
            remaining -= 1
    return local.replace(year=day.year, month=day.month, day=day.day)


def days(policy: str) -> int:
    """The length of one policy of CPOR_DEADLINES."""
    return settings.CPOR_DEADLINES[policy]


def due(policy: str, start: datetime) -> datetime:
    """The deadline of a policy of CPOR_DEADLINES counted from `start`."""
    length = days(policy)
    if policy.endswith("_business_days"):
        return add_business_days(start, length)
    return start + timedelta(days=length)


def in_days(message: Promise, policy: str) -> Promise:
    """`message`, an `ngettext_lazy(..., "days")`, with the policy's length filled in when it is
    shown: in the reader's language, and from the setting as it is then."""
    return lazy(lambda: message % {"days": days(policy)}, str)()
