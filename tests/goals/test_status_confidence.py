"""Status from the numbers and the last check-in's confidence, with the reason in words, and
overdue check-ins flagged on the objective's page, the list and the owner's home (#22)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from goals import services
from goals.models import KeyResult
from goals.progress import (
    CHECK_IN_CADENCE_DAYS,
    Direction,
    Status,
    check_in_overdue,
    key_result_track,
)
from programme.models import Role
from tests.factories import member
from tests.goals.test_okris import setup  # noqa: F401 - the shared fixture


def track(current, *, expected=0.5, confidence=None, age=None, target=100, baseline=0,
          direction=Direction.INCREASE):  # fmt: skip
    return key_result_track(direction=direction, baseline=baseline, target=target,
                            current=current, expected=expected, confidence=confidence,
                            confidence_age=age)  # fmt: skip


def test_a_low_confidence_lowers_a_status_the_numbers_call_on_track():
    assert track(50).status == Status.ON_TRACK
    assert track(50, confidence=8).status == Status.ON_TRACK
    shaky = track(50, confidence=4, age=3)
    assert shaky.status == Status.AT_RISK
    assert shaky.reason.startswith("confidence 4/10 at the last check-in")
    assert track(50, confidence=6).status == Status.AT_RISK
    low = track(50, confidence=3, age=0)
    assert low.status == Status.OFF_TRACK and "confidence 3/10" in low.reason


def test_the_worse_signal_decides_and_the_reason_names_both():
    behind = track(20, confidence=5)  # 30 points behind: off track by the numbers
    assert behind.status == Status.OFF_TRACK
    assert behind.reason.startswith("30 points behind the time gone (20% done, 50% of the")
    assert behind.reason.endswith("confidence 5/10 at the last check-in")
    assert track(38).reason.startswith("12 points behind the time gone")
    assert track(38).status == Status.AT_RISK


def test_a_confidence_older_than_the_cadence_no_longer_counts():
    stale = track(50, confidence=2, age=CHECK_IN_CADENCE_DAYS + 6)
    assert stale.status == Status.ON_TRACK
    assert "the last confidence (2/10, 20 days ago) is too old to count" in stale.reason
    assert track(50, confidence=2, age=CHECK_IN_CADENCE_DAYS).status == Status.OFF_TRACK


def test_once_the_result_is_in_confidence_no_longer_matters():
    assert track(100, confidence=2).status == Status.ON_TRACK  # target reached
    assert track(100, confidence=2).reason == "target reached"
    assert track(60, expected=1.0, confidence=9).status == Status.OFF_TRACK  # period over
    # Holding a line is not "reached": a shaky confidence says it may not hold.
    held = track(70, target=60, direction=Direction.STAY_ABOVE, confidence=3)
    assert held.status == Status.OFF_TRACK and held.reason.startswith("confidence 3/10")


def test_overdue_after_the_cadence():
    today = timezone.localdate()
    assert check_in_overdue(last=today - timedelta(days=14), today=today) is None
    assert check_in_overdue(last=today - timedelta(days=18), today=today) == 18


def _checked_in(key_result, days_ago):
    KeyResult.objects.filter(pk=key_result.pk).update(
        checked_in_at=timezone.now() - timedelta(days=days_ago),
        created_at=timezone.now() - timedelta(days=days_ago + 7),
    )


@pytest.fixture
def kr(setup):  # noqa: F811
    consultant, objective = setup["consultant"], setup["objective"]
    made = services.key_result_add(objective=objective, by=consultant, title="Cases shared",
                                   source="manual", baseline=0, target=10)  # fmt: skip
    return made


def test_a_shaky_confidence_shows_at_risk_and_why_on_the_pages(org, login, setup, kr):  # noqa: F811
    # The objective started a week ago, 90 days long: 1 of 10 is ahead of the calendar.
    services.check_in(key_result=kr, by=setup["consultant"], value=1, confidence=4)
    client = login(setup["consultant"])
    detail = client.get(reverse("goals-objective-detail", args=[org.slug, setup["objective"].code]))
    html = detail.content.decode()
    assert 'data-status="at_risk"' in html
    assert "Confidence 4/10 at the last check-in" in html
    listing = client.get(reverse("goals-okris", args=[org.slug])).content.decode()
    assert "Confidence 4/10 at the last check-in" in listing


def test_an_overdue_check_in_is_flagged_on_the_page_the_list_and_the_owners_home(
    org, login, setup, kr,  # noqa: F811
):  # fmt: skip
    services.check_in(key_result=kr, by=setup["consultant"], value=1, confidence=8)
    _checked_in(kr, 18)
    owner = login(setup["consultant"])
    detail = reverse("goals-objective-detail", args=[org.slug, setup["objective"].code])
    for url in (detail, reverse("goals-okris", args=[org.slug]),
                reverse("programme-organisation-home", args=[org.slug])):  # fmt: skip
        assert "Check-in overdue (18 days)" in owner.get(url).content.decode(), url
    # The owner's home only: someone else's home does not carry it.
    other = login(member(org, Role.CONSULTANT))
    home = other.get(reverse("programme-organisation-home", args=[org.slug])).content.decode()
    assert "Check-in overdue" not in home
    # A check-in clears it.
    services.check_in(key_result=kr, by=setup["consultant"], value=2, confidence=8)
    assert "Check-in overdue" not in owner.get(detail).content.decode()


def test_never_checked_in_counts_from_its_creation_and_indicators_are_never_overdue(
    org, login, setup, kr,  # noqa: F811
):  # fmt: skip
    linked = services.key_result_add(objective=setup["objective"], by=setup["consultant"],
                                     title="Regular", source="indicator", indicator="regular",
                                     target=50)  # fmt: skip
    KeyResult.objects.filter(pk__in=[kr.pk, linked.pk]).update(
        created_at=timezone.now() - timedelta(days=20)
    )
    detail = reverse("goals-objective-detail", args=[org.slug, setup["objective"].code])
    html = login(setup["consultant"]).get(detail).content.decode()
    assert html.count('data-testid="overdue"') == 1 and "Check-in overdue (20 days)" in html


def test_a_stale_confidence_does_not_lower_the_status_on_the_page(org, login, setup, kr):  # noqa: F811
    services.check_in(key_result=kr, by=setup["consultant"], value=1, confidence=2)
    _checked_in(kr, 20)
    detail = reverse("goals-objective-detail", args=[org.slug, setup["objective"].code])
    html = login(setup["consultant"]).get(detail).content.decode()
    assert 'data-status="on_track"' in html and "is too old to count" in html
    assert "Check-in overdue (20 days)" in html


def test_no_overdue_flag_before_the_period_or_after_it_ended(org, login, setup, kr):  # noqa: F811
    objective = setup["objective"]
    _checked_in(kr, 30)
    client = login(setup["consultant"])
    detail = reverse("goals-objective-detail", args=[org.slug, objective.code])
    assert "Check-in overdue (30 days)" in client.get(detail).content.decode()
    today = timezone.localdate()
    for starts, ends in ((today + timedelta(days=2), today + timedelta(days=60)),
                         (today - timedelta(days=60), today - timedelta(days=1))):  # fmt: skip
        type(objective).objects.filter(pk=objective.pk).update(starts_on=starts, ends_on=ends)
        assert "Check-in overdue" not in client.get(detail).content.decode()


def test_the_owners_panel_runs_a_fixed_number_of_queries(org, setup, count_queries):  # noqa: F811
    from goals.panels import okr_attention_panel
    from programme.viewer import Viewer

    consultant, programme = setup["consultant"], setup["programme"]
    today = timezone.localdate()

    def add_objectives(n):
        for i in range(n):
            objective = services.objective_create(
                by=consultant, programme=programme, scope="programme", owner=consultant,
                title=f"O{i}", starts_on=today - timedelta(days=40),
                ends_on=today + timedelta(days=40) if i % 2 else today - timedelta(days=1),
            )  # fmt: skip
            made = services.key_result_add(objective=objective, by=consultant, title="K",
                                           source="manual", baseline=0, target=5)  # fmt: skip
            _checked_in(made, 20)

    add_objectives(2)
    first = count_queries(okr_attention_panel, Viewer(consultant))
    add_objectives(6)
    assert count_queries(okr_attention_panel, Viewer(consultant)) == first == 2
    panel = okr_attention_panel(Viewer(consultant))
    assert len(panel["overdue"]) == 4 and len(panel["to_close"]) == 4
