"""Notifications: in-app always; e-mailed at once, in one daily digest, or not, per kind."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from programme import services
from programme.models import (
    Announcement,
    DailyDigest,
    EmailKind,
    Notification,
    Programme,
    Role,
)
from showcase import services as showcase_services
from tests.factories import member

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def author(org):
    return member(org, Role.SELLER)


@pytest.fixture
def case(author):
    return showcase_services.case_save(
        author=author.participant,
        data={"kind": "post_worked", "title": "Questions work", "story": "Ask, then listen.",
              "visibility": "organisation"},
    )  # fmt: skip


def test_author_is_told_in_app_about_comments_replies_and_reactions(org, author, case, login):
    reader, replier = member(org, Role.SELLER), member(org, Role.MANAGER)
    comment = showcase_services.comment_add(case=case, by=reader, body="Trying it Monday")
    showcase_services.comment_add(case=case, by=replier, body="Me too", parent=comment)
    showcase_services.comment_add(case=case, by=author, body="Thanks both")  # own: no notice
    for _ in range(3):  # on, off, on: the author hears once
        showcase_services.reaction_toggle(case=case, by=reader, kind="useful")
    texts = [n.message for n in Notification.objects.filter(recipient=author)]
    assert len(texts) == 3
    assert any("commented on your case" in t for t in texts)
    assert any("reacted “Useful”" in t for t in texts)
    assert Notification.objects.get(recipient=reader).message.endswith(
        "replied to your comment on “Questions work”"
    )
    client = login(author)
    badge = client.get(reverse("programme-notifications-badge", args=[org.slug]))
    assert ">3<" in badge.content.decode()
    inbox = client.get(reverse("programme-notifications", args=[org.slug])).content.decode()
    # One line for the case, saying how many and that all three are unread.
    assert inbox.count('data-testid="notification-group"') == 1
    assert "3 comments and reactions on “Questions work”" in inbox and "3 unread" in inbox
    assert f"/showcase/{case.code}/" in inbox
    badge = client.get(reverse("programme-notifications-badge", args=[org.slug]))
    assert "unread" not in badge.content.decode()  # opening the page read them


def test_nobody_sees_anothers_notifications(org, author, case, login, outsider):
    showcase_services.comment_add(case=case, by=member(org, Role.SELLER), body="Nice")
    other = login(member(org, Role.SELLER))
    assert (
        "Questions work"
        not in other.get(reverse("programme-notifications", args=[org.slug])).content.decode()
    )
    assert (
        login(outsider).get(reverse("programme-notifications", args=[org.slug])).status_code == 404
    )


def test_immediate_mode_mails_each_comment_and_off_mails_nothing(
    org, author, case, django_capture_on_commit_callbacks
):
    reader = member(org, Role.SELLER)
    services.email_preference_set(membership=author, kind=EmailKind.CASE_ACTIVITY,
                                  mode="immediate")  # fmt: skip
    with django_capture_on_commit_callbacks() as callbacks:
        showcase_services.comment_add(case=case, by=reader, body="Trying it")
    assert len(callbacks) == 1  # the send task, queued after the commit
    assert services.notifications_send_immediate(organisation_id=org.pk) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [author.user.email] and "commented on your case" in message.subject
    assert "List-Unsubscribe" in message.extra_headers
    # Sending again (a retried task, beat's sweep) mails nobody twice.
    assert services.notifications_send_immediate(organisation_id=org.pk) == 0
    services.email_preference_set(membership=author, kind=EmailKind.CASE_ACTIVITY, mode="off")
    showcase_services.comment_add(case=case, by=reader, body="Again")
    assert services.notifications_send_immediate(organisation_id=org.pk) == 0
    services.daily_digests_send(organisation_id=org.pk, now=datetime(2030, 1, 7, 9, tzinfo=PARIS))
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=author).count() == 2  # still in-app


def test_daily_digest_gathers_the_day_once_from_seven(
    org, author, case, django_capture_on_commit_callbacks
):
    org.time_zone = "Europe/Paris"
    org.save()
    readers = [member(org, Role.SELLER) for _ in range(3)]
    for reader in readers:
        showcase_services.comment_add(case=case, by=reader, body="Useful, thanks")
        showcase_services.reaction_toggle(case=case, by=reader, kind="inspiring")
    # The digest is the default: nothing at once.
    assert services.notifications_send_immediate(organisation_id=org.pk) == 0
    assert mail.outbox == []
    early = datetime(2030, 1, 7, 6, 30, tzinfo=PARIS)
    assert services.daily_digests_send(organisation_id=org.pk, now=early) == 0
    morning = datetime(2030, 1, 7, 7, 5, tzinfo=PARIS)
    assert services.daily_digests_send(organisation_id=org.pk, now=morning) == 1
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert "6 new things" in digest.subject and digest.to == [author.user.email]
    body = digest.body
    assert body.count("commented on your case") == 3 and body.count("reacted") == 3
    assert "Comments and reactions on my case studies" in body
    # Later the same day: the new comment waits for tomorrow's digest.
    showcase_services.comment_add(case=case, by=readers[0], body="One more")
    later = datetime(2030, 1, 7, 15, tzinfo=PARIS)
    assert services.daily_digests_send(organisation_id=org.pk, now=later) == 0
    tomorrow = datetime(2030, 1, 8, 7, 10, tzinfo=PARIS)
    assert services.daily_digests_send(organisation_id=org.pk, now=tomorrow) == 1
    assert "1 new thing)" in mail.outbox[1].subject
    assert DailyDigest.objects.filter(membership=author).count() == 2


def test_digest_unsubscribe_turns_off_every_digest_kind(org, author, client):
    services.email_preference_set(membership=author, kind=EmailKind.ANNOUNCEMENT, mode="digest")
    token = services.unsubscribe_token(membership=author, kind=services.DIGEST)
    response = client.post(reverse("programme-email-unsubscribe", args=[token]))
    assert response.status_code == 200
    for kind in (EmailKind.ANNOUNCEMENT, EmailKind.CASE_ACTIVITY, EmailKind.MARKETING_PICK):
        assert services.email_mode(membership=author, kind=kind) == "off"
    assert services.email_mode(membership=author, kind=EmailKind.WEEKLY_SUMMARY) == "immediate"


def test_announcements_honour_each_persons_choice(org):
    sponsor = member(org, Role.SPONSOR)
    at_once, digest, off = (member(org, Role.SELLER) for _ in range(3))
    services.email_preference_set(membership=digest, kind=EmailKind.ANNOUNCEMENT, mode="digest")
    services.email_preference_set(membership=off, kind=EmailKind.ANNOUNCEMENT, mode="off")
    programme = Programme.objects.create(
        organisation=org, name="Social selling", start_date=datetime(2030, 1, 1).date()
    )
    announcement = Announcement.objects.create(
        organisation=org, programme=programme, title="Why we do this", body="Because.",
        drafted_by=sponsor,
    )  # fmt: skip
    services.announcement_publish(announcement=announcement, publisher=sponsor)
    services.announcement_send(announcement_id=announcement.pk)
    assert [m.to for m in mail.outbox] == [[at_once.user.email]]
    assert "List-Unsubscribe" in mail.outbox[0].extra_headers
    # Everyone sees it in-app; only the digest reader's notification waits to be e-mailed.
    assert Notification.objects.filter(kind=EmailKind.ANNOUNCEMENT).count() == 3
    waiting = Notification.objects.filter(emailed_at__isnull=True)
    assert list(waiting.values_list("recipient", flat=True)) == [digest.pk]
    services.daily_digests_send(organisation_id=org.pk, now=datetime(2030, 1, 7, 9, tzinfo=PARIS))
    assert [m.to for m in mail.outbox[1:]] == [[digest.user.email]]
    assert "Why we do this" in mail.outbox[1].body
    # A reminder round: e-mail to the immediate reader only, in-app for all who have not read.
    services.announcement_remind(announcement=announcement, by=sponsor)
    services.announcement_send_reminders(announcement_id=announcement.pk)
    assert [m.to for m in mail.outbox[2:]] == [[at_once.user.email]]
    assert Notification.objects.filter(text__startswith="Reminder:").count() == 3


def test_weekly_summary_off_is_not_confused_by_other_kinds(org, author):
    """Another kind turned off must not stop the weekly summary (a multi-valued exclude would)."""
    from metrics.summaries import weekly_summaries_send

    services.email_preference_set(membership=author, kind=EmailKind.CASE_ACTIVITY, mode="off")
    monday = datetime(2030, 1, 7, 8, tzinfo=ZoneInfo("UTC"))
    assert weekly_summaries_send(organisation_id=org.pk, now=monday) == 1
    assert mail.outbox[0].to == [author.user.email]


def _notify_many(recipient, kind, texts_and_urls):
    for text, url in texts_and_urls:
        services.notify(recipient=recipient, kind=kind, text=text, url=url)


def test_the_inbox_groups_by_kind_and_object_and_keeps_unread(org, author, login):
    case_url = "/o/acme/showcase/11111111-1111-1111-1111-111111111111/"
    other_url = "/o/acme/showcase/22222222-2222-2222-2222-222222222222/"
    _notify_many(author, EmailKind.CASE_ACTIVITY, [
        (f"Reader {i} commented on your case “Questions work”", f"{case_url}#comment-{i}")
        for i in range(12)
    ])  # fmt: skip
    _notify_many(
        author,
        EmailKind.CASE_ACTIVITY,
        [
            ("Ben reacted “Useful” to your case “Listen first”", other_url),
        ],
    )
    _notify_many(author, EmailKind.MARKETING_PICK, [
        (f"New from marketing: pick {i}", f"/o/acme/showcase/picks/#pick-{i}") for i in range(3)
    ])  # fmt: skip
    # Two of the comments were read on an earlier visit.
    Notification.objects.filter(recipient=author, text__regex=r"^Reader [01] commented").update(
        read_at="2026-01-01T00:00:00Z"
    )

    inbox = login(author).get(reverse("programme-notifications", args=[org.slug]))
    html = inbox.content.decode()
    assert html.count('data-testid="notification-group"') == 3
    assert "12 comments and reactions on “Questions work”" in html
    assert "10 unread" in html
    assert "Ben reacted “Useful” to your case “Listen first”" in html
    assert "3 picks from marketing to share" in html
    groups = inbox.context["groups"]
    assert [g.count for g in groups] == [3, 1, 12]  # the newest group first
    assert groups[2].url.startswith(case_url)


def test_an_unread_notification_does_not_read_new_new(org, author, login):
    services.notify(
        recipient=author, kind=EmailKind.MARKETING_PICK, text="New from marketing: Webinar",
        url="/o/acme/showcase/picks/#pick-1",
    )  # fmt: skip
    html = login(author).get(reverse("programme-notifications", args=[org.slug])).content.decode()
    assert ">New</span>" not in html
    assert ">Unread</span>" in html and "New from marketing: Webinar" in html


def test_the_inbox_runs_a_fixed_number_of_queries(
    org, author, login, django_assert_max_num_queries, count_queries
):
    client = login(author)
    url = reverse("programme-notifications", args=[org.slug])
    _notify_many(author, EmailKind.OKRI, [("Check in", "/o/acme/okris/")])
    client.get(url)  # warm the session
    few = count_queries(client.get, url)
    _notify_many(author, EmailKind.CASE_ACTIVITY, [
        (f"Reader {i} commented on your case “C{i % 7}”", f"/o/acme/showcase/{i % 7}/")
        for i in range(40)
    ])  # fmt: skip
    with django_assert_max_num_queries(few):
        client.get(url)
