"""English: day first with the month's name ("2 Dec 2026, 14:05"), never 12/02/2026, which
half of the partners read as the 12th of February."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
