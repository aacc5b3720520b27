"""Writing activity events in bulk, idempotently, and the helpers every importer shares."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

import psycopg2
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from metrics.models import ActivityEvent
from programme.models import Organisation
from programme.tenancy import organisation_zone

BATCH_SIZE = 10_000
MAX_REPORTED = 200  # errors and skipped rows kept for the summary


class ImportRefused(Exception):
    """The file cannot be imported at all; nothing is written. `errors` are (file, line, reason)."""

    def __init__(self, errors: list[tuple[str, int | None, str]]) -> None:
        super().__init__("; ".join(reason for _, _, reason in errors[:3]))
        self.errors = errors


class RowError(Exception):
    """One row is invalid; the importer records it with its line number."""


@dataclass
class Event:
    participant_id: int
    kind: str
    occurred_at: datetime
    external_id: str
    quantity: int = 1
    value: Decimal | None = None
    url: str = ""
    via_linkedin: bool | None = None
    details: dict = field(default_factory=dict)


@dataclass
class Summary:
    rows_read: int = 0
    created: int = 0
    duplicates: int = 0
    days_updated: int = 0  # days whose counts a later export restated (analytics)
    skipped: list[tuple[str, int | None, str]] = field(default_factory=list)
    skipped_count: int = 0
    errors: list[tuple[str, int | None, str]] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)

    def skip(self, filename: str, line: int | None, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < MAX_REPORTED:
            self.skipped.append((filename, line, reason))

    def error(self, filename: str, line: int | None, reason: str) -> None:
        if len(self.errors) < MAX_REPORTED:
            self.errors.append((filename, line, reason))

    def text(self) -> str:
        lines = [
            f"rows read: {self.rows_read}",
            f"events created: {self.created}",
            f"duplicates skipped: {self.duplicates}",
            *([f"days updated: {self.days_updated}"] if self.days_updated else []),
            f"rows skipped: {self.skipped_count}",
        ]
        lines += [f"  {f} line {n}: {r}" for f, n, r in self.skipped[:20]]
        lines += [f"error: {f}{f' line {n}' if n else ''}: {r}" for f, n, r in self.errors]
        lines += [f"feeds: {line}" for line in self.feeds]
        return "\n".join(lines)


class EventWriter:
    """Buffers events and writes them with INSERT ... ON CONFLICT DO NOTHING, in batches.

    With `restate`, a stored event of the same id takes the new count instead (a later analytics
    export restates past days): rows whose count, time and details are unchanged are not
    rewritten, so the same file twice still changes nothing. Runs inside the caller's
    transaction: one file, one transaction.
    """

    def __init__(
        self, *, organisation: Organisation, source: str, summary: Summary, progress_key: str = "",
        restate: bool = False, background: bool = False,
    ) -> None:  # fmt: skip
        self.restate = restate
        # File imports: each full batch is written by a second thread on the same database
        # connection (so in the same transaction) while this one reads the next rows.
        self.background = background and not restate
        self._pending: Future | None = None
        self._executor: ThreadPoolExecutor | None = None
        self.days_restated: set[date] = set()
        self.organisation = organisation
        self.source = source
        self.summary = summary
        self.progress_key = progress_key
        self.tz = organisation_zone(organisation)
        self.buffer: list[str] = []
        self.ids: list[str] = []  # each buffered line's external id, for the direct path
        self.now = timezone.now()
        self.organisation_field = str(organisation.pk)
        self.source_field = _escape(str(source))
        self.now_field = self.now.isoformat()

    def week_of(self, moment: datetime) -> date:
        local = moment.astimezone(self.tz).date()
        return local - timedelta(days=local.weekday())

    def add(self, event: Event) -> None:
        # One COPY text line per event, built directly: this is the hot path of every import.
        via = NULL if event.via_linkedin is None else ("t" if event.via_linkedin else "f")
        value = NULL if event.value is None else event.value
        details = _escape(json.dumps(event.details)) if event.details else "{}"
        external_id = event.external_id[:200]
        self.ids.append(external_id)
        self.buffer.append(
            f"{self.organisation_field}\t{event.participant_id}\t{event.kind}\t"
            f"{event.occurred_at.isoformat()}\t{self.week_of(event.occurred_at).isoformat()}\t"
            f"{int(event.quantity)}\t{value}\t"
            f"{_escape(event.url[:500])}\t{via}\t"
            f"{details}\t"
            f"{self.source_field}\t{_escape(external_id)}\t{self.now_field}\n"
        )
        if len(self.buffer) >= BATCH_SIZE:
            if self.background:
                self._write_behind()
            else:
                self.flush()

    def _write_behind(self) -> None:
        """Hand the full batch to the writer thread and go on reading.

        Reading a LinkedIn export (unzipping, parsing dates, building the COPY lines) and
        writing it (COPY, then INSERT ... ON CONFLICT in PostgreSQL) took about as long as each
        other, one after the other: on two cores they overlap (bench/import_linkedin.py). One
        batch at most is in flight, so memory stays that of two batches. The thread uses the
        DB-API connection of this one (psycopg2 runs one statement at a time on it), so the
        rows belong to the caller's transaction and vanish with it on a rollback; anything
        the writer raises is raised here, at the next batch or at the flush."""
        self.wait()
        if self._executor is None:
            connection.ensure_connection()
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="event-writer")
        lines, ids, self.buffer, self.ids = self.buffer, self.ids, [], []
        self._pending = self._executor.submit(
            self._write, connection.connection, lines, ids, direct=connection.in_atomic_block
        )

    def wait(self) -> None:
        """Until the batch in flight is written (its error, if any, raised here)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            with connection.wrap_database_errors:  # psycopg2's errors as Django's
                pending.result()

    def close(self) -> None:
        self.wait()
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None

    def flush(self, *, returning: bool = False) -> list[str]:
        """Write the buffer; with `returning`, return the external ids actually created.

        COPY into a session-local staging table, then one INSERT ... SELECT ... ON CONFLICT DO
        NOTHING: far cheaper than building a VALUES statement row by row.
        """
        self.close()  # what the writer thread holds goes first
        if not self.buffer:
            return []
        lines, ids, self.buffer, self.ids = self.buffer, self.ids, [], []
        with connection.cursor() as cursor:
            return self._write(
                cursor, lines, ids, returning=returning, direct=connection.in_atomic_block
            )

    def _write(
        self, target: object, lines: list[str], ids: list[str], *, returning: bool = False,
        direct: bool = False,
    ) -> list[str]:  # fmt: skip
        """Write `lines`; `target` is a cursor, or the DB-API connection to open one on (the
        writer thread). New events only (`direct`, inside a transaction) go straight into the
        table; otherwise, or when that fails, through the staging table."""
        if not hasattr(target, "execute"):
            with target.cursor() as cursor:
                return self._write(cursor, lines, ids, returning=returning, direct=direct)
        cursor = target
        if direct and not returning and not self.restate and self._write_new(cursor, lines, ids):
            return []
        table = ActivityEvent._meta.db_table
        payload = io.StringIO("".join(lines))
        clause = "RETURNING external_id" if returning else ""
        conflict = "DO NOTHING"
        if self.restate:
            # ingested_at moves so the next incremental rollup recounts the restated weeks.
            restated = ("quantity", "occurred_at", "week", "details")
            conflict = (
                "DO UPDATE SET "
                + ", ".join(f"{name} = EXCLUDED.{name}" for name in (*restated, "ingested_at"))
                + f" WHERE ({', '.join(f't.{name}' for name in restated)}) IS DISTINCT FROM "
                f"({', '.join(f'EXCLUDED.{name}' for name in restated)})"
            )
            clause = "RETURNING xmax = 0, occurred_at"
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} ON COMMIT DELETE ROWS AS "  # noqa: S608
            f"SELECT {COLUMNS} FROM {table} WITH NO DATA"
        )
        raw = getattr(cursor, "cursor", cursor)  # psycopg2's own, under Django's wrapper
        raw.copy_expert(f"COPY {STAGING} ({COLUMNS}) FROM STDIN", payload)
        cursor.execute(
            f"""INSERT INTO {table} AS t ({COLUMNS}) SELECT {COLUMNS} FROM {STAGING}
                ON CONFLICT ON CONSTRAINT event_unique_source_id {conflict}
                {clause}"""  # noqa: S608 - names from the model
        )
        created = [row[0] for row in cursor.fetchall()] if returning else []
        count = len(created) if returning else cursor.rowcount
        unchanged = len(lines) - count
        if self.restate:
            # xmax = 0: inserted; otherwise an existing row took the restated count.
            rows = cursor.fetchall()
            count = sum(1 for inserted, _ in rows if inserted)
            unchanged = len(lines) - len(rows)
            self.days_restated.update(
                when.astimezone(self.tz).date() for inserted, when in rows if not inserted
            )
            self.summary.days_updated = len(self.days_restated)
        cursor.execute(f"TRUNCATE {STAGING}")
        self._count(count, unchanged)
        return created

    def _write_new(self, cursor: object, lines: list[str], ids: list[str]) -> bool:
        """COPY the batch's events that are not stored yet straight into the table.

        Idempotency through the staging table (COPY there, then INSERT ... ON CONFLICT DO
        NOTHING) wrote each event twice and checked it against the unique index on the way:
        2.3x a plain COPY's cost (bench/import_linkedin.py). Here one index look-up per id
        finds those already stored (this import's earlier batches included: same
        transaction), repeats inside the batch are dropped, and the rest is one COPY, in a
        savepoint: when a concurrent import has stored one of the ids meanwhile, the COPY
        fails, nothing of it stays, and the batch goes the staging way (False)."""
        table = ActivityEvent._meta.db_table
        seen = self._stored_ids(cursor, ids)
        new = []
        for line, external_id in zip(lines, ids, strict=True):
            if external_id not in seen:
                seen.add(external_id)
                new.append(line)
        if new:
            raw = getattr(cursor, "cursor", cursor)  # psycopg2's own, under Django's wrapper
            raw.execute("SAVEPOINT snowball_event_batch")
            try:
                raw.copy_expert(f"COPY {table} ({COLUMNS}) FROM STDIN", io.StringIO("".join(new)))
            except psycopg2.errors.UniqueViolation:
                raw.execute("ROLLBACK TO SAVEPOINT snowball_event_batch")
                raw.execute("RELEASE SAVEPOINT snowball_event_batch")
                return False
            raw.execute("RELEASE SAVEPOINT snowball_event_batch")
        self._count(len(new), len(lines) - len(new))
        return True

    def _stored_ids(self, cursor: object, ids: list[str]) -> set[str]:
        """Of these external ids, those this organisation and source have stored already."""
        cursor.execute(
            f"SELECT external_id FROM {ActivityEvent._meta.db_table} "  # noqa: S608
            "WHERE organisation_id = %s AND source = %s AND external_id = ANY(%s)",
            [self.organisation.pk, str(self.source), ids],
        )
        return {row[0] for row in cursor.fetchall()}

    def _count(self, created: int, duplicates: int) -> None:
        self.summary.created += created
        self.summary.duplicates += duplicates
        if self.progress_key:
            cache.set(self.progress_key, self.summary.rows_read, 3600)


NULL = "\\N"  # COPY's text format for NULL
STAGING = "metrics_event_staging"
COLUMNS = (
    "organisation_id, participant_id, kind, occurred_at, week, quantity, value, url, "
    "via_linkedin, details, source, external_id, ingested_at"
)
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _escape(text: str) -> str:
    """A string in COPY's text format (only the rare value needs the translation)."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_COPY_ESCAPES)
    return text


# --- Parsing helpers ------------------------------------------------------------------------------

_NON_ALNUM = re.compile(r"[^a-z0-9]")


def header_key(name: str) -> str:
    """'inviterProfileUrl', 'Inviter Profile URL' and 'INVITER_PROFILE_URL' are one column."""
    return _NON_ALNUM.sub("", name.strip().lstrip("\ufeff").lower())


def stable_id(*parts: object) -> str:
    """A stable id from a row's content, for sources that give none."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:40]


LINKEDIN_FOUNDED = datetime(2003, 1, 1, tzinfo=UTC)
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S UTC",
    "%Y-%m-%d %H:%M:%S %Z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%d %b %Y",
    "%d %B %Y",
    "%m/%d/%y, %I:%M %p",
    "%m/%d/%Y, %I:%M %p",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
)


_last_format: list[str] = [DATE_FORMATS[0]]


def day_start(day: date, zone: tzinfo) -> datetime:
    """The start of a calendar day in a zone: where a date-only value is stored."""
    return datetime.combine(day, time(0), tzinfo=zone)


def parse_date(text: str, zone: tzinfo = UTC) -> datetime:
    """A LinkedIn or CRM date in any of the formats seen in the wild, as an aware datetime.

    A value without a zone is read in `zone`: UTC for LinkedIn's exports (which write UTC), the
    organisation's zone for date-only sources (analytics, SSI, CRM), so that a day belongs to
    that day where the organisation works, not to the day before west of UTC."""
    value = " ".join(text.strip().split())
    if not value:
        raise RowError(gettext("the date is empty"))
    parsed = None
    if value[:4].isdigit() and value[4:5] == "-":
        try:  # ISO forms are most rows of most files: the C parser, no format guessing
            parsed = datetime.fromisoformat(value.removesuffix(" UTC").removesuffix("Z"))
        except ValueError:
            parsed = None
    if parsed is None:
        for fmt in (_last_format[0], *DATE_FORMATS):
            try:
                parsed = datetime.strptime(value, fmt)
            except ValueError:
                continue
            _last_format[0] = fmt
            break
    if parsed is None:
        raise RowError(gettext("'%(value)s' is not a date this importer knows") % {"value": value})
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    if not LINKEDIN_FOUNDED <= parsed <= timezone.now() + timedelta(days=2):
        raise RowError(
            gettext("the date '%(value)s' is impossible (before 2003 or in the future)")
            % {"value": value}
        )
    return parsed


SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def text_lines(binary: io.BufferedIOBase, filename: str) -> Iterator[str]:
    """Decode UTF-8 (with or without BOM) line by line; a bad byte is a clear, located error."""
    head = binary.peek(8)[:8] if hasattr(binary, "peek") else b""
    if any(head.startswith(magic) for magic in SPREADSHEET_MAGIC):
        raise ImportRefused(
            [(filename, None, gettext("this is a spreadsheet saved with a .csv name: open it and "
              "save it as 'CSV UTF-8'"))]
        )  # fmt: skip
    first = True
    for number, raw in enumerate(binary, start=1):
        if first:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
            first = False
        if b"\x00" in raw:
            raise ImportRefused(
                [(filename, number, gettext("the file holds binary data, not CSV text"))]
            )
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ImportRefused(
                [(filename, number, gettext("this line is not UTF-8 text: export the file "
                  "again, or save it as 'CSV UTF-8'"))]
            ) from None  # fmt: skip


class HeaderedRows:
    """Rows after a header the subclass found: (line number, {column key: cell}), blank rows
    skipped, a row CSV cannot read refused with its line. Subclasses set `filename`, `lines`
    (a line counter), `reader` and `columns`."""

    filename: str
    lines: Any
    reader: Any
    columns: dict[str, int]

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        while True:
            start = self.lines.number + 1
            try:
                row = next(self.reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ImportRefused(
                    [
                        (
                            self.filename,
                            start,
                            gettext("not readable as CSV (%(error)s)") % {"error": exc},
                        )
                    ]
                ) from None
            if not any(cell.strip() for cell in row):
                continue
            yield start, {key: (row[i] if i < len(row) else "") for key, i in self.columns.items()}


class CsvRows(HeaderedRows):
    """Rows of a CSV stream after the header row, which is found by its columns.

    LinkedIn puts a translated preamble of varying length before some headers (Connections.csv),
    so the header is the first row holding all `required` columns, never a fixed line.
    """

    def __init__(
        self,
        binary: io.BufferedIOBase,
        filename: str,
        required: set[str],
        scan: int = 40,
        delimiters: str = ",",
    ) -> None:
        self.filename = filename
        self.lines = _LineCounter(text_lines(binary, filename))
        sample_dialect = csv.excel
        if delimiters != ",":
            sample_dialect = _sniff(self.lines, delimiters)
        self.reader = csv.reader(self.lines, dialect=sample_dialect)
        self.columns: dict[str, int] = {}
        try:
            for _ in range(scan):
                row = next(self.reader)
                keys = [header_key(cell) for cell in row]
                if required <= set(keys):
                    self.columns = {key: i for i, key in enumerate(keys) if key}
                    break
        except StopIteration:
            pass
        except csv.Error as exc:
            raise ImportRefused(
                [
                    (
                        filename,
                        self.lines.number,
                        gettext("not readable as CSV (%(error)s)") % {"error": exc},
                    )
                ]
            ) from None
        if not self.columns:
            raise ImportRefused(
                [
                    (
                        filename,
                        None,
                        # Translators: columns are the file's column names (they stay English).
                        gettext("no header row with the columns %(columns)s")
                        % {"columns": ", ".join(sorted(required))},
                    )
                ]
            )


class _LineCounter:
    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines
        self.number = 0
        self.pushed: list[str] = []

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        if self.pushed:
            self.number += 1
            return self.pushed.pop(0)
        line = next(self.lines)
        self.number += 1
        return line


def _sniff(lines: _LineCounter, delimiters: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        first = next(lines.lines)
    except StopIteration:
        return csv.excel
    lines.pushed.append(first)
    try:
        return csv.Sniffer().sniff(first, delimiters=delimiters)
    except csv.Error:
        return csv.excel


def normalise_profile_url(url: str) -> str:
    value = url.strip().lower()
    value = re.sub(r"^https?://", "", value)
    value = value.removeprefix("www.").split("?")[0].rstrip("/")
    return value
