"""Training and consultation sessions, cycles, attendance, management meetings. Each write
takes the acting membership (`by`) and asks `programme.policies` itself."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from programme import policies
from programme.calendar import calendar_queue
from programme.models import (
    ConsultationCycle,
    FollowUp,
    ManagementMeeting,
    Membership,
    Participant,
    Programme,
    Session,
    SessionAttendance,
    SessionKind,
    WaveMember,
)


def _expect_wave(session: Session) -> None:
    """Everyone in the session's wave is expected; people added later are added here too."""
    if session.wave_id is None:
        return
    members = WaveMember.objects.filter(wave_id=session.wave_id).values_list(
        "participant_id", flat=True
    )
    SessionAttendance.objects.bulk_create(
        [SessionAttendance(session=session, participant_id=pid) for pid in members],
        ignore_conflicts=True,
    )


def session_save(
    *,
    programme: Programme,
    by: Membership,
    data: dict[str, object],
    session: Session | None = None,
) -> Session:
    policies.require(
        policies.can_manage_programme(by),
        by,
        programme.organisation_id,
        "Only the programme team plans sessions.",
    )
    session = session or Session(organisation_id=programme.organisation_id, programme=programme)
    for name, value in data.items():
        setattr(session, name, value)
    with transaction.atomic():
        session.save()
        _expect_wave(session)
        calendar_queue(source="session", code=session.code, organisation_id=session.organisation_id)
    return session


def cycle_create(
    *, programme: Programme, by: Membership, data: dict[str, object]
) -> ConsultationCycle:
    """A consultation cycle and its sessions (every N weeks for the wave), in one go."""
    policies.require(
        policies.can_manage_programme(by),
        by,
        programme.organisation_id,
        "Only the programme team plans consultation cycles.",
    )
    with transaction.atomic():
        cycle = ConsultationCycle.objects.create(programme=programme, **data)
        sessions = [
            Session(
                organisation_id=programme.organisation_id,
                programme=programme,
                kind=SessionKind.CONSULTATION,
                # Translators: the title given to each session of a consultation cycle: its
                # number in the cycle, then the wave's name. People may rename it.
                title=gettext("Consultation %(number)d · %(wave)s")
                % {"number": index + 1, "wave": cycle.wave},
                starts_at=cycle.first_at + timedelta(weeks=cycle.every_weeks * index),
                duration_minutes=cycle.duration_minutes,
                track=cycle.track,
                wave=cycle.wave,
                cycle=cycle,
                cycle_sequence=index + 1,
            )
            for index in range(cycle.occurrences)
        ]
        Session.objects.bulk_create(sessions, ignore_conflicts=True)
        members = list(
            WaveMember.objects.filter(wave=cycle.wave).values_list("participant_id", flat=True)
        )
        SessionAttendance.objects.bulk_create(
            [
                SessionAttendance(session=session, participant_id=pid)
                for session in Session.objects.filter(cycle=cycle)
                for pid in members
            ],
            ignore_conflicts=True,
        )
        for code in Session.objects.filter(cycle=cycle).values_list("code", flat=True):
            calendar_queue(source="session", code=code, organisation_id=programme.organisation_id)
    return cycle


def attendance_record(*, session: Session, by: Membership, present: Iterable[int]) -> None:
    """Tick who came: everyone expected and listed attended, the others missed it."""
    policies.require(
        policies.can_record_attendance(by),
        by,
        session.organisation_id,
        "Only the programme team records attendance.",
    )
    present = set(present)
    with transaction.atomic():
        SessionAttendance.objects.bulk_create(
            [SessionAttendance(session=session, participant_id=pid) for pid in present],
            ignore_conflicts=True,
        )
        # Someone not expected came: their calendar gets the session too (the sync sends
        # nothing when everyone present was already invited).
        calendar_queue(source="session", code=session.code, organisation_id=session.organisation_id)
        SessionAttendance.objects.filter(session=session, participant_id__in=present).update(
            attended=True
        )
        SessionAttendance.objects.filter(session=session).exclude(
            participant_id__in=present
        ).update(attended=False)


def meeting_create(
    *,
    programme: Programme,
    by: Membership,
    held_on: object,
    attendees: Iterable[Membership],
    notes: str,
    decisions: str,
) -> ManagementMeeting:
    policies.require(
        policies.can_manage_meetings(by),
        by,
        programme.organisation_id,
        "Only the sponsor, a manager or a consultant records management meetings.",
    )
    meeting = ManagementMeeting.objects.create(
        programme=programme, held_on=held_on, notes=notes, decisions=decisions
    )
    meeting.attendees.set(attendees)
    return meeting


def follow_up_add(
    *, meeting: ManagementMeeting, by: Membership, text: str, owner: Membership, due_on: object
) -> FollowUp:
    policies.require(
        policies.can_manage_meetings(by),
        by,
        meeting.programme.organisation_id,
        "Only the sponsor, a manager or a consultant adds follow-ups.",
    )
    return FollowUp.objects.create(
        meeting=meeting, programme_id=meeting.programme_id, text=text, owner=owner, due_on=due_on
    )


def follow_up_done(*, follow_up: FollowUp, by: Membership) -> bool:
    policies.require(
        policies.can_close_follow_up(by, follow_up),
        by,
        follow_up.programme.organisation_id,
        "Only its owner or those who run the meetings close a follow-up.",
    )
    return bool(
        FollowUp.objects.filter(pk=follow_up.pk, done_at__isnull=True).update(
            done_at=timezone.now()
        )
    )


# --- Calendar invitations: deleting a session cancels it in its attendees' calendars ---


def session_delete(*, session: Session, by: Membership) -> None:
    policies.require(
        policies.can_manage_programme(by),
        by,
        session.organisation_id,
        "Only the programme team cancels sessions.",
    )
    with transaction.atomic():
        Session.objects.filter(pk=session.pk, organisation_id=session.organisation_id).delete()
        calendar_queue(source="session", code=session.code, organisation_id=session.organisation_id)


def session_attendees_add(
    *, session: Session, by: Membership, participants: Iterable[Participant]
) -> int:
    """Expect more people at a session (beyond its wave); each gets an invitation."""
    policies.require(
        policies.can_manage_programme(by),
        by,
        session.organisation_id,
        "Only the programme team invites people to sessions.",
    )
    ids = [p.pk for p in participants if p.organisation_id == session.organisation_id]
    with transaction.atomic():
        created = SessionAttendance.objects.bulk_create(
            [SessionAttendance(session=session, participant_id=pid) for pid in ids],
            ignore_conflicts=True,
        )
        calendar_queue(source="session", code=session.code, organisation_id=session.organisation_id)
    return len(created)


__all__ = [
    "attendance_record",
    "cycle_create",
    "follow_up_add",
    "follow_up_done",
    "meeting_create",
    "session_attendees_add",
    "session_delete",
    "session_save",
]
