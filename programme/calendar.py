"""Calendar invitations (iCalendar, RFC 5545/5546) and private calendar feeds.

Every event that lands in people's calendars (a training or consultation session here, a
kick-off from the kickoff app) comes from a *calendar source*: a registry entry that turns a
code into a `CalendarEvent` (or None once the thing is deleted) and lists a person's events for
their feed. `programme` imports no other app; kickoff registers its source from its AppConfig.

Invitations: a write queues `calendar_queue(source, code)` after its commit; the Celery task
runs `calendar_sync`, which compares the event with what each attendee last received
(`CalendarEntry`, `CalendarInvite`) and sends METHOD:REQUEST to new attendees and to those whose
copy changed, METHOD:CANCEL to those removed (or to everyone when the event is gone). SEQUENCE
is stored and raised on every change so calendars replace their copy instead of adding one.
Mail goes only to attendees' own addresses, from DEFAULT_FROM_EMAIL, through the configured
e-mail backend: nothing reaches any other address.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlparse

import icalendar
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from programme.i18n import for_recipient
from programme.models import (
    CalendarEntry,
    CalendarFeedToken,
    CalendarInvite,
    Membership,
    Organisation,
    Session,
    SessionAttendance,
)
from programme.tenancy import organisation_zone

logger = logging.getLogger(__name__)

PRODID = "-//Snowball//Social selling programme//EN"
# The feed shows what is coming and what just happened (a session from last week stays
# findable), not the whole history.
FEED_PAST = timedelta(days=60)
FEED_AHEAD = timedelta(days=365)
FEED_TOKEN_PREFIX = "sbc_"  # noqa: S105 - a marker, not a secret


@dataclass(frozen=True)
class Attendee:
    membership_id: int
    name: str
    email: str
    # Their language and zone ("" = the organisation's): the invitation's text follows them.
    language: str = ""
    time_zone: str = ""


@dataclass(frozen=True)
class CalendarEvent:
    """One event as calendars see it. `start`/`end` are aware datetimes, or dates for an
    all-day event (`end` is then the day after the last day, as iCalendar wants)."""

    source: str
    code: str
    organisation_id: int
    title: str
    start: datetime | date
    end: datetime | date
    description: str = ""
    path: str = ""  # the page in Snowball, without the site's address
    organizer_name: str = ""
    organizer_email: str = ""
    attendees: tuple[Attendee, ...] = field(default_factory=tuple)

    @property
    def url(self) -> str:
        return settings.SITE_URL + self.path if self.path else ""

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    def fingerprint(self) -> str:
        """A digest of what the attendees see, attendees aside (adding someone changes
        nobody else's copy)."""
        content = asdict(self)
        content.pop("attendees")
        return hashlib.sha256(json.dumps(content, default=str, sort_keys=True).encode()).hexdigest()

    def snapshot(self) -> dict:
        content = asdict(self)
        content.pop("attendees")
        content["start"] = self.start.isoformat()
        content["end"] = self.end.isoformat()
        content["all_day"] = self.all_day
        return content

    @classmethod
    def from_snapshot(cls, snapshot: dict) -> CalendarEvent:
        # Only the fields this version knows (a snapshot outlives code changes).
        known = {f.name for f in fields(cls)}
        content = {key: value for key, value in snapshot.items() if key in known}
        parse = date.fromisoformat if snapshot.get("all_day") else datetime.fromisoformat
        content["start"], content["end"] = parse(content["start"]), parse(content["end"])
        return cls(**content)


@dataclass(frozen=True)
class CalendarSource:
    """`event(organisation_id, code)`: the event, or None when it no longer exists.
    `feed(membership, since, until)`: the person's events starting in that range."""

    name: str
    event: Callable[[int, str], CalendarEvent | None]
    feed: Callable[[Membership, datetime, datetime], list[CalendarEvent]]


_sources: dict[str, CalendarSource] = {}


def register_calendar_source(source: CalendarSource) -> CalendarSource:
    _sources[source.name] = source
    return source


def calendar_sources() -> list[CalendarSource]:
    return list(_sources.values())


def site_domain() -> str:
    return urlparse(settings.SITE_URL).hostname or "localhost"


def event_uid(code: str) -> str:
    """Stable for the event's whole life: the object's public code at the site's domain."""
    return f"{code}@{site_domain()}"


def organisation_organizer() -> tuple[str, str]:
    """The organisation's sender (DEFAULT_FROM_EMAIL) as (name, address)."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name or "Snowball", address


# --- iCalendar ---------------------------------------------------------------------------------


def _vevent(
    event: CalendarEvent,
    *,
    zone: object,
    sequence: int,
    cancelled: bool = False,
    attendees: tuple[Attendee, ...] | None = None,
) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event.code))
    vevent.add("sequence", sequence)
    vevent.add("dtstamp", datetime.now(UTC))
    if event.all_day:
        vevent.add("dtstart", event.start)
        vevent.add("dtend", event.end)
    else:
        vevent.add("dtstart", event.start.astimezone(zone))
        vevent.add("dtend", event.end.astimezone(zone))
    vevent.add("summary", event.title)
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    if event.organizer_email:
        organizer = icalendar.vCalAddress(f"mailto:{event.organizer_email}")
        organizer.params["cn"] = icalendar.vText(event.organizer_name or event.organizer_email)
        vevent.add("organizer", organizer)
    for person in attendees or ():
        address = icalendar.vCalAddress(f"mailto:{person.email}")
        address.params["cn"] = icalendar.vText(person.name or person.email)
        address.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        address.params["partstat"] = icalendar.vText("NEEDS-ACTION")
        address.params["rsvp"] = icalendar.vText("FALSE")
        vevent.add("attendee", address, encode=0)
    return vevent


def ics_build(
    events: list[tuple[CalendarEvent, int]],
    *,
    organisation: Organisation,
    method: str | None = None,
    cancelled: bool = False,
    with_attendees: bool = True,
    name: str = "",
) -> bytes:
    """An iCalendar file of (event, sequence) pairs, times with the TZID of the organisation's
    zone and its VTIMEZONE. `method` is REQUEST or CANCEL for an invitation, None for a feed."""
    zone = organisation_zone(organisation)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", str(zone))
    for event, sequence in events:
        attendees = event.attendees if with_attendees else None
        calendar.add_component(
            _vevent(event, zone=zone, sequence=sequence, cancelled=cancelled, attendees=attendees)
        )
    # The zone's rules around the events only (the default spans 1970-2038 in every message).
    days = [_start_key(event).date() for event, _sequence in events] or [timezone.now().date()]
    calendar.add_missing_timezones(
        first_date=min(days) - timedelta(days=366), last_date=max(days) + timedelta(days=366)
    )
    return calendar.to_ical()


# --- Invitations -------------------------------------------------------------------------------


def calendar_queue(*, source: str, code: str, organisation_id: int) -> None:
    """Send the invitations an event's change calls for once the writing transaction commits
    (a deleted event: the task finds it gone and cancels everyone's copy)."""
    from programme import tasks

    transaction.on_commit(lambda: tasks.calendar_sync.delay(source, str(code), organisation_id))


def _when(event: CalendarEvent) -> str:
    """The event's day and hours in the active language and zone (the recipient's)."""
    if event.all_day:
        return formats.date_format(event.start, "DATE_FORMAT")
    start = timezone.localtime(event.start)
    end = timezone.localtime(event.end)
    # Translators: when a calendar event takes place, in an invitation e-mail; the zone is
    # a time zone name such as "Europe/Paris".
    return _("%(day)s, %(start)s to %(end)s (%(zone)s)") % {
        "day": formats.date_format(start, "DATE_FORMAT"),
        "start": formats.time_format(start, "TIME_FORMAT"),
        "end": formats.time_format(end, "TIME_FORMAT"),
        "zone": timezone.get_current_timezone_name(),
    }


def invitation_message(
    event: CalendarEvent,
    *,
    organisation: Organisation,
    recipient: Attendee,
    sequence: int,
    method: str,
    updated: bool = False,
    connection: object = None,
) -> EmailMultiAlternatives:
    """One person's invitation (REQUEST) or cancellation (CANCEL): a short text, the
    text/calendar alternative calendars act on, and the same as an .ics attachment for mail
    clients that only offer attachments."""
    cancel = method == "CANCEL"
    if cancel:
        # Translators: the subject of a calendar cancellation e-mail; the title is the event's.
        subject = _("Cancelled: %(title)s") % {"title": event.title}
        lead = _("This event was cancelled or you are no longer expected:")
    elif updated:
        # Translators: the subject of an e-mail with a changed calendar event.
        subject = _("Updated: %(title)s") % {"title": event.title}
        lead = _("This event changed; your calendar copy is updated:")
    else:
        # Translators: the subject of a calendar invitation e-mail; the title is the event's.
        subject = _("Invitation: %(title)s") % {"title": event.title}
        lead = _("You are invited to:")
    lines = [lead, "", event.title, _when(event)]
    if event.url:
        lines += ["", event.url]
    body = "\n".join(lines) + "\n"
    # Each person's copy names them alone as attendee (and the organiser): the invitee list is
    # nobody else's business (a kick-off for 3,000 sellers would hand every one of them 3,000
    # colleagues' addresses, 3,000 lines per message), and a copy sent when someone joins later
    # would list a different crowd from the copies sent before.
    ics = ics_build(
        [(replace(event, attendees=(recipient,)), sequence)],
        organisation=organisation,
        method=method,
        cancelled=cancel,
    ).decode()
    message = EmailMultiAlternatives(
        subject=subject, body=body, to=[recipient.email], connection=connection
    )
    message.attach_alternative(ics, f"text/calendar; method={method}")
    message.attach("invite.ics", ics.encode(), "application/ics")
    return message


def calendar_sync(*, source: str, code: str, organisation_id: int) -> int:
    """Bring every attendee's calendar in line with the event; returns how many e-mails left.

    Idempotent: what each person was sent is recorded (in the same transaction that decides
    it, under a row lock) before the mail leaves, so a second run sends nothing. The price is
    at-most-once delivery, as for every Snowball e-mail: a message that fails to send is marked
    for the next sync of the event."""
    organisation = Organisation.objects.get(pk=organisation_id)
    event = _sources[source].event(organisation_id, code)
    uid = event_uid(code)
    outgoing: list[tuple[CalendarEvent, Attendee, int, str, bool]] = []
    with transaction.atomic():
        entry = (
            CalendarEntry.objects.select_for_update()
            .filter(organisation_id=organisation_id, uid=uid)
            .first()
        )
        if event is None and entry is None:
            return 0
        if entry is None:
            entry = CalendarEntry.objects.create(
                organisation_id=organisation_id, uid=uid, sequence=0,
                fingerprint=event.fingerprint(), snapshot=event.snapshot(),
            )  # fmt: skip
        changed = event is not None and entry.fingerprint != event.fingerprint()
        if changed:
            entry.sequence += 1
            entry.fingerprint, entry.snapshot = event.fingerprint(), event.snapshot()
        invites = {invite.membership_id: invite for invite in entry.invites.all()}
        current = {person.membership_id: person for person in (event.attendees if event else ())}
        removed = [
            invite for mid, invite in invites.items() if mid not in current and not invite.cancelled
        ]
        if removed:
            # A cancellation must carry a higher SEQUENCE than the copy it withdraws; the
            # others keep their copy (their content did not change, so nothing goes to them).
            entry.sequence += 1
        entry.save()
        if removed:
            last = CalendarEvent.from_snapshot(entry.snapshot)
            # A leaver (#18) is dropped from the event without a message: their copy is marked
            # cancelled, so a reactivation brings a fresh invitation.
            people = (
                Membership.objects.active()
                .filter(
                    organisation_id=organisation_id,
                    pk__in=[invite.membership_id for invite in removed],
                )
                .select_related("user")
            )
            for person in people:
                attendee = Attendee(
                    person.pk, person.user.get_full_name(), person.user.email,
                    person.user.language, person.user.time_zone,
                )  # fmt: skip
                outgoing.append((last, attendee, entry.sequence, "CANCEL", False))
            CalendarInvite.objects.filter(pk__in=[invite.pk for invite in removed]).update(
                cancelled=True
            )
        if event is not None:
            fresh = []
            for mid, person in current.items():
                invite = invites.get(mid)
                if invite is None or invite.cancelled or invite.fingerprint != entry.fingerprint:
                    updated = invite is not None and not invite.cancelled
                    outgoing.append((event, person, entry.sequence, "REQUEST", updated))
                    fresh.append(
                        CalendarInvite(
                            entry=entry, membership_id=mid, fingerprint=entry.fingerprint
                        )
                    )
            CalendarInvite.objects.bulk_create(
                fresh,
                update_conflicts=True,
                unique_fields=["entry", "membership"],
                update_fields=["fingerprint", "cancelled"],
            )
    return _send(outgoing, organisation, entry)


def _send(
    outgoing: list[tuple[CalendarEvent, Attendee, int, str, bool]],
    organisation: Organisation,
    entry: CalendarEntry,
) -> int:
    sent, failed = 0, []
    if not outgoing:
        return 0
    with get_connection() as connection:
        for event, person, sequence, method, updated in outgoing:
            try:
                with for_recipient(person, organisation):
                    invitation_message(
                        event, organisation=organisation, recipient=person, sequence=sequence,
                        method=method, updated=updated, connection=connection,
                    ).send()  # fmt: skip
                sent += 1
            except Exception:
                logger.exception("calendar entry %s: invitation not sent", entry.pk)
                if method == "REQUEST":
                    failed.append(person.membership_id)
    if failed:
        # The next sync of this event sends them again.
        CalendarInvite.objects.filter(entry=entry, membership_id__in=failed).update(fingerprint="")
    return sent


# --- Private feeds -----------------------------------------------------------------------------


def feed_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def feed_token_new() -> str:
    return FEED_TOKEN_PREFIX + secrets.token_urlsafe(32)


def feed_owner(raw: str) -> Membership | None:
    """The membership whose live feed token this is, or None (unknown, revoked, archived)."""
    token = (
        CalendarFeedToken.objects.select_related("membership__organisation", "membership__user")
        .filter(
            token_hash=feed_token_hash(raw),
            revoked_at__isnull=True,
            organisation__archived_at__isnull=True,
            membership__deactivated_at__isnull=True,  # a leaver's feed (#18) answers 404
        )
        .first()
    )
    if token is None or token.membership.organisation_id != token.organisation_id:
        return None
    CalendarFeedToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.membership


def feed_events(membership: Membership, now: datetime | None = None) -> list[CalendarEvent]:
    """Every source's events of this person, from FEED_PAST ago to FEED_AHEAD on, by start."""
    now = now or timezone.now()
    since, until = now - FEED_PAST, now + FEED_AHEAD
    events = [
        event
        for source in calendar_sources()
        for event in source.feed(membership, since, until)
        if event.organisation_id == membership.organisation_id
    ]
    return sorted(events, key=_start_key)


def _start_key(event: CalendarEvent) -> datetime:
    if event.all_day:
        return datetime.combine(event.start, datetime.min.time(), tzinfo=UTC)
    return event.start


def feed_ics(membership: Membership, now: datetime | None = None) -> bytes:
    """The person's feed. Sequences come from what invitations stored, so a subscribed
    calendar and an accepted invitation agree on which copy is newest."""
    events = feed_events(membership, now)
    uids = [event_uid(event.code) for event in events]
    sequences = dict(
        CalendarEntry.objects.filter(
            organisation_id=membership.organisation_id, uid__in=uids
        ).values_list("uid", "sequence")
    )
    organisation = membership.organisation
    return ics_build(
        [(event, sequences.get(event_uid(event.code), 0)) for event in events],
        organisation=organisation,
        with_attendees=False,
        # Translators: the name of a person's calendar feed in their calendar program.
        name=_("%(organisation)s: my sessions") % {"organisation": organisation.name},
    )


# --- Training and consultation sessions (this app's own source) ---------------------------------


def _session_event(session: Session, attendees: tuple[Attendee, ...]) -> CalendarEvent:
    from django.urls import reverse

    organizer_name, organizer_email = organisation_organizer()
    slug = session.organisation.slug
    return CalendarEvent(
        source="session",
        code=str(session.code),
        organisation_id=session.organisation_id,
        title=session.title,
        start=session.starts_at,
        end=session.starts_at + timedelta(minutes=session.duration_minutes),
        description=session.programme.name,
        path=reverse("programme-session-detail", kwargs={"org": slug, "code": session.code}),
        organizer_name=session.organisation.name or organizer_name,
        organizer_email=organizer_email,
        attendees=attendees,
    )


def _session_by_code(organisation_id: int, code: str) -> CalendarEvent | None:
    session = (
        Session.objects.select_related("organisation", "programme")
        .filter(organisation_id=organisation_id, code=code)
        .first()
    )
    if session is None:
        return None
    rows = (
        SessionAttendance.objects.filter(
            session=session,
            participant__organisation_id=organisation_id,
            participant__membership__deactivated_at__isnull=True,  # leavers (#18) are not invited
        )
        .select_related("participant__membership__user")
        .order_by("participant_id")
    )
    attendees = tuple(
        Attendee(
            row.participant.membership_id,
            row.participant.membership.user.get_full_name(),
            row.participant.membership.user.email,
            row.participant.membership.user.language,
            row.participant.membership.user.time_zone,
        )
        for row in rows
    )
    return _session_event(session, attendees)


def _sessions_of(membership: Membership, since: datetime, until: datetime) -> list[CalendarEvent]:
    sessions = Session.objects.filter(
        organisation_id=membership.organisation_id,
        attendance__participant__membership=membership,
        starts_at__gte=since,
        starts_at__lte=until,
    ).select_related("organisation", "programme")
    return [_session_event(session, ()) for session in sessions]


register_calendar_source(CalendarSource(name="session", event=_session_by_code, feed=_sessions_of))


def feed_token_live(membership: Membership) -> CalendarFeedToken | None:
    return CalendarFeedToken.objects.filter(
        organisation_id=membership.organisation_id, membership=membership, revoked_at__isnull=True
    ).first()
