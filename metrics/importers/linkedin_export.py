"""LinkedIn's member data export (the ZIP, or one of its CSV files): posts, comments and
reactions given, messages sent and replies received, invitations, connections, the profile.

Message contents and other people's names are read only to tell directions apart; they are never
stored.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from django.db import transaction

from metrics.importers.common import finish
from metrics.ingest import (
    CsvRows,
    Event,
    EventWriter,
    ImportRefused,
    RowError,
    Summary,
    normalise_profile_url,
    parse_date,
    stable_id,
)
from metrics.models import EventKind, EventSource, LinkedInProfileText
from programme.models import Organisation, Participant

MAX_UNCOMPRESSED = 1024 * 1024 * 1024  # a real export is tens of MB; a bomb is gigabytes
MAX_RATIO = 200

Opener = Callable[[], io.BufferedIOBase]


# --- Opening an export ---


def export_members(path: Path, filename: str) -> dict[str, tuple[str, Opener]]:
    """Known export files by lower-case name -> (name as given, opener). Checks ZIP safety."""
    if zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
            infos = archive.infolist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise ImportRefused([(filename, None, f"the ZIP cannot be read ({exc})")]) from None
        total = 0
        members: dict[str, tuple[str, Opener]] = {}
        for info in infos:
            name = info.filename
            if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name:
                raise ImportRefused(
                    [(filename, None, f"the ZIP holds an unsafe file name ('{name[:80]}')")]
                )
            total += info.file_size
            if total > MAX_UNCOMPRESSED or (
                info.compress_size and info.file_size / info.compress_size > MAX_RATIO
            ):
                raise ImportRefused(
                    [
                        (
                            filename,
                            None,
                            "the ZIP expands to far more than an export holds (a ZIP bomb?)",
                        )
                    ]
                )
            base = posixpath.basename(name).lower()
            if base in LINKEDIN_FILES and not info.is_dir():
                members[base] = (posixpath.basename(name), _zip_opener(archive, info))
        try:
            bad = archive.testzip() if sum(i.file_size for i in infos) < 200 * 1024 * 1024 else None
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ImportRefused([(filename, None, f"the ZIP is damaged ({exc})")]) from None
        if bad:
            raise ImportRefused([(filename, None, f"the ZIP is damaged at '{bad}'")])
        if not members:
            raise ImportRefused(
                [(filename, None, "no LinkedIn export file in this ZIP (expected e.g. Shares.csv, "
                  "messages.csv, Connections.csv)")]
            )  # fmt: skip
        return members
    base = Path(filename).name.lower()
    if base not in LINKEDIN_FILES:
        with open(path, "rb") as handle:
            head = handle.read(4)
        if head.startswith(b"PK"):
            raise ImportRefused([(filename, None, "the ZIP is damaged or truncated")])
        raise ImportRefused(
            [(filename, None, "a single file must be one of the export's CSV files: "
              + ", ".join(EXPORT_NAMES[base] for base in LINKEDIN_FILES))]
        )  # fmt: skip
    return {base: (Path(filename).name, lambda: open(path, "rb"))}


def _zip_opener(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Opener:
    def opener() -> io.BufferedIOBase:
        return io.BufferedReader(archive.open(info), buffer_size=1024 * 1024)

    return opener


@contextmanager
def _opened(opener: Opener) -> Iterator[io.BufferedIOBase]:
    handle = opener()
    try:
        yield handle
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ImportRefused(
            [("export", None, f"the file is damaged or truncated ({exc})")]
        ) from None
    finally:
        handle.close()


# --- LinkedIn member data export ---


class LinkedInContext:
    def __init__(self, participant: Participant, writer: EventWriter, summary: Summary) -> None:
        self.participant = participant
        self.writer = writer
        self.summary = summary
        self.own_url = normalise_profile_url(participant.linkedin_url)
        user = participant.membership.user
        self.own_names = {f"{user.first_name} {user.last_name}".strip().lower()}

    def event(self, kind: str, when: datetime, key: str, **extra: object) -> None:
        self.writer.add(
            Event(
                participant_id=self.participant.pk,
                kind=kind,
                occurred_at=when,
                external_id=f"{self.participant.pk}:{kind}:{key}",
                **extra,
            )
        )


def _each(ctx: LinkedInContext, opener: Opener, name: str, required: set[str], handle_row) -> None:
    """Feed every data row to `handle_row`; a RowError is recorded with its line."""
    with _opened(opener) as handle:
        try:
            rows = CsvRows(handle, name, required)
        except ImportRefused as exc:
            if exc.errors and exc.errors[0][2].startswith("no header row"):
                raise ImportRefused([(name, None, _no_header(name, required))]) from None
            raise
        for line, row in rows:
            ctx.summary.rows_read += 1
            try:
                handle_row(line, row)
            except RowError as exc:
                ctx.summary.error(name, line, str(exc))


def import_profile(ctx: LinkedInContext, opener: Opener, name: str) -> None:
    def handle(line: int, row: dict[str, str]) -> None:
        first, last = row.get("firstname", "").strip(), row.get("lastname", "").strip()
        if first or last:
            ctx.own_names.add(f"{first} {last}".strip().lower())
        LinkedInProfileText.objects.update_or_create(
            participant=ctx.participant,
            defaults={
                "headline": row.get("headline", "").strip()[:500],
                "summary": row.get("summary", "").strip(),
            },
        )

    _each(ctx, opener, name, {"firstname", "lastname", "headline"}, handle)


def import_shares(ctx: LinkedInContext, opener: Opener, name: str) -> None:
    def handle(line: int, row: dict[str, str]) -> None:
        when = parse_date(row["date"])
        link = row.get("sharelink", "").strip()
        key = link or stable_id(row["date"], row.get("sharecommentary", ""))
        ctx.event(EventKind.POST_PUBLISHED, when, key, url=link if link.startswith("http") else "")

    _each(ctx, opener, name, {"date", "sharelink"}, handle)


def _activity_importer(kind: str, detail: str) -> Callable[[LinkedInContext, Opener, str], None]:
    """Comments.csv and Reactions.csv: what the seller gave, one event per row, by date + link."""

    def importer(ctx: LinkedInContext, opener: Opener, name: str) -> None:
        def handle(line: int, row: dict[str, str]) -> None:
            when = parse_date(row["date"])
            link = row.get("link", "").strip()
            key = stable_id(row["date"], link, row.get(detail, ""))
            ctx.event(kind, when, key, url=link if link.startswith("http") else "")

        _each(ctx, opener, name, {"date", detail}, handle)

    return importer


import_comments = _activity_importer(EventKind.COMMENT_MADE, "message")
import_reactions = _activity_importer(EventKind.REACTION_MADE, "type")


def import_invitations(ctx: LinkedInContext, opener: Opener, name: str) -> None:
    def handle(line: int, row: dict[str, str]) -> None:
        direction = row["direction"].strip().upper()
        if direction != "OUTGOING":
            ctx.summary.skip(name, line, "an invitation you received (only sent ones count)")
            return
        when = parse_date(row["sentat"])
        invitee = row.get("inviteeprofileurl", "") or row.get("to", "")
        ctx.event(EventKind.CONNECTION_REQUEST_SENT, when, stable_id(row["sentat"], invitee))

    _each(ctx, opener, name, {"from", "to", "sentat", "direction"}, handle)


def import_connections(ctx: LinkedInContext, opener: Opener, name: str) -> None:
    """Connections gained per day: one event per day, names never stored."""
    per_day: dict[str, tuple[datetime, int]] = {}

    def handle(line: int, row: dict[str, str]) -> None:
        when = parse_date(row["connectedon"])
        day = when.date().isoformat()
        first, count = per_day.get(day, (when, 0))
        per_day[day] = (first, count + 1)

    _each(ctx, opener, name, {"firstname", "lastname", "connectedon"}, handle)
    for day, (when, count) in per_day.items():
        ctx.event(EventKind.CONNECTION_ACCEPTED, when, f"day:{day}", quantity=count)


def import_messages(ctx: LinkedInContext, opener: Opener, name: str) -> None:
    """Sent by the seller vs replies received, told apart by the sender's profile URL (or, in
    exports without URL columns, by the seller's own name). A received message counts as a
    reply when the seller wrote earlier in the same conversation. Contents are not stored."""
    required = {"conversationid", "from", "date"}
    first_sent: dict[str, datetime] = {}
    rows_before = ctx.summary.rows_read

    def is_own(row: dict[str, str]) -> bool:
        url = normalise_profile_url(row.get("senderprofileurl", ""))
        if url and ctx.own_url:
            return url == ctx.own_url
        return row["from"].strip().lower() in ctx.own_names

    def is_draft(row: dict[str, str]) -> bool:
        return (row.get("ismessagedraft") or row.get("isdraft") or "").strip().lower() in (
            "yes", "true", "1"
        )  # fmt: skip

    def first_pass(line: int, row: dict[str, str]) -> None:
        if is_draft(row) or not is_own(row):
            return
        when = parse_date(row["date"])
        conversation = row["conversationid"]
        if conversation not in first_sent or when < first_sent[conversation]:
            first_sent[conversation] = when

    _each(ctx, opener, name, required, first_pass)
    ctx.summary.rows_read = rows_before  # the second pass reads the same rows

    def second_pass(line: int, row: dict[str, str]) -> None:
        if is_draft(row):
            ctx.summary.skip(name, line, "a draft, never sent")
            return
        when = parse_date(row["date"])
        key = stable_id(row["conversationid"], row["date"], row["from"], row.get("content", ""))
        if is_own(row):
            ctx.event(EventKind.MESSAGE_SENT, when, key)
            return
        started = first_sent.get(row["conversationid"])
        if started is not None and started < when:
            ctx.event(EventKind.MESSAGE_REPLY_RECEIVED, when, key)
        else:
            ctx.summary.skip(name, line, "a message you received first, not a reply to yours")

    _each(ctx, opener, name, required, second_pass)


LINKEDIN_FILES: dict[str, Callable[[LinkedInContext, Opener, str], None]] = {
    "profile.csv": import_profile,  # first: its names help tell messages apart
    "shares.csv": import_shares,
    "comments.csv": import_comments,
    "reactions.csv": import_reactions,
    "messages.csv": import_messages,
    "invitations.csv": import_invitations,
    "connections.csv": import_connections,
}

# Each file as LinkedIn names it in the export (messages.csv is the odd one out).
EXPORT_NAMES = {
    "profile.csv": "Profile.csv",
    "shares.csv": "Shares.csv",
    "comments.csv": "Comments.csv",
    "reactions.csv": "Reactions.csv",
    "messages.csv": "messages.csv",
    "invitations.csv": "Invitations.csv",
    "connections.csv": "Connections.csv",
}

# The columns the importers need, as LinkedIn writes them in its header rows, in its order.
COLUMN_NAMES = {
    "conversationid": "CONVERSATION ID",
    "firstname": "First Name",
    "lastname": "Last Name",
    "from": "From",
    "to": "To",
    "date": "Date",
    "sentat": "Sent At",
    "type": "Type",
    "message": "Message",
    "sharelink": "ShareLink",
    "headline": "Headline",
    "direction": "Direction",
    "connectedon": "Connected On",
}


def _no_header(name: str, required: set[str]) -> str:
    """Name the missing header in LinkedIn's own words, not in the normalised keys."""
    order = list(COLUMN_NAMES)
    columns = sorted(required, key=lambda key: order.index(key) if key in order else len(order))
    names = ", ".join(f"“{COLUMN_NAMES.get(key, key)}”" for key in columns)
    expected = EXPORT_NAMES.get(posixpath.basename(name).lower(), name)
    return (
        f"no header row with the columns {names}: is this the {expected} of LinkedIn's "
        "data export, unchanged?"
    )


FEEDS = {
    "shares.csv": "Shares.csv: posts published (own actions, regularity)",
    "comments.csv": "Comments.csv: comments you made (not comments received)",
    "reactions.csv": "Reactions.csv: reactions you gave (not reactions received)",
    "messages.csv": "messages.csv: messages sent and replies received",
    "invitations.csv": "Invitations.csv: connection requests sent (anti-gaming only)",
    "connections.csv": "Connections.csv: connections gained per day (never counted as skill)",
    "profile.csv": "Profile.csv: your headline and summary (profile distinctiveness)",
}
NOT_IN_EXPORT = (
    "Not in this export: reactions, comments and impressions your posts received, and profile "
    "views. Import the analytics export (XLSX) or use the quick log for interactions received."
)


def import_linkedin_export(
    *, organisation: Organisation, participant: Participant, path: Path, filename: str,
    progress_key: str = "",
) -> Summary:  # fmt: skip
    summary = Summary()
    members = export_members(path, filename)
    writer = EventWriter(
        organisation=organisation, source=EventSource.LINKEDIN_EXPORT, summary=summary,
        progress_key=progress_key,
    )  # fmt: skip
    ctx = LinkedInContext(participant, writer, summary)
    with transaction.atomic():
        for base, handler in LINKEDIN_FILES.items():
            if base in members:
                given, opener = members[base]
                handler(ctx, opener, given)
        if not finish(summary, writer):
            return summary
    summary.feeds = [FEEDS[base] for base in LINKEDIN_FILES if base in members]
    missing = [FEEDS[base].split(":")[0] for base in LINKEDIN_FILES if base not in members]
    if missing:
        summary.feeds.append("Missing from this export: " + ", ".join(missing))
    summary.feeds.append(NOT_IN_EXPORT)
    return summary
