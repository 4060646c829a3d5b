from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from core.deadlines import add_business_days, due, is_business_day

PRAGUE = ZoneInfo("Europe/Prague")


def test_weekends_are_skipped():
    friday = datetime(2026, 11, 6, 10, 0, tzinfo=PRAGUE)

    assert add_business_days(friday, 1) == datetime(2026, 11, 9, 10, 0, tzinfo=PRAGUE)
    assert add_business_days(friday, 5) == datetime(2026, 11, 13, 10, 0, tzinfo=PRAGUE)


def test_public_holidays_of_the_country_are_skipped():
    # 24-26 December are Czech public holidays; 2026-12-24 is a Thursday.
    wednesday = datetime(2026, 12, 23, 9, 30, tzinfo=PRAGUE)

    assert add_business_days(wednesday, 1) == datetime(2026, 12, 28, 9, 30, tzinfo=PRAGUE)


def test_the_holiday_country_is_configurable(settings):
    wednesday = datetime(2026, 12, 23, 9, 30, tzinfo=PRAGUE)
    settings.CPOR_HOLIDAY_COUNTRY = "US"  # 24 December is a working day there

    assert add_business_days(wednesday, 1) == datetime(2026, 12, 24, 9, 30, tzinfo=PRAGUE)
    assert not is_business_day(date(2026, 12, 25))


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("review_business_days", datetime(2026, 11, 13, 12, 0, tzinfo=PRAGUE)),
        ("information_business_days", datetime(2026, 11, 27, 12, 0, tzinfo=PRAGUE)),
        ("dispute_window_days", datetime(2026, 12, 6, 12, 0, tzinfo=PRAGUE)),
    ],
)
def test_policies_come_from_the_settings_table(policy, expected):
    # 2026-11-17 is a Czech public holiday (Struggle for Freedom and Democracy Day).
    assert due(policy, datetime(2026, 11, 6, 12, 0, tzinfo=PRAGUE)) == expected
