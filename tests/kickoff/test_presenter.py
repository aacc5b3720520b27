"""Presenter mode: the projector's orders, reveal and highlight, live and cheap; the speaker
notes on the consultant's own screen only; agree / disagree / pass on the join page; and the
new actions in the permission matrices."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kickoff import services
from kickoff.models import Concern, ConcernOpinion
from kickoff.views import OWN_CONCERNS_COOKIE
from programme.anonymous import anonymous_flush
from programme.models import Role
from tests.factories import member
from tests.kickoff import test_kickoff as base
from tests.kickoff.test_permission_matrix import (  # noqa: F401 - `world` is a fixture
    EVERYONE,
    ROLES,
    RUNS,
    Page,
    code,
    world,
)


@pytest.fixture
def room(org):
    kickoff = base.kickoff.__wrapped__(org)
    session, consultant = kickoff["session"], kickoff["consultant"]
    session.sponsor_notes = "Claire: my first deal started with a comment"
    session.examples = "https://example.com/a-seller-story"
    session.save(update_fields=["sponsor_notes", "examples"])
    services.kickoff_open(session=session, by=consultant)
    session.refresh_from_db()
    return {"session": session, "consultant": consultant}


def add_concern(session, worry, votes=0, agrees=0, disagrees=0, passes=0, **extra):
    return Concern.objects.create(
        organisation_id=session.organisation_id, session=session, worry=worry, votes=votes,
        agrees=agrees, disagrees=disagrees, passes=passes, **extra,
    )  # fmt: skip


def projector(client, org, session, query="", htmx=False):
    url = reverse("kickoff-projector", args=[org.slug, session.code]) + query
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def shown_worries(page):
    return re.findall(r'class="projector-worry">([^<]+)', page)


@pytest.fixture
def board(room):
    session = room["session"]
    return {
        "shared": add_concern(session, "Shared worry", votes=1, agrees=18, disagrees=1),
        "split": add_concern(session, "Split worry", votes=2, agrees=9, disagrees=9),
        "voted": add_concern(session, "Voted worry", votes=9, agrees=2, disagrees=1),
    }


# --- The projector ----------------------------------------------------------------------------


def test_the_four_orders_by_query_string(org, room, board, login):
    client, session = login(room["consultant"]), room["session"]
    assert shown_worries(projector(client, org, session)) == [
        "Voted worry", "Split worry", "Shared worry"]  # fmt: skip
    assert shown_worries(projector(client, org, session, "?sort=consensus"))[0] == "Shared worry"
    page = projector(client, org, session, "?sort=divisive")
    assert shown_worries(page) == ["Split worry", "Shared worry", "Voted worry"]
    assert 'aria-current="true" class="current"><kbd>4</kbd> Divisive' in page
    # The split shows from five sides on; the voted worry has three.
    assert "50% agree" in page and "95% agree" in page
    assert page.count("no split yet") == 1
    # Anything else in the query string is the default order, never an error.
    for bad in ("?sort=%27;drop", "?reveal=-3", "?reveal=abc", "?hl=not-a-uuid", "?hl=%00"):
        assert shown_worries(projector(client, org, session, bad))[0] == "Voted worry", bad


def test_newest_is_the_latest_to_reach_the_screen(org, room, board, login):
    client, session = login(room["consultant"]), room["session"]
    projector(client, org, session, htmx=True)  # the projector's poll notes what it saw
    add_concern(session, "Just arrived")
    projector(client, org, session, htmx=True)
    assert shown_worries(projector(client, org, session, "?sort=newest"))[0] == "Just arrived"
    assert shown_worries(projector(client, org, session))[-1] == "Just arrived"


def test_reveal_mode_shows_concerns_one_by_one_and_counts_the_hidden(org, room, board, login):
    client, session = login(room["consultant"]), room["session"]
    page = projector(client, org, session, "?reveal=0")
    assert shown_worries(page) == [] and "3 concerns still hidden (N to reveal)" in page
    page = projector(client, org, session, "?reveal=1")
    assert shown_worries(page) == ["Voted worry"] and "2 concerns still hidden" in page
    page = projector(client, org, session, "?sort=consensus&reveal=2")
    assert shown_worries(page) == ["Shared worry", "Split worry"]  # three sides: no score
    assert "1 concern still hidden" in page
    assert "All concerns revealed." in projector(client, org, session, "?reveal=3")


def test_highlight_shows_one_concern_large_and_only_a_revealed_one(org, room, board, login):
    client, session = login(room["consultant"]), room["session"]
    split = board["split"]
    split.would_help = "Talk it through"
    split.save(update_fields=["would_help"])
    page = projector(client, org, session, f"?hl={split.pk}")
    assert 'data-testid="projector-highlight"' in page
    assert "Split worry" in page and "Talk it through" in page
    assert "9 agree, 9 disagree, 0 pass" in page and shown_worries(page) == []
    # A card links to its highlight (a click), which works without JavaScript.
    path = reverse("kickoff-projector", args=[org.slug, session.code])
    assert f'href="{path}?sort=votes&amp;hl={split.pk}"' in projector(client, org, session)
    # Not revealed yet, or not of this session: no highlight, the list stays.
    hidden = projector(client, org, session, f"?reveal=1&hl={split.pk}")
    assert "projector-highlight" not in hidden.split("<aside")[0].split("live-concerns")[1]
    assert shown_worries(projector(client, org, session, f"?hl={uuid.uuid4()}"))


def test_hl_latest_highlights_what_h_targets_and_keeps_that_concern(org, room, board, login):
    """H pressed before the screen caught up asks for hl=latest: the latest revealed (or, out
    of reveal mode, the top one), resolved once into the concern's own key."""
    client, session = login(room["consultant"]), room["session"]
    path = reverse("kickoff-projector", args=[org.slug, session.code])
    page = projector(client, org, session, "?sort=consensus&reveal=2&hl=latest", htmx=True)
    assert 'data-testid="projector-highlight"' in page and "Split worry" in page
    split = board["split"].pk
    assert f'hx-get="{path}?sort=consensus&amp;reveal=2&amp;hl={split}"' in page
    assert f'data-highlight="{split}"' in page
    assert "Voted worry" in projector(client, org, session, "?hl=latest")
    # Nothing revealed: nothing to highlight, the count of the hidden stays.
    page = projector(client, org, session, "?reveal=0&hl=latest")
    assert "projector-highlight" not in page.split("<aside")[0].split("live-concerns")[1]
    assert "3 concerns still hidden" in page


def test_300_concerns_show_the_top_eight_and_how_many_more(org, room, login):
    client, session = login(room["consultant"]), room["session"]
    Concern.objects.bulk_create(
        Concern(organisation_id=session.organisation_id, session=session,
                worry=f"Worry number {n}", votes=n)
        for n in range(300)
    )  # fmt: skip
    page = projector(client, org, session, htmx=True)
    assert len(shown_worries(page)) == 8
    assert shown_worries(page)[0] == "Worry number 299"
    assert "+292 more" in page


def test_the_live_fragment_runs_a_fixed_number_of_queries(org, room, login, count_queries):
    client, session = login(room["consultant"]), room["session"]
    url = reverse("kickoff-projector", args=[org.slug, session.code]) + "?sort=consensus"
    notes = reverse("kickoff-presenter-notes", args=[org.slug, session.code])
    add_concern(session, "One", agrees=5)
    client.get(url, headers={"HX-Request": "true"})  # warm the session and caches
    few = count_queries(client.get, url, headers={"HX-Request": "true"})
    few_notes = count_queries(client.get, notes, headers={"HX-Request": "true"})
    author = member(org, Role.SELLER)
    for n in range(120):
        add_concern(session, f"W{n}", votes=n % 7, agrees=n % 11, disagrees=n % 5,
                    author=author if n % 3 == 0 else None)  # fmt: skip
    assert count_queries(client.get, url, headers={"HX-Request": "true"}) == few
    assert count_queries(client.get, notes, headers={"HX-Request": "true"}) == few_notes
    assert few <= 8


def test_the_projector_polls_its_own_state_and_shows_the_keys_only_on_request(org, room, login):
    page = projector(login(room["consultant"]), org, room["session"], "?sort=divisive&reveal=2")
    path = reverse("kickoff-projector", args=[org.slug, room["session"].code])
    assert f'hx-get="{path}?sort=divisive&amp;reveal=2" hx-trigger="every 3s"' in page
    assert re.search(r'<aside id="presenter-keys"[^>]* hidden', page)
    assert "Reveal the next concern" in page and "data-keys-toggle" in page
    assert "<script>" not in page and "style=" not in page  # CSP: nothing inline


def test_speaker_notes_stay_off_the_projector(org, room, board, login):
    client, session = login(room["consultant"]), room["session"]
    page = projector(client, org, session)
    assert "my first deal started with a comment" not in page
    assert "a-seller-story" not in page
    notes_url = reverse("kickoff-presenter-notes", args=[org.slug, session.code])
    assert f'href="{notes_url}"' in page  # reachable from the projector, for the laptop
    notes = client.get(notes_url + "?sort=divisive&reveal=1").content.decode()
    assert "Claire: my first deal started with a comment" in notes
    assert 'href="https://example.com/a-seller-story"' in notes
    assert "Reveal the next concern" in notes  # the keys
    # Next: what is still covered in the projector's order, with the split.
    table = notes.split('data-testid="notes-next"')[1].split("</ol>")[0]
    assert "Split worry" not in table and table.index("Shared worry") < table.index("Voted worry")
    assert "95% / 5%" in table and "under 5 sided" in table
    assert "Next to reveal (1 of 3 shown)" in notes
    assert "<strong>2.</strong> Shared worry" in table  # numbered in the projector's order


# --- Agree / disagree / pass on the join page ---------------------------------------------------


def join_url(org, session):
    return reverse("kickoff-join", args=[org.slug, session.join_code])


def opinion_url(org, session, concern):
    return reverse("kickoff-concern-opinion", args=[org.slug, session.join_code, concern.pk])


def test_three_buttons_per_concern_with_the_choice_marked(org, room, board, login):
    session, seller = room["session"], member(org, Role.SELLER)
    client = login(seller)
    page = client.get(join_url(org, session)).content.decode()
    assert page.count('data-testid="opinion-agree"') == 3
    assert page.count('aria-pressed="true"') == 0
    response = client.post(opinion_url(org, session, board["split"]), {"opinion": "agree"})
    assert response.status_code == 302
    assert response["Location"] == join_url(org, session) + f"#concern-{board['split'].pk}"
    page = client.get(join_url(org, session)).content.decode()
    item = page.split(f'id="concern-{board["split"].pk}"')[1].split("</li>")[0]
    marked = 'btn-success" type="submit" aria-pressed="true" data-testid="opinion-agree">✓ Agree'
    assert marked in item
    assert "53% agree, 47% disagree (19 people took a side)" in item  # shown once you voted
    other = page.split(f'id="concern-{board["shared"].pk}"')[1].split("</li>")[0]
    assert "took a side" not in other


def test_with_htmx_the_concern_line_is_swapped_in_place(org, room, board, login):
    session, client = room["session"], login(member(org, Role.SELLER))
    response = client.post(
        opinion_url(org, session, board["voted"]), {"opinion": "disagree"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200 and body.strip().startswith("<li")
    assert 'aria-pressed="true" data-testid="opinion-disagree">✓ Disagree' in body
    assert "No split shown until 5 people have taken a side." in body
    board["voted"].refresh_from_db()
    assert board["voted"].disagrees == 2


def test_bad_input_and_own_concerns_are_refused_with_a_message(org, room, board, login):
    session, seller = room["session"], member(org, Role.SELLER)
    client = login(seller)
    response = client.post(
        opinion_url(org, session, board["shared"]), {"opinion": "maybe"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert "Choose agree, disagree or pass." in response.content.decode()
    page = client.post(opinion_url(org, session, board["shared"]), {}, follow=True)
    assert "Choose agree, disagree or pass." in page.content.decode()
    # Their own anonymous concern is known to their browser only (the signed cookie).
    client.post(join_url(org, session), {"worry": "Mine, anonymous"})
    anonymous_flush()
    mine = Concern.objects.get(worry="Mine, anonymous")
    assert client.cookies[OWN_CONCERNS_COOKIE].value
    page = client.post(opinion_url(org, session, mine), {"opinion": "agree"}, follow=True)
    assert "This concern is yours" in page.content.decode()
    mine.refresh_from_db()
    assert (mine.agrees, mine.disagrees, mine.passes) == (0, 0, 0)
    assert 'data-testid="opinion-agree"' not in page.content.decode().split(
        f'id="concern-{mine.pk}"')[1].split("</li>")[0]  # fmt: skip
    assert not ConcernOpinion.objects.exists()


def test_a_concern_of_another_session_is_404(org, room, login):
    session, client = room["session"], login(member(org, Role.SELLER))
    other = services.kickoff_save(
        programme=session.programme, by=room["consultant"], attendees=[],
        data={"title": "Another", "held_on": session.held_on},
    )  # fmt: skip
    elsewhere = add_concern(other, "Elsewhere")
    url = opinion_url(org, session, elsewhere)
    assert client.post(url, {"opinion": "agree"}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.agrees == 0


def test_after_closing_the_join_page_shows_counts_only(org, room, board, login):
    session = room["session"]
    services.kickoff_close(session=session, by=room["consultant"])
    page = login(member(org, Role.SELLER)).get(join_url(org, session)).content.decode()
    assert 'data-testid="opinion-agree"' not in page
    assert "95% agree, 5% disagree (19 people took a side)" in page


# --- The permission matrices, for the new actions -----------------------------------------------

PAGES = {
    "give an opinion on a concern": Page(
        "kickoff-concern-opinion", lambda w: [w["session"].join_code, w["concern"].code],
        EVERYONE, lambda w: ConcernOpinion.objects.filter(voter=w["actor"]).exists(),
        lambda w: {"opinion": "agree"}),
    "read the speaker notes": Page(
        "kickoff-presenter-notes", code("session"), RUNS, method="get"),
    "run the projector in another order": Page(
        "kickoff-projector", code("session"), RUNS, method="get"),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(PAGES))
def test_presenter_page_permission_matrix(org, login, world, name, role):  # noqa: F811
    page = PAGES[name]
    world["actor"] = actor = member(org, role)
    url = reverse(page.route, args=[org.slug, *page.args(world)])
    if page.method == "get":
        url += "?sort=divisive&reveal=1"
    client = login(actor)
    data = page.data(world) if page.data else {}
    response = getattr(client, page.method)(url, data)
    if role in page.allowed:
        assert response.status_code in (200, 302), (name, role, response.status_code)
        assert page.changed(world), (name, role)
    else:
        assert response.status_code == 403, (name, role, response.status_code)
        if page.method == "post":
            assert not page.changed(world), (name, role)


@pytest.mark.parametrize("role", ROLES)
def test_concern_opine_service_permission_matrix(org, world, role):  # noqa: F811
    services.concern_opine(concern=world["concern"], by=member(org, role), opinion="pass")
    assert Concern.objects.get(pk=world["concern"].pk).passes == 1


def test_concern_opine_refuses_another_organisations_concern(other_org, world):  # noqa: F811
    with pytest.raises(PermissionDenied):
        services.concern_opine(
            concern=world["concern"], by=member(other_org, Role.CONSULTANT), opinion="agree"
        )
    assert not ConcernOpinion.objects.exists()
