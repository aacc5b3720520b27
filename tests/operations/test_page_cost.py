"""Page cost (issue #21): what is cached to save CPU never shows stale or foreign content."""

from __future__ import annotations

from django.urls import reverse

from programme.models import Role, Team
from showcase import services as showcase_services
from tests.factories import member


def _case(author, title):
    return showcase_services.case_save(
        author=author.participant,
        data={"kind": "post_worked", "title": title, "story": "A question post worked.",
              "visibility": "organisation", "tags": "questions"},
    )  # fmt: skip


def test_the_feed_cards_come_from_the_cache_and_follow_every_change(org, login):
    author, reader = member(org, Role.SELLER), member(org, Role.SELLER)
    case = _case(author, "Questions open doors")
    feed = reverse("showcase-case-feed", args=[org.slug])
    client = login(reader)
    first = client.get(feed).content.decode()
    assert "Questions open doors" in first and "0 reactions" in first
    # Served again from the cache: the same cards, the same queries (the page's own query
    # still decides which cases the reader may see).
    assert client.get(feed).content.decode().count('class="card mb-3"') == 1
    # A reaction, a new case, a hidden case: each shows on the next visit.
    showcase_services.reaction_toggle(case=case, by=reader, kind="useful")
    assert "1 reaction " in client.get(feed).content.decode()
    _case(author, "Comment before you post")
    assert "Comment before you post" in client.get(feed).content.decode()
    moderator = member(org, Role.CONSULTANT)
    showcase_services.case_hide(case=case, by=moderator, reason="Names a customer")
    page = client.get(feed).content.decode()
    assert "Questions open doors" not in page and "Comment before you post" in page


def test_the_cached_cards_are_never_those_of_another_organisation_or_reader(org, other_org, login):
    mine = member(org, Role.SELLER)
    _case(mine, "Ours")
    theirs = member(other_org, Role.SELLER)
    _case(theirs, "Theirs")
    assert (
        "Ours" in login(mine).get(reverse("showcase-case-feed", args=[org.slug])).content.decode()
    )
    page = login(theirs).get(reverse("showcase-case-feed", args=[other_org.slug])).content.decode()
    assert "Theirs" in page and "Ours" not in page
    # A team-only case: its author sees it, a reader of another team does not.
    author = member(org, Role.SELLER, team=Team.objects.create(organisation=org, name="North"))
    showcase_services.case_save(
        author=author.participant,
        data={"kind": "post_worked", "title": "Team only", "story": "Ours alone.",
              "visibility": "team", "tags": ""},
    )  # fmt: skip
    feed = reverse("showcase-case-feed", args=[org.slug])
    assert "Team only" in login(author).get(feed).content.decode()
    assert "Team only" not in login(mine).get(feed).content.decode()


def test_the_navigation_bar_is_cached_per_person_page_and_role_and_redrawn_on_change(
    org, other_org, login
):
    from programme import services as programme_services

    seller = member(org, Role.SELLER)
    client = login(seller)
    feed = reverse("showcase-case-feed", args=[org.slug])
    page = client.get(feed).content.decode()
    assert 'data-nav="org-switcher"' in page and "Globex" not in page
    # The current page is marked in the bar: another page, another bar.
    assert 'aria-current="page"' in page
    # A second organisation joins the switcher on the next page (the switcher's list is part of
    # the key); its own bar shows its own role.
    programme_services.membership_create(
        organisation=other_org, email=seller.user.email, role=Role.CONSULTANT, verified=True
    )
    assert "Globex" in client.get(feed).content.decode()
    # A role changed: the bar follows (the role is part of the key).
    seller.role = Role.MANAGER
    seller.save(update_fields=["role"])
    page = client.get(reverse("programme-organisation-home", args=[org.slug])).content.decode()
    assert 'title="Your role">Manager<' in page
    # Another person never gets this person's bar (their name and e-mail are in it).
    other = member(org, Role.SELLER)
    page = login(other).get(feed).content.decode()
    assert other.user.email in page and seller.user.email not in page
    # The sign-out form is never cached: its CSRF token is the reader's own.
    assert 'data-nav="sign-out"' in page


WARMED = """
import json, sys
import config.wsgi  # what gunicorn imports in each worker
from django.template import engines
from config.warmup import own_template_names
loader = engines["django"].engine.template_loaders[0]
while not hasattr(loader, "get_template_cache"):  # template_partials wraps the cached loader
    loader = loader.loaders[0]
names = own_template_names()
print(json.dumps({
    "loader": type(loader).__module__,
    "templates": len(names),
    "not_compiled": [n for n in names if n not in loader.get_template_cache],
    "views": all(m in sys.modules for m in ("kickoff.views", "showcase.views", "metrics.views")),
}))
"""


def test_a_server_process_is_warm_before_its_first_request():
    """config.wsgi, as gunicorn loads it in each worker: every view imported and every one of
    the project's templates compiled, so the first people into a room do not pay for it."""
    import json
    import subprocess
    import sys

    from django.conf import settings

    run = subprocess.run(
        [sys.executable, "-c", WARMED], cwd=settings.BASE_DIR, capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found["loader"] == "django.template.loaders.cached"
    assert found["templates"] > 100 and found["not_compiled"] == []
    assert found["views"] is True
    assert "warmed up: " in run.stderr
