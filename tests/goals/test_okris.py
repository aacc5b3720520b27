"""OKRIs: key results measured from a captured baseline (by the rollups or by check-ins),
progress rolling up to objectives, revenue kept out of the first phase unless a sponsor
confirms, and a weekly check-in reminder that skips recently updated key results."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from goals import services
from goals.models import CheckIn, Initiative, KeyResult, Objective
from metrics import tasks as metrics_tasks
from metrics.indicators import monday
from metrics.ingest import Event
from metrics.models import EventKind
from programme import services as programme_services
from programme.models import EmailKind, Notification, Phase, Role, Team
from tests.factories import member
from tests.goals.test_success_and_celebrations import weeks_ago, write

# user, membership, objectives, key results, initiatives, the navigation's memberships; the
# roll-up (live objectives, key results), the filters' choices (programmes, waves, teams,
# owners), the KPIs' newest week (tests/goals/test_okri_list.py has the details) and the closed
# periods the evaluation links lead to
QUERIES = 14


@pytest.fixture
def setup(org):
    org.time_zone = "UTC"
    org.save()
    sponsor = member(org, Role.SPONSOR)
    consultant = member(org, Role.CONSULTANT)
    today = timezone.localdate()
    programme = programme_services.programme_save(
        by=consultant,
        organisation=org,
        data={"name": "Social selling", "start_date": today - timedelta(weeks=10)},
        sponsors=[sponsor],
        consultants=[consultant],
    )
    wave = programme_services.wave_create(
        by=consultant,
        programme=programme,
        name="Supporters",
        start_date=today - timedelta(weeks=10),
    )
    sellers = [member(org, Role.SELLER) for _ in range(5)]
    programme_services.wave_add_members(
        by=consultant, wave=wave, participants=[s.participant for s in sellers]
    )
    objective = services.objective_create(
        by=consultant,
        programme=programme,
        scope="wave",
        wave=wave,
        title="LinkedIn becomes a weekly habit in wave 1",
        owner=consultant,
        starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=90),
    )
    return {
        "sponsor": sponsor,
        "consultant": consultant,
        "programme": programme,
        "wave": wave,
        "sellers": sellers,
        "objective": objective,
    }


def post_weekly(org, seller, weeks):
    pid = seller.participant.pk
    write(
        org,
        "quick_log",
        [Event(pid, EventKind.POST_PUBLISHED, weeks_ago(w), f"{pid}-p{w}") for w in weeks],
    )


def test_indicator_key_result_captures_its_baseline_and_follows_the_rollups(org, login, setup):
    sellers, objective = setup["sellers"], setup["objective"]
    post_weekly(org, sellers[0], range(8))  # one regular person of five before the key result
    metrics_tasks.rollup_full(org.pk)

    client = login(setup["consultant"])
    url = reverse("goals-key-result-create", args=[org.slug, objective.code])
    response = client.post(
        url,
        {
            "title": "60% of wave 1 regular by March",
            "source": "indicator",
            "indicator": "regular",
            "direction": "increase",
            "target": "60",
        },
    )
    assert response.status_code == 302
    key_result = KeyResult.objects.get()
    assert key_result.baseline == key_result.current == 20.0 and key_result.unit == "%"

    post_weekly(org, sellers[1], range(8))
    post_weekly(org, sellers[2], range(8))
    metrics_tasks.rollup_full(org.pk)  # the after-rollup hook refreshes every linked key result
    key_result.refresh_from_db()
    assert key_result.current == 60.0 and key_result.baseline == 20.0
    assert key_result.progress == 1.0

    page = client.get(reverse("goals-okris", args=[org.slug])).content.decode()
    assert "60% of wave 1 regular by March" in page and "100%" in page


def test_without_rollups_the_baseline_is_zero_and_equal_target_is_refused(org, setup):
    consultant, objective = setup["consultant"], setup["objective"]
    made = services.key_result_add(
        objective=objective,
        by=consultant,
        title="Started",
        source="indicator",
        indicator="first_action",
        target=80,
    )
    assert made.baseline == 0 and made.measured_week is None
    with pytest.raises(ValidationError, match="nothing to move toward"):
        services.key_result_add(
            objective=objective,
            by=consultant,
            title="x",
            source="indicator",
            indicator="regular",
            target=0,
        )


def test_manual_key_result_moves_with_check_ins_and_rolls_up(org, login, setup):
    consultant, objective = setup["consultant"], setup["objective"]
    client = login(consultant)
    url = reverse("goals-key-result-create", args=[org.slug, objective.code])
    response = client.post(
        url,
        {
            "title": "Cases shared per month",
            "source": "manual",
            "direction": "increase",
            "baseline": "2",
            "unit": "cases",
            "target": "12",
        },
    )
    assert response.status_code == 302
    manual = KeyResult.objects.get()
    services.key_result_add(
        objective=objective,
        by=consultant,
        title="Regular",
        source="indicator",
        indicator="regular",
        target=50,
    )

    check_in = reverse("goals-key-result-check-in", args=[org.slug, manual.code])
    prefix = str(manual.code)
    response = client.post(
        check_in,
        {
            f"{prefix}-value": "7",
            f"{prefix}-confidence": "6",
            f"{prefix}-comment": "Two teams joined in",
        },
    )
    assert response.status_code == 302
    manual.refresh_from_db()
    assert (manual.current, manual.confidence, manual.progress) == (7, 6, 0.5)

    detail = client.get(reverse("goals-objective-detail", args=[org.slug, objective.code]))
    html = detail.content.decode()
    assert "Two teams joined in" in html and "confidence 6/10" in html
    assert "25%" in html  # the objective: (50% + 0%) / 2


@pytest.mark.parametrize(
    ("value", "confidence", "message"),
    [
        ("", "5", "This field is required"),
        ("abc", "5", "Enter a number"),
        ("inf", "5", "Enter a number"),
        ("4", "0", "greater than or equal to 1"),
        ("4", "11", "less than or equal to 10"),
    ],
)
def test_bad_check_ins_are_refused_with_a_message(org, login, setup, value, confidence, message):
    consultant = setup["consultant"]
    manual = services.key_result_add(
        objective=setup["objective"],
        by=consultant,
        title="Cases",
        source="manual",
        baseline=0,
        target=10,
    )
    prefix = str(manual.code)
    response = login(consultant).post(
        reverse("goals-key-result-check-in", args=[org.slug, manual.code]),
        {f"{prefix}-value": value, f"{prefix}-confidence": confidence},
    )
    assert response.status_code == 400 and message in response.content.decode()
    manual.refresh_from_db()
    assert CheckIn.objects.count() == 0 and manual.current == 0


def test_indicator_key_results_take_no_check_in(org, setup):
    linked = services.key_result_add(
        objective=setup["objective"],
        by=setup["consultant"],
        title="Regular",
        source="indicator",
        indicator="regular",
        target=50,
    )
    with pytest.raises(ValidationError, match="follows the indicators"):
        services.check_in(key_result=linked, by=setup["consultant"], value=30, confidence=5)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"source": "manual", "baseline": "", "target": "10"}, "Give the baseline"),
        ({"source": "indicator", "indicator": "", "target": "10"}, "Choose the indicator"),
        ({"source": "indicator", "indicator": "regular", "target": "140"}, "between 0 and 100"),
        ({"source": "manual", "baseline": "3", "target": "3"}, "nothing to move toward"),
        ({"source": "manual", "baseline": "3", "target": "nan"}, "Enter a number"),
        ({"source": "elsewhere", "target": "3"}, "Select a valid choice"),
    ],
)
def test_bad_key_results_are_refused_with_a_message(org, login, setup, data, message):
    objective = setup["objective"]
    response = login(setup["consultant"]).post(
        reverse("goals-key-result-create", args=[org.slug, objective.code]),
        {"title": "A key result", "direction": "increase", **data},
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert KeyResult.objects.count() == 0


def test_revenue_in_the_first_phase_waits_for_the_sponsor(org, login, setup):
    consultant, sponsor, objective = setup["consultant"], setup["sponsor"], setup["objective"]
    services.key_result_add(
        objective=objective, by=consultant, title="Cases", source="manual", baseline=0, target=10
    )
    client = login(consultant)
    url = reverse("goals-key-result-create", args=[org.slug, objective.code])
    response = client.post(
        url,
        {
            "title": "€2M revenue from LinkedIn leads",
            "source": "manual",
            "direction": "increase",
            "baseline": "0",
            "target": "2",
        },
        follow=True,
    )
    assert "it turns learning into a quota" in response.content.decode()
    revenue = KeyResult.objects.get(title__startswith="€2M")
    assert revenue.about_revenue and revenue.needs_sponsor and not revenue.counts
    told = Notification.objects.get(recipient=sponsor, kind=EmailKind.OKRI)
    assert "needs your decision" in told.message

    services.check_in(key_result=revenue, by=consultant, value=2, confidence=3)
    objective_page = reverse("goals-objective-detail", args=[org.slug, objective.code])
    assert "0%" in client.get(objective_page).content.decode()  # revenue does not count yet
    confirm = reverse("goals-key-result-confirm", args=[org.slug, revenue.code])
    assert client.post(confirm).status_code == 403
    listing = login(sponsor).get(reverse("goals-okris", args=[org.slug])).content.decode()
    assert "waiting for your decision" in listing and "€2M revenue" in listing
    assert login(sponsor).post(confirm).status_code == 302
    revenue.refresh_from_db()
    assert revenue.counts and revenue.confirmed_by == sponsor
    assert "50%" in client.get(objective_page).content.decode()  # (0% + 100%) / 2


def test_revenue_detection_and_phases(org, setup):
    consultant, objective = setup["consultant"], setup["objective"]
    deals = services.key_result_add(
        objective=objective,
        by=consultant,
        title="Deals",
        source="indicator",
        indicator="deals_total",
        target=5,
    )
    said = services.key_result_add(
        objective=objective,
        by=consultant,
        title="Big wins",
        source="manual",
        baseline=0,
        target=3,
        about_revenue=True,
    )
    habit = services.key_result_add(
        objective=objective,
        by=consultant,
        title="Posts per week",
        source="manual",
        baseline=0,
        target=3,
    )
    assert deals.needs_sponsor and said.needs_sponsor and not habit.about_revenue
    # A sponsor may drop what they will not confirm; the sellers' habit is untouched.
    services.key_result_remove(key_result=said, by=setup["sponsor"])
    with pytest.raises(PermissionDenied):
        services.key_result_remove(key_result=habit, by=setup["sellers"][0])
    programme = setup["programme"]
    programme.current_phase = Phase.EXPANSION
    programme.save()
    objective.refresh_from_db()
    later = services.key_result_add(
        objective=objective,
        by=consultant,
        title="Revenue growth",
        source="manual",
        baseline=0,
        target=10,
    )
    assert later.about_revenue and not later.needs_sponsor and later.counts
    assert set(KeyResult.objects.values_list("title", flat=True)) == {
        "Deals",
        "Posts per week",
        "Revenue growth",
    }


def test_weekly_check_in_reminder_skips_recent_key_results_and_never_repeats(org, setup):
    consultant, objective = setup["consultant"], setup["objective"]
    stale = [
        services.key_result_add(
            objective=objective,
            by=consultant,
            title=f"Manual {n}",
            source="manual",
            baseline=0,
            target=10,
        )
        for n in range(3)
    ]
    services.key_result_add(
        objective=objective,
        by=consultant,
        title="Linked",
        source="indicator",
        indicator="regular",
        target=50,
    )
    ten_days_ago = timezone.now() - timedelta(days=10)
    KeyResult.objects.update(created_at=ten_days_ago)
    services.check_in(key_result=stale[0], by=consultant, value=3, confidence=7)  # recent

    this_monday = monday(timezone.now().date())
    at = lambda day, hour: datetime(day.year, day.month, day.day, hour, 5, tzinfo=UTC)  # noqa: E731
    assert services.checkin_reminders_send(organisation_id=org.pk, now=at(this_monday, 8)) == 0
    reminded = services.checkin_reminders_send(organisation_id=org.pk, now=at(this_monday, 9))
    assert reminded == 1
    told = Notification.objects.get(kind=EmailKind.OKRI)
    assert told.recipient == consultant and told.message.startswith("2 key results of yours")
    assert services.checkin_reminders_send(organisation_id=org.pk, now=at(this_monday, 10)) == 0
    assert Notification.objects.filter(kind=EmailKind.OKRI).count() == 1

    next_monday = this_monday + timedelta(days=7)
    assert services.checkin_reminders_send(organisation_id=org.pk, now=at(next_monday, 9)) == 1
    assert Notification.objects.filter(kind=EmailKind.OKRI).count() == 2


def test_a_finished_objective_is_not_reminded(org, setup):
    consultant, objective = setup["consultant"], setup["objective"]
    services.key_result_add(
        objective=objective, by=consultant, title="Manual", source="manual", baseline=0, target=10
    )
    KeyResult.objects.update(created_at=timezone.now() - timedelta(days=30))
    Objective.objects.update(starts_on=date(2020, 1, 1), ends_on=date(2020, 3, 31))
    now = datetime.combine(monday(timezone.now().date()), datetime.min.time(), UTC)
    assert (
        services.checkin_reminders_send(organisation_id=org.pk, now=now + timedelta(hours=10)) == 0
    )


def test_managers_set_objectives_for_their_own_teams_only(org, login, setup):
    north = Team.objects.create(organisation=org, name="North")
    north_east = Team.objects.create(organisation=org, name="North-East", parent=north)
    south = Team.objects.create(organisation=org, name="South")
    manager = member(org, Role.MANAGER, team=north)
    client = login(manager)
    today = timezone.localdate()
    base = {
        "title": "Every seller posts weekly",
        "programme": setup["programme"].pk,
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=60)).isoformat(),
    }
    url = reverse("goals-objective-create", args=[org.slug])
    assert client.post(url, {**base, "scope": "team", "team": north_east.pk}).status_code == 302
    refused = client.post(url, {**base, "scope": "team", "team": south.pk})
    assert refused.status_code == 400 and "own teams" in refused.content.decode()
    refused = client.post(url, {**base, "scope": "programme"})
    assert refused.status_code == 400
    made = Objective.objects.get(title="Every seller posts weekly")
    assert made.team == north_east and made.owner == manager
    # The manager edits it; a manager of another team does not.
    services.key_result_add(
        objective=made, by=manager, title="Posts", source="manual", baseline=0, target=4
    )
    other = member(org, Role.MANAGER, team=south)
    with pytest.raises(PermissionDenied):
        services.key_result_add(
            objective=made, by=other, title="Mine now", source="manual", baseline=0, target=4
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_on": "2020-01-01"}, "must end after it starts"),
        ({"owner": "999999"}, "not one of the people you can choose here"),
        ({"scope": "wave", "wave": ""}, "Choose the wave"),
        ({"scope": "team", "team": ""}, "Choose the team"),
        ({"programme": "999999"}, "Select a valid choice"),
        ({"title": ""}, "This field is required"),
    ],
)
def test_bad_objectives_are_refused_with_a_message(org, login, setup, change, message):
    today = timezone.localdate()
    data = {
        "title": "Grow the habit",
        "programme": setup["programme"].pk,
        "scope": "programme",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=60)).isoformat(),
        **change,
    }
    before = Objective.objects.count()
    response = login(setup["sponsor"]).post(
        reverse("goals-objective-create", args=[org.slug]), data
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert Objective.objects.count() == before


def test_a_wave_of_another_programme_is_refused(org, setup):
    other = programme_services.programme_save(
        by=setup["consultant"],
        organisation=org,
        data={"name": "Other", "start_date": timezone.localdate()},
        sponsors=[],
        consultants=[],
    )
    foreign_wave = programme_services.wave_create(
        by=setup["consultant"], programme=other, name="W", start_date=timezone.localdate()
    )
    with pytest.raises(ValidationError, match="this programme's waves"):
        services.objective_create(
            by=setup["sponsor"],
            programme=setup["programme"],
            scope="wave",
            wave=foreign_wave,
            title="x",
            owner=setup["sponsor"],
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 6, 1),
        )


def test_initiatives_their_owner_updates(org, login, setup):
    consultant, seller = setup["consultant"], setup["sellers"][0]
    objective = setup["objective"]
    response = login(consultant).post(
        reverse("goals-initiative-create", args=[org.slug, objective.code]),
        {
            "title": "Lunch-and-learn on comments",
            "owner": seller.pk,
            "due_on": "2027-01-15",
        },
    )
    assert response.status_code == 302
    initiative = Initiative.objects.get()
    assert initiative.owner == seller and initiative.status == "planned"
    url = reverse("goals-initiative-status", args=[org.slug, initiative.code])
    assert login(seller).post(url, {"status": "under_way"}).status_code == 302
    assert login(setup["sellers"][1]).post(url, {"status": "dropped"}).status_code == 403
    login(seller).post(url, {"status": "exploded"})
    initiative.refresh_from_db()
    assert initiative.status == "under_way"


def test_okri_list_runs_a_fixed_number_of_queries(org, login, setup, count_queries):
    consultant, programme = setup["consultant"], setup["programme"]
    client = login(consultant)
    url = reverse("goals-okris", args=[org.slug])
    client.get(url)  # the first visit also saves the session
    for n in (1, 10):
        for i in range(n):
            objective = services.objective_create(
                by=consultant,
                programme=programme,
                scope="programme",
                title=f"Objective {i}",
                owner=consultant,
                starts_on=date(2026, 1, 1),
                ends_on=date(2026, 12, 31),
            )
            services.key_result_add(
                objective=objective,
                by=consultant,
                title="Cases",
                source="manual",
                baseline=0,
                target=10,
            )
            services.initiative_add(
                objective=objective, by=consultant, title="Do", owner=consultant
            )
        assert count_queries(client.get, url) == QUERIES
        assert client.get(url).status_code == 200


def test_a_refused_check_in_looks_the_manager_up_once(org, login, setup, count_queries):
    """The request's viewer carries the manager's participant record and teams: the page that
    gates the form, redisplays it and shows the objective asks for them once, not per check."""
    north = Team.objects.create(organisation=org, name="North")
    north_east = Team.objects.create(organisation=org, name="North-East", parent=north)
    manager = member(org, Role.MANAGER, team=north)
    objective = services.objective_create(
        by=manager, programme=setup["programme"], scope="team", team=north_east,
        title="Every seller posts weekly", owner=setup["sponsor"],
        starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
    )  # fmt: skip
    key_result = services.key_result_add(objective=objective, by=manager, title="Posts",
                                         source="manual", baseline=0, target=4)  # fmt: skip
    client = login(manager)
    client.get(reverse("goals-okris", args=[org.slug]))  # the first visit also saves the session
    url = reverse("goals-key-result-check-in", args=[org.slug, key_result.code])
    bad = {f"{key_result.code}-value": "lots"}
    # user, membership with the manager's participant, key result, the manager's teams, the
    # objective with its key results, check-ins and initiatives, the navigation's memberships,
    # the owner picker, the objectives a new key result may contribute to
    assert count_queries(client.post, url, bad) == 11
    assert client.post(url, bad).status_code == 400
