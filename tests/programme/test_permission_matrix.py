"""Every programme action for every role: allowed roles succeed, the others are refused."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from programme import services
from programme.models import (
    Announcement,
    AnnouncementRecipient,
    ConsultationCycle,
    FollowUp,
    ManagementMeeting,
    Membership,
    Organisation,
    Participant,
    Problem,
    Programme,
    Question,
    Risk,
    Role,
    RosterImport,
    Session,
    SessionAttendance,
    Team,
    Wave,
    WaveMember,
)
from tests.factories import MembershipFactory, foreign_world, member

ALL = set(Role)
SPONSOR = {Role.SPONSOR}
LEADS = {Role.SPONSOR, Role.CONSULTANT}
STAFF = {Role.CONSULTANT, Role.ADMIN}
OVERSIGHT = {Role.SPONSOR, Role.CONSULTANT, Role.ADMIN}
MEETINGS = {Role.SPONSOR, Role.CONSULTANT, Role.MANAGER}


def _soon() -> str:
    return (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")


# action: (method, url name, object key, data, roles allowed)
ACTIONS = {
    "create programme": (
        "post", "programme-programme-list", None,
        lambda w: {"name": "Second", "start_date": "2027-01-04", "current_phase": "kickoff",
                   "problem_flag_days": 14, "meeting_cadence_days": 14},
        STAFF,
    ),
    "edit programme": ("get", "programme-programme-edit", "programme", None, STAFF),
    "add a wave": (
        "post", "programme-wave-create", "programme", lambda w: {"start_date": "2027-02-01"}, STAFF
    ),
    "see a wave": ("get", "programme-wave-detail", "wave", None, OVERSIGHT | {Role.MANAGER}),
    "add wave members": (
        "post", "programme-wave-detail", "wave",
        lambda w: {"participants": [w["extra"].participant.pk]}, STAFF,
    ),
    "write a risk": (
        "post", "programme-risk-create", "programme",
        lambda w: {"title": "r", "what_may_happen": "m", "what_we_do": "d"}, LEADS,
    ),
    "read the programme": ("get", "programme-programme-detail", "programme", None, ALL),
    "raise a problem": (
        "post", "programme-problem-list", "programme",
        lambda w: {"title": "t", "description": "d"}, ALL,
    ),
    "triage a problem": (
        "post", "programme-problem-detail", "problem",
        lambda w: {"status": "in_progress", "resolution": ""}, LEADS,
    ),
    "draft an announcement": (
        "post", "programme-announcement-create", "programme",
        lambda w: {"title": "t", "body": "b", "audience": "organisation"}, LEADS,
    ),
    "publish an announcement": ("post", "programme-announcement-publish", "draft", None, SPONSOR),
    "read an announcement": ("get", "programme-announcement-detail", "announcement", None, ALL),
    "see reach": ("get", "programme-announcement-reach", "announcement", None, OVERSIGHT),
    "send reminders": ("post", "programme-announcement-remind", "announcement", None, SPONSOR),
    "ask a question": (
        "post", "programme-question-ask", "announcement", lambda w: {"body": "why?"}, ALL
    ),
    "answer a question": (
        "post", "programme-question-answer", "question", lambda w: {"answer": "because"}, LEADS
    ),
    "plan a session": (
        "post", "programme-session-list", "programme",
        lambda w: {"kind": "consultation", "title": "c", "starts_at": _soon(),
                   "duration_minutes": 90, "practice_minutes": 30, "track": "seller"},
        STAFF,
    ),
    "record attendance": ("post", "programme-session-detail", "session", lambda w: {}, STAFF),
    "see management meetings": (
        "get", "programme-meeting-list", "programme", None, OVERSIGHT | {Role.MANAGER}
    ),
    "record a management meeting": (
        "post", "programme-meeting-list", "programme",
        lambda w: {"held_on": timezone.localdate().isoformat()},
        LEADS | {Role.MANAGER},
    ),
    "close someone's follow-up": (
        "post", "programme-follow-up-done", "follow_up", None, LEADS | {Role.MANAGER}
    ),
}  # fmt: skip


@pytest.mark.parametrize("role", sorted(Role))
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_permission_matrix(org, login, action, role):
    method, name, key, data, allowed = ACTIONS[action]
    actor = member(org, role)  # before publication, so announcements reach them
    world = foreign_world(org)  # here it is this organisation's own world
    world["extra"] = member(org, Role.SELLER)
    kwargs = {"org": org.slug}
    if key:
        kwargs["code"] = world[key].code
    client = login(actor)
    response = getattr(client, method)(reverse(name, kwargs=kwargs), data(world) if data else {})
    if role in allowed:
        assert response.status_code in (200, 302), (action, role, response.status_code)
        if response.status_code == 302:
            follow = client.get(response["Location"])
            assert follow.status_code == 200
    else:
        assert response.status_code in (403, 404), (action, role, response.status_code)


# --- The same rules, asked by the write services themselves ------------------------------------


def _now_plus(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


# service: (call(world, actor), roles allowed, changed(world))
SERVICES = {
    "programme_save": (
        lambda w, by: services.programme_save(
            organisation=w["programme"].organisation, by=by, data={"name": "By a service",
            "start_date": timezone.localdate()}, sponsors=[], consultants=[]),
        STAFF, lambda w: Programme.objects.filter(name="By a service").exists(),
    ),
    "wave_create": (
        lambda w, by: services.wave_create(
            programme=w["programme"], by=by, name="Second", start_date=timezone.localdate()),
        STAFF, lambda w: Wave.objects.filter(name="Second").exists(),
    ),
    "wave_rename": (
        lambda w, by: services.wave_rename(wave=w["wave"], by=by, name="Pioneers"),
        STAFF, lambda w: Wave.objects.filter(name="Pioneers").exists(),
    ),
    "wave_add_members": (
        lambda w, by: services.wave_add_members(
            wave=w["wave"], by=by, participants=[w["extra"].participant]),
        STAFF, lambda w: WaveMember.objects.filter(participant=w["extra"].participant).exists(),
    ),
    "wave_remove_member": (
        lambda w, by: services.wave_remove_member(
            wave=w["wave"], by=by, participant=w["participant"]),
        STAFF, lambda w: not WaveMember.objects.filter(participant=w["participant"]).exists(),
    ),
    "risk_save": (
        lambda w, by: services.risk_save(
            programme=w["programme"], by=by,
            data={"title": "By a service", "what_may_happen": "m", "what_we_do": "d"}),
        LEADS, lambda w: Risk.objects.filter(title="By a service").exists(),
    ),
    "problem_raise": (
        lambda w, by: services.problem_raise(
            programme=w["programme"], by=by, title="By a service", description="d",
            anonymous=False),
        ALL, lambda w: Problem.objects.filter(title="By a service").exists(),
    ),
    "problem_triage": (
        lambda w, by: services.problem_triage(
            problem=w["problem"], by=by, owner=None, status="in_progress", resolution=""),
        LEADS, lambda w: Problem.objects.get(pk=w["problem"].pk).status == "in_progress",
    ),
    "session_save": (
        lambda w, by: services.session_save(
            programme=w["programme"], by=by, data={"kind": "consultation",
            "title": "By a service", "starts_at": _now_plus(3), "duration_minutes": 60}),
        STAFF, lambda w: Session.objects.filter(title="By a service").exists(),
    ),
    "cycle_create": (
        lambda w, by: services.cycle_create(
            programme=w["programme"], by=by, data={"wave": w["wave"], "every_weeks": 1,
            "first_at": _now_plus(3), "occurrences": 2, "duration_minutes": 60}),
        STAFF, lambda w: ConsultationCycle.objects.exists(),
    ),
    "attendance_record": (
        lambda w, by: services.attendance_record(
            session=w["session"], by=by, present=[w["participant"].pk]),
        STAFF, lambda w: SessionAttendance.objects.filter(attended=True).exists(),
    ),
    "meeting_create": (
        lambda w, by: services.meeting_create(
            programme=w["programme"], by=by, held_on=timezone.localdate(), attendees=[],
            notes="By a service", decisions=""),
        MEETINGS, lambda w: ManagementMeeting.objects.filter(notes="By a service").exists(),
    ),
    "follow_up_add": (
        lambda w, by: services.follow_up_add(
            meeting=w["meeting"], by=by, text="By a service", owner=w["sponsor"],
            due_on=timezone.localdate()),
        MEETINGS, lambda w: FollowUp.objects.filter(text="By a service").exists(),
    ),
    "follow_up_done (someone else's)": (
        lambda w, by: services.follow_up_done(follow_up=w["follow_up"], by=by),
        MEETINGS, lambda w: FollowUp.objects.get(pk=w["follow_up"].pk).done_at is not None,
    ),
    "announcement_save": (
        lambda w, by: services.announcement_save(
            programme=w["programme"], author=by, title="By a service", body="b",
            audience="organisation"),
        LEADS, lambda w: Announcement.objects.filter(title="By a service").exists(),
    ),
    "announcement_publish": (
        lambda w, by: services.announcement_publish(announcement=w["draft"], publisher=by),
        SPONSOR, lambda w: Announcement.objects.get(pk=w["draft"].pk).status == "published",
    ),
    "announcement_remind": (
        lambda w, by: services.announcement_remind(announcement=w["announcement"], by=by),
        SPONSOR, lambda w: Announcement.objects.get(pk=w["announcement"].pk).reminder_rounds,
    ),
    "announcement_acknowledge (someone else's)": (
        lambda w, by: services.announcement_acknowledge(recipient=w["recipient"], by=by),
        set(), lambda w: AnnouncementRecipient.objects.filter(acknowledged_at__isnull=False)
        .exists(),
    ),
    "question_ask": (
        lambda w, by: services.question_ask(
            announcement=w["announcement"], author=by, body="By a service?", anonymous=False),
        ALL, lambda w: Question.objects.filter(body="By a service?").exists(),
    ),
    "question_answer": (
        lambda w, by: services.question_answer(question=w["question"], by=by, answer="Yes"),
        LEADS, lambda w: Question.objects.get(pk=w["question"].pk).answer == "Yes",
    ),
    "team_create": (
        lambda w, by: services.team_create(by=by, name="By a service"),
        STAFF, lambda w: Team.objects.filter(name="By a service").exists(),
    ),
    "participant_update (someone else's)": (
        lambda w, by: services.participant_update(
            participant=w["participant"], by=by, data={"segment": "By a service"}),
        STAFF, lambda w: Participant.objects.filter(segment="By a service").exists(),
    ),
    "invitation_resend": (
        lambda w, by: services.invitation_resend(membership=w["invitee"], by=by),
        STAFF, lambda w: Membership.objects.get(pk=w["invitee"].pk).invitation_sent_at is None,
    ),
    "roster_import_create": (
        lambda w, by: services.roster_import_create(by=by, filename="by-a-service.csv", rows=[]),
        STAFF, lambda w: RosterImport.objects.filter(filename="by-a-service.csv").exists(),
    ),
    "organisation_settings_change": (
        lambda w, by: services.organisation_settings_change(by=by, managers_see_individuals=True),
        {Role.ADMIN},
        lambda w: Organisation.objects.get(pk=w["programme"].organisation_id)
        .managers_see_individuals,
    ),
}  # fmt: skip


def service_world(org) -> dict:
    """One object of every kind the services act on, in `org`."""
    world = foreign_world(org)
    world["extra"] = member(org, Role.SELLER)
    world["invitee"] = MembershipFactory(
        organisation=org, joined_at=None, invitation_sent_at=timezone.now()
    )
    world["recipient"] = AnnouncementRecipient.objects.filter(
        membership__participant=world["participant"]
    ).first()
    Organisation.objects.filter(pk=org.pk).update(managers_see_individuals=False)
    return world


@pytest.mark.parametrize("role", sorted(Role))
@pytest.mark.parametrize("name", sorted(SERVICES))
def test_service_permission_matrix(org, name, role):
    """A write service is safe whoever calls it: it asks programme.policies itself."""
    call, allowed, changed = SERVICES[name]
    actor = member(org, role)
    world = service_world(org)
    if role in allowed:
        call(world, actor)
        assert changed(world), (name, role)
    else:
        with pytest.raises(PermissionDenied):
            call(world, actor)
        assert not changed(world), (name, role)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_services_refuse_another_organisations_objects(org, other_org, name):
    """Even an admin of another organisation is nobody here (settings: their own only)."""
    call, _allowed, changed = SERVICES[name]
    world = service_world(org)
    outsider_roles = [Role.ADMIN, Role.CONSULTANT, Role.SPONSOR]
    for role in outsider_roles:
        outsider = member(other_org, role)
        if name in {"team_create", "roster_import_create",
                    "organisation_settings_change"}:  # fmt: skip
            continue  # these act in the actor's own organisation by construction
        with pytest.raises(PermissionDenied):
            call(world, outsider)
    assert not changed(world), name
