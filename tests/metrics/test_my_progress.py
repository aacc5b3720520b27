"""A seller's My progress (#16 items 9 and 10): the regularity streak agrees with "Regular", the
weekly trend reads on a 390 px phone (its own chart, whole week labels, text that stays
legible, the numbers in a table too), and the quick log's choices are finger-sized targets."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics import rollups
from metrics.indicators import monday
from metrics.models import ParticipantWeek
from programme.models import Role
from tests.factories import PASSWORD, member

TODAY = date(2026, 11, 23)  # a Monday


def active_weeks(org, person, weeks_ago, today=TODAY):
    ParticipantWeek.objects.bulk_create(
        ParticipantWeek(organisation=org, participant=person.participant,
                        week=today - timedelta(weeks=ago), posts=1, reactions_received=4,
                        interactions_tracked=True)
        for ago in weeks_ago
    )  # fmt: skip


def my_progress(client, org) -> str:
    return client.get(reverse("metrics-dashboard-seller", args=[org.slug])).content.decode()


def streak(page: str) -> int:
    return int(re.search(r'data-testid="streak">(\d+) week', page).group(1))


@pytest.fixture
def utc(org):
    org.time_zone = "UTC"
    org.save()
    return org


def test_a_regular_seller_after_two_quiet_weeks_keeps_the_streak(utc, login):
    """It showed "Regularity streak 0 weeks" beside "6 of 8 - Regular. Well done": ten active weeks,
    then two quiet ones the 6-of-8 definition forgives."""
    org = utc
    seller = member(org, Role.SELLER)
    active_weeks(org, seller, range(2, 12))
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    page = my_progress(login(seller), org)
    assert "6 of 8" in page and "Regular. Well done." in page
    assert streak(page) == 12  # ten active weeks and the two quiet weeks it stayed regular


@pytest.mark.parametrize(
    "pattern",
    [
        range(0, 8),  # every week
        range(2, 12),  # quiet for two weeks
        [0, 1, 3, 4, 6, 7],  # every other gap
        [1, 2, 3, 4, 5, 6],  # nothing yet this week
        [5, 6, 7],  # lapsing
        [0],  # a first post
        [],  # nothing at all
    ],
)
def test_streak_and_regular_never_contradict_each_other(utc, login, pattern):
    org = utc
    seller = member(org, Role.SELLER)
    active_weeks(org, seller, pattern)
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    page = my_progress(login(seller), org)
    if "Regular. Well done." in page:
        assert streak(page) >= 1
    if streak(page) == 0:
        assert "Regular. Well done." not in page


def test_the_trend_has_a_phone_chart_that_stays_legible_and_a_table(utc, login):
    org = utc
    seller = member(org, Role.SELLER)
    active_weeks(org, seller, range(0, 20))
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    page = my_progress(login(seller), org)
    phone = re.search(r'<div class="chart-phone"[^>]*>(.*?)</svg>', page, flags=re.DOTALL)
    assert phone, "no chart drawn for phones"
    svg = phone.group(1)
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    assert width <= 420  # drawn at about 0.9 scale in a 358 px column, not 0.36
    axis_font = int(re.search(r"\.axis text\{[^}]*font-size:(\d+)px", svg).group(1))
    assert axis_font * 358 / width >= 12  # pixels on the phone's screen
    x_labels = re.findall(r'<g class="axis x.*?</g>\s*</g>', svg, flags=re.DOTALL)[0]
    labels = re.findall(r">([^<]+)</text>", x_labels)
    assert 3 <= len(labels) <= 5 and all(re.fullmatch(r"\d\d \w{3}", x) for x in labels)
    # The figure has no role of its own (axe: aria-allowed-role); each rendition is an image.
    assert '<figure class="chart chart-seller">' in page
    assert page.count('role="img"') == 2
    table = re.search(r'data-testid="trend-table">(.*?)</details>', page, flags=re.DOTALL)
    assert table and table.group(1).count("<tr>") == 1 + 26  # the header and every week
    assert "23 Nov 2026" in table.group(1)


def test_without_activity_the_trend_says_so_instead_of_an_empty_grid(utc, login):
    org = utc
    seller = member(org, Role.SELLER)
    quiet = member(org, Role.SELLER)
    active_weeks(org, quiet, [30])  # long before the span: a rollup row, nothing to draw
    active_weeks(org, seller, [0])
    rollups.refresh_indicators(organisation_id=org.pk, today=TODAY)
    page = my_progress(login(quiet), org)
    main = page.split("<main", 1)[1]  # the navigation draws its own small icons
    assert "<svg" not in main and "Nothing logged in the last 26 weeks yet" in main
    assert reverse("metrics-activity-home", args=[org.slug]) in page
    # Counts (one action, four reactions) on an axis of whole numbers, not 0.5, 1.5 ...
    drawn = my_progress(login(seller), org)
    axis = re.findall(r'<g class="axis y.*?</g>\s*</g>', drawn, flags=re.DOTALL)[0]
    assert re.findall(r">([^<]+)</text>", axis) == ["0", "1", "2", "3", "4"]


# --- in Chromium at 390 px ---------------------------------------------------------------


def _phone_seller(page, org):
    from tests.browser.test_journeys import sign_in

    org.time_zone = "UTC"
    org.save()
    seller = member(org, Role.SELLER)
    active_weeks(org, seller, range(0, 20), today=monday(timezone.localdate()))
    rollups.refresh_indicators(organisation_id=org.pk)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, seller.user.email, PASSWORD)
    page.wait_for_url(f"**/o/{org.slug}/")
    return seller


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_my_progress_fits_with_legible_chart_labels(page, org):
    _phone_seller(page, org)
    page.goto(reverse("metrics-dashboard-seller", args=[org.slug]))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not page.locator(".chart-wide").is_visible()
    label = page.locator(".chart-phone .axis.x text").first
    assert label.is_visible() and label.bounding_box()["height"] >= 12  # was about 5 px


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_quick_log_choices_are_big_targets(page, org):
    _phone_seller(page, org)
    page.goto(reverse("metrics-activity-home", args=[org.slug]))
    choices = page.locator(".quick-log input[type=radio]")
    assert choices.count() >= 3
    for i in range(choices.count()):
        radio = choices.nth(i).bounding_box()
        assert radio["width"] >= 24 and radio["height"] >= 24  # WCAG 2.2 target size (minimum)
        row = choices.nth(i).locator("xpath=..").bounding_box()
        assert row["height"] >= 44  # the label is part of the target
    page.locator(".quick-log .form-check-label").nth(1).click()  # a tap on the words chooses it
    assert choices.nth(1).is_checked()
