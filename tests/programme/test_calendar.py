"""Calendar invitations: iCalendar content, and REQUEST / CANCEL e-mails on create, change,
attendee removal and delete, for programme sessions and kick-offs."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.urls import reverse

from kickoff import services as kickoff_services
from programme import calendar, services
from programme.models import CalendarEntry, Role, Session, SessionAttendance
from tests.factories import member

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def synced(monkeypatch, django_capture_on_commit_callbacks):
    """Run the invitations a write queues, as the worker would after the commit."""
    from programme import tasks

    monkeypatch.setattr(
        tasks.calendar_sync,
        "delay",
        lambda source, code, organisation_id: calendar.calendar_sync(
            source=source, code=code, organisation_id=organisation_id
        ),
    )

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def paris(org):
    org.time_zone = "Europe/Paris"
    org.save()
    return org


@pytest.fixture
def people(paris):
    return [member(paris, Role.SELLER) for _ in range(3)]


def _plan(synced, programme, consultant, people, starts_at, title="Hands-on posting"):
    session = synced(
        services.session_save,
        programme=programme,
        by=consultant,
        data={
            "kind": "training",
            "title": title,
            "starts_at": starts_at,
            "duration_minutes": 240,
            "practice_minutes": 120,
        },
    )
    _expect(synced, session, consultant, people)
    return session


def _expect(synced, session, consultant, people):
    """Expect exactly these people (as a wave would), then let the calendar catch up."""
    SessionAttendance.objects.filter(session=session).exclude(
        participant__in=[p.participant for p in people]
    ).delete()
    SessionAttendance.objects.bulk_create(
        [SessionAttendance(session=session, participant=p.participant) for p in people],
        ignore_conflicts=True,
    )
    synced(
        calendar.calendar_queue,
        source="session",
        code=session.code,
        organisation_id=session.organisation_id,
    )


def _ics(message) -> icalendar.Calendar:
    alternative = next(c for c, mimetype in message.alternatives if "text/calendar" in mimetype)
    return icalendar.Calendar.from_ical(alternative)


def _event(message) -> icalendar.Event:
    return next(iter(_ics(message).walk("VEVENT")))


def _by_recipient() -> dict[str, object]:
    return {message.to[0]: message for message in mail.outbox}


SUMMER = datetime.datetime(2027, 7, 6, 9, 0, tzinfo=PARIS)  # CEST, UTC+2
WINTER = datetime.datetime(2027, 1, 12, 9, 0, tzinfo=PARIS)  # CET, UTC+1


def test_invitation_is_a_request_with_zone_uid_sequence_and_attendees(
    synced, paris, programme, consultant, people
) -> None:
    mail.outbox.clear()
    session = _plan(synced, programme, consultant, people, SUMMER)
    messages = _by_recipient()
    assert set(messages) == {p.user.email for p in people}
    message = messages[people[0].user.email]
    assert message.subject == "Invitation: Hands-on posting"
    assert "Hands-on posting" in message.body and "Europe/Paris" in message.body
    # The calendar part and the attachment carry the same invitation.
    mimetypes = [mimetype for _content, mimetype in message.alternatives]
    assert "text/calendar; method=REQUEST" in mimetypes
    assert message.attachments[0][0] == "invite.ics"
    assert message.attachments[0][2] == "application/ics"
    parsed = _ics(message)
    assert parsed["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/Paris"]
    event = _event(message)
    assert str(event["UID"]) == f"{session.code}@localhost"
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    # 09:00 in Paris in July is 07:00 UTC (summer time).
    assert start.astimezone(datetime.UTC).hour == 7 and start.hour == 9
    assert end - start == datetime.timedelta(minutes=240)
    # Each copy names its own recipient only: the invitees never receive each other's addresses.
    for person in people:
        listed = _event(messages[person.user.email]).get("ATTENDEE")  # a list if several
        assert isinstance(listed, str) and listed == f"mailto:{person.user.email}"
        sent = messages[person.user.email]
        parts = [sent.body, *(c for c, _m in sent.alternatives), sent.attachments[0][1].decode()]
        others = {p.user.email for p in people} - {person.user.email}
        assert not [email for email in others if any(email in part for part in parts)]
    assert str(event["ORGANIZER"]).startswith("mailto:")
    # The raw text says TZID and local time, as calendars read it.
    raw = message.alternatives[0][0]
    assert "DTSTART;TZID=Europe/Paris:20270706T090000" in raw


def test_winter_time_is_one_hour_from_utc(synced, paris, programme, consultant, people) -> None:
    mail.outbox.clear()
    _plan(synced, programme, consultant, people[:1], WINTER)
    start = _event(mail.outbox[0]).decoded("DTSTART")
    assert start.astimezone(datetime.UTC).hour == 8  # CET: UTC+1


def test_change_sends_update_with_higher_sequence_and_same_uid(
    synced, paris, programme, consultant, people
) -> None:
    session = _plan(synced, programme, consultant, people, SUMMER)
    first_uid = str(_event(mail.outbox[0])["UID"])
    mail.outbox.clear()
    # Saving without a change sends nothing.
    synced(services.session_save, programme=programme, by=consultant, data={}, session=session)
    assert mail.outbox == []
    synced(
        services.session_save,
        programme=programme,
        by=consultant,
        data={"starts_at": SUMMER + datetime.timedelta(hours=2)},
        session=session,
    )
    assert {m.to[0] for m in mail.outbox} == {p.user.email for p in people}
    message = mail.outbox[0]
    assert message.subject == "Updated: Hands-on posting"
    event = _event(message)
    assert str(event["UID"]) == first_uid and event["SEQUENCE"] == 1
    assert event.decoded("DTSTART").hour == 11
    assert CalendarEntry.objects.get(uid=first_uid).sequence == 1


def test_new_attendee_alone_gets_the_invitation(
    synced, paris, programme, consultant, people
) -> None:
    session = _plan(synced, programme, consultant, people[:2], SUMMER)
    mail.outbox.clear()
    _expect(synced, session, consultant, people)
    assert [m.to[0] for m in mail.outbox] == [people[2].user.email]
    assert _ics(mail.outbox[0])["METHOD"] == "REQUEST"


def test_removed_attendee_alone_gets_a_cancellation(
    synced, paris, programme, consultant, people
) -> None:
    session = _plan(synced, programme, consultant, people, SUMMER)
    mail.outbox.clear()
    _expect(synced, session, consultant, people[:2])
    assert [m.to[0] for m in mail.outbox] == [people[2].user.email]
    message = mail.outbox[0]
    assert message.subject == "Cancelled: Hands-on posting"
    parsed = _ics(message)
    assert parsed["METHOD"] == "CANCEL"
    event = _event(message)
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1
    assert str(event["UID"]) == f"{session.code}@localhost"
    # Back again: a fresh invitation that outranks the cancellation.
    mail.outbox.clear()
    _expect(synced, session, consultant, people)
    assert [m.to[0] for m in mail.outbox] == [people[2].user.email]
    assert _ics(mail.outbox[0])["METHOD"] == "REQUEST"
    assert _event(mail.outbox[0])["SEQUENCE"] == 1


def test_delete_cancels_for_everyone(synced, paris, programme, consultant, people, login) -> None:
    session = _plan(synced, programme, consultant, people, SUMMER)
    mail.outbox.clear()
    url = reverse("programme-session-delete", args=[paris.slug, session.code])
    assert login(people[0]).post(url).status_code == 403  # a seller cancels nothing
    assert mail.outbox == [] and Session.objects.filter(pk=session.pk).exists()
    with_commit = synced(login(consultant).post, url)
    assert with_commit.status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists()
    assert {m.to[0] for m in mail.outbox} == {p.user.email for p in people}
    for message in mail.outbox:
        assert _ics(message)["METHOD"] == "CANCEL"
        event = _event(message)
        assert str(event["UID"]) == f"{session.code}@localhost"
        assert event["SUMMARY"] == "Hands-on posting"
        assert event.decoded("DTSTART") == SUMMER
    # Running the task again sends nothing more.
    mail.outbox.clear()
    calendar.calendar_sync(source="session", code=str(session.code), organisation_id=paris.pk)
    assert mail.outbox == []


def test_sync_twice_sends_once(synced, paris, programme, consultant, people) -> None:
    session = _plan(synced, programme, consultant, people, SUMMER)
    mail.outbox.clear()
    assert (
        calendar.calendar_sync(source="session", code=str(session.code), organisation_id=paris.pk)
        == 0
    )
    assert mail.outbox == []


def test_kickoff_without_time_is_an_all_day_event(synced, paris, programme, consultant) -> None:
    sellers = [member(paris, Role.SELLER) for _ in range(2)]
    mail.outbox.clear()
    day = datetime.date(2027, 3, 30)
    session = synced(
        kickoff_services.kickoff_save,
        programme=programme,
        by=consultant,
        data={"title": "Kick-off Nordics", "held_on": day, "facilitator": consultant},
        attendees=sellers,
    )
    assert {m.to[0] for m in mail.outbox} == {s.user.email for s in sellers}
    event = _event(mail.outbox[0])
    assert event.decoded("DTSTART") == day
    assert event.decoded("DTEND") == day + datetime.timedelta(days=1)
    assert str(event["ORGANIZER"]) == f"mailto:{consultant.user.email}"
    # A start time makes it a timed event in the organisation's zone: an update, same UID.
    mail.outbox.clear()
    synced(
        kickoff_services.kickoff_save,
        programme=programme,
        by=consultant,
        data={"starts_at": datetime.time(14, 30)},
        attendees=sellers[:1],
        session=session,
    )
    by_to = _by_recipient()
    assert _ics(by_to[sellers[0].user.email])["METHOD"] == "REQUEST"
    assert _ics(by_to[sellers[1].user.email])["METHOD"] == "CANCEL"
    event = _event(by_to[sellers[0].user.email])
    assert str(event["UID"]) == f"{session.code}@localhost"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART") == datetime.datetime(2027, 3, 30, 14, 30, tzinfo=PARIS)


def test_invitations_only_reach_the_organisation_people(
    synced, paris, other_org, programme, consultant
) -> None:
    """A membership of another organisation smuggled into the attendees gets nothing."""
    outsider = member(other_org, Role.SELLER)
    mail.outbox.clear()
    session = _plan(synced, programme, consultant, [], SUMMER)
    SessionAttendance.objects.create(session=session, participant=outsider.participant)
    calendar.calendar_sync(source="session", code=str(session.code), organisation_id=paris.pk)
    assert mail.outbox == []
    # Nor does another organisation's id find this session.
    assert (
        calendar.calendar_sync(
            source="session", code=str(session.code), organisation_id=other_org.pk
        )
        == 0
    )
