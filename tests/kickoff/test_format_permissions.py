"""The kick-off format actions in the kick-off permission matrix: every role, through the page
and through the service; allowed roles change data, the others get 403 / PermissionDenied and
change nothing; another organisation's consultant is nobody here."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kickoff import services
from kickoff.models import KickoffFormat, KickoffSession
from programme.models import Role
from tests.factories import member
from tests.kickoff.test_permission_matrix import (  # noqa: F401 - `world` is a fixture
    BOARD,
    ROLES,
    RUNS,
    TODAY,
    Page,
    Service,
    code,
    world,
)

AGENDA = "Welcome — 10\nWhat worries you — 20"


@pytest.fixture
def formats_world(world):  # noqa: F811 - the matrix fixture
    consultant = member(world["programme"].organisation, Role.CONSULTANT)
    world["format"] = services.kickoff_format_save(
        by=consultant, data={"name": "Wave kick-off", "agenda": AGENDA}
    )
    return world


def _format(w) -> KickoffFormat:
    return KickoffFormat.objects.get(pk=w["format"].pk)


PAGES = {
    "list the formats": Page("kickoff-format-list", lambda w: [], BOARD, method="get"),
    "compare a format's waves": Page(
        "kickoff-format-compare", code("format"), BOARD, method="get"),
    "write a new format": Page(
        "kickoff-format-create", lambda w: [], RUNS,
        lambda w: KickoffFormat.objects.filter(name="Short").exists(),
        lambda w: {"name": "Short", "agenda": "Hi — 5", "follow_up_days": 30}),
    "edit a format": Page(
        "kickoff-format-edit", code("format"), RUNS,
        lambda w: _format(w).name == "Renamed",
        lambda w: {"name": "Renamed", "agenda": AGENDA, "follow_up_days": 30}),
    "archive a format": Page(
        "kickoff-format-archive", code("format"), RUNS,
        lambda w: _format(w).archived_at is not None, lambda w: {"archived": "1"}),
    "save a session as a format": Page(
        "kickoff-session-save-as-format", code("session"), RUNS,
        lambda w: KickoffFormat.objects.filter(name="From Lyon").exists(),
        lambda w: {"name": "From Lyon", "agenda": AGENDA, "follow_up_days": 30}),
    "plan a kick-off from a format": Page(
        "kickoff-session-plan-from-format", code("programme"), RUNS,
        lambda w: KickoffSession.objects.filter(kickoff_format=w["format"]).exists(),
        lambda w: {"kickoff_format": str(w["format"].code), "title": "Wave 2",
                   "held_on": TODAY.isoformat()}),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(PAGES))
def test_format_page_permission_matrix(org, login, formats_world, name, role):
    page, w = PAGES[name], formats_world
    url = reverse(page.route, args=[org.slug, *page.args(w)])
    response = getattr(login(member(org, role)), page.method)(
        url, page.data(w) if page.data else {}
    )
    if role in page.allowed:
        assert response.status_code in (200, 302), (name, role, response.status_code)
        assert page.changed(w), (name, role)
    else:
        assert response.status_code == 403, (name, role, response.status_code)
        if page.method == "post":
            assert not page.changed(w), (name, role)


SERVICES = {
    "kickoff_format_save": Service(
        lambda w, by: services.kickoff_format_save(
            by=by, data={"name": "By a service", "agenda": AGENDA}),
        RUNS, lambda w: KickoffFormat.objects.filter(name="By a service").exists()),
    "kickoff_format_save (edit)": Service(
        lambda w, by: services.kickoff_format_save(
            by=by, kickoff_format=w["format"], data={"name": "Renamed"}),
        RUNS, lambda w: _format(w).name == "Renamed"),
    "kickoff_format_archive": Service(
        lambda w, by: services.kickoff_format_archive(
            kickoff_format=w["format"], by=by, archived=True),
        RUNS, lambda w: _format(w).archived_at is not None),
    "kickoff_format_save_from_session": Service(
        lambda w, by: services.kickoff_format_save_from_session(
            session=w["session"], by=by, data={"name": "From Lyon", "agenda": AGENDA}),
        RUNS, lambda w: KickoffFormat.objects.filter(name="From Lyon").exists()),
    "kickoff_plan_from_format": Service(
        lambda w, by: services.kickoff_plan_from_format(
            programme=w["programme"], by=by, kickoff_format=w["format"], attendees=[],
            data={"title": "Wave 2", "held_on": TODAY}),
        RUNS, lambda w: KickoffSession.objects.filter(kickoff_format=w["format"]).exists()),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(SERVICES))
def test_format_service_permission_matrix(org, formats_world, name, role):
    service = SERVICES[name]
    actor = member(org, role)
    if role in service.allowed:
        service.call(formats_world, actor)
        assert service.changed(formats_world), (name, role)
    else:
        with pytest.raises(PermissionDenied):
            service.call(formats_world, actor)
        assert not service.changed(formats_world), (name, role)


@pytest.mark.parametrize("name", [n for n in SERVICES if n != "kickoff_format_save"])
def test_format_services_refuse_another_organisations_objects(other_org, formats_world, name):
    service = SERVICES[name]
    with pytest.raises(PermissionDenied):
        service.call(formats_world, member(other_org, Role.CONSULTANT))
    assert not service.changed(formats_world), name


def test_a_new_format_belongs_to_the_actors_organisation(org, other_org, formats_world):
    """Writing one's own format is allowed anywhere one runs kick-offs, and it lands there."""
    theirs = services.kickoff_format_save(
        by=member(other_org, Role.CONSULTANT), data={"name": "Wave kick-off", "agenda": AGENDA}
    )
    assert theirs.organisation == other_org and _format(formats_world).organisation == org
