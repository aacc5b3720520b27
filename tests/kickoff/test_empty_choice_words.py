"""The kick-off page's "From (team)" choice says in words what leaving it empty means."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.kickoff.test_kickoff import kickoff  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_from_team_offers_words_not_dashes(org, kickoff, login):  # noqa: F811
    client = login(kickoff["consultant"])
    page = client.get(reverse("kickoff-session-detail", args=[org.slug, kickoff["session"].code]))
    html = page.content.decode()
    assert "From (team)" in html
    assert "No team in particular" in html
    assert "---------" not in html
