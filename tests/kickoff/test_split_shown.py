"""The room's agree / disagree split reaches the consultant's board and the printed report, not
only the projector and the join page; under five sided voters it says there is no split."""

from __future__ import annotations

from django.urls import reverse

from kickoff import services
from kickoff.models import Concern
from programme.models import Role
from tests.factories import member
from tests.kickoff.test_daily_work import kickoff  # noqa: F401 (fixture)


def _room(org, session):
    shared = Concern.objects.create(organisation=org, session=session, worry="Time to post")
    few = Concern.objects.create(organisation=org, session=session, worry="Which tool")
    for opinion in ["agree"] * 6 + ["disagree"] * 2 + ["pass"]:
        services.concern_opine(concern=shared, by=member(org, Role.SELLER), opinion=opinion)
    for opinion in ("agree", "disagree"):
        services.concern_opine(concern=few, by=member(org, Role.SELLER), opinion=opinion)
    return shared, few


def test_the_report_and_the_board_show_each_concerns_split(org, consultant, kickoff, login):  # noqa: F811
    _room(org, kickoff)
    client = login(consultant)
    for name in ("kickoff-report", "kickoff-session-detail"):
        html = client.get(reverse(name, args=[org.slug, kickoff.code])).content.decode()
        assert "75% agree, 25% disagree (8 took a side), 1 passed" in html, name
        assert "No split: 2 took a side, fewer than 5" in html, name


def test_the_csv_carries_the_split_and_no_opinion_goes_to_a_held_concern(
    org,
    consultant,
    kickoff,  # noqa: F811 (the fixture)
    login,
):
    import csv
    import io

    import pytest
    from django.core.exceptions import ValidationError

    from kickoff.models import Moderation

    _room(org, kickoff)
    response = login(consultant).get(
        reverse("kickoff-session-export", args=[org.slug, kickoff.code])
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    shared = next(row for row in rows if row["What worries me"] == "Time to post")
    assert (shared["Agree"], shared["Disagree"], shared["Pass"]) == ("6", "2", "1")
    assert shared["Agree share (5 or more took a side)"] == "75%"
    few = next(row for row in rows if row["What worries me"] == "Which tool")
    assert few["Agree share (5 or more took a side)"] == ""

    held = Concern.objects.create(
        organisation=org, session=kickoff, worry="Held", moderation=Moderation.HELD
    )
    with pytest.raises(ValidationError, match="not on the screen"):
        services.concern_opine(concern=held, by=member(org, Role.SELLER), opinion="agree")
    held.refresh_from_db()
    assert held.agrees == 0
