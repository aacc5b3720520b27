"""The four dashboards: sponsor, manager, consultant, seller. They read rollup tables only."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from metrics import charts, dashboards, indicators, policies, selectors
from metrics.charts import FUNNEL
from programme.csvexport import csv_response
from programme.tenancy import Viewer, tenant_view


@tenant_view
@require_GET
def dashboard(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    return redirect(policies.dashboard_route(viewer.membership), org=viewer.org)


def _wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("export") == "csv"


GROUP_COLUMNS = dashboards.GROUP_COLUMNS


def _group_csv(filename: str, sections: list[tuple[str, list]]) -> HttpResponse:
    header = [_("Group"), _("Name"), *(str(label) for _name, label in GROUP_COLUMNS)]
    too_few = _("too few to show")
    rows = []
    for section, lines in sections:
        for line in lines:
            values = (
                [getattr(line.row, name) for name, _label in GROUP_COLUMNS]
                if line.row
                else [too_few] + [""] * (len(GROUP_COLUMNS) - 1)
            )
            rows.append([section, line.name, *values])
    return csv_response(filename, header, rows)


@tenant_view(policy=policies.can_view_programme_dashboard)
@require_GET
def dashboard_sponsor(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    view = dashboards.sponsor_view(viewer.organisation)
    if _wants_csv(request):
        return _group_csv(
            f"snowball-{viewer.org}-waves-and-teams.csv",
            [(pgettext("group of people", "Wave"), view.waves), (_("Team"), view.teams)],
        )
    context = {
        "view": view,
        "columns": GROUP_COLUMNS,
        "stance_svg": charts.stance_svg(view.stances) if any(view.stances.values()) else "",
        "thresholds": indicators.thresholds_for(viewer.organisation_id),
    }
    if view.overall:
        context |= {
            "funnel_svg": charts.funnel_svg(view.overall),
            "funnel": [(label, getattr(view.overall, name)) for name, label in FUNNEL],
            "usage_svg": charts.usage_svg(view.trend),
            "snowball_svg": charts.snowball_svg(view.trend),
        }
    return render(request, "metrics/dashboard_sponsor.html", context)


@tenant_view(policy=policies.can_view_team_dashboard)
@require_GET
def dashboard_manager(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    organisation = viewer.organisation
    choose = policies.can_choose_any_team(membership)
    if request.GET.get("team"):
        root = selectors.team_by_code(viewer, request.GET["team"])
        if not policies.can_view_team(viewer, root.pk):
            raise PermissionDenied
    else:
        root = selectors.viewer_team(viewer)
        if root is None and choose:
            # Sponsors and the programme team belong to no team: start at the top of the tree.
            root = selectors.top_team(organisation)
    individuals = policies.sees_individuals(membership)
    page = request.GET.get("page") or 1
    order = request.GET.get("order", "attention")
    order = order if order in selectors.ORDERS else "attention"
    people_url = (
        reverse("metrics-dashboard-people", args=[viewer.org])
        if policies.can_view_people_behind_numbers(membership)
        else None
    )
    view = dashboards.manager_view(
        organisation, root, individuals=individuals, page=page, order=order, people_url=people_url
    )
    if _wants_csv(request) and root is not None:
        if individuals and view.week:
            team_ids = [line.pk for line in view.teams]
            return _sellers_csv(
                viewer.org, selectors.sellers_table(organisation, team_ids, view.week), view.week
            )
        return _group_csv(f"snowball-{viewer.org}-teams.csv", [(_("Team"), view.teams)])
    parent = view.parent
    context = {
        "view": view,
        # Said once under the sellers, if one of them is skilled and about to quit.
        "both_note_text": indicators.skill_and_quit_text(indicators.thresholds_for(organisation.pk))
        if individuals and any(p.handles_now and p.quit_now for p in (view.sellers or []))
        else "",
        "columns": GROUP_COLUMNS,
        "individuals": individuals,
        "people_url": people_url,
        "aggregates_note": _(
            "Your organisation shows managers team aggregates only, not individual sellers."
        )
        if policies.limited_to_own_teams(membership)
        else _("Sponsors see team aggregates only, never individual sellers."),
        "this_week": dashboards.this_week(view.overall.row if view.overall else None),
        "group_caption": _(
            "Each team counts its sub-teams; a team's name opens its own dashboard, a number "
            "opens the people it counts"
        )
        if people_url
        else _("Each team counts its sub-teams; a team's name opens its own dashboard"),
        "parent": parent if parent and policies.can_view_team(viewer, parent.pk) else None,
        "order": order,
        "teams": selectors.teams_by_name(organisation) if choose else [],
        "usage_svg": charts.usage_svg(
            view.trend, _("%(team)s: usage and regularity per week") % {"team": root}
        )
        if view.trend
        else "",
    }
    if request.htmx and request.GET.get("page"):
        return render(request, "metrics/dashboard_manager.html#sellers", context)
    return render(request, "metrics/dashboard_manager.html", context)


def _sellers_csv(org: str, sellers, week: date) -> HttpResponse:
    header = [_("Name"), _("E-mail"), _("Team"), _("Active weeks (of 8)"),
              pgettext("indicator", "Regular"), _("Quality"), _("Handles the skill"),
              _("Interactions received (8 weeks)"), _("Streak"), _("Warnings"),
              _("Gaming flag")]  # fmt: skip
    yes, no = _("yes"), _("no")
    quit_label, lapsed_label = _("about to quit"), _("lapsed")
    no_data_label = _("no interaction data")
    rows = (
        [
            p.membership.user.get_full_name(), p.membership.user.email,
            p.team.name if p.team else "", p.active_weeks_now or 0,
            yes if p.regular_now else no,
            "" if p.quality_now is None else round(p.quality_now, 2),
            yes if p.handles_now else no, p.interactions_now or 0,
            selectors.regularity_streak(p.kept_weeks, week),
            "; ".join(label for flag, label in (
                (p.quit_now, quit_label), (p.lapsed_now, lapsed_label),
                (p.no_data_now, no_data_label),
            ) if flag),
            yes if p.gaming_now else "",
        ]
        for p in sellers.iterator(chunk_size=2000)
    )  # fmt: skip
    return csv_response(f"snowball-{org}-sellers.csv", header, rows)


@tenant_view(policy=policies.can_view_consultant_dashboard)
@require_GET
def dashboard_consultant(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    organisation = viewer.organisation
    view = dashboards.consultant_view(organisation)
    if _wants_csv(request):
        rows = []
        if view.week:
            for row in dashboards.at_risk(organisation, view.week).iterator(chunk_size=2000):
                person = row.participant
                rows.append([
                    person.membership.user.get_full_name(), person.membership.user.email,
                    person.team.name if person.team else "",
                    "; ".join(reason for _code, reason in indicators.warnings(row)),
                ])  # fmt: skip
        return csv_response(
            f"snowball-{viewer.org}-at-risk.csv",
            [_("Name"), _("E-mail"), _("Team"), _("Reasons")],
            rows,
        )
    at_risk = [(row, indicators.warnings(row)) for row in view.at_risk]
    return render(
        request,
        "metrics/dashboard_consultant.html",
        {
            "view": view,
            "at_risk": at_risk,
            "limit": dashboards.LIST_LIMIT,
            "people_url": reverse("metrics-dashboard-people", args=[viewer.org]),
        },
    )


@tenant_view(policy=policies.can_view_people_behind_numbers)
@require_GET
def dashboard_people(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    """The people behind one number of a dashboard: a team (or everyone) x an indicator."""
    show = request.GET.get("show", "participants")
    if show not in selectors.SHOWS:
        raise Http404("No such list")
    team = None
    if request.GET.get("team"):
        team = selectors.team_by_code(viewer, request.GET["team"])
    elif policies.limited_to_own_teams(viewer.membership):
        # A manager's lists are of their own team (and below) when no team is named.
        team = selectors.viewer_team(viewer)
        if team is None:
            raise PermissionDenied
    if team is not None and not policies.can_view_team(viewer, team.pk):
        raise PermissionDenied
    listing = selectors.people_behind(
        viewer.organisation, team=team, show=show, page=request.GET.get("page") or 1
    )
    return render(
        request,
        "metrics/dashboard_people.html",
        {"listing": listing, "shows": selectors.SHOWS},
    )


@tenant_view
@require_GET
def dashboard_seller(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    if viewer.participant is None:
        raise PermissionDenied
    view = dashboards.seller_view(viewer)
    thresholds = indicators.thresholds_for(viewer.organisation_id)
    return render(
        request,
        "metrics/dashboard_seller.html",
        {
            "view": view,
            "ssi": selectors.latest_ssi(viewer.participant),
            "chart_svg": charts.seller_svg(view.weeks),
            "chart_phone_svg": charts.seller_phone_svg(view.weeks),
            "next_step": indicators.next_step(view.now, thresholds),
            "warnings": indicators.warnings(view.now, thresholds) if view.now else [],
            "both_note": indicators.skill_and_quit_note(view.now, thresholds),
            "thresholds": thresholds,
        },
    )
