"""Marketing picks: marketing posts company content, sellers say they took it up, marketing
sees the uptake and the cases that cite its content."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from programme.models import EmailKind, Notification, Role, Team
from showcase import services
from showcase.models import MarketingPick, PickUptake
from tests.factories import member

POST = "https://www.linkedin.com/feed/update/urn:li:activity:7000/"


@pytest.fixture
def marketing(org):
    return member(org, Role.MARKETING)


def pick_url(name, org, pick=None):
    return reverse(name, args=[org.slug] + ([pick.code] if pick else []))


def test_marketing_posts_a_pick_and_the_programme_is_told(org, marketing, login):
    sellers = [member(org, Role.SELLER) for _ in range(3)]
    client = login(marketing)
    response = client.post(pick_url("showcase-pick-create", org), {
        "url": POST, "note": "Our cold-chain study is out",
        "angle": "Ask your network which finding surprised them",
    })  # fmt: skip
    assert response.status_code == 302
    pick = MarketingPick.objects.get()
    assert pick.posted_by == marketing and pick.url_key.startswith("linkedin.com/feed/update/")
    told = Notification.objects.filter(kind=EmailKind.MARKETING_PICK)
    assert set(told.values_list("recipient", flat=True)) == {s.pk for s in sellers}
    page = login(sellers[0]).get(pick_url("showcase-pick-list", org)).content.decode()
    assert "Our cold-chain study is out" in page and "which finding surprised them" in page
    assert "I shared it" in page and "Post a pick" not in page


@pytest.mark.parametrize("role", [Role.SELLER, Role.MANAGER, Role.CONSULTANT, Role.SPONSOR,
                                  Role.ADMIN])  # fmt: skip
def test_only_marketing_posts_and_archives_picks(org, marketing, login, role):
    pick = services.pick_post(by=marketing, url=POST, note="Study")
    client = login(member(org, role))
    response = client.post(pick_url("showcase-pick-create", org), {"url": POST, "note": "x"})
    assert response.status_code == 403
    assert client.post(pick_url("showcase-pick-archive", org, pick)).status_code == 403
    with pytest.raises(PermissionDenied):
        services.pick_post(by=member(org, role), url=POST, note="x")
    assert MarketingPick.objects.filter(archived_at__isnull=True).count() == 1


def test_bad_pick_is_refused_with_a_message(org, marketing, login):
    client = login(marketing)
    response = client.post(pick_url("showcase-pick-create", org), {
        "url": "javascript:alert(1)", "note": "",
    })  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400 and "Enter a valid URL" in page
    assert "This field is required" in page and MarketingPick.objects.count() == 0


def test_sellers_take_up_and_marketing_sees_it_by_team(org, marketing, login):
    north, south = (Team.objects.create(organisation=org, name=n) for n in ("North", "South"))
    pick = services.pick_post(by=marketing, url=POST, note="Study")
    a, b = member(org, Role.SELLER, team=north), member(org, Role.SELLER, team=south)
    for who, action in ((a, "shared"), (a, "commented"), (b, "shared")):
        response = login(who).post(pick_url("showcase-pick-uptake", org, pick), {"action": action})
        assert response.status_code == 302
    login(b).post(pick_url("showcase-pick-uptake", org, pick), {"action": "shared"})  # back
    assert PickUptake.objects.count() == 2
    refused = login(a).post(pick_url("showcase-pick-uptake", org, pick), {"action": "liked"})
    assert refused.status_code == 302 and PickUptake.objects.count() == 2
    # Marketing, who is in no programme, cannot claim to have shared.
    with pytest.raises(PermissionDenied):
        services.uptake_toggle(pick=pick, by=marketing, action="shared")
    report = login(marketing).get(pick_url("showcase-pick-report", org)).content.decode()
    assert "North (1)" in report and "South" not in report
    mine = login(a).get(pick_url("showcase-pick-list", org)).content.decode()
    assert mine.count('aria-pressed="true"') == 2
    for role in (Role.SELLER, Role.MANAGER):
        assert (
            login(member(org, role)).get(pick_url("showcase-pick-report", org)).status_code == 403
        )


def test_cases_citing_company_content_are_found_either_way_round(org, marketing, login):
    author = member(org, Role.SELLER)
    data = {
        "kind": "post_worked",
        "title": "I added my view to the study",
        "story": "It worked",
        "visibility": "organisation",
        "links": "https://linkedin.com/feed/update/urn:li:activity:7000?utm_source=share",
    }
    before = services.case_save(author=author.participant, data=data)  # written before the pick
    pick = services.pick_post(by=marketing, url=POST, note="Study")
    assert list(pick.cases.all()) == [before]
    other = services.pick_post(by=marketing, url="https://example.com/blog/post", note="Blog")
    after = services.case_save(author=author.participant, data={
        **data, "title": "Blog share", "links": "",
        "story": "I shared [the blog](https://www.example.com/blog/post/) with a question",
    })  # fmt: skip
    assert list(after.picks.all()) == [other]
    team_only = services.case_save(author=member(org, Role.SELLER, team=Team.objects.create(
        organisation=org, name="East")).participant, data={**data, "title": "Team secret",
        "visibility": "team"})  # fmt: skip
    assert list(team_only.picks.all()) == [pick]
    report = login(marketing).get(pick_url("showcase-pick-report", org)).content.decode()
    assert "I added my view to the study" in report and "Blog share" in report
    assert "Team secret" not in report  # marketing reads only what it may read


def _visit(client, page: str) -> None:
    assert client.get(page).status_code == 200


def test_pick_pages_run_a_fixed_number_of_queries(org, marketing, login, count_queries):
    seller = member(org, Role.SELLER)

    def counts():
        queries = []
        for name, who in (("showcase-pick-list", seller), ("showcase-pick-report", marketing)):
            queries.append(count_queries(_visit, login(who), pick_url(name, org)))
        return queries

    services.pick_post(by=marketing, url=POST, note="One")
    citing = {"kind": "post_worked", "title": "C", "story": POST, "visibility": "organisation"}
    services.case_save(author=seller.participant, data=citing)
    counts()  # warm: per-process caches (navigation, which organisations require SSO) filled
    small = counts()
    for n in range(12):
        pick = services.pick_post(by=marketing, url=f"https://example.com/{n}", note=f"P{n}")
        services.uptake_toggle(pick=pick, by=member(org, Role.SELLER), action="shared")
        services.case_save(author=member(org, Role.SELLER).participant, data={
            "kind": "post_worked", "title": f"C{n}", "story": f"https://example.com/{n}",
            "visibility": "organisation"})  # fmt: skip
    assert counts() == small


def _home(client, org):
    return client.get(reverse("programme-organisation-home", args=[org.slug])).content.decode()


def test_the_newest_pick_is_listed_first(org, marketing, login):
    older = services.pick_post(by=marketing, url="https://example.com/older", note="Older")
    newer = services.pick_post(by=marketing, url="https://example.com/newer", note="Newer")
    assert older.created_at < newer.created_at
    services.uptake_toggle(pick=older, by=member(org, Role.SELLER), action="shared")
    for who, name in ((member(org, Role.SELLER), "showcase-pick-list"),
                      (marketing, "showcase-pick-report")):  # fmt: skip
        page = login(who).get(pick_url(name, org)).content.decode()
        assert page.index("Newer") < page.index("Older"), name


def test_a_pick_shows_a_title_or_where_its_link_leads(org, marketing, login):
    response = login(marketing).post(pick_url("showcase-pick-create", org), {
        "url": "https://www.acme.example/insights/cold-chain-study?utm=x",
        "title": "The cold-chain study 2026", "note": "Five findings buyers ask about",
    })  # fmt: skip
    assert response.status_code == 302
    services.pick_post(
        by=marketing, url="https://www.acme.example/blog/webinar-replay/", note="Replay"
    )
    page = login(member(org, Role.SELLER)).get(pick_url("showcase-pick-list", org)).content.decode()
    assert re.search(r"<h2[^>]*><a [^>]*>The cold-chain study 2026", page)
    assert "Five findings buyers ask about" in page
    assert re.search(r"<h2[^>]*><a [^>]*>acme.example/blog/webinar-replay<", page)
    assert ">https://" not in page  # no bare address as the text of a link


def test_marketing_home_shows_its_picks_and_how_they_were_shared(org, marketing, login):
    pick = services.pick_post(by=marketing, url=POST, title="Cold-chain study", note="Study")
    for action in ("shared", "commented"):
        services.uptake_toggle(pick=pick, by=member(org, Role.SELLER), action=action)
    home = _home(login(marketing), org)
    panel = home.split("Your picks and how they were shared", 1)[1].split("</section>", 1)[0]
    assert "Cold-chain study" in panel
    assert "1 shared · 1 commented · 2 people" in panel
    assert pick_url("showcase-pick-report", org) in panel and "Post a pick" in panel
    assert "Your picks" not in _home(login(member(org, Role.SELLER)), org)


def test_seller_home_shows_the_newest_three_picks(org, marketing, login):
    seller = member(org, Role.SELLER)
    picks = [
        services.pick_post(by=marketing, url=f"https://example.com/{n}", title=f"Pick number {n}",
                           note="n")
        for n in range(4)
    ]  # fmt: skip
    services.uptake_toggle(pick=picks[3], by=seller, action="shared")
    home = _home(login(seller), org)
    panel = home.split("New from marketing", 1)[1].split("</section>", 1)[0]
    assert [t for t in re.findall(r"Pick number \d", panel)] == [
        "Pick number 3", "Pick number 2", "Pick number 1"]  # fmt: skip
    assert panel.count("not shared yet") == 2
    assert "New from marketing" not in _home(login(member(org, Role.CONSULTANT)), org)
