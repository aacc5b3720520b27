"""Words on the objective page read as English whatever the objective's scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from goals import services
from programme import services as programme_services
from programme.models import Role
from tests.factories import TeamFactory, member


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("programme", "from the indicators of the whole programme,"),
        ("wave", "from the indicators of wave 1,"),
        ("team", "from the indicators of team North and its sub-teams,"),
    ],
)
def test_the_key_result_hint_names_the_scope_without_a_doubled_the(org, login, scope, expected):
    consultant = member(org, Role.CONSULTANT)
    today = timezone.localdate()
    programme = programme_services.programme_save(
        by=consultant,
        organisation=org,
        data={"name": "Social selling", "start_date": today},
        sponsors=[],
        consultants=[consultant],
    )
    wave = programme_services.wave_create(
        by=consultant, programme=programme, name="", start_date=today
    )
    team = TeamFactory(organisation=org, name="North")
    objective = services.objective_create(
        by=consultant, programme=programme, scope=scope, title="A habit", owner=consultant,
        wave=wave if scope == "wave" else None, team=team if scope == "team" else None,
        starts_on=today, ends_on=today + timedelta(days=60),
    )  # fmt: skip
    page = login(consultant).get(reverse("goals-objective-detail", args=[org.slug, objective.code]))
    text = " ".join(page.content.decode().split())
    assert expected in text
    assert "the the" not in text.lower()
