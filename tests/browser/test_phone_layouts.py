"""Wide tables and filter rows read on a 390 px phone: nothing lost off the right edge.

Each check opens a page of the demo as the role that uses it, in Chromium, and asserts that the
page is no wider than the window and that what used to be cut off (a column, a button, a note
under a table) lies wholly inside the viewport.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from tests.browser.test_journeys import sign_in

pytestmark = [pytest.mark.browser]

PHONE = 390
DESKTOP = 1280
PASSWORD = "snowball-demo"


def check(name: str):
    """Register a check run against the demo in the module's one browser session."""

    def register(function):
        CHECKS[name] = function
        return function

    return register


CHECKS: dict[str, object] = {}


@pytest.fixture(scope="module")
def results(browser, live_server, django_db_setup, django_db_blocker) -> Iterator[dict]:
    # The live server's tests flush the database after each test, so the demo is built once
    # and every check runs here, as in test_crawl; each test then reports its own check.
    found: dict[str, str | None] = {}
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())
        try:
            for name, function in CHECKS.items():
                try:
                    function(browser, live_server.url)
                    found[name] = None
                except Exception as error:  # reported by its own test
                    found[name] = f"{type(error).__name__}: {error}"
        finally:
            call_command("flush", interactive=False, verbosity=0)
    yield found


def open_as(browser, base: str, email: str, path: str, width: int = PHONE):
    context = browser.new_context(base_url=base, viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, email, PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(path)
    return context, page


def assert_page_fits(page, width: int = PHONE) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def assert_inside_viewport(locator, width: int = PHONE) -> None:
    box = locator.bounding_box()
    assert box is not None, "not rendered"
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (
        f"{locator.inner_text()[:40]!r} spans {box['x']:.0f}-{box['x'] + box['width']:.0f} px "
        f"in a {width} px window"
    )


@check("uptake")
def picks_uptake_is_a_card_per_pick(browser, base):
    context, page = open_as(
        browser, base, "nora.lind@acme.example", "/o/acme/showcase/picks/uptake/"
    )
    try:
        assert_page_fits(page)
        rows = page.locator("[data-testid=uptake] tbody tr")
        assert rows.count() >= 3
        first = rows.first
        # The title reads as a line, not one word a line in a 50 px column.
        title = first.locator("td").first.get_by_role("link")
        assert title.bounding_box()["width"] > 200
        for cell in first.locator("td").all():  # By team, Cases citing it, Archive...
            assert_inside_viewport(cell)
        assert_inside_viewport(first.get_by_role("button", name="Archive"))
    finally:
        context.close()


@check("stakeholders")
def stakeholder_map_shows_every_stance(browser, base):
    context, page = open_as(browser, base, "mia.novak@acme.example", "/o/acme/stakeholders/")
    try:
        assert_page_fits(page)
        grid = page.locator("table.stakeholder-grid")
        for row in grid.locator("tbody tr").all():
            cells = row.locator("td")
            assert cells.count() == 5
            for cell in cells.all():  # Supporter and Champion are the last two
                assert_inside_viewport(cell)
        champion = grid.locator("tbody tr").first.locator("td").last
        assert "Champion" in champion.evaluate("e => getComputedStyle(e, '::before').content")
    finally:
        context.close()


def showcase_filters_have_labels_above_styled_fields(browser, base, width):
    context, page = open_as(
        browser, base, "anna.andersen@acme.example", "/o/acme/showcase/", width=width
    )
    try:
        assert_page_fits(page, width)
        filters = page.get_by_role("form", name="Filters")
        kind = filters.get_by_label("Kind")
        assert "form-select" in (kind.get_attribute("class") or "")
        fields = [kind, filters.get_by_label("Tag"), filters.get_by_label("Segment")]
        for name, field in zip(("Kind", "Tag", "Segment"), fields, strict=True):
            label = filters.locator(f"label:text-is('{name}')").bounding_box()
            box = field.bounding_box()
            assert label["y"] + label["height"] <= box["y"] + 0.5, f"{name}: label not above"
            assert abs(label["x"] - box["x"]) < 1, f"{name}: label not aligned with its field"
            assert_inside_viewport(field, width)
        heights = {round(field.bounding_box()["height"]) for field in fields}
        assert len(heights) == 1, f"fields of different heights {heights}"
        if width == DESKTOP:  # one row: the fields line up
            tops = {round(field.bounding_box()["y"]) for field in fields}
            assert len(tops) == 1, f"fields not on one line {tops}"
    finally:
        context.close()


def dashboard_table_notes_wrap(browser, base, email, path, tables):
    context, page = open_as(browser, base, email, path)
    try:
        assert_page_fits(page)
        notes = page.get_by_text("Groups of fewer than 5 people show")
        assert notes.count() == tables
        for note in notes.all():
            assert note.is_visible()
            assert_inside_viewport(note)
    finally:
        context.close()


@check("feed-phone")
def showcase_filters_on_a_phone(browser, base):
    showcase_filters_have_labels_above_styled_fields(browser, base, PHONE)


@check("feed-desktop")
def showcase_filters_on_a_desktop(browser, base):
    showcase_filters_have_labels_above_styled_fields(browser, base, DESKTOP)


@check("programme-dashboard")
def programme_dashboard_notes(browser, base):
    path = "/o/acme/dashboard/programme/"
    dashboard_table_notes_wrap(browser, base, "claire.martin@acme.example", path, 2)


@check("team-dashboard")
def team_dashboard_notes(browser, base):
    dashboard_table_notes_wrap(
        browser, base, "lena.koch@acme.example", "/o/acme/dashboard/team/", 1
    )


def test_picks_uptake_is_a_card_per_pick_on_a_phone(results):
    assert results["uptake"] is None, results["uptake"]


def test_stakeholder_map_shows_every_stance_on_a_phone(results):
    assert results["stakeholders"] is None, results["stakeholders"]


@pytest.mark.parametrize("name", ["feed-phone", "feed-desktop"])
def test_showcase_filters_have_labels_above_styled_fields(results, name):
    assert results[name] is None, results[name]


@pytest.mark.parametrize("name", ["programme-dashboard", "team-dashboard"])
def test_dashboard_table_notes_wrap_on_a_phone(results, name):
    assert results[name] is None, results[name]
