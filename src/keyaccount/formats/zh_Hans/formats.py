"""Dates, times and numbers in Chinese: the same ISO-style formats as in English (``en``), one
date format and one date-time format everywhere (pages, printable forms, messages), as in the
exports and the API. Django reads each name from this module, so they are imported by name."""

from keyaccount.formats.en.formats import (  # noqa: F401
    DATE_FORMAT,
    DATE_INPUT_FORMATS,
    DATETIME_FORMAT,
    DATETIME_INPUT_FORMATS,
    DECIMAL_SEPARATOR,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    NUMBER_GROUPING,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    THOUSAND_SEPARATOR,
    TIME_FORMAT,
    YEAR_MONTH_FORMAT,
)
