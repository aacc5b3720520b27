"""A seller sees and corrects their Social Selling Index (issue #27)."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from metrics.models import ActivityEvent, EventKind


def _ssi(total, brand, people, insights, relationships, on=None):
    return {
        "on": (on or timezone.localdate()).isoformat(),
        "total": total,
        "establish_brand": brand,
        "find_people": people,
        "engage_insights": insights,
        "build_relationships": relationships,
    }


def test_a_seller_sees_their_ssi_with_its_pillars_and_corrects_the_days_entry(org, seller, login):
    client = login(seller)
    entry = reverse("metrics-ssi-entry", args=[org.slug])
    home = reverse("metrics-activity-home", args=[org.slug])
    first = client.post(entry, _ssi("61", "16", "14", "15", "16"), follow=True)
    assert "SSI saved" in first.content.decode()
    # A typo: the seller enters the day again, with the right numbers.
    second = client.post(entry, _ssi("66.5", "17.5", "15", "17", "17"), follow=True)
    assert "corrected" in second.content.decode()
    snapshots = ActivityEvent.objects.filter(
        participant=seller.participant, kind=EventKind.SSI_SNAPSHOT
    )
    assert snapshots.count() == 1
    assert snapshots.get().value == Decimal("66.5")
    # The same numbers again change nothing, and say so.
    again = client.post(entry, _ssi("66.5", "17.5", "15", "17", "17"), follow=True)
    assert "already had these numbers" in again.content.decode()

    page = client.get(home).content.decode()
    assert 'data-testid="ssi-latest"' in page
    assert "66.50" in page and "17.50 / 25" in page and "Find the right people" in page
    assert "Correct today&#x27;s SSI" in page or "Correct today's SSI" in page
    # Recent activity says the number, not only "SSI snapshot".
    assert "SSI snapshot 66.50" in page

    progress = client.get(reverse("metrics-dashboard-seller", args=[org.slug])).content.decode()
    assert 'data-testid="ssi-latest"' in progress and "66.50" in progress
    assert "Engage with insights" in progress


def test_a_bad_ssi_correction_changes_nothing(org, seller, login):
    client = login(seller)
    entry = reverse("metrics-ssi-entry", args=[org.slug])
    client.post(entry, _ssi("61", "16", "14", "15", "16"))
    bad = client.post(entry, _ssi("90", "16", "14", "15", "16"))
    assert bad.status_code == 400
    assert "The total is the sum of the four pillars." in bad.content.decode()
    assert ActivityEvent.objects.get(kind=EventKind.SSI_SNAPSHOT).value == Decimal("61")
