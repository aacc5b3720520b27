"""Every programme action for every role: allowed roles succeed, the others are refused."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from programme.models import Role
from tests.factories import foreign_world, member

ALL = set(Role)
SPONSOR = {Role.SPONSOR}
LEADS = {Role.SPONSOR, Role.CONSULTANT}
STAFF = {Role.CONSULTANT, Role.ADMIN}
OVERSIGHT = {Role.SPONSOR, Role.CONSULTANT, Role.ADMIN}


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
