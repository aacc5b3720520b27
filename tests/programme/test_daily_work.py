"""Issue #27, the programme team's daily work: meetings, sessions, e-mail switches, time zones."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from programme import services
from programme.models import Role
from tests.factories import member


def test_meetings_page_lists_newest_first_and_drops_the_cadence_flag_after_a_meeting(
    org, programme, login
):
    manager = member(org, Role.MANAGER)
    today = timezone.localdate()
    for days_ago in (60, 40):
        services.meeting_create(
            by=manager, programme=programme, held_on=today - datetime.timedelta(days=days_ago),
            attendees=[manager], notes="", decisions="",
        )  # fmt: skip
    url = reverse("programme-meeting-list", args=[org.slug, programme.code])
    assert "The cadence was missed" in login(manager).get(url).content.decode()

    response = login(manager).post(url, {"held_on": today.isoformat(), "attendees": [manager.pk]})
    assert response.status_code == 302
    page = login(manager).get(url).content.decode()
    assert "The cadence was missed" not in page
    shown = [
        page.index(
            "Management meeting " + date_format(today - datetime.timedelta(days=d), "DATE_FORMAT")
        )
        for d in (0, 40, 60)
    ]
    assert shown == sorted(shown), "the newest meeting comes first"


def test_sessions_and_a_cycles_sessions_are_listed_in_date_order(org, programme, login):
    consultant = member(org, Role.CONSULTANT)
    wave = services.wave_create(
        by=consultant, programme=programme, name="W", start_date=timezone.localdate()
    )
    now = timezone.now()
    # Entered out of order: the latest first.
    for title, days in (("Third", 30), ("First", 2), ("Second", 9)):
        services.session_save(
            by=consultant, programme=programme,
            data={"kind": "training", "title": title, "wave": wave,
                  "starts_at": now + datetime.timedelta(days=days), "duration_minutes": 60},
        )  # fmt: skip
    services.cycle_create(
        by=consultant, programme=programme,
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


def test_switching_a_kind_to_at_once_sends_the_backlog_as_one_digest_not_a_flood(org, login):
    from django.core import mail

    from programme.models import EmailKind, Notification
    from showcase import services as showcase_services

    author = member(org, Role.SELLER)
    case = showcase_services.case_save(
        author=author.participant,
        data={"kind": "post_worked", "title": "Questions work", "story": "Ask, then listen.",
              "visibility": "organisation"},
    )  # fmt: skip
    readers = [member(org, Role.SELLER) for _ in range(13)]
    for reader in readers:
        showcase_services.comment_add(case=case, by=reader, body="Useful, thanks")
    waiting = Notification.objects.filter(recipient=author).count()
    assert waiting == 13
    # The seller switches "comments and reactions" from the daily digest to "at once".
    response = login(author).post(
        reverse("programme-email-preferences", args=[org.slug]),
        {EmailKind.CASE_ACTIVITY: "immediate"},
    )
    assert response.status_code == 302
    settings_page = login(author).get(reverse("programme-email-preferences", args=[org.slug]))
    assert "A change applies to what comes next." in settings_page.content.decode()
    showcase_services.comment_add(case=case, by=readers[0], body="One more")
    services.notifications_send_immediate(organisation_id=org.pk)
    to_author = [m for m in mail.outbox if m.to == [author.user.email]]
    assert len(to_author) == 1, "only the new comment goes out at once"
    services.daily_digests_send(
        organisation_id=org.pk, now=timezone.now() + datetime.timedelta(days=1)
    )
    to_author = [m for m in mail.outbox if m.to == [author.user.email]]
    assert len(to_author) == 2
    assert "13 new things" in to_author[1].subject
    # Nothing is sent twice.
    services.notifications_send_immediate(organisation_id=org.pk)
    services.daily_digests_send(
        organisation_id=org.pk, now=timezone.now() + datetime.timedelta(days=2)
    )
    assert len([m for m in mail.outbox if m.to == [author.user.email]]) == 2


def test_turning_a_kind_off_drops_its_waiting_digest_items_but_keeps_them_in_app(org, login):
    from django.core import mail

    from programme.models import EmailKind, Notification
    from showcase import services as showcase_services

    author = member(org, Role.SELLER)
    case = showcase_services.case_save(
        author=author.participant,
        data={"kind": "post_worked", "title": "Questions work", "story": "Ask, then listen.",
              "visibility": "organisation"},
    )  # fmt: skip
    showcase_services.comment_add(case=case, by=member(org, Role.SELLER), body="Nice")
    services.email_preference_set(membership=author, kind=EmailKind.CASE_ACTIVITY, mode="off")
    services.daily_digests_send(
        organisation_id=org.pk, now=timezone.now() + datetime.timedelta(days=1)
    )
    assert [m for m in mail.outbox if m.to == [author.user.email]] == []
    assert Notification.objects.filter(recipient=author).count() == 1


def test_email_settings_list_the_options_in_one_order(org, login):
    seller = member(org, Role.SELLER)
    page = login(seller).get(reverse("programme-email-preferences", args=[org.slug]))
    form = page.context["form"]
    orders = {tuple(v for v, _ in field.field.choices) for field in form}
    orders = {tuple(v for v in order if v != "digest") for order in orders}
    assert orders == {("immediate", "off")}
    for field in form:
        values = [v for v, _ in field.field.choices]
        if "digest" in values:
            assert values == ["immediate", "digest", "off"]


def test_home_pages_list_only_problem_work_the_reader_can_do(org, programme, login):
    from programme.models import Problem

    Problem.objects.create(
        organisation=org, programme=programme, title="Untriaged", description="d",
        raised_on=timezone.localdate() - datetime.timedelta(days=9),
    )  # fmt: skip
    home = reverse("programme-organisation-home", args=[org.slug])
    admin_page = login(member(org, Role.ADMIN)).get(home).content.decode()
    # The admin's problem page cannot triage: their home does not send them there.
    assert "to triage" not in admin_page and "open too long" not in admin_page
    for role in (Role.CONSULTANT, Role.SPONSOR):
        page = login(member(org, role)).get(home).content.decode()
        assert "1 problem to triage" in page and "1 problem open too long" in page
