"""The navigation each role sees: grouped menus, only pages the role may open, each role's first
page one click away, the current section marked; and the sign-in form's labels."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from programme import navigation
from programme.models import Role

pytestmark = pytest.mark.django_db

ROLES = [Role.SPONSOR, Role.CONSULTANT, Role.MANAGER, Role.SELLER, Role.MARKETING, Role.ADMIN]


def _nav(html: str) -> str:
    return html[html.index('<nav class="navbar') : html.index("</nav>")]


def _top_level(html: str) -> list[str]:
    """The data-nav keys of the links shown outside any menu."""
    nav = _nav(html)
    return re.findall(r'<li class="nav-item"><a class="nav-link[^"]*"[^>]*data-nav="([^"]+)"', nav)


def _keys(html: str) -> set[str]:
    return set(re.findall(r'data-nav="([^"]+)"', _nav(html)))


def _menus(html: str) -> list[str]:
    return re.findall(r'data-nav-menu="([^"]+)"', _nav(html))


def test_each_role_sees_its_places_and_no_others(org, make_member, login) -> None:
    seen = {}
    for role in ROLES:
        response = login(make_member(org, role)).get(f"/o/{org.slug}/")
        seen[role] = _keys(response.content.decode())

    # API tokens: the admin's, in the user menu.
    assert "metrics-api-tokens" in seen[Role.ADMIN]
    assert all("metrics-api-tokens" not in seen[r] for r in ROLES if r != Role.ADMIN)
    # The programme dashboard: the sponsor's Dashboard; a menu entry for consultant and admin.
    for role in (Role.CONSULTANT, Role.ADMIN):
        assert {"metrics-dashboard-sponsor", "metrics-dashboard-manager"} <= seen[role]
    assert "metrics-dashboard-manager" in seen[Role.SPONSOR]
    for role in (Role.SELLER, Role.MARKETING, Role.MANAGER):
        assert "metrics-dashboard-sponsor" not in seen[role]
    # Everyone may join a kick-off with the code shown in the room.
    assert all("kickoff-join-by-code" in keys for keys in seen.values())
    # Marketing has no dashboard of its own (it used to land on an empty "My progress"):
    # its picks are one click away instead, and their uptake in Insights.
    assert "dashboard" not in seen[Role.MARKETING]
    assert "metrics-dashboard-seller" not in seen[Role.MARKETING]
    assert {"showcase-picks-main", "showcase-pick-report"} <= seen[Role.MARKETING]
    # Every role: the organisation switcher, Sign out, notifications.
    for keys in seen.values():
        assert {"org-switcher", "sign-out", "programme-notifications"} <= keys


def test_first_pages_are_one_click_away_and_the_rest_is_grouped(org, make_member, login) -> None:
    firsts = {
        Role.SPONSOR: "dashboard",
        Role.CONSULTANT: "dashboard",
        Role.MANAGER: "dashboard",
        Role.SELLER: "dashboard",
        Role.ADMIN: "dashboard",
        Role.MARKETING: "showcase-picks-main",
    }
    for role, first in firsts.items():
        html = login(make_member(org, role)).get(f"/o/{org.slug}/").content.decode()
        top = _top_level(html)
        assert top[0] == "programme-organisation-home"
        assert first in top, (role, top)
        # A handful of top-level links; everything else sits in a few menus.
        assert len(top) <= 4, (role, top)
        assert "programme" in _menus(html) and "account" in _menus(html)


@pytest.mark.parametrize("role", ROLES)
def test_every_navigation_link_opens_for_its_role(org, make_member, login, role) -> None:
    membership = make_member(org, role)
    client = login(membership)
    for section in navigation.navigation_for(membership):
        for link in section.links:
            response = client.get(link.url, follow=True)
            assert response.status_code == 200, (role, link.url, response.status_code)


def test_the_current_section_and_page_are_marked(org, make_member, login) -> None:
    client = login(make_member(org, Role.SELLER))
    html = _nav(client.get(f"/o/{org.slug}/okris/").content.decode())
    assert re.search(r'class="nav-link dropdown-toggle active"[^>]*data-nav-menu="goals"', html)
    current = r'class="dropdown-item active" aria-current="page"[^>]*data-nav="goals-okris"'
    assert re.search(current, html)
    assert html.count('aria-current="page"') == 1


def test_navigation_lists_only_registered_sections() -> None:
    with pytest.raises(ValueError, match="Unknown navigation section"):
        navigation.register_nav_entry(
            navigation.NavEntry("nowhere", "x", "home", navigation.everyone)
        )


def test_sign_in_form_reads_as_plain_labels(client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert '<label for="id_login">Email address</label>' in html
    assert "Keep me signed in on this device" in html
    for wrong in ("Email:", "Remember Me:", "Password:"):
        assert wrong not in html


def test_join_page_keeps_the_navigation_of_the_organisation(org, make_member, login) -> None:
    """/join/ lies outside any organisation; a seller still has their menus there."""
    client = login(make_member(org, Role.SELLER))
    html = client.get("/join/").content.decode()
    assert {"programme-organisation-home", "dashboard", "programme-notifications"} <= _keys(html)
    current = r'class="dropdown-item active" aria-current="page"[^>]*data-nav="kickoff-join-by-code'
    assert re.search(current, html)


def test_every_page_names_the_snowball_icon_so_browsers_ask_for_no_missing_favicon(
    org, seller, login
):
    """Without an icon link every page cost a 404 for /favicon.ico (a console error)."""
    from django.contrib.staticfiles import finders

    page = login(seller).get(f"/o/{org.slug}/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert icon and icon.group(1).endswith("/favicon.svg")
    found = finders.find("favicon.svg")
    assert found and Path(found).read_text().lstrip().startswith("<svg")
