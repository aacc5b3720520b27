"""The weekly personal e-mail: content, once per person and week, opt-out honoured."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from metrics import rollups, summaries
from metrics.models import ParticipantWeek, WeeklySummary
from programme import services
from programme.models import EmailKind, EmailMode, Role
from tests.factories import member

MONDAY_8 = datetime(2026, 11, 23, 8, tzinfo=UTC)  # Monday 08:00 UTC
LAST_WEEK = date(2026, 11, 16)


@pytest.fixture
def people(org):
    org.time_zone = "UTC"
    org.save()
    regular = member(org, Role.SELLER)
    for ago in range(1, 8):
        ParticipantWeek.objects.create(
            organisation=org, participant=regular.participant,
            week=LAST_WEEK - timedelta(weeks=ago - 1), posts=1, reactions_received=4,
            interactions_tracked=True,
        )  # fmt: skip
    quiet = member(org, Role.SELLER)
    not_joined = member(org, Role.SELLER)
    not_joined.joined_at = None
    not_joined.save()
    rollups.refresh_indicators(organisation_id=org.pk, today=MONDAY_8.date())
    return regular, quiet, not_joined


def test_each_joined_participant_gets_one_summary_of_last_week(org, people):
    regular, quiet, not_joined = people
    sent = summaries.weekly_summaries_send(organisation_id=org.pk, now=MONDAY_8)
    assert sent == 2 and len(mail.outbox) == 2
    by_to = {m.to[0]: m for m in mail.outbox}
    assert not_joined.user.email not in by_to
    message = by_to[regular.user.email]
    assert "7 weeks in a row" in message.subject
    assert "Active weeks, last 8: 7 of 8" in message.body
    assert "Interactions received, last 8 weeks: 28" in message.body
    assert "Next step:" in message.body and "case study" in message.body  # handles the skill
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert "<strong>7 weeks</strong>" in html
    assert "Start small" in by_to[quiet.user.email].body
    # Again an hour later, or twice: nobody gets it twice.
    assert summaries.weekly_summaries_send(organisation_id=org.pk, now=MONDAY_8) == 0
    later = MONDAY_8 + timedelta(hours=5)
    assert summaries.weekly_summaries_send(organisation_id=org.pk, now=later) == 0
    assert len(mail.outbox) == 2
    assert WeeklySummary.objects.filter(week=LAST_WEEK, sent_at__isnull=False).count() == 2


def test_nothing_before_monday_seven_local_time(org, people):
    org.time_zone = "America/New_York"  # 08:00 UTC is 03:00 there
    org.save()
    assert summaries.weekly_summaries_send(organisation_id=org.pk, now=MONDAY_8) == 0
    assert mail.outbox == []


def test_opt_out_is_honoured_even_after_queueing(org, people):
    regular, quiet, _ = people
    services.email_preference_set(
        membership=quiet, kind=EmailKind.WEEKLY_SUMMARY, mode=EmailMode.OFF
    )
    summaries.weekly_summaries_queue(organisation=org, week=LAST_WEEK)
    services.email_preference_set(
        membership=regular, kind=EmailKind.WEEKLY_SUMMARY, mode=EmailMode.OFF
    )
    assert summaries.weekly_summaries_send(organisation_id=org.pk, now=MONDAY_8) == 0
    assert mail.outbox == []


def test_unsubscribe_link_in_the_mail_turns_it_off(org, people, client):
    regular, _, _ = people
    summaries.weekly_summaries_send(organisation_id=org.pk, now=MONDAY_8)
    message = next(m for m in mail.outbox if m.to == [regular.user.email])
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    assert services.email_mode(membership=regular, kind=EmailKind.WEEKLY_SUMMARY) == "immediate"
    assert client.post("/" + path).status_code == 200  # one click, no sign-in, no CSRF token
    assert services.email_mode(membership=regular, kind=EmailKind.WEEKLY_SUMMARY) == "off"
    forged = reverse("programme-email-unsubscribe", args=["forged-token"])
    assert client.post(forged).status_code == 404


def _wait_until_sent(expected: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        # A row is claimed (sent_at) before its mail leaves: wait for the mail itself too.
        if (
            WeeklySummary.objects.filter(sent_at__isnull=False).count() >= expected
            and len(mail.outbox) >= expected
        ):
            return
        time.sleep(0.1)


def test_beat_task_sends_through_the_real_worker(org, people, celery_worker):
    from metrics import tasks

    regular, quiet, _ = people
    week, _ = summaries.summary_week(org)  # whatever the real clock says
    summaries.weekly_summaries_queue(organisation=org, week=week)
    tasks.weekly_summaries_all.delay()  # what beat calls: one task per organisation
    _wait_until_sent(2)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([regular.user.email, quiet.user.email])
    tasks.weekly_summaries_send.delay(org.pk)
    time.sleep(1)
    assert len(mail.outbox) == 2


def test_the_e_mail_streak_is_the_one_my_progress_shows(org):
    """Posts in weeks 2-7 before last week, nothing last week: still regular, so the streak
    My progress shows runs through the quiet week (7), and the e-mail says the same."""
    org.time_zone = "UTC"
    org.save()
    seller = member(org, Role.SELLER)
    for ago in range(1, 7):
        ParticipantWeek.objects.create(
            organisation=org, participant=seller.participant,
            week=LAST_WEEK - timedelta(weeks=ago), posts=1,
        )  # fmt: skip
    rollups.refresh_indicators(organisation_id=org.pk, today=MONDAY_8.date())
    summary = WeeklySummary.objects.create(
        organisation=org, participant=seller.participant, week=LAST_WEEK
    )
    assert summaries.summary_context(summary)["streak"] == 7
