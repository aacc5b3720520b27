"""Alignment (issue #22): objectives under objectives, weighted key results, contributions, and
the roll-up of progress through a tree; each rule of goals.alignment with a test of its own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from goals import services
from goals.alignment import Item, may_contribute_to, may_sit_under, roll_up, would_cycle
from goals.models import KeyResult, Objective
from goals.progress import Direction, progress
from programme import services as programme_services
from programme.models import Role, Team
from tests.factories import member
from tests.goals.test_okris import setup  # noqa: F401 - the shared OKRI fixture

# --- the pure rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("own", "expected"),
    [
        ([], None),  # nothing measured: no progress, not 0 %
        ([Item(1, 0.5)], 0.5),
        ([Item(1, 1.0), Item(3, 0.0)], 0.25),  # a weight of 3 counts three times
        ([Item(2, 0.5), Item(2, 1.0)], 0.75),  # equal weights: the plain mean
        ([Item(1, 0.0), Item(1, 0.0), Item(2, 1.0)], 0.5),
    ],
)
def test_an_objective_is_the_weighted_mean_of_its_key_results(own, expected):
    assert roll_up({1: None}, {1: own})[1].progress == expected


def test_a_decreasing_key_result_counts_how_far_it_came_down():
    # 24 unanswered messages down to 4: at 19 it has come a quarter of the way; going up to 30
    # is worse than the baseline and counts 0, never negative; at 2 it is past the target: 1.
    assert progress(Direction.DECREASE, 24, 4, 19) == 0.25
    assert progress(Direction.DECREASE, 24, 4, 30) == 0.0
    assert progress(Direction.DECREASE, 24, 4, 2) == 1.0


def test_three_levels_roll_up_with_children_and_contributions():
    """programme 1 ← wave 2 ← team 3. The team: an increase halfway (weight 1), a decrease a
    quarter of the way (weight 3), and a key result reached (weight 2) that also counts toward
    the programme. The wave: one key result reached, and the team (weight 1)."""
    half = Item(1, progress(Direction.INCREASE, 0, 10, 5))
    down = Item(3, progress(Direction.DECREASE, 24, 4, 19))
    reached = Item(2, progress(Direction.INCREASE, 0, 4, 4))
    nodes = roll_up(
        {1: None, 2: 1, 3: 2},
        {2: [Item(1, 1.0)], 3: [half, down, reached]},
        {1: [reached]},
    )
    team = (0.5 * 1 + 0.25 * 3 + 1.0 * 2) / 6
    wave = (1.0 + team) / 2
    assert nodes[3].progress == pytest.approx(team)
    assert nodes[2].progress == pytest.approx(wave)
    assert nodes[1].progress == pytest.approx((wave * 1 + 1.0 * 2) / 3)
    assert [nodes[pk].depth for pk in (1, 2, 3)] == [0, 1, 2]


def test_a_child_without_progress_is_left_out_not_counted_as_zero():
    nodes = roll_up({1: None, 2: 1, 3: 1}, {1: [Item(1, 0.8)], 3: []})
    assert nodes[3].progress is None
    assert nodes[1].progress == pytest.approx(0.8)
    assert roll_up({1: None, 2: 1}, {})[1].progress is None


def test_a_parent_outside_the_live_objectives_counts_as_none():
    nodes = roll_up({2: 99}, {2: [Item(1, 0.4)]})  # 99 archived: 2 is a root
    assert nodes[2].parent is None and nodes[2].depth == 0


def test_a_loop_in_old_data_is_cut_not_followed_forever():
    nodes = roll_up({1: 2, 2: 1}, {1: [Item(1, 1.0)], 2: [Item(1, 0.0)]})
    assert all(0 <= node.progress <= 1 for node in nodes.values())


@pytest.mark.parametrize(
    ("child", "parent", "sits"),
    [
        ("team", "wave", True), ("team", "programme", True), ("team", "team", True),
        ("person", "team", True), ("wave", "team", False), ("programme", "person", False),
    ],
)  # fmt: skip
def test_levels_an_objective_may_sit_under(child, parent, sits):
    assert may_sit_under(child, parent) is sits


@pytest.mark.parametrize(
    ("own", "target", "allowed"),
    [("team", "wave", True), ("person", "programme", True), ("team", "team", False),
     ("wave", "team", False)],
)  # fmt: skip
def test_levels_a_key_result_may_contribute_to(own, target, allowed):
    assert may_contribute_to(own, target) is allowed


def test_cycles_are_found():
    parent_of = {1: None, 2: 1, 3: 2}
    assert would_cycle(1, 3, parent_of)  # the top under its grandchild
    assert would_cycle(2, 2, parent_of)  # under itself
    assert not would_cycle(3, 1, parent_of)


def _reference(pk, parent_of, own, contributed):
    """The rule written the obvious, recursive way, to check the iterative one against."""
    items = [(i.weight, i.progress) for i in own.get(pk, []) + contributed.get(pk, [])]
    for child in (c for c, p in parent_of.items() if p == pk):
        value = _reference(child, parent_of, own, contributed)
        if value is not None:
            items.append((1, value))
    total = sum(w for w, _ in items)
    return sum(w * v for w, v in items) / total if total else None


@st.composite
def forests(draw):
    size = draw(st.integers(min_value=1, max_value=12))
    parent_of = {pk: (draw(st.sampled_from([None, *range(pk)])) if pk else None)
                 for pk in range(size)}  # fmt: skip
    items = st.builds(Item, st.integers(1, 10), st.floats(0, 1))
    own = {pk: draw(st.lists(items, max_size=3)) for pk in range(size)}
    contributed = {pk: draw(st.lists(items, max_size=2)) for pk in range(size)}
    return parent_of, own, contributed


@settings(max_examples=150, deadline=None)
@given(forests())
def test_the_roll_up_matches_the_rule_and_stays_between_0_and_1(forest):
    parent_of, own, contributed = forest
    nodes = roll_up(parent_of, own, contributed)
    for pk in parent_of:
        expected = _reference(pk, parent_of, own, contributed)
        if expected is None:
            assert nodes[pk].progress is None
        else:
            assert nodes[pk].progress == pytest.approx(expected)
            assert -1e-9 <= nodes[pk].progress <= 1 + 1e-9


# --- the services' checks, each refusal with its words ----------------------------------------


def _objective(setup, scope="programme", parent=None, **kwargs):  # noqa: F811
    today = timezone.localdate()
    kwargs.setdefault("owner", setup["consultant"])
    return services.objective_create(
        by=setup["consultant"], programme=setup["programme"], scope=scope, parent=parent,
        title=kwargs.pop("title", f"A {scope} objective"), starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=90), **kwargs,
    )  # fmt: skip


def _manual(objective, by, **kwargs):
    kwargs.setdefault("title", "Cases")
    kwargs.setdefault("baseline", 0)
    kwargs.setdefault("target", 10)
    return services.key_result_add(objective=objective, by=by, source="manual", **kwargs)


def test_an_objective_sits_under_one_of_its_programme_at_the_same_or_a_broader_level(
    org,
    setup,  # noqa: F811
):
    top = _objective(setup)
    team = Team.objects.create(organisation=org, name="North")
    under = _objective(setup, "team", parent=top, team=team)
    assert under.parent == top
    with pytest.raises(ValidationError, match="cannot sit under a team objective"):
        _objective(setup, "wave", parent=under, wave=setup["wave"])
    other = programme_services.programme_save(
        by=setup["consultant"], organisation=org, sponsors=[], consultants=[],
        data={"name": "Another", "start_date": timezone.localdate()},
    )  # fmt: skip
    elsewhere = services.objective_create(
        by=setup["consultant"], programme=other, scope="programme", title="Elsewhere",
        owner=setup["consultant"], starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=9),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="same programme"):
        _objective(setup, parent=elsewhere)
    services.objective_archive(objective=top, by=setup["consultant"])
    with pytest.raises(ValidationError, match="archived"):
        _objective(setup, parent=Objective.objects.get(pk=top.pk))


def test_no_objective_sits_under_itself_or_its_own_descendants(setup):  # noqa: F811
    top = _objective(setup, title="Top")
    middle = _objective(setup, parent=top, title="Middle")
    low = _objective(setup, parent=middle, title="Low")
    for parent in (low, middle, top):
        with pytest.raises(ValidationError, match="under itself or under one of the objectives"):
            services.objective_parent_set(objective=top, by=setup["consultant"], parent=parent)
    top.refresh_from_db()
    assert top.parent is None
    services.objective_parent_set(objective=low, by=setup["consultant"], parent=top)
    services.objective_parent_set(objective=middle, by=setup["consultant"], parent=low)
    assert Objective.objects.get(pk=middle.pk).parent_id == low.pk


def test_weights_are_whole_numbers_from_1_to_10(setup):  # noqa: F811
    objective, by = setup["objective"], setup["consultant"]
    assert _manual(objective, by, weight=3).weight == 3
    assert _manual(objective, by, title="Default").weight == 1
    for bad in (0, -1, 11, 2.5):
        with pytest.raises(ValidationError, match="weight as a whole number from 1 to 10"):
            _manual(objective, by, title=f"Weight {bad}", weight=bad)
    assert not KeyResult.objects.filter(title__startswith="Weight").exists()


def test_a_key_result_contributes_only_to_a_broader_objective_of_its_programme(
    org,
    setup,  # noqa: F811
):
    top = _objective(setup, title="Top")
    wave_objective, by = setup["objective"], setup["consultant"]
    made = _manual(wave_objective, by, contributes_to=top)
    assert made.contributes_to == top
    sibling = _objective(setup, "wave", wave=setup["wave"], title="Sibling wave objective")
    with pytest.raises(ValidationError, match="broader level than its own"):
        _manual(wave_objective, by, title="Sideways", contributes_to=sibling)
    with pytest.raises(ValidationError, match="broader level than its own"):
        _manual(top, by, title="Downward", contributes_to=wave_objective)
    assert not KeyResult.objects.filter(title__in=["Sideways", "Downward"]).exists()


def test_a_person_objective_is_measured_by_check_ins(setup):  # noqa: F811
    seller = setup["sellers"][0]
    mine = _objective(setup, "person", owner=seller, parent=setup["objective"])
    assert mine.scope == "person" and mine.wave is None and mine.team is None
    with pytest.raises(ValidationError, match="never one person"):
        services.key_result_add(objective=mine, by=setup["consultant"], title="Regular",
                                source="indicator", indicator="regular", target=80)  # fmt: skip
    assert _manual(mine, setup["consultant"]).objective == mine


def test_only_the_objective_s_editors_move_it(org, setup):  # noqa: F811
    top = _objective(setup, title="Top")
    with pytest.raises(PermissionDenied):
        services.objective_parent_set(objective=setup["objective"], by=setup["sellers"][0],
                                      parent=top)  # fmt: skip
    assert Objective.objects.get(pk=setup["objective"].pk).parent is None


# --- the pages --------------------------------------------------------------------------------


def _three_levels(org, setup):  # noqa: F811
    """programme ← wave ← team, as in the pure test above, made through the services."""
    by = setup["consultant"]
    team = Team.objects.create(organisation=org, name="North")
    top = _objective(setup, title="Conversations, not posts")
    wave_objective = setup["objective"]
    services.objective_parent_set(objective=wave_objective, by=by, parent=top)
    team_objective = _objective(setup, "team", team=team, parent=wave_objective,
                                title="North answers its messages")  # fmt: skip
    reached = _manual(wave_objective, by, title="Wave cases", target=10)
    services.check_in(key_result=reached, by=by, value=10, confidence=8)
    half = _manual(team_objective, by, title="Posts", target=10)
    services.check_in(key_result=half, by=by, value=5, confidence=6)
    down = _manual(team_objective, by, title="Unanswered messages", baseline=24, target=4,
                   direction=Direction.DECREASE, weight=3)  # fmt: skip
    services.check_in(key_result=down, by=by, value=19, confidence=5)
    meetings = _manual(team_objective, by, title="Meetings", target=4, weight=2,
                       contributes_to=top)  # fmt: skip
    services.check_in(key_result=meetings, by=by, value=4, confidence=9)
    return top, wave_objective, team_objective


def _percents(html: str) -> list[int]:
    return [int(p) for p in re.findall(r'data-testid="progress">(\d+)%', html)]


def test_the_alignment_page_shows_the_tree_rolled_up(org, login, setup):  # noqa: F811
    top, wave_objective, team_objective = _three_levels(org, setup)
    page = login(setup["sellers"][0]).get(reverse("goals-alignment", args=[org.slug]))
    html = page.content.decode()
    assert page.status_code == 200
    # Depth-first, the broadest first: (0.5 + 0.75 + 2) / 6 = 54 %, (1 + .54) / 2 = 77 %,
    # (.77 + 2 * 1) / 3 = 92 %.
    assert _percents(html) == [92, 77, 54]
    branch = r'data-depth="(\d)"[^<]*<div[^>]*>\s*<div[^>]*>\s*<h\d[^>]*><a[^>]*>([^<]+)'
    titles = re.findall(branch, html)
    assert titles == [("0", top.title), ("1", wave_objective.title), ("2", team_objective.title)]
    assert "Sits under" not in html  # a seller moves nothing


def test_the_list_and_the_objective_page_show_the_rolled_up_progress(org, login, setup):  # noqa: F811
    top, _, _ = _three_levels(org, setup)
    client = login(setup["consultant"])
    detail = client.get(reverse("goals-objective-detail", args=[org.slug, top.code]))
    assert _percents(detail.content.decode())[0] == 92  # no key result of its own
    listing = client.get(reverse("goals-okris", args=[org.slug]))
    assert 92 in _percents(listing.content.decode())


def test_moving_an_objective_through_the_page(org, login, setup):  # noqa: F811
    top = _objective(setup, title="Top")
    client = login(setup["consultant"])
    url = reverse("goals-objective-align", args=[org.slug, top.code])
    # Under its own child: refused with the reason, nothing changes.
    child = _objective(setup, parent=top, title="Child")
    response = client.post(url, {"parent": str(child.code)}, follow=True)
    assert "under itself or under one of the objectives below it" in response.content.decode()
    assert Objective.objects.get(pk=top.pk).parent is None
    # Something that is no objective here: refused, nothing changes.
    for bad in ("not-a-code", "00000000-0000-0000-0000-000000000000"):
        response = client.post(url, {"parent": bad}, follow=True)
        assert "Choose one of the objectives offered" in response.content.decode()
    assert Objective.objects.get(pk=top.pk).parent is None
    url = reverse("goals-objective-align", args=[org.slug, setup["objective"].code])
    response = client.post(url, {"parent": str(top.code)}, follow=True)
    assert "now sits under" in response.content.decode()
    assert Objective.objects.get(pk=setup["objective"].pk).parent == top
    client.post(url, {"parent": ""})
    assert Objective.objects.get(pk=setup["objective"].pk).parent is None


def test_the_forms_set_the_parent_the_weight_and_the_contribution(org, login, setup):  # noqa: F811
    client = login(setup["consultant"])
    today = timezone.localdate()
    response = client.post(reverse("goals-objective-create", args=[org.slug]), {
        "title": "Mine", "programme": setup["programme"].pk, "scope": "person",
        "owner": setup["sellers"][0].pk, "parent": str(setup["objective"].code),
        "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=30)).isoformat(),
    })  # fmt: skip
    assert response.status_code == 302
    mine = Objective.objects.get(title="Mine")
    assert (mine.scope, mine.parent) == ("person", setup["objective"])
    response = client.post(reverse("goals-key-result-create", args=[org.slug, mine.code]), {
        "title": "Calls", "source": "manual", "baseline": "0", "direction": "increase",
        "target": "5", "weight": "2", "contributes_to": str(setup["objective"].code),
    })  # fmt: skip
    assert response.status_code == 302
    made = KeyResult.objects.get(title="Calls")
    assert (made.weight, made.contributes_to) == (2, setup["objective"])
    response = client.post(reverse("goals-key-result-create", args=[org.slug, mine.code]), {
        "title": "Heavy", "source": "manual", "baseline": "0", "direction": "increase",
        "target": "5", "weight": "0",
    })  # fmt: skip
    assert response.status_code == 400 and not KeyResult.objects.filter(title="Heavy").exists()


def test_the_alignment_page_runs_a_fixed_number_of_queries(org, login, setup, count_queries):  # noqa: F811
    client = login(setup["consultant"])
    url = reverse("goals-alignment", args=[org.slug])
    client.get(url)
    counts = []
    for n in (3, 30):
        parent = None
        for i in range(n - Objective.objects.count()):
            parent = _objective(setup, parent=parent, title=f"Level {i}")
            _manual(parent, setup["consultant"], title=f"KR {i}")
        counts.append(count_queries(client.get, url))
    assert counts[0] == counts[1]


def test_another_organisation_s_objective_is_no_parent(org, other_org, login, setup):  # noqa: F811
    stranger = member(other_org, Role.CONSULTANT)
    theirs = services.objective_create(
        by=stranger, programme=programme_services.programme_save(
            by=stranger, organisation=other_org, sponsors=[], consultants=[],
            data={"name": "Theirs", "start_date": timezone.localdate()}),
        scope="programme", title="Theirs", owner=stranger, starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=9),
    )  # fmt: skip
    client = login(setup["consultant"])
    url = reverse("goals-objective-align", args=[org.slug, setup["objective"].code])
    response = client.post(url, {"parent": str(theirs.code)}, follow=True)
    assert "Choose one of the objectives offered" in response.content.decode()
    assert Objective.objects.get(pk=setup["objective"].pk).parent is None
    with pytest.raises(ValidationError):
        services.objective_parent_set(objective=setup["objective"], by=setup["consultant"],
                                      parent=theirs)  # fmt: skip


def test_the_key_result_form_offers_only_broader_objectives_to_count_toward(
    org,
    login,
    setup,  # noqa: F811
):
    top = _objective(setup, title="The programme objective")
    sibling = _objective(setup, "wave", wave=setup["wave"], title="Another wave objective")
    client = login(setup["consultant"])
    wave_page = client.get(reverse("goals-objective-detail", args=[org.slug, sibling.code]))
    html = wave_page.content.decode()
    choices = html[html.index('name="contributes_to"') :].split("</select>")[0]
    assert top.title in choices and setup["objective"].title not in choices
    top_page = client.get(reverse("goals-objective-detail", args=[org.slug, top.code]))
    assert 'name="contributes_to"' not in top_page.content.decode()  # nothing is broader
    services.objective_parent_set(objective=sibling, by=setup["consultant"], parent=top)
    wave_page = client.get(reverse("goals-objective-detail", args=[org.slug, sibling.code]))
    assert (
        f'sits under <a href="{reverse("goals-objective-detail", args=[org.slug, top.code])}"'
        in (wave_page.content.decode())
    )
