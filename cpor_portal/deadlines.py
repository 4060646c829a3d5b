"""Business-day deadlines: the policy table in settings, counted without weekends and the
public holidays of CPOR_HOLIDAY_COUNTRY (from the maintained `holidays` library).

It lives beside the settings because both the request flow and arbitration show deadlines.
"""

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone


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


def due(policy: str, start: datetime) -> datetime:
    """The deadline of a policy of CPOR_DEADLINES counted from `start`."""
    days = settings.CPOR_DEADLINES[policy]
    if policy.endswith("_business_days"):
        return add_business_days(start, days)
    return start + timedelta(days=days)
