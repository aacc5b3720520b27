"""British English as Snowball writes it: short month names and a 24-hour clock (Django's
en_GB uses full month names for days of a month and a 12-hour clock for date and time)."""

MONTH_DAY_FORMAT = "j M"
DATETIME_FORMAT = "j M Y H:i"
