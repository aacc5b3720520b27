"""Sharing a pick well: the seller's angle first (marketing's suggestion shown, never pre-filled),
the organisation's disclosure line, LinkedIn's share dialog with a link naming the pick and the
team (never the person), and "I shared it" recorded when they come back."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from programme.models import Role, Team
from showcase import services, sharing
from showcase.models import PickUptake, UptakeAction
from tests.factories import member

POST = "https://www.linkedin.com/feed/update/urn:li:activity:7000/?trk=x&utm_source=old"


@pytest.fixture
def marketing(org):
    return member(org, Role.MARKETING)


@pytest.fixture
def pick(marketing):
    return services.pick_post(
        by=marketing, url=POST, note="Our cold-chain study", campaign="Spring Study 2026",
        angle="Ask which finding surprised them",
    )  # fmt: skip


def _share_page(client, org, pick):
    return client.get(reverse("showcase-pick-share", args=[org.slug, pick.code]))


def _linkedin_target(page: str) -> str:
    start = page.index('href="https://www.linkedin.com/sharing/share-offsite/?url=') + 6
    href = page[start : page.index('"', start)].replace("&amp;", "&")
    assert urlsplit(href).netloc == "www.linkedin.com"
    return parse_qs(urlsplit(href).query)["url"][0]


def test_share_step_shows_the_angle_and_the_disclosure_then_linkedin(org, pick, login):
    org.disclosure_line = "#employee"
    org.save(update_fields=["disclosure_line"])
    team = Team.objects.create(organisation=org, name="Nordics")
    seller = member(org, Role.SELLER, team=team)
    response = _share_page(login(seller), org, pick)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ask which finding surprised them" in page
    # The suggestion is shown, never pre-filled as the post's text.
    assert (
        '<textarea class="form-control mb-2" id="my-angle" rows="4" data-testid="my-angle">'
        "</textarea>" in page
    )
    assert "#employee" in page and "Copy my angle" in page
    # Shown by share.js only: without it (not loaded yet, or blocked) a copy button is dead.
    assert page.count(' hidden data-copy="') == 2
    assert 'target="_blank" rel="noopener"' in page
    shared = _linkedin_target(page)
    query = parse_qs(urlsplit(shared).query)
    assert shared.startswith("https://www.linkedin.com/feed/update/urn:li:activity:7000/")
    assert query["utm_source"] == ["linkedin"] and query["utm_medium"] == ["social"]
    assert query["utm_campaign"] == ["spring-study-2026"]
    assert query["utm_content"] == [f"pick-{pick.share.code}"]
    assert query["utm_term"] == [f"team-{team.code.hex[:8]}"]
    assert query["trk"] == ["x"]  # the link's own parameters stay, old UTM ones go
    # Never the person: no name, e-mail or member code in the shared link.
    user = seller.user
    for personal in (
        user.email,
        user.first_name,
        user.last_name,
        str(seller.code),
        seller.code.hex,
    ):
        assert not personal or personal not in shared
    assert "Did you share it?" in page


def test_no_disclosure_step_when_the_organisation_asks_none(org, pick, login):
    page = _share_page(login(member(org, Role.SELLER)), org, pick).content.decode()
    assert "Add the disclosure line" not in page
    query = parse_qs(urlsplit(_linkedin_target(page)).query)
    assert "utm_term" not in query  # no team, no team parameter


def test_with_short_links_the_dialog_shares_snowballs_redirect(org, pick, login, settings):
    settings.PICK_SHORT_LINKS = True
    settings.SITE_URL = "https://snowball.acme.example"
    team = Team.objects.create(organisation=org, name="Nordics")
    page = _share_page(login(member(org, Role.SELLER, team=team)), org, pick).content.decode()
    assert _linkedin_target(page) == (
        f"https://snowball.acme.example/r/{pick.share.code}/{team.code.hex[:8]}/"
    )


def test_coming_back_records_i_shared_it_once(org, pick, login):
    seller = member(org, Role.SELLER)
    client = login(seller)
    url = reverse("showcase-pick-shared", args=[org.slug, pick.code])
    for _ in range(2):  # a second "Yes" does not take it back
        response = client.post(url)
        assert response.status_code == 302
    assert PickUptake.objects.filter(pick=pick, membership=seller,
                                     action=UptakeAction.SHARED).count() == 1  # fmt: skip
    page = client.get(response["Location"]).content.decode()
    assert "marked as shared" in page
    assert "1 shared" in page


@pytest.mark.parametrize("role", [Role.MARKETING, Role.CONSULTANT, Role.SPONSOR, Role.ADMIN])
def test_only_people_who_take_up_picks_share_them(org, pick, login, role):
    client = login(member(org, role))
    assert _share_page(client, org, pick).status_code == 403
    assert (
        client.post(reverse("showcase-pick-shared", args=[org.slug, pick.code])).status_code == 403
    )
    assert not PickUptake.objects.exists()


def test_archived_pick_has_no_share_step(org, pick, marketing, login):
    services.pick_archive(pick=pick, by=marketing)
    client = login(member(org, Role.SELLER))
    assert _share_page(client, org, pick).status_code == 404
    assert (
        client.post(reverse("showcase-pick-shared", args=[org.slug, pick.code])).status_code == 404
    )


def test_picks_list_leads_to_the_share_step(org, pick, login):
    page = login(member(org, Role.SELLER)).get(reverse("showcase-pick-list", args=[org.slug]))
    assert reverse("showcase-pick-share", args=[org.slug, pick.code]) in page.content.decode()


def test_admin_sets_the_disclosure_line(org, login):
    client = login(member(org, Role.ADMIN))
    url = reverse("programme-organisation-settings", args=[org.slug])
    assert client.post(url, {"disclosure_line": "  #employee  "}).status_code == 302
    org.refresh_from_db()
    assert org.disclosure_line == "#employee"
    assert 'value="#employee"' in client.get(url).content.decode()
    too_long = client.post(url, {"disclosure_line": "x" * 101})
    assert too_long.status_code == 400
    org.refresh_from_db()
    assert org.disclosure_line == "#employee"


def test_campaign_names_are_cleaned():
    assert sharing.campaign_clean("  Spring Study 2026! ") == "spring-study-2026"
    assert sharing.campaign_clean("") == sharing.DEFAULT_CAMPAIGN


def test_marketing_sets_the_campaign_in_the_form(org, marketing, login):
    client = login(marketing)
    response = client.post(reverse("showcase-pick-create", args=[org.slug]), {
        "url": POST, "note": "Study", "campaign": "Q2 push",
    })  # fmt: skip
    assert response.status_code == 302
    assert services.MarketingPick.objects.get().share.campaign == "q2-push"
