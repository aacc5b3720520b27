"""The forms LinkedIn's data export takes once it reaches Snowball: every year's layout, every
language's preamble and month names, and the copies people open and save again in a spreadsheet.

Pure functions and small readers, no database: profile addresses reduced to one key, names
compared without accents or order, CSV rows read whatever the separator, and dates read in every
form public exports and spreadsheets are known to write. Only what is ambiguous is refused, with
the line and the value.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from urllib.parse import parse_qs, unquote, urlsplit

from django.utils import timezone as django_timezone
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.translation import gettext

from metrics.ingest import HeaderedRows, RowError, header_key, text_lines

# --- Profile addresses ------------------------------------------------------------------------

_LINKEDIN_HOST = re.compile(r"^(?:[a-z0-9-]+\.)*linkedin\.com$")


@functools.lru_cache(maxsize=8192)  # a conversation repeats its two addresses on every row
def profile_key(url: str) -> str:
    """One key for every way LinkedIn writes one profile's address.

    `https://de.linkedin.com/in/Jana-Nov%C3%A1kov%C3%A1-42/?trk=x`, `http://m.linkedin.com/in/
    jana-nováková-42`, `linkedin.com/in/jana-nováková-42/de` and `www.linkedin.com/mwlite/in/...`
    are one profile: country and mobile hosts, scheme, case, percent-encoding, trailing slashes,
    query strings, fragments, language suffixes and sub-pages do not matter.
    """
    value = blank(url).strip().strip("<>\"'")
    if not value:
        return ""
    if "://" not in value:
        value = "https://" + value.lstrip("/")
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
    except ValueError:
        return value.casefold()
    if _LINKEDIN_HOST.match(host):
        host = "linkedin.com"
    segments = [s for s in unicodedata.normalize("NFC", unquote(parts.path)).split("/") if s]
    if segments[:1] == ["mwlite"]:
        segments = segments[1:]
    if len(segments) >= 2 and segments[0].lower() == "in":
        segments = segments[:2]  # a language (/de), a sub-page (/details/...): one profile
    path = "/".join(segments).casefold()
    if path == "profile/view":  # the pre-2010 form: the member is in the query
        member = parse_qs(parts.query).get("id", [""])[0]
        path += f"?id={member}"
    return f"{host}/{path}" if path else host


# --- Names ------------------------------------------------------------------------------------


def name_key(name: str) -> str:
    """A name without accents, case, punctuation or word order: 'Nováková, Jana' and
    'jana novakova' are one key."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[\W_]+", " ", plain).split()
    return " ".join(sorted(words))


def names_match(a: str, b: str) -> bool:
    """Two names are one person's when their words agree, or when one holds all the words of the
    other and at least two of them (a middle name added, a second surname)."""
    first, second = set(name_key(a).split()), set(name_key(b).split())
    if not first or not second:
        return False
    if first == second:
        return True
    return min(len(first), len(second)) >= 2 and (first <= second or second <= first)


# --- Cells ------------------------------------------------------------------------------------

# What spreadsheets write into a cell that was empty when they saved the file again.
BLANKS = frozenset({"na", "n/a", "#n/a", "null", "#null!", "none"})


def blank(value: str) -> str:
    """The value, or '' where a spreadsheet wrote NA (or one of its kin) for an empty cell."""
    stripped = value.strip()
    return "" if stripped.lower() in BLANKS else stripped


# --- Reading rows -----------------------------------------------------------------------------

DELIMITERS = (",", ";", "\t")  # LinkedIn writes commas; spreadsheets in many languages semicolons


class HeaderMissing(Exception):
    """No row among the first lines holds the columns; `seen` is the most header-like row."""

    def __init__(self, seen: list[str]) -> None:
        super().__init__(", ".join(seen))
        self.seen = seen


class ExportRows(HeaderedRows):
    """Rows of one export CSV after its header, found by its columns within the first lines
    (Connections.csv has a translated preamble of varying length), whatever the separator: the
    first of comma, semicolon and tab with which some row holds every required column wins.

    Only the first `scan` lines are held in memory; the rest streams.
    """

    def __init__(
        self, binary: io.BufferedIOBase, filename: str, required: set[str], scan: int = 40
    ) -> None:
        self.filename = filename
        lines = text_lines(binary, filename)
        head: list[str] = []
        for line in lines:
            head.append(line)
            if len(head) >= scan:
                break
        seen: list[str] = []
        for delimiter in DELIMITERS:
            counter = _Lines(iter(head))
            try:
                for row in csv.reader(counter, delimiter=delimiter):
                    keys = [header_key(cell) for cell in row]
                    if required <= set(keys):
                        self.columns = {key: i for i, key in enumerate(keys) if key}
                        self.delimiter = delimiter
                        self.lines = _Lines(_chain(head[counter.number :], lines), counter.number)
                        self.reader = csv.reader(self.lines, delimiter=delimiter)
                        return
                    cells = [cell.strip() for cell in row if cell.strip()]
                    if len(cells) > len(seen):
                        seen = cells
            except csv.Error:
                continue
        raise HeaderMissing(seen)


def _chain(first: list[str], rest: Iterator[str]) -> Iterator[str]:
    yield from first
    yield from rest


class _Lines:
    """Counts the physical lines the CSV reader has taken (quoted cells span several)."""

    def __init__(self, lines: Iterator[str], number: int = 0) -> None:
        self.lines = lines
        self.number = number

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.number += 1
        return line


# --- Dates ------------------------------------------------------------------------------------

_MONTH_NAMES = {
    1: "january jan janvier janv januar jän jaenner enero ene gennaio gen januari leden ledna "
    "styczen sty",
    2: "february feb fevrier fevr février févr februar febrero febbraio februari unor unora "
    "únor února fev",
    3: "march mar mars marz märz marzo maart mrt brezen brezna březen března marzec",
    4: "april apr avril avr abril abr aprile apr duben dubna kwiecien kwi",
    5: "may mai mayo maggio mag mei maj kveten kvetna květen května",
    6: "june jun juin juni junio giugno giu cerven cervna červen června cvn čvn czerwiec cze",
    7: "july jul juillet juil juli julio luglio lug cervenec cervence červenec července cvc čvc "
    "lipiec lip",
    8: "august aug aout août agosto ago augustus srpen srpna sierpien sie",
    9: "september sep sept septembre settembre set septiembre zari září wrzesien wrz",
    10: "october oct octobre oktober okt octubre ottobre ott rijen rijna říjen října "
    "pazdziernik paz out outubro",
    11: "november nov novembre noviembre listopad listopadu lis",
    12: "december dec decembre décembre dez dezember diciembre dic dicembre prosinec prosince "
    "grudzien gru",
}


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).rstrip(".")


MONTHS: dict[str, int] = {}
for _number, _words in _MONTH_NAMES.items():
    for _word in _words.split():
        MONTHS[_fold(_word)] = _number

_TIME = (
    r"(?:(?:,\s*|\s+|T)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})"
    r"(?:[.,](?P<fraction>\d{1,6}))?)?\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?)?"
    r"\s*(?P<zone>UTC|GMT|Z|[+-]\d{2}:?\d{2})?"
)
_NUMERIC = re.compile(
    r"(?P<a>\d{1,4})(?P<sep>[./-])\s?(?P<b>\d{1,2})(?P=sep)\s?(?P<c>\d{2,4})\.?" + _TIME
)
_DAY_MONTH = re.compile(
    r"(?P<day>\d{1,2})\.?[\s/-]*(?P<month>[^\W\d_]{3,12})\.?,?[\s/-]*(?P<year>\d{4}|\d{2})" + _TIME
)
_MONTH_DAY = re.compile(
    r"(?P<month>[^\W\d_]{3,12})\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})" + _TIME
)
_US_NATIVE = re.compile(r"\d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2} [AP]M")

LINKEDIN_FOUNDED = datetime(2003, 1, 1, tzinfo=UTC)
DAY_FIRST, MONTH_FIRST = "day-first", "month-first"


def _unknown(value: str) -> RowError:
    return RowError(gettext("'%(value)s' is not a date this importer knows") % {"value": value})


def _clock(match: re.Match, value: str) -> tuple[int, int, int, int, timezone]:
    hour = int(match["hour"] or 0)
    minute, second = int(match["minute"] or 0), int(match["second"] or 0)
    micro = int((match["fraction"] or "0").ljust(6, "0")[:6])
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise _unknown(value)
        pm = match["ampm"][0] in "Pp"
        hour = hour % 12 + (12 if pm else 0)
    zone = match["zone"]
    tz = UTC
    if zone and zone not in ("UTC", "GMT", "Z"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return hour, minute, second, micro, tz


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _slash_order(a: int, b: int) -> str | None:
    """Which order a slashed date shows by itself: a first number above 12 is a day."""
    if a > 12 >= b:
        return DAY_FIRST
    if b > 12 >= a:
        return MONTH_FIRST
    return None


class DateColumn:
    """Reads the dates of one file. Year-first, dotted and dashed numeric dates and month names
    (in English, French, German, Czech, Swedish, Spanish, Italian, Dutch, Portuguese, Polish) say
    their order; a slashed date (3/12/24) does not. For those the file decides: a date with a
    number above 12 shows whether the day or the month comes first, and every slashed date of the
    file is read that way; a file with none takes the order the other files of the upload show
    (one spreadsheet saved them all), leaving aside dates with AM/PM, which Invitations.csv keeps
    in LinkedIn's month-first form through any spreadsheet. Still undecided, dates with AM/PM are
    read as LinkedIn writes them (month first) and others are refused, naming the line and value.

    `rescan` yields (where, value, same file) for every date of the file and then of the other
    files, for the one look ahead an undecided file needs.
    """

    def __init__(
        self,
        filename: str,
        rescan: Callable[[], Iterator[tuple[str, str, bool]]] | None = None,
        zone: tzinfo = UTC,
    ) -> None:
        self.filename = filename
        self.rescan = rescan
        self.zone = zone  # a date without a time is that day here (the organisation's zone)
        self.order: str | None = None
        self.evidence: tuple[str, str] | None = None  # (where, value) that decided the order
        self.scanned = False
        self.refused = False
        # The latest date a row may carry, fixed for the file (a clock read per row cost more
        # than parsing the date).
        self.latest = django_timezone.now() + timedelta(days=2)

    def parse(self, text: str, line: int | None = None) -> datetime:
        value = " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())
        if not value or value.lower() in BLANKS:
            raise RowError(gettext("the date is empty"))
        parsed = None
        if value[:4].isdigit() and value[4:5] == "-":
            try:  # ISO forms are most rows of most files: the C parser, no format guessing
                parsed = datetime.fromisoformat(value.removesuffix(" UTC").removesuffix("Z"))
            except ValueError:
                parsed = None
        if parsed is None:
            parsed = self._parse_form(value, line)
        if ":" not in value:  # a day without a time ("Connected On"): that day in the zone
            parsed = parsed.replace(tzinfo=self.zone)
        elif parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        if not LINKEDIN_FOUNDED <= parsed <= self.latest:
            raise RowError(
                gettext("the date '%(value)s' is impossible (before 2003 or in the future)")
                % {"value": value}
            )
        return parsed

    def _parse_form(self, value: str, line: int | None) -> datetime:
        match = _NUMERIC.fullmatch(value)
        if match:
            a, b, c = match["a"], int(match["b"]), match["c"]
            if len(a) == 4:
                year, month, day = int(a), b, int(c)
            elif match["sep"] != "/":  # dotted and dashed dates put the day first...
                day, month, year = int(a), b, _year(c)
                if b > 12 >= day:  # ...unless they show otherwise
                    day, month = b, day
            else:
                if not (1 <= int(a) <= 31 and 1 <= b <= 31 and min(int(a), b) <= 12):
                    raise _unknown(value)
                order = self._order(int(a), b, value, line, bool(match["ampm"]))
                day, month = (int(a), b) if order == DAY_FIRST else (b, int(a))
                year = _year(c)
        else:
            match = _DAY_MONTH.fullmatch(value) or _MONTH_DAY.fullmatch(value)
            if not match:
                raise _unknown(value)
            month = MONTHS.get(_fold(match["month"]), 0)
            day, year = int(match["day"]), _year(match["year"])
        try:
            hour, minute, second, micro, tz = _clock(match, value)
            return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
        except ValueError:
            raise _unknown(value) from None

    def _order(self, a: int, b: int, value: str, line: int | None, ampm: bool) -> str:
        shown = _slash_order(a, b)
        if shown:
            if self.order and self.order != shown and self.evidence:
                message = (
                    gettext(
                        # Translators: where is e.g. "line 12" or "Shares.csv line 3"; file a
                        # file name.
                        "'%(value)s' can only be read day first, but %(where)s ('%(other)s') "
                        "was read month first: the dates of %(file)s must all be written one way"
                    )
                    if shown == DAY_FIRST
                    else gettext(
                        "'%(value)s' can only be read month first, but %(where)s ('%(other)s') "
                        "was read day first: the dates of %(file)s must all be written one way"
                    )
                )
                raise RowError(
                    message
                    % {
                        "value": value,
                        "where": self.evidence[0],
                        "other": self.evidence[1],
                        "file": self.filename,
                    }
                )
            if not self.order:
                self.order, self.evidence = shown, (_line_name(line), value)
            return shown
        if self.order:
            return self.order
        if not self.scanned and self.rescan is not None:
            self.scanned = True
            for where, other, same_file in self.rescan():
                found = _NUMERIC.fullmatch(" ".join(other.split()))
                if not found or found["sep"] != "/" or len(found["a"]) == 4:
                    continue
                if found["ampm"] and not same_file:
                    continue
                decided = _slash_order(int(found["a"]), int(found["b"]))
                if decided:
                    self.order, self.evidence = decided, (where, other.strip())
                    return decided
        if ampm:  # LinkedIn's own form (Invitations.csv, old messages.csv): month first
            self.order, self.evidence = MONTH_FIRST, (_line_name(line), value)
            return MONTH_FIRST
        if self.refused:  # said once; the import fails anyway, all or nothing
            return MONTH_FIRST
        self.refused = True
        raise RowError(
            gettext(
                # Translators: one and other are the two readings of the date, e.g. "3 May"
                # and "5 March".
                "'%(value)s' could be %(one)s or %(other)s: no date in %(file)s or the other "
                "files of this upload shows whether the day or the month comes first. Download "
                "the export again, or save the dates as YYYY-MM-DD"
            )
            % {
                "value": value,
                "one": _spelled(a, b),
                "other": _spelled(b, a),
                "file": self.filename,
            }
        )


def _spelled(day: int, month: int) -> str:
    # Django's month names, in the active language.
    return f"{day} {MONTH_NAMES[month]}" if 1 <= month <= 12 else f"{day}/{month}"


def _line_name(line: int | None) -> str:
    return gettext("line %(number)s") % {"number": line}


# How each file writes its dates as LinkedIn exports it: a row's key is built from the value in
# this form, so a copy saved again by a spreadsheet finds the rows it already imported wherever
# the spreadsheet kept the precision (it drops seconds, so keys agree where they were :00).
ISO, ISO_UTC, US = "iso", "iso-utc", "us"


def native(raw: str, when: datetime, style: str) -> str:
    """The value as LinkedIn writes it: `raw` itself when it already is in that form."""
    value = raw.strip()
    if style == US:
        if _US_NATIVE.fullmatch(value):
            return raw
        hour = when.hour % 12 or 12
        noon = "PM" if when.hour >= 12 else "AM"
        return f"{when.month}/{when.day}/{when.year % 100:02d}, {hour}:{when.minute:02d} {noon}"
    if value[:4].isdigit() and value[4:5] == "-":
        return raw
    if _US_NATIVE.fullmatch(value):  # old exports wrote messages this way
        return raw
    stamp = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return f"{stamp} UTC" if style == ISO_UTC else stamp
