"""Closing a period (#22): each key result graded 0.0-1.0 with a comment, the lessons learned,
the objective read-only from then on, copied forward to the next period with baselines where
this one ended, and the period's read-only evaluation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from goals import services
from goals.models import CheckIn, Initiative, KeyResult, Objective
from goals.models.okris import KeyResultGrade, ObjectiveClosure
from goals.progress import Direction
from metrics import tasks as metrics_tasks
from programme.models import Role, Team
from tests.factories import member
from tests.goals.test_okris import post_weekly, setup  # noqa: F401 - the shared fixture

CLOSED = "This objective is closed and graded: it is read-only."


@pytest.fixture
def ended(setup):  # noqa: F811
    """An objective of the programme whose period ended last week, with a manual key result
    at 7 of 10 and one that reached its target."""
    consultant, today = setup["consultant"], timezone.localdate()
    objective = services.objective_create(
        by=consultant, programme=setup["programme"], scope="programme", owner=consultant,
        title="Sellers share real cases", starts_on=today - timedelta(days=97),
        ends_on=today - timedelta(days=7),
    )  # fmt: skip
    cases = services.key_result_add(
        objective=objective, by=consultant, title="Cases a month", source="manual", baseline=0,
        target=10, unit="cases",
    )  # fmt: skip
    services.check_in(key_result=cases, by=consultant, value=7, confidence=6)
    authors = services.key_result_add(objective=objective, by=consultant, title="Authors",
                                      source="manual", baseline=2, target=5)  # fmt: skip
    services.check_in(key_result=authors, by=consultant, value=6, confidence=9)
    services.initiative_add(objective=objective, by=consultant, title="Case clinic",
                            owner=consultant)  # fmt: skip
    return {"objective": objective, "cases": cases, "authors": authors}


def close_url(org, objective):
    return reverse("goals-objective-close", args=[org.slug, objective.code])


def grades(ended, cases="0.6", authors="1.0", lessons="Cases come from ambassadors first."):
    return {
        f"grade_{ended['cases'].code}": cases, f"comment_{ended['cases'].code}": "Summer dip",
        f"grade_{ended['authors'].code}": authors, f"comment_{ended['authors'].code}": "",
        "lessons": lessons,
    }  # fmt: skip


def test_close_and_grade_makes_the_objective_read_only(org, login, setup, ended):  # noqa: F811
    objective, client = ended["objective"], login(setup["consultant"])
    detail = reverse("goals-objective-detail", args=[org.slug, objective.code])
    before = client.get(detail).content.decode()
    assert "The period ended on" in before and close_url(org, objective) in before

    form = client.get(close_url(org, objective)).content.decode()
    # Prefilled from progress: 7 of 10 is 0.7, past the target is 1.0.
    assert f'name="grade_{ended["cases"].code}" value="0.7"' in form
    assert f'name="grade_{ended["authors"].code}" value="1.0"' in form

    response = client.post(close_url(org, objective), grades(ended))
    assert response.status_code == 302
    closure = ObjectiveClosure.objects.get(objective=objective)
    assert closure.lessons == "Cases come from ambassadors first."
    assert closure.closed_by == setup["consultant"]
    cases = KeyResultGrade.objects.get(key_result=ended["cases"])
    assert (cases.score, cases.comment, cases.final_value) == (Decimal("0.6"), "Summer dip", 7)

    html = client.get(detail).content.decode()
    assert "read-only" in html and "Cases come from ambassadors first." in html
    assert "Grade 0.6" in html and "Summer dip" in html
    # No check-in form, no key result or initiative form, no status changes: read-only.
    for gone in ("Check in</button>", "Add the key result", "Add the initiative",
                 "Close and grade</a>", 'name="status"'):  # fmt: skip
        assert gone not in html, gone
    assert "Copy forward to the next period" in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cases": "1.5"}, "less than or equal to 1"),
        ({"cases": "-0.1"}, "greater than or equal to 0"),
        ({"cases": "0.25"}, "Ensure that there are no more than 1 decimal place"),
        ({"cases": "abc"}, "Enter a number"),
        ({"cases": ""}, "This field is required"),
        ({"lessons": "   "}, "This field is required"),
    ],
)
def test_bad_grades_are_refused_with_a_message_and_change_nothing(
    org, login, setup, ended, changes, message,  # noqa: F811
):  # fmt: skip
    response = login(setup["consultant"]).post(close_url(org, ended["objective"]),
                                               grades(ended, **changes))  # fmt: skip
    assert response.status_code == 400 and message in response.content.decode()
    assert not ObjectiveClosure.objects.exists() and not KeyResultGrade.objects.exists()


def test_the_service_checks_grades_itself(setup, ended):  # noqa: F811
    objective, by = ended["objective"], setup["consultant"]
    for bad in ({ended["cases"].pk: ("0.75", "")},
                {ended["cases"].pk: ("1.1", ""), ended["authors"].pk: ("1", "")},
                {ended["cases"].pk: ("nan", ""), ended["authors"].pk: ("1", "")}):  # fmt: skip
        with pytest.raises(ValidationError, match=r"from 0\.0 to 1\.0, in steps of 0\.1"):
            services.objective_close(objective=objective, by=by, grades=bad, lessons="x")
    with pytest.raises(ValidationError, match="Say what you learned"):
        services.objective_close(objective=objective, by=by, lessons=" ",
                                 grades={ended["cases"].pk: ("0.5", ""),
                                         ended["authors"].pk: ("1", "")})  # fmt: skip
    assert not ObjectiveClosure.objects.exists()


def _close(ended, by):
    return services.objective_close(
        objective=ended["objective"], by=by, lessons="Learned.",
        grades={ended["cases"].pk: ("0.7", "ok"), ended["authors"].pk: ("1.0", "")},
    )  # fmt: skip


def test_a_closed_objective_refuses_every_change(org, login, setup, ended):  # noqa: F811
    by = setup["consultant"]
    _close(ended, by)
    objective = Objective.objects.get(pk=ended["objective"].pk)
    cases = KeyResult.objects.select_related("objective").get(pk=ended["cases"].pk)
    refused = [
        lambda: services.check_in(key_result=cases, by=by, value=9, confidence=8),
        lambda: services.key_result_add(objective=objective, by=by, title="More",
                                        source="manual", baseline=0, target=3),
        lambda: services.key_result_remove(key_result=cases, by=by),
        lambda: services.initiative_add(objective=objective, by=by, title="More", owner=by),
        lambda: services.initiative_status_set(
            initiative=Initiative.objects.select_related("objective").get(), by=by,
            status="done"),
    ]  # fmt: skip
    for change in refused:
        with pytest.raises(ValidationError, match=CLOSED):
            change()
    with pytest.raises(ValidationError, match="already closed"):
        _close(ended, by)
    # Through the page: the check-in is refused with the message.
    prefix = str(cases.code)
    response = login(by).post(reverse("goals-key-result-check-in", args=[org.slug, cases.code]),
                              {f"{prefix}-value": "9", f"{prefix}-confidence": "8"})  # fmt: skip
    assert response.status_code == 400 and "is closed and graded" in response.content.decode()
    cases.refresh_from_db()
    assert cases.current == 7 and CheckIn.objects.filter(key_result=cases).count() == 1
    assert Initiative.objects.get().status == "planned"
    # Archiving still tidies it away.
    services.objective_archive(objective=objective, by=by)


def test_closing_freezes_indicators_and_stops_reminders(org, setup):  # noqa: F811
    consultant, objective = setup["consultant"], setup["objective"]  # runs for 90 more days
    linked = services.key_result_add(
        objective=objective, by=consultant, title="Regular", source="indicator",
        indicator="regular", target=60,
    )  # fmt: skip
    manual = services.key_result_add(objective=objective, by=consultant, title="Cases",
                                     source="manual", baseline=0, target=5)  # fmt: skip
    KeyResult.objects.filter(pk=manual.pk).update(created_at=timezone.now() - timedelta(days=20))
    services.objective_close(objective=objective, by=consultant, lessons="Stopped early.",
                             grades={linked.pk: ("0", ""), manual.pk: ("0", "")})  # fmt: skip
    for seller in setup["sellers"][:3]:
        post_weekly(org, seller, range(8))
    metrics_tasks.rollup_full(org.pk)
    linked.refresh_from_db()
    assert linked.current == 0
    assert services.checkin_reminders_send(organisation_id=org.pk) == 0


def test_copy_forward_starts_from_where_the_period_ended(org, login, setup, ended):  # noqa: F811
    by, objective = setup["consultant"], ended["objective"]
    _close(ended, by)
    client = login(by)
    url = reverse("goals-objective-copy-forward", args=[org.slug, objective.code])
    starts_on, ends_on = services.next_period(objective)
    assert starts_on == objective.ends_on + timedelta(days=1)
    form = client.get(url).content.decode()
    assert f'value="{starts_on.isoformat()}"' in form and f'value="{ends_on.isoformat()}"' in form

    response = client.post(url, {"starts_on": starts_on.isoformat(),
                                 "ends_on": ends_on.isoformat()})  # fmt: skip
    copy = Objective.objects.exclude(pk__in=[objective.pk, setup["objective"].pk]).get()
    assert response.status_code == 302 and response["Location"].endswith(f"{copy.code}/")
    assert (copy.title, copy.owner, copy.scope) == (objective.title, by, objective.scope)
    assert (copy.starts_on, copy.ends_on) == (starts_on, ends_on)
    cases, authors = copy.key_results.order_by("created_at", "title")
    by_title = {kr.title: kr for kr in (cases, authors)}
    cases, authors = by_title["Cases a month"], by_title["Authors"]
    assert (cases.baseline, cases.current, cases.target) == (7, 7, 10)
    assert cases.direction == Direction.INCREASE and cases.unit == "cases"
    assert cases.confidence is None and not cases.check_ins.exists()
    # Authors reached 6 of a target of 5: the next period holds that line.
    assert (authors.baseline, authors.direction) == (6, Direction.STAY_ABOVE)
    assert not copy.initiatives.exists()
    assert ObjectiveClosure.objects.get(objective=objective).copied_to == copy

    html = client.get(reverse("goals-objective-detail", args=[org.slug, copy.code])).content
    assert "Copied forward from" in html.decode()
    # Once only; and an open objective is closed first.
    with pytest.raises(ValidationError, match="already copied forward"):
        services.objective_copy_forward(objective=objective, by=by)
    with pytest.raises(ValidationError, match="Close and grade the objective before"):
        services.objective_copy_forward(objective=copy, by=by)


def test_copy_forward_refuses_a_period_that_does_not_follow(org, login, setup, ended):  # noqa: F811
    by, objective = setup["consultant"], ended["objective"]
    _close(ended, by)
    url = reverse("goals-objective-copy-forward", args=[org.slug, objective.code])
    client = login(by)
    before, count = objective.ends_on.isoformat(), Objective.objects.count()
    for data, message in (
        ({"starts_on": "2020-01-01", "ends_on": before}, "must end after this one ended"),
        ({"starts_on": "2030-02-01", "ends_on": "2030-01-01"}, "must end after it starts"),
        ({"starts_on": "soon", "ends_on": "2030-01-01"}, "Enter a valid date"),
    ):
        response = client.post(url, data)
        assert response.status_code == 400 and message in response.content.decode()
    assert Objective.objects.count() == count


def test_closing_early_is_for_the_owner_or_a_consultant(org, setup):  # noqa: F811
    north = Team.objects.create(organisation=org, name="North")
    manager = member(org, Role.MANAGER, team=north)
    objective = services.objective_create(
        by=manager, programme=setup["programme"], scope="team", team=north, owner=manager,
        title="North posts weekly", starts_on=timezone.localdate() - timedelta(days=10),
        ends_on=timezone.localdate() + timedelta(days=20),
    )  # fmt: skip
    with pytest.raises(PermissionDenied, match="Before its end date"):
        services.objective_close(objective=objective, by=setup["sponsor"], grades={},
                                 lessons="x")  # fmt: skip
    services.objective_close(objective=objective, by=manager, grades={}, lessons="Too early.")
    assert ObjectiveClosure.objects.filter(objective=objective).exists()


def test_the_evaluation_groups_the_periods_objectives_with_grades_and_lessons(
    org, login, setup, ended, count_queries,  # noqa: F811
):  # fmt: skip
    by, programme = setup["consultant"], setup["programme"]
    _close(ended, by)
    objective = ended["objective"]
    wave_objective = services.objective_create(
        by=by, programme=programme, scope="wave", wave=setup["wave"], owner=by,
        title="The wave posts weekly", starts_on=objective.starts_on, ends_on=objective.ends_on,
    )  # fmt: skip
    kr = services.key_result_add(objective=wave_objective, by=by, title="Posts", source="manual",
                                 baseline=0, target=4)  # fmt: skip
    services.objective_close(objective=wave_objective, by=by, lessons="Mondays work best.",
                             grades={kr.pk: ("0.2", "Holidays")})  # fmt: skip
    client = login(member(org, Role.SELLER))  # everyone reads it
    listing = client.get(reverse("goals-okris", args=[org.slug])).content.decode()
    url = reverse("goals-evaluation", args=[org.slug, programme.code])
    end = objective.ends_on
    period = f"{end.year}-Q{(end.month - 1) // 3 + 1}"
    assert f"{url}?period={period}" in listing
    html = client.get(url, {"period": period}).content.decode()
    assert html.index("The whole programme") < html.index("One wave")
    assert "Cases come from" not in html and "Learned." in html and "Mondays work best." in html
    assert "Holidays" in html and "ok" in html
    # (0.7 + 1.0 + 0.2) / 3
    assert 'data-testid="mean-grade">Average grade: 0.63' in html
    assert client.get(url).content.decode().count('data-testid="evaluated-objective"') == 2

    bad = client.get(url, {"period": "last summer"})
    assert bad.status_code == 200
    assert "That period is not one this page knows" in bad.content.decode()

    first = count_queries(client.get, url, {"period": period})
    for n in range(4):
        more = services.objective_create(
            by=by, programme=programme, scope="programme", owner=by, title=f"More {n}",
            starts_on=objective.starts_on, ends_on=objective.ends_on,
        )  # fmt: skip
        services.key_result_add(objective=more, by=by, title="K", source="manual", baseline=0,
                                target=1)  # fmt: skip
    assert count_queries(client.get, url, {"period": period}) == first


def test_the_next_period_is_as_long_and_whole_months_stay_whole(setup):  # noqa: F811
    from datetime import date

    def following(starts_on, ends_on):
        return services.next_period(Objective(starts_on=starts_on, ends_on=ends_on))

    quarter = following(date(2026, 4, 1), date(2026, 6, 30))
    assert quarter == (date(2026, 7, 1), date(2026, 9, 30))
    assert following(date(2026, 10, 1), date(2026, 12, 31)) == (date(2027, 1, 1),
                                                                 date(2027, 3, 31))  # fmt: skip
    assert following(date(2026, 1, 1), date(2026, 1, 31)) == (date(2026, 2, 1),
                                                               date(2026, 2, 28))  # fmt: skip
    # Not whole months: as many days again.
    assert following(date(2026, 4, 15), date(2026, 6, 14)) == (date(2026, 6, 15),
                                                                date(2026, 8, 14))  # fmt: skip


def test_a_check_in_sent_from_a_page_opened_before_closing_is_refused(setup, ended):  # noqa: F811
    by = setup["consultant"]
    stale = KeyResult.objects.select_related("objective__closure").get(pk=ended["cases"].pk)
    _close(ended, by)  # meanwhile, someone closes the period
    with pytest.raises(ValidationError, match=CLOSED):
        services.check_in(key_result=stale, by=by, value=9, confidence=8)
    assert not CheckIn.objects.filter(key_result=stale, value=9).exists()


def test_the_list_links_every_closed_period_whatever_page_is_shown(org, login, setup, ended):  # noqa: F811
    """The list pages by 25 and puts closed objectives last: the evaluation links must not
    depend on the closed ones being on the page shown."""
    from tests.goals.test_okri_list import _make

    _close(ended, setup["consultant"])
    _make(setup, 30)
    client = login(setup["consultant"])
    first = client.get(reverse("goals-okris", args=[org.slug])).content.decode()
    assert ended["objective"].title not in first  # on a later page
    evaluation = reverse("goals-evaluation", args=[org.slug, setup["programme"].code])
    assert evaluation in first


def test_a_closed_objective_leaves_the_alignment_tree(org, login, setup, ended):  # noqa: F811
    """The tree is the work in progress: a closed objective is in its period's evaluation, and
    only its copy forward stands in the tree (two objectives of one title read as a mistake)."""
    url = reverse("goals-alignment", args=[org.slug])
    client = login(setup["consultant"])
    title = ended["objective"].title
    assert title in client.get(url).content.decode()
    _close(ended, setup["consultant"])
    assert title not in client.get(url).content.decode()


def test_nothing_sits_under_a_closed_objective(org, setup, ended):  # noqa: F811
    _close(ended, setup["consultant"])
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="closed and graded"):
        services.objective_create(
            by=setup["consultant"], programme=setup["programme"], scope="programme",
            owner=setup["consultant"], title="Under a closed one", parent=ended["objective"],
            starts_on=today, ends_on=today + timedelta(days=90),
        )  # fmt: skip
    assert not Objective.objects.filter(title="Under a closed one").exists()
