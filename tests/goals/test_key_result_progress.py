"""Key-result progress as a user reads it (#16 item 3): an explicit direction on every key
result, progress from the baseline to the target clamped to 0-100 %, "stay above / below" met
while the line holds, a baseline that already met its target read as met (not 0 %), the
objective as the mean of its key results, and on track / at risk / off track in words."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from goals import services
from goals.models import KeyResult
from goals.progress import (
    Direction,
    Status,
    infer_direction,
    key_result_track,
    objective_track,
    progress,
    time_gone,
)
from metrics import tasks as metrics_tasks
from tests.goals.test_okris import post_weekly, setup  # noqa: F401 - the shared fixture


def manual(objective, by, *, baseline, target, direction, current=None, title="A key result"):
    made = services.key_result_add(
        objective=objective, by=by, title=title, source="manual", baseline=baseline,
        target=target, direction=direction,
    )  # fmt: skip
    if current is not None:
        # Confident: the status is what the numbers say (a shaky confidence would lower it).
        services.check_in(key_result=made, by=by, value=current, confidence=8)
        made.refresh_from_db()
    return made


def shown(page: str, title: str) -> tuple[str, str]:
    """The percentage and the status words shown in the row of a key result."""
    row = re.search(rf"{re.escape(title)}.*?</tr>", page, flags=re.DOTALL).group(0)
    percent = re.search(r'data-testid="progress">(\d+)%', row).group(1)
    status = re.search(r'data-testid="status"[^>]*>([^<]+)<', row).group(1)
    return percent, status


def test_regular_share_that_fell_below_an_already_met_target_is_not_100_percent(
    org,
    login,
    setup,  # noqa: F811
):
    """ "60% regular": baseline 66.7, now 55.6 showed 100 % in green."""
    consultant, objective = setup["consultant"], setup["objective"]
    made = manual(objective, consultant, baseline=66.7, target=60, current=55.6,
                  direction=Direction.INCREASE, title="60% regular")  # fmt: skip
    assert made.progress == 0.0
    page = login(consultant).get(reverse("goals-okris", args=[org.slug])).content.decode()
    assert shown(page, "60% regular") == ("0", "Off track")
    assert "increase to</span> 60" in page


def test_a_result_still_at_its_already_met_baseline_is_met(org, login, setup):  # noqa: F811
    """ "30% handle the skill": 33.3 to 33.3 showed 0 %."""
    consultant, objective = setup["consultant"], setup["objective"]
    manual(objective, consultant, baseline=33.3, target=30, current=33.3,
           direction=Direction.INCREASE, title="30% handle the skill")  # fmt: skip
    page = login(consultant).get(reverse("goals-okris", args=[org.slug])).content.decode()
    assert shown(page, "30% handle the skill") == ("100", "On track")


def test_adding_an_already_met_result_does_not_drag_the_objective_down(
    org,
    login,
    setup,  # noqa: F811
):
    """A new result at 55 with target 50 showed 0 %, and the objective fell from 62 % to 29 %."""
    consultant, objective = setup["consultant"], setup["objective"]
    manual(objective, consultant, baseline=0, target=100, current=62,
           direction=Direction.INCREASE, title="Cases")  # fmt: skip
    client = login(consultant)
    url = reverse("goals-key-result-create", args=[org.slug, objective.code])
    response = client.post(url, {
        "title": "Half the team posts weekly", "source": "manual", "baseline": "55",
        "direction": "increase", "target": "50", "unit": "%",
    }, follow=True)  # fmt: skip
    html = response.content.decode()
    assert "already meets the target" in html
    made = KeyResult.objects.get(title="Half the team posts weekly")
    assert made.direction == Direction.INCREASE and made.progress == 1.0
    page = client.get(reverse("goals-okris", args=[org.slug])).content.decode()
    assert shown(page, "Half the team posts weekly") == ("100", "On track")
    assert 'aria-label="Objective progress" aria-valuenow="81"' in page  # (62 + 100) / 2


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "current", "expected"),
    [
        (Direction.INCREASE, 20, 60, 40, 0.5),
        (Direction.INCREASE, 20, 60, 10, 0.0),  # worse than the baseline: 0, never negative
        (Direction.INCREASE, 20, 60, 90, 1.0),  # past the target: clamped
        (Direction.DECREASE, 40, 10, 25, 0.5),
        (Direction.DECREASE, 40, 10, 50, 0.0),
        (Direction.DECREASE, 40, 10, 5, 1.0),
        (Direction.DECREASE, 8, 10, 9, 1.0),  # already below a "decrease to" target: met
        (Direction.DECREASE, 8, 10, 12, 0.0),  # ... and slipped
        (Direction.STAY_ABOVE, 70, 60, 65, 1.0),
        (Direction.STAY_ABOVE, 70, 60, 60, 1.0),  # on the line holds it
        (Direction.STAY_ABOVE, 70, 60, 55, 0.0),
        (Direction.STAY_BELOW, 3, 5, 4, 1.0),
        (Direction.STAY_BELOW, 3, 5, 6, 0.0),
    ],
)
def test_progress_runs_from_baseline_to_target_in_the_direction_chosen(
    direction, baseline, target, current, expected
):
    assert progress(direction, baseline, target, current) == pytest.approx(expected)


def test_every_direction_is_offered_and_stored(org, login, setup):  # noqa: F811
    consultant, objective = setup["consultant"], setup["objective"]
    client = login(consultant)
    detail = client.get(reverse("goals-objective-detail", args=[org.slug, objective.code]))
    form = detail.content.decode()
    for label in ("Increase to", "Decrease to", "Stay at or above", "Stay at or below"):
        assert label in form
    url = reverse("goals-key-result-create", args=[org.slug, objective.code])
    response = client.post(url, {
        "title": "Complaints about spam", "source": "manual", "baseline": "3",
        "direction": "stay_below", "target": "3", "unit": "complaints",
    })  # fmt: skip
    assert response.status_code == 302  # holding a line may start on it
    held = KeyResult.objects.get()
    assert held.direction == "stay_below" and held.progress == 1.0
    page = client.get(reverse("goals-objective-detail", args=[org.slug, objective.code]))
    assert "Stay at or below 3 complaints" in page.content.decode()

    bad = client.post(url, {"title": "X", "source": "manual", "baseline": "1",
                            "direction": "sideways", "target": "3"})  # fmt: skip
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
    assert KeyResult.objects.count() == 1


def test_status_compares_progress_with_the_time_gone():
    today = timezone.localdate()
    start, end = today - timedelta(days=50), today + timedelta(days=50)
    half = time_gone(start, end, today)
    assert half == pytest.approx(0.5)
    assert time_gone(start, end, start - timedelta(days=3)) == 0.0
    assert time_gone(start, end, end + timedelta(days=3)) == 1.0

    def status(current, expected=half, direction=Direction.INCREASE, baseline=0, target=100):
        return key_result_track(direction=direction, baseline=baseline, target=target,
                                current=current, expected=expected).status  # fmt: skip

    assert status(45) == Status.ON_TRACK  # within 10 points of the calendar
    assert status(30) == Status.AT_RISK
    assert status(10) == Status.OFF_TRACK
    assert status(100) == Status.ON_TRACK  # reached
    assert status(95, expected=1.0) == Status.OFF_TRACK  # the period is over
    # Early in the period a fall below the baseline is a warning, not a pass.
    assert status(-5, expected=0.05, baseline=0) == Status.AT_RISK
    fell = key_result_track(direction=Direction.INCREASE, baseline=61.1, target=75,
                            current=55.6, expected=0.3)  # fmt: skip
    assert fell.status == Status.OFF_TRACK and fell.reason.startswith("worse than the baseline")
    assert status(61, direction=Direction.STAY_ABOVE, target=60) == Status.ON_TRACK
    assert status(59, direction=Direction.STAY_ABOVE, target=60) == Status.OFF_TRACK
    track = objective_track(0.3, half)
    assert track.status == Status.AT_RISK and track.label == "At risk"
    assert "30% done, 50% of the period gone" in track.reason
    assert objective_track(None, half) is None


def test_statuses_are_written_in_words_on_the_pages(org, login, setup):  # noqa: F811
    consultant, objective = setup["consultant"], setup["objective"]
    # The setup's objective runs from a week ago for 90 days: about 7% of it is gone.
    manual(objective, consultant, baseline=0, target=10, current=1,
           direction=Direction.INCREASE, title="Moving")  # fmt: skip
    manual(objective, consultant, baseline=70, target=60, current=50,
           direction=Direction.STAY_ABOVE, title="Crossed")  # fmt: skip
    manual(objective, consultant, baseline=5, target=10, current=4,
           direction=Direction.INCREASE, title="Backwards")  # fmt: skip
    page = login(consultant).get(reverse("goals-okris", args=[org.slug])).content.decode()
    assert shown(page, "Moving") == ("10", "On track")
    assert shown(page, "Crossed") == ("0", "Off track")
    assert shown(page, "Backwards") == ("0", "At risk")
    detail = reverse("goals-objective-detail", args=[org.slug, objective.code])
    html = login(consultant).get(detail).content.decode()
    assert "The value has crossed the line" in html and "Worse than the baseline" in html


def test_indicator_linked_result_whose_baseline_already_meets_the_target(
    org,
    login,
    setup,  # noqa: F811
):
    sellers, objective = setup["sellers"], setup["objective"]
    for seller in sellers[:3]:
        post_weekly(org, seller, range(8))  # three of five regular: 60 %
    metrics_tasks.rollup_full(org.pk)
    made = services.key_result_add(
        objective=objective, by=setup["consultant"], title="Half the wave regular",
        source="indicator", indicator="regular", target=50, direction=Direction.INCREASE,
    )  # fmt: skip
    assert made.baseline == 60.0 and made.progress == 1.0
    page = login(setup["consultant"]).get(reverse("goals-okris", args=[org.slug]))
    assert shown(page.content.decode(), "Half the wave regular") == ("100", "On track")


@pytest.mark.parametrize(
    ("source", "baseline", "target", "direction"),
    [
        ("indicator", 66.7, 60, Direction.INCREASE),  # indicators measure what should grow
        ("indicator", 10, 60, Direction.INCREASE),
        ("manual", 2, 12, Direction.INCREASE),
        ("manual", 40, 10, Direction.DECREASE),
    ],
)
def test_existing_key_results_get_a_sensible_direction(source, baseline, target, direction):
    assert infer_direction(source=source, baseline=baseline, target=target) == direction


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_key_results_a_direction(org, setup):  # noqa: F811
    """Rows made before the direction existed: linked ones increase (even the "60% regular"
    whose baseline lay above its target), manual ones go the way their target lies."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("goals", "0002_okris")], [("goals", "0003_key_result_direction")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("goals", "KeyResult")
    common = {"objective_id": setup["objective"].pk, "unit": ""}
    rows = {
        "regular": old.objects.create(title="60% regular", source="indicator",
                                      indicator="regular", baseline=66.7, target=60,
                                      current=55.6, **common),
        "cases": old.objects.create(title="Cases", source="manual", baseline=2, target=12,
                                    current=7, **common),
        "backlog": old.objects.create(title="Backlog", source="manual", baseline=40, target=10,
                                      current=25, **common),
    }  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    # Later migrations too, so the current models (and the tests after this one) find their
    # columns.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    directions = dict(KeyResult.objects.values_list("pk", "direction"))
    assert directions[rows["regular"].pk] == Direction.INCREASE
    assert directions[rows["cases"].pk] == Direction.INCREASE
    assert directions[rows["backlog"].pk] == Direction.DECREASE
    assert KeyResult.objects.get(pk=rows["regular"].pk).progress == 0.0  # slipped: not 100 %
    # Back to the newest migrations: later goals migrations' tables are needed by other tests.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
