"""Kick-off sessions in people's calendars: the kickoff app's calendar source (registered in
KickoffConfig.ready). Invitations and feeds are built and sent by programme.calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.urls import reverse

from kickoff.formats import agenda_steps_lenient
from kickoff.models import KickoffSession
from programme.calendar import (
    Attendee,
    CalendarEvent,
    CalendarSource,
    organisation_organizer,
    register_calendar_source,
)
from programme.models import Membership
from programme.tenancy import organisation_zone

SOURCE = "kickoff"
# A kick-off with a start time and no timed agenda is held for this long.
DEFAULT_MINUTES = 120


def _times(session: KickoffSession) -> tuple[datetime | date, datetime | date]:
    """An all-day event on its day when no start time was given; otherwise the start in the
    organisation's zone, for the length of its agenda."""
    if session.starts_at is None:
        return session.held_on, session.held_on + timedelta(days=1)
    zone = organisation_zone(session.organisation)
    start = datetime.combine(session.held_on, session.starts_at, tzinfo=zone)
    minutes = sum(step.minutes for step in agenda_steps_lenient(session.agenda or ""))
    return start, start + timedelta(minutes=minutes or DEFAULT_MINUTES)


def _event(session: KickoffSession, attendees: tuple[Attendee, ...]) -> CalendarEvent:
    start, end = _times(session)
    organizer_name, organizer_email = organisation_organizer()
    facilitator = session.facilitator
    if facilitator is not None and facilitator.organisation_id == session.organisation_id:
        organizer_name = facilitator.user.get_full_name() or facilitator.user.email
        organizer_email = facilitator.user.email
    # The join page: every attendee may open it (the board is the programme team's only).
    path = reverse(
        "kickoff-join", kwargs={"org": session.organisation.slug, "join_code": session.join_code}
    )
    return CalendarEvent(
        source=SOURCE,
        code=str(session.code),
        organisation_id=session.organisation_id,
        title=session.title,
        start=start,
        end=end,
        description=session.programme.name,
        path=path,
        organizer_name=organizer_name,
        organizer_email=organizer_email,
        attendees=attendees,
    )


def _related():
    return KickoffSession.objects.select_related("organisation", "programme", "facilitator__user")


def kickoff_event(organisation_id: int, code: str) -> CalendarEvent | None:
    session = _related().filter(organisation_id=organisation_id, code=code).first()
    if session is None:
        return None
    people = (
        session.attendees.active()  # leavers (#18) are not invited
        .filter(organisation_id=organisation_id)
        .select_related("user")
        .order_by("pk")
    )
    attendees = tuple(
        Attendee(
            person.pk,
            person.user.get_full_name(),
            person.user.email,
            person.user.language,
            person.user.time_zone,
        )
        for person in people
    )
    return _event(session, attendees)


def kickoffs_of(membership: Membership, since: datetime, until: datetime) -> list[CalendarEvent]:
    sessions = _related().filter(
        organisation_id=membership.organisation_id,
        attendees=membership,
        held_on__gte=since.date(),
        held_on__lte=until.date(),
    )
    return [_event(session, ()) for session in sessions]


def register() -> None:
    register_calendar_source(CalendarSource(name=SOURCE, event=kickoff_event, feed=kickoffs_of))
