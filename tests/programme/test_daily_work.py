"""Issue #27, the programme team's daily work: meetings, sessions, e-mail switches, time zones."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from programme import services
from programme.models import Role
from tests.factories import member


@pytest.fixture
def programme(org):
    sponsor = member(org, Role.SPONSOR)
    return services.programme_save(
        organisation=org,
        data={
            "name": "Social selling",
            "start_date": timezone.localdate() - datetime.timedelta(days=90),
            "problem_flag_days": 7,
            "meeting_cadence_days": 14,
        },
        sponsors=[sponsor],
        consultants=[],
    )


def test_meetings_page_lists_newest_first_and_drops_the_cadence_flag_after_a_meeting(
    org, programme, login
):
    manager = member(org, Role.MANAGER)
    today = timezone.localdate()
    for days_ago in (60, 40):
        services.meeting_create(
            programme=programme, held_on=today - datetime.timedelta(days=days_ago),
            attendees=[manager], notes="", decisions="",
        )  # fmt: skip
    url = reverse("programme-meeting-list", args=[org.slug, programme.code])
    assert "The cadence was missed" in login(manager).get(url).content.decode()

    response = login(manager).post(url, {"held_on": today.isoformat(), "attendees": [manager.pk]})
    assert response.status_code == 302
    page = login(manager).get(url).content.decode()
    assert "The cadence was missed" not in page
    shown = [
        page.index(f"Management meeting {today - datetime.timedelta(days=d):%d %b %Y}")
        for d in (0, 40, 60)
    ]
    assert shown == sorted(shown), "the newest meeting comes first"


def test_sessions_and_a_cycles_sessions_are_listed_in_date_order(org, programme, login):
    consultant = member(org, Role.CONSULTANT)
    wave = services.wave_create(programme=programme, name="W", start_date=timezone.localdate())
    now = timezone.now()
    # Entered out of order: the latest first.
    for title, days in (("Third", 30), ("First", 2), ("Second", 9)):
        services.session_save(
            programme=programme,
            data={"kind": "training", "title": title, "wave": wave,
                  "starts_at": now + datetime.timedelta(days=days), "duration_minutes": 60},
        )  # fmt: skip
    services.cycle_create(
        programme=programme,
        data={"wave": wave, "first_at": now + datetime.timedelta(days=1),
              "every_weeks": 1, "occurrences": 3, "duration_minutes": 60},
    )  # fmt: skip
    page = (
        login(consultant)
        .get(reverse("programme-session-list", args=[org.slug, programme.code]))
        .content.decode()
    )
    order = ("Consultation 1 ", "First", "Consultation 2 ", "Second", "Consultation 3 ", "Third")
    rows = [page.index(t) for t in order]
    assert rows == sorted(rows)
