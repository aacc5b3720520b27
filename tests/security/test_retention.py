"""Retention (README "Privacy"): notifications older than NOTIFICATION_RETENTION_DAYS are
pruned; finished imports keep their counts but lose their file names and per-row messages
after IMPORT_DETAILS_RETENTION_DAYS. Both run from beat, and a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from config.celery_app import app
from metrics.models import ActivityImport
from metrics.retention import imports_prune
from programme.models import DailyDigest, Notification, Role, RosterImport
from programme.services.retention import retention_apply
from tests.factories import member

NOW = timezone.now()


def test_notifications_older_than_the_retention_period_are_pruned(org, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 180
    seller = member(org, Role.SELLER)

    def notification(days_ago: int, text: str) -> Notification:
        item = Notification.objects.create(
            organisation=org, recipient=seller, kind="case_activity", text=text
        )
        Notification.objects.filter(pk=item.pk).update(created_at=NOW - timedelta(days=days_ago))
        return item

    notification(181, "old")
    notification(179, "recent")
    digest = DailyDigest.objects.create(organisation=org, membership=seller, day=NOW.date())
    DailyDigest.objects.filter(pk=digest.pk).update(created_at=NOW - timedelta(days=200))
    pruned = retention_apply(now=NOW)
    assert pruned.notifications == 1 and pruned.digests == 1
    assert list(Notification.objects.values_list("text", flat=True)) == ["recent"]
    assert not DailyDigest.objects.exists()
    again = retention_apply(now=NOW)
    assert (again.notifications, again.digests, again.roster_details) == (0, 0, 0)


def test_finished_imports_keep_their_counts_but_not_their_names_and_messages(
    org, consultant, login, settings
):
    settings.IMPORT_DETAILS_RETENTION_DAYS = 90
    seller = member(org, Role.SELLER)

    def activity_import(days_ago: int, name: str) -> ActivityImport:
        return ActivityImport.objects.create(
            organisation=org, participant=seller.participant, uploaded_by=seller,
            kind="linkedin_export", filename=name, status=ActivityImport.Status.DONE,
            rows_read=40, created_count=30, skipped_count=1,
            skipped=[[name, 3, "a draft, never sent"]], errors=[],
            finished_at=NOW - timedelta(days=days_ago),
        )  # fmt: skip

    old, recent = activity_import(91, "dana-export.zip"), activity_import(89, "dana-new.zip")
    roster = RosterImport.objects.create(
        organisation=org, filename="all-sellers.csv", total_rows=12, created_count=12,
        status=RosterImport.Status.DONE, finished_at=NOW - timedelta(days=91),
    )  # fmt: skip

    assert imports_prune(now=NOW).details_dropped == 1
    assert retention_apply(now=NOW).roster_details == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    roster.refresh_from_db()
    assert (old.filename, old.skipped, old.errors) == ("", [], [])
    assert (old.rows_read, old.created_count, old.skipped_count) == (40, 30, 1)
    assert recent.filename == "dana-new.zip" and recent.skipped
    assert roster.filename == "" and roster.created_count == 12
    assert imports_prune(now=NOW).details_dropped == 0  # idempotent
    assert retention_apply(now=NOW).roster_details == 0

    # The pages still work and say what went.
    page = login(seller).get(reverse("metrics-import-detail", args=[org.slug, old.code]))
    assert page.status_code == 200 and "file name no longer kept" in page.content.decode()
    assert "30" in page.content.decode()


def test_retention_runs_nightly_from_beat():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"programme.tasks.retention_apply", "metrics.tasks.retention_apply"} <= tasks
