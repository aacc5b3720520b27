"""Dates and times a person enters or reads are in the organisation's time zone (issue #27)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from programme import services
from programme.models import Notification, Role, Session
from tests.factories import member

UTC = datetime.UTC


def _programme(org):
    return services.programme_save(
        by=member(org, Role.CONSULTANT), organisation=org,
        data={"name": "Social selling", "start_date": datetime.date(2029, 1, 1),
              "problem_flag_days": 7, "meeting_cadence_days": 14},
        sponsors=[member(org, Role.SPONSOR)],
        consultants=[],
    )  # fmt: skip


def _plan(client, org, programme, starts_at: str, title: str):
    response = client.post(
        reverse("programme-session-list", args=[org.slug, programme.code]),
        {"kind": "consultation", "title": title, "starts_at": starts_at,
         "duration_minutes": 60, "practice_minutes": 45, "track": "seller"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    return Session.objects.get(title=title)


@pytest.mark.parametrize(
    ("zone", "entered", "stored_utc"),
    [
        ("Europe/Paris", "2030-01-15T14:00", datetime.datetime(2030, 1, 15, 13, 0, tzinfo=UTC)),
        ("Europe/Paris", "2030-07-15T14:00", datetime.datetime(2030, 7, 15, 12, 0, tzinfo=UTC)),
        # The United States move their clocks on 10 March 2030: the day before is UTC-5,
        # that day from 03:00 UTC-4.
        ("America/New_York", "2030-03-09T14:00", datetime.datetime(2030, 3, 9, 19, 0, tzinfo=UTC)),
        ("America/New_York", "2030-03-10T14:00", datetime.datetime(2030, 3, 10, 18, 0, tzinfo=UTC)),
    ],
)
def test_a_session_entered_for_14_00_is_14_00_in_the_organisations_zone(
    org, login, zone, entered, stored_utc
):
    org.time_zone = zone
    org.save()
    programme = _programme(org)
    client = login(member(org, Role.CONSULTANT))
    session = _plan(client, org, programme, entered, "Clinic")
    assert session.starts_at == stored_utc
    listing = client.get(reverse("programme-session-list", args=[org.slug, programme.code]))
    assert "14:00" in listing.content.decode()
    detail = client.get(reverse("programme-session-detail", args=[org.slug, session.code]))
    assert "14:00" in detail.content.decode()
    # The zone is the request's only: the next code on this thread is back in UTC.
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_meeting_held_today_in_paris_is_not_refused_as_future_while_utc_is_still_yesterday(
    org, login, monkeypatch
):
    """00:30 on 16 January in Paris is 23:30 on the 15th in UTC."""
    org.time_zone = "Europe/Paris"
    org.save()
    programme = _programme(org)
    manager = member(org, Role.MANAGER)
    late = datetime.datetime(2030, 1, 15, 23, 30, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: late)
    response = login(manager).post(
        reverse("programme-meeting-list", args=[org.slug, programme.code]),
        {"held_on": "2030-01-16", "attendees": [manager.pk]},
    )
    assert response.status_code == 302, "held today, in Paris"


def test_digest_e_mail_shows_times_in_the_recipients_organisation_zone(org):
    org.time_zone = "America/New_York"
    org.save()
    seller = member(org, Role.SELLER)
    services.notify(recipient=seller, kind="case_activity", text="Mia commented on your case")
    created = timezone.now().replace(hour=18, minute=5, second=0, microsecond=0)
    Notification.objects.update(created_at=created)
    # Sent the next day at noon UTC, after 07:00 in New York.
    next_noon = created.replace(hour=12, minute=0) + datetime.timedelta(days=1)
    assert services.daily_digests_send(organisation_id=org.pk, now=next_noon) == 1
    local = created.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M")
    body, html = mail.outbox[0].body, mail.outbox[0].alternatives[0][0]
    assert local in body and "18:05" not in body
    assert local in html and "18:05" not in html
