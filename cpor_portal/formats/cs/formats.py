"""Czech: the numeric form of ČSN 01 6910 ("2. 12. 2026 14:05") for the long and the short
form alike (Django's differ: "2. prosince 2026" and "02.12.2026")."""

DATE_FORMAT = "j. n. Y"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "j. n. Y G:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
