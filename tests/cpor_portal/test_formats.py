"""One date format per language, whether a template asks for the long or the short form."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import formats, translation

DAY = date(2026, 12, 2)
MOMENT = datetime(2026, 12, 2, 14, 5, tzinfo=ZoneInfo("Europe/Prague"))

READINGS = [
    ("en", "2 Dec 2026", "2 Dec 2026, 14:05"),
    ("cs", "2. 12. 2026", "2. 12. 2026 14:05"),
]


@pytest.mark.parametrize(("language", "day", "moment"), READINGS)
def test_a_date_and_a_datetime_read_the_same_in_the_long_and_the_short_form(language, day, moment):
    with translation.override(language):
        assert formats.date_format(DAY) == day
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == day
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == moment
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == moment
        assert formats.localize(DAY) == day
        assert formats.localize(MOMENT) == moment


@pytest.mark.parametrize(("language", "day", "moment"), READINGS)
def test_templates_show_a_stored_moment_in_local_time_in_one_form(language, day, moment):
    template = Template(
        '{{ at }}|{{ at|date }}|{{ at|date:"SHORT_DATE_FORMAT" }}|'
        '{{ at|date:"DATETIME_FORMAT" }}|{{ at|date:"SHORT_DATETIME_FORMAT" }}'
    )
    stored = datetime(2026, 12, 2, 13, 5, tzinfo=UTC)  # 14:05 in Prague (TIME_ZONE)

    with translation.override(language):
        rendered = template.render(Context({"at": stored}))

    assert rendered.split("|") == [moment, day, day, moment, moment]


def test_english_never_puts_the_month_first():
    with translation.override("en"):
        assert formats.date_format(date(2026, 2, 12), "SHORT_DATE_FORMAT") == "12 Feb 2026"
