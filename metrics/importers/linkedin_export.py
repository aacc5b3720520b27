"""LinkedIn's member data export (the ZIP, or one of its CSV files): posts, comments and
reactions given, messages sent and replies received, invitations, connections, the profile.

Files are read in every form they are known to take (see `linkedin_forms`): any year's columns,
any language's preamble and month names, copies saved again by a spreadsheet. Whose messages are
whose is read from the export itself first (see `_recognise_owner`), the profile in Snowball only
after it. Message contents and other people's names are read only to tell directions apart; they
are never stored.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from metrics.authenticity import post_signatures_store
from metrics.importers.common import finish
from metrics.importers.linkedin_forms import (
    ISO,
    ISO_UTC,
    US,
    DateColumn,
    ExportRows,
    HeaderMissing,
    blank,
    name_key,
    names_match,
    native,
    profile_key,
)
from metrics.ingest import (
    Event,
    EventWriter,
    ImportRefused,
    RowError,
    Summary,
    header_key,
    stable_id,
)
from metrics.models import EventKind, EventSource, LinkedInProfileText
from programme.models import Organisation, Participant

MAX_UNCOMPRESSED = 1024 * 1024 * 1024  # a real export is tens of MB; a bomb is gigabytes
MAX_RATIO = 200

Opener = Callable[[], io.BufferedIOBase]
Members = dict[str, list[tuple[str, Opener]]]

# Complete exports number some files (Comments_34875879.csv); other files merely end alike
# (guide_messages.csv, coach_messages.csv) and are not the export's messages.
_EXPORT_FILE = re.compile(
    r"(profile|shares|comments|reactions|messages|invitations|connections)(_\d+)?\.csv"
)


def _export_file(name: str) -> tuple[str, str] | None:
    """(kind, name as LinkedIn writes it) for a file of the export, None for any other file."""
    match = _EXPORT_FILE.fullmatch(posixpath.basename(name).lower())
    if not match:
        return None
    base = f"{match[1]}.csv"
    return base, EXPORT_NAMES[base].removesuffix(".csv") + (match[2] or "") + ".csv"


# --- Opening an export ---


def export_members(path: Path, filename: str) -> Members:
    """Export files by kind -> [(name as LinkedIn writes it, opener)]. Checks ZIP safety."""
    if zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
            infos = archive.infolist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise ImportRefused(
                [(filename, None, gettext("the ZIP cannot be read (%(error)s)") % {"error": exc})]
            ) from None
        total = 0
        members: Members = {}
        for info in infos:
            name = info.filename
            if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name:
                raise ImportRefused(
                    [
                        (
                            filename,
                            None,
                            gettext("the ZIP holds an unsafe file name ('%(name)s')")
                            % {"name": name[:80]},
                        )
                    ]
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
                            gettext(
                                "the ZIP expands to far more than an export holds (a ZIP bomb?)"
                            ),
                        )
                    ]
                )
            known = _export_file(name)
            if known and not info.is_dir():
                members.setdefault(known[0], []).append((known[1], _zip_opener(archive, info)))
        try:
            bad = archive.testzip() if sum(i.file_size for i in infos) < 200 * 1024 * 1024 else None
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ImportRefused(
                [(filename, None, gettext("the ZIP is damaged (%(error)s)") % {"error": exc})]
            ) from None
        if bad:
            raise ImportRefused(
                [(filename, None, gettext("the ZIP is damaged at '%(name)s'") % {"name": bad})]
            )
        if not members:
            raise ImportRefused(
                [(filename, None, gettext("no LinkedIn export file in this ZIP (expected e.g. "
                  "Shares.csv, messages.csv, Connections.csv)"))]
            )  # fmt: skip
        return members
    known = _export_file(filename)
    if known is not None:  # a spreadsheet saved under the name is told apart while reading
        return {known[0]: [(known[1], lambda: open(path, "rb"))]}
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith(b"PK"):
        raise ImportRefused([(filename, None, gettext("the ZIP is damaged or truncated"))])
    if Path(filename).suffix.lower() == ".zip":
        raise ImportRefused(
            [(filename, None, gettext("this is not a ZIP file, though its name ends in .zip: "
              "download the export from LinkedIn again and upload the ZIP as it arrives"))]
        )  # fmt: skip
    raise ImportRefused(
        [(filename, None, gettext("a single file must be one of the export's CSV files: "
          "%(names)s") % {"names": ", ".join(EXPORT_NAMES[base] for base in LINKEDIN_FILES)})]
    )  # fmt: skip


def _zip_opener(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Opener:
    def opener() -> io.BufferedIOBase:
        return io.BufferedReader(archive.open(info), buffer_size=1024 * 1024)

    return opener


@contextmanager
def _opened(opener: Opener, name: str) -> Iterator[io.BufferedIOBase]:
    handle = opener()
    try:
        yield handle
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise ImportRefused(
            [(name, None, gettext("the file is damaged or truncated (%(error)s)") % {"error": exc})]
        ) from None
    finally:
        handle.close()


# --- LinkedIn member data export ---

# The summary lines that say how the account holder was found start with this marker; it is
# stored, never shown (the import page puts them under their own heading), so it stays English.
OWNER_LINE = "Whose export: "


class LinkedInContext:
    def __init__(self, participant: Participant, writer: EventWriter, summary: Summary) -> None:
        self.participant = participant
        self.writer = writer
        self.summary = summary
        self.stored_url = profile_key(participant.linkedin_url)
        user = participant.membership.user
        self.roster_name = f"{user.first_name} {user.last_name}".strip()
        # What the export says of its account holder (Profile.csv, Invitations.csv); kept in
        # memory for this import only.
        self.profile_names: list[str] = []
        self.invitation_urls: set[str] = set()
        self.invitation_names: set[str] = set()
        self.owner_lines: list[str] = []
        self.files: list[tuple[str, Opener, str]] = []  # (name, opener, kind) of the upload
        # Own posts' (external id, time, commentary), signed after the import and then dropped.
        self.posts: list[tuple[str, datetime, str]] = []

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


def _rows(opener: Opener, name: str, required: set[str]) -> Iterator[tuple[int, dict[str, str]]]:
    with _opened(opener, name) as handle:
        try:
            rows = ExportRows(handle, name, required)
        except HeaderMissing as missing:
            raise ImportRefused([(name, None, _no_header(name, required, missing.seen))]) from None
        yield from rows


def _dates(ctx: LinkedInContext, name: str) -> DateColumn:
    """The file's dates, with the one look ahead an undecided day/month order needs: its own
    dates, then those of the upload's other files."""

    def rescan() -> Iterator[tuple[str, str, bool]]:
        ordered = sorted(ctx.files, key=lambda file: file[0] != name)
        for file, opener, base in ordered:
            required, column = DATED[base]
            with closing(_rows(opener, file, required)) as rows:
                for line, row in rows:
                    where = (
                        gettext("line %(number)s") % {"number": line}
                        if file == name
                        else gettext("%(file)s line %(number)s") % {"file": file, "number": line}
                    )
                    yield where, row.get(column, ""), file == name

    return DateColumn(name, rescan, zone=ctx.writer.tz)


def _each(
    ctx: LinkedInContext, opener: Opener, name: str, required: set[str], handle_row,
    *, quiet: bool = False,
) -> None:  # fmt: skip
    """Feed every data row to `handle_row`; a RowError is recorded with its line (unless
    `quiet`: a second pass over rows the first already checked)."""
    with closing(_rows(opener, name, required)) as rows:
        for line, row in rows:
            ctx.summary.rows_read += 1
            try:
                handle_row(line, row)
            except RowError as exc:
                if not quiet:
                    ctx.summary.error(name, line, str(exc))


def import_profile(ctx: LinkedInContext, opener: Opener, name: str) -> None:
    def handle(line: int, row: dict[str, str]) -> None:
        first, last = blank(row.get("firstname", "")), blank(row.get("lastname", ""))
        if first or last:
            ctx.profile_names.append(f"{first} {last}".strip())
        LinkedInProfileText.objects.update_or_create(
            participant=ctx.participant,
            defaults={
                "headline": blank(row.get("headline", ""))[:500],
                "summary": blank(row.get("summary", "")),
            },
        )

    _each(ctx, opener, name, {"firstname", "lastname", "headline"}, handle)


def import_shares(ctx: LinkedInContext, opener: Opener, name: str) -> None:
    required = DATED["shares.csv"][0]
    dates = _dates(ctx, name)

    def handle(line: int, row: dict[str, str]) -> None:
        when = dates.parse(row["date"], line)
        link = blank(row.get("sharelink", ""))
        key = link or stable_id(native(row["date"], when, ISO), row.get("sharecommentary", ""))
        ctx.event(EventKind.POST_PUBLISHED, when, key, url=link if link.startswith("http") else "")
        commentary = row.get("sharecommentary", "")
        if commentary.strip():
            ctx.posts.append(
                (f"{ctx.participant.pk}:{EventKind.POST_PUBLISHED}:{key}", when, commentary)
            )

    _each(ctx, opener, name, required, handle)


def _activity_importer(kind: str, detail: str) -> Callable[[LinkedInContext, Opener, str], None]:
    """Comments.csv and Reactions.csv: what the seller gave, one event per row, by date + link."""

    def importer(ctx: LinkedInContext, opener: Opener, name: str) -> None:
        required = {"date", detail}
        dates = _dates(ctx, name)

        def handle(line: int, row: dict[str, str]) -> None:
            when = dates.parse(row["date"], line)
            link = blank(row.get("link", ""))
            key = stable_id(native(row["date"], when, ISO), link, row.get(detail, ""))
            ctx.event(kind, when, key, url=link if link.startswith("http") else "")

        _each(ctx, opener, name, required, handle)

    return importer


import_comments = _activity_importer(EventKind.COMMENT_MADE, "message")
import_reactions = _activity_importer(EventKind.REACTION_MADE, "type")


def import_invitations(ctx: LinkedInContext, opener: Opener, name: str) -> None:
    """Invitations sent. Also the account holder as the export shows it: the sender of the
    outgoing invitations, the recipient of the incoming ones."""
    required = DATED["invitations.csv"][0]
    dates = _dates(ctx, name)

    def handle(line: int, row: dict[str, str]) -> None:
        direction = blank(row["direction"]).upper()
        outgoing = direction == "OUTGOING"
        if direction in ("OUTGOING", "INCOMING"):
            holder = "inviter" if outgoing else "invitee"
            url = profile_key(row.get(f"{holder}profileurl", ""))
            if url:
                ctx.invitation_urls.add(url)
            holder_name = blank(row["from" if outgoing else "to"])
            if holder_name:
                ctx.invitation_names.add(holder_name)
        if not outgoing:
            ctx.summary.skip(
                name, line, gettext("an invitation you received (only sent ones count)")
            )
            return
        when = dates.parse(row["sentat"], line)
        invitee = blank(row.get("inviteeprofileurl", "")) or blank(row.get("to", ""))
        ctx.event(
            EventKind.CONNECTION_REQUEST_SENT, when, stable_id(native(row["sentat"], when, US),
                                                              invitee)
        )  # fmt: skip

    _each(ctx, opener, name, required, handle)


def import_connections(ctx: LinkedInContext, opener: Opener, name: str) -> None:
    """Connections gained per day: one event per day, names never stored."""
    per_day: dict[str, tuple[datetime, int]] = {}
    required = DATED["connections.csv"][0]
    dates = _dates(ctx, name)

    def handle(line: int, row: dict[str, str]) -> None:
        when = dates.parse(row["connectedon"], line)
        day = when.date().isoformat()
        first, count = per_day.get(day, (when, 0))
        per_day[day] = (first, count + 1)

    _each(ctx, opener, name, required, handle)
    for day, (when, count) in per_day.items():
        ctx.event(EventKind.CONNECTION_ACCEPTED, when, f"day:{day}", quantity=count)


# --- Messages: whose are whose ---


class _Parties:
    """The people of messages.csv, by profile address where the export gives one, else by
    name, as small numbers; held in memory for one import, never stored."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.alias: dict[int, int] = {}  # a name -> the profile address it was sent from
        self.whole: set[int] = set()  # a person, not a piece of a list of names
        self.urls: dict[int, str] = {}
        self.names: dict[int, str] = {}

    def _id(self, key: str) -> int:
        return self.ids.setdefault(key, len(self.ids))

    def sender(self, row: dict[str, str]) -> int:
        url, sender_name = profile_key(row.get("senderprofileurl", "")), blank(row["from"])
        named = self._id("n:" + name_key(sender_name)) if sender_name else None
        if url:
            party = self._id("u:" + url)
            self.urls.setdefault(party, url)
            if named is not None:
                self.alias.setdefault(named, party)
        elif named is not None:
            party = named
        else:
            party = self._id("n:")
        self.whole.add(party)
        if sender_name:
            self.names.setdefault(party, sender_name)
        return party

    def recipients(self, row: dict[str, str]) -> list[int]:
        urls = blank(row.get("recipientprofileurls", ""))
        if urls:
            parties = []
            for url in urls.split(","):
                key = profile_key(url)
                if key:
                    party = self._id("u:" + key)
                    self.urls.setdefault(party, key)
                    self.whole.add(party)
                    parties.append(party)
            return parties
        to = blank(row.get("to", ""))
        if not to:
            return []
        # LinkedIn joins several recipients' names with ", ", and one name may hold ", " too
        # ("Jane Doe, Ph.D."): the whole and its pieces are all kept; only a whole is a person.
        whole = self._id("n:" + name_key(to))
        self.whole.add(whole)
        self.names.setdefault(whole, to)
        parties = [whole]
        if "," in to:
            pieces = [piece for piece in to.split(",") if piece.strip()]
            parties += [self._id("n:" + name_key(piece)) for piece in pieces]
        return parties

    def resolve(self, party: int) -> int:
        return self.alias.get(party, party)

    def describe(self, party: int) -> str:
        name, url = self.names.get(party, ""), self.urls.get(party, "")
        for named, target in self.alias.items():
            if target == party and not name:
                name = self.names.get(named, "")
        return f"{name} ({url})" if name and url else name or url or "?"


def _recognise_owner(
    ctx: LinkedInContext, parties: _Parties, conversations: dict[str, dict[int, datetime | None]],
    drafters: set[int], name: str,
) -> int | None:  # fmt: skip
    """The account holder of messages.csv, from the export itself where it tells: the one person
    in every conversation; if several are, the one named in Profile.csv, the holder shown by
    Invitations.csv, the author of drafts; only then the profile address stored in Snowball and,
    last, the name in Snowball. Says in the summary how it was found."""
    present: Counter[int] = Counter()
    talks = 0
    for members in conversations.values():
        people = {parties.resolve(p) for p in members} & parties.whole
        if len(people) >= 2:
            talks += 1
            present.update(people)
    senders = {parties.resolve(p) for members in conversations.values() for p, t in members.items()
               if t is not None}  # fmt: skip
    in_every = [p for p, count in present.items() if count == talks] if talks else []
    pool = in_every or sorted(senders)
    if len(in_every) == 1 and talks >= 2:
        return _owner_found(ctx, parties, in_every[0], gettext(
            "the one person in every conversation of %(file)s") % {"file": name})  # fmt: skip

    also_named: dict[int, list[str]] = {}
    for named_party, target in parties.alias.items():
        if named_party in parties.names:
            also_named.setdefault(target, []).append(parties.names[named_party])

    def named(party: int, names: list[str] | set[str]) -> bool:
        own = [parties.names.get(party, ""), *also_named.get(party, [])]
        return any(names_match(a, b) for a in own if a for b in names)

    evidence: list[tuple[str, Callable[[int], bool]]] = [
        # Translators: how the holder of a LinkedIn export was recognised (after their name).
        (gettext("named in Profile.csv"), lambda p: named(p, ctx.profile_names)),
        (gettext("the account holder in Invitations.csv"), lambda p: parties.urls.get(p) in
         ctx.invitation_urls or named(p, ctx.invitation_names)),
        (gettext("the author of the drafts in %(file)s") % {"file": name},
         lambda p: p in drafters),
        (gettext("the LinkedIn address on the Snowball profile"),
         lambda p: bool(ctx.stored_url) and parties.urls.get(p) == ctx.stored_url),
        (gettext("the name in Snowball (nothing in the export itself tells; add the LinkedIn "
         "address on the profile to be sure)"), lambda p: bool(ctx.roster_name) and
         named(p, [ctx.roster_name])),
    ]  # fmt: skip
    for how, fits in evidence:
        matches = [p for p in pool if fits(p)]
        if len(matches) == 1:
            return _owner_found(ctx, parties, matches[0], how)
        if matches:
            pool = matches
    if not senders & set(pool):
        ctx.owner_lines.append(
            OWNER_LINE
            + gettext(
                "nothing tells which person in %(file)s holds the account, and none of them "
                "wrote there: no message was counted as sent."
            )
            % {"file": name}
        )
        return None
    raise ImportRefused(
        [(name, None, ngettext(
            "cannot tell which of the %(count)s person who writes in every conversation holds "
            "this account: add the LinkedIn profile address on the Snowball profile, or upload "
            "the whole export with Profile.csv",
            "cannot tell which of the %(count)s people who write in every conversation holds "
            "this account: add the LinkedIn profile address on the Snowball profile, or upload "
            "the whole export with Profile.csv",
            len(pool)) % {"count": len(pool)})]
    )  # fmt: skip


def _owner_found(ctx: LinkedInContext, parties: _Parties, owner: int, how: str) -> int:
    url = parties.urls.get(owner, "")
    # Translators: person is a name with a LinkedIn address, how says how it was recognised.
    line = gettext("%(person)s, %(how)s.") % {"person": parties.describe(owner), "how": how}
    ctx.owner_lines.append(OWNER_LINE + line)
    if url and ctx.stored_url and url != ctx.stored_url:
        ctx.owner_lines.append(
            OWNER_LINE
            + gettext(
                "the LinkedIn address on the Snowball profile (%(stored)s) is not this "
                "export's (%(url)s): messages were counted for the export's own account "
                "holder. If the address changed, update it on the profile."
            )
            % {"stored": ctx.stored_url, "url": url}
        )
    return owner


def import_messages(ctx: LinkedInContext, opener: Opener, name: str) -> None:
    """Sent by the seller vs replies received. A received message counts as a reply when the
    seller wrote earlier in the same conversation. Contents are not stored.

    The first pass checks every row and learns who is in which conversation (or, in old exports,
    reads the Direction column); the second writes the events."""
    required = DATED["messages.csv"][0]
    dates = _dates(ctx, name)
    parties = _Parties()
    # conversation -> person -> when they first wrote there (None: only written to)
    conversations: dict[str, dict[int, datetime | None]] = {}
    drafters: set[int] = set()
    marked: list[bool] = []  # whether the file has LinkedIn's old Direction column
    rows_before = ctx.summary.rows_read

    def is_draft(row: dict[str, str]) -> bool:
        return blank(row.get("ismessagedraft") or row.get("isdraft") or "").lower() in (
            "yes", "true", "1"
        )  # fmt: skip

    def sender(row: dict[str, str]) -> int:
        if "direction" in row:
            if not marked:
                marked.append(True)
            direction = blank(row["direction"]).upper()
            if direction not in ("OUTGOING", "INCOMING"):
                raise RowError(gettext("the direction '%(value)s' is neither OUTGOING nor "
                               "INCOMING") % {"value": row["direction"].strip()})  # fmt: skip
            return 1 if direction == "OUTGOING" else 0
        return parties.sender(row)

    def first_pass(line: int, row: dict[str, str]) -> None:
        when = dates.parse(row["date"], line)
        party = sender(row)
        members = conversations.setdefault(row["conversationid"], {})
        if "direction" not in row:
            for other in parties.recipients(row):
                members.setdefault(other, None)
        if is_draft(row):
            drafters.add(party)
            members.setdefault(party, None)
            return
        earlier = members.get(party)
        if earlier is None or when < earlier:
            members[party] = when

    _each(ctx, opener, name, required, first_pass)
    ctx.summary.rows_read = rows_before  # the second pass reads the same rows
    if ctx.summary.errors:
        return
    if marked:
        owner: int | None = 1
        ctx.owner_lines.append(
            OWNER_LINE
            + gettext("%(file)s marks each message as sent or received (its Direction column).")
            % {"file": name}
        )
    else:
        owner = _recognise_owner(ctx, parties, conversations, drafters, name)
    first_sent: dict[str, datetime] = {}
    for conversation, members in conversations.items():
        for party, when in members.items():
            mine = when is not None and (party if marked else parties.resolve(party)) == owner
            if mine and (conversation not in first_sent or when < first_sent[conversation]):
                first_sent[conversation] = when
    conversations.clear()

    def second_pass(line: int, row: dict[str, str]) -> None:
        if is_draft(row):
            ctx.summary.skip(name, line, gettext("a draft, never sent"))
            return
        when = dates.parse(row["date"], line)
        key = stable_id(
            row["conversationid"], native(row["date"], when, ISO_UTC), row["from"],
            row.get("content", ""),
        )  # fmt: skip
        party = sender(row)
        if owner is not None and (party if marked else parties.resolve(party)) == owner:
            ctx.event(EventKind.MESSAGE_SENT, when, key)
            return
        started = first_sent.get(row["conversationid"])
        if started is not None and started < when:
            ctx.event(EventKind.MESSAGE_REPLY_RECEIVED, when, key)
        else:
            ctx.summary.skip(
                name, line, gettext("a message you received first, not a reply to yours")
            )

    _each(ctx, opener, name, required, second_pass, quiet=True)


# The columns each dated file needs, and its date column.
DATED = {
    "shares.csv": ({"date", "sharelink"}, "date"),
    "comments.csv": ({"date", "message"}, "date"),
    "reactions.csv": ({"date", "type"}, "date"),
    "invitations.csv": ({"from", "to", "sentat", "direction"}, "sentat"),
    "messages.csv": ({"conversationid", "from", "date"}, "date"),
    "connections.csv": ({"firstname", "lastname", "connectedon"}, "connectedon"),
}

LINKEDIN_FILES: dict[str, Callable[[LinkedInContext, Opener, str], None]] = {
    "profile.csv": import_profile,  # before messages: its names help tell whose they are
    "shares.csv": import_shares,
    "comments.csv": import_comments,
    "reactions.csv": import_reactions,
    "invitations.csv": import_invitations,  # before messages too, for the same reason
    "messages.csv": import_messages,
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


def _no_header(name: str, required: set[str], seen: list[str]) -> str:
    """Name the missing header in LinkedIn's own words, not in the normalised keys, say what
    the file holds instead, and how to get a good file."""
    order = list(COLUMN_NAMES)
    columns = sorted(required, key=lambda key: order.index(key) if key in order else len(order))
    names = ", ".join(f"“{COLUMN_NAMES.get(key, key)}”" for key in columns)
    known = _export_file(name)
    expected = known[1] if known else name
    shown = ", ".join(f"“{cell[:40]}”" for cell in seen[:8]) + (", …" if len(seen) > 8 else "")
    found = (
        gettext("the file begins with %(columns)s instead") % {"columns": shown}
        if seen
        else gettext("the file holds no columns")
    )
    keys = {header_key(cell) for cell in seen}
    absent = [key for key in columns if key not in keys]
    if seen and len(absent) < len(columns):
        found = gettext("its header lacks %(columns)s") % {
            "columns": ", ".join(f"“{COLUMN_NAMES.get(k, k)}”" for k in absent)
        }
    return gettext(
        # Translators: columns are LinkedIn's column names, found what the file has instead, file
        # the export file's name. "Settings, Data privacy, Get a copy of your data" are LinkedIn's
        # own menu names: use those of LinkedIn in your language.
        "no header row with the columns %(columns)s (%(found)s). Is this the %(file)s of "
        "LinkedIn's data export, unchanged? Download the export again from LinkedIn (Settings, "
        "Data privacy, Get a copy of your data) and upload the ZIP or the file as it arrives."
    ) % {"columns": names, "found": found, "file": expected}


# What each file feeds, after its name (the name itself is LinkedIn's and stays as it is).
FEEDS = {
    "shares.csv": _("posts published (own actions, regularity)"),
    "comments.csv": _("comments you made (not comments received)"),
    "reactions.csv": _("reactions you gave (not reactions received)"),
    "messages.csv": _("messages sent and replies received"),
    "invitations.csv": _("connection requests sent (anti-gaming only)"),
    "connections.csv": _("connections gained per day (never counted as skill)"),
    "profile.csv": _("your headline and summary (profile distinctiveness)"),
}
NOT_IN_EXPORT = _(
    "Not in this export: reactions, comments and impressions your posts received, and profile "
    "views. Import the analytics export (XLSX) or use the quick log for interactions received."
)


def _feeds_line(base: str) -> str:
    # Translators: file is an export file's name (e.g. Shares.csv), feeds what it is used for.
    return gettext("%(file)s: %(feeds)s") % {"file": EXPORT_NAMES[base], "feeds": FEEDS[base]}


def import_linkedin_export(
    *, organisation: Organisation, participant: Participant, path: Path, filename: str,
    progress_key: str = "",
) -> Summary:  # fmt: skip
    summary = Summary()
    members = export_members(path, filename)
    writer = EventWriter(
        organisation=organisation, source=EventSource.LINKEDIN_EXPORT, summary=summary,
        progress_key=progress_key, background=True,
    )  # fmt: skip
    ctx = LinkedInContext(participant, writer, summary)
    ctx.files = [
        (name, opener, base)
        for base in LINKEDIN_FILES
        if base in DATED
        for name, opener in members.get(base, [])
    ]
    with transaction.atomic(), closing(writer):
        for base, handler in LINKEDIN_FILES.items():
            for name, opener in members.get(base, []):
                handler(ctx, opener, name)
        if not finish(summary, writer):
            return summary
        post_signatures_store(
            organisation_id=organisation.pk, participant_id=participant.pk, posts=ctx.posts,
            week_of=writer.week_of,
        )  # fmt: skip
    summary.feeds = ctx.owner_lines + [
        _feeds_line(base) for base in LINKEDIN_FILES if base in members
    ]
    missing = [EXPORT_NAMES[base] for base in LINKEDIN_FILES if base not in members]
    if missing:
        summary.feeds.append(
            gettext("Missing from this export: %(files)s") % {"files": ", ".join(missing)}
        )
    summary.feeds.append(str(NOT_IN_EXPORT))
    return summary
