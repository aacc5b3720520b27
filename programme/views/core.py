from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programme import policies, selectors, services
from programme.forms import (
    InvitationAcceptForm,
    ParticipantPlacementForm,
    ParticipantProfileForm,
    PeopleFilterForm,
    RosterUploadForm,
    TeamForm,
)
from programme.home import extra_home_panels
from programme.models import RosterImport
from programme.person import person_panels
from programme.tenancy import Viewer, remembered_organisation_slug, tenant_view

PEOPLE_PAGE_SIZE = 50


# --- Entry points -----------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send a signed-in person to their organisation (the last one they used)."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    memberships = list(selectors.memberships_of_user(request.user))
    if not memberships:
        ended = selectors.has_ended_memberships(request.user)
        return render(request, "programme/no_organisation.html", {"access_ended": ended})
    remembered = remembered_organisation_slug(request)
    chosen = next((m for m in memberships if m.organisation.slug == remembered), None)
    if chosen is None and len(memberships) > 1:
        return render(request, "programme/choose_organisation.html", {"memberships": memberships})
    chosen = chosen or memberships[0]
    return redirect("programme-organisation-home", org=chosen.organisation.slug)


@tenant_view
@require_GET
def organisation_home(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    services.membership_mark_joined(membership=membership)
    context = {
        "membership": membership,
        "participant": viewer.participant,
        "summary": selectors.organisation_summary(membership.organisation)
        if policies.can_view_people(membership)
        else None,
        "panels": selectors.home_panels(membership),
        "extra_panels": extra_home_panels(viewer),
    }
    return render(request, "programme/organisation_home.html", context)


# --- People -----------------------------------------------------------------------------------


@tenant_view(policy=policies.can_view_people)
@require_GET
def people_list(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    form = PeopleFilterForm(request.GET or None, organisation=membership.organisation)
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.people_filtered(
        viewer,
        team=filters.get("team"),
        role=filters.get("role", ""),
        query=filters.get("q", ""),
        status=filters.get("status") or selectors.PEOPLE_ACTIVE,
    )
    page = Paginator(people, PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
    for person in page:
        # Pure role checks, no query: who may end or restore each listed person's access.
        person.can_change_access = policies.can_deactivate_member(membership, person.membership)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_resend": policies.can_resend_invitation(membership),
    }
    template = "programme/people_list.html"
    if request.htmx:
        template += "#people-results"
    return render(request, template, context)


@tenant_view
@require_GET
def my_profile(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    participant = viewer.participant
    if participant is None:
        raise PermissionDenied
    return redirect("programme-participant-detail", org=viewer.org, code=participant.code)


def _participant_form(request: HttpRequest, membership, participant):
    data = request.POST if request.method == "POST" else None
    if policies.can_edit_participant_placement(membership):
        return ParticipantPlacementForm(
            data, instance=participant, organisation=membership.organisation
        )
    return ParticipantProfileForm(data, instance=participant)


@tenant_view
@require_http_methods(["GET", "POST"])
def participant_detail(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    participant = selectors.participant_get(membership.organisation, code)
    if not selectors.participants_visible_to(viewer).filter(pk=participant.pk).exists():
        raise PermissionDenied
    can_edit = policies.can_edit_participant(membership, participant)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = None
    if can_edit:
        # Bind to a separate copy, so a refused form leaves the profile shown beside it intact.
        instance = selectors.participant_get(membership.organisation, code)
        form = _participant_form(request, membership, instance)
        if request.method == "POST" and form.is_valid():
            changed = services.participant_update(
                participant=participant,
                by=membership,
                data={name: form.cleaned_data[name] for name in form.Meta.fields},
            )
            messages.success(
                request,
                _("Profile saved.") if changed else _("Nothing changed: the profile is as it was."),
            )
            return redirect("programme-participant-detail", org=viewer.org, code=code)
    context = {
        "participant": participant,
        "person": participant.membership.user,
        "form": form,
        "can_resend": policies.can_resend_invitation(membership)
        and participant.membership.joined_at is None,
        "is_self": participant.membership_id == membership.pk,
        "can_change_access": policies.can_deactivate_member(membership, participant.membership),
        "sessions": selectors.participant_sessions(participant),
        "person_panels": person_panels(viewer, participant),
    }
    return render(
        request,
        "programme/participant_detail.html",
        context,
        status=400 if form and form.errors else 200,
    )


def _back_to(request: HttpRequest, fallback: str) -> HttpResponse:
    """Where a button came from (the people list keeps its filters), if it is this site."""
    back = request.POST.get("next", "")
    # A path of this site only (redirect() would take any other word for a view's name).
    if back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(back)
    return redirect(fallback)


@tenant_view(policy=policies.can_view_people)
@require_POST
def participant_deactivate(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """End a person's access to the organisation (#18); the policy decides who may."""
    participant = selectors.participant_get(viewer.organisation, code)
    target = participant.membership
    if not policies.can_deactivate_member(viewer.membership, target):
        raise PermissionDenied
    name = target.user.get_full_name() or target.user.email
    if services.membership_deactivate(membership=target, by=viewer.membership, source="admin"):
        messages.success(
            request, _("%(name)s is deactivated: their access has ended.") % {"name": name}
        )
    else:
        messages.info(request, _("%(name)s was already deactivated.") % {"name": name})
    detail = reverse("programme-participant-detail", args=[viewer.org, code])
    return _back_to(request, detail)


@tenant_view(policy=policies.can_view_people)
@require_POST
def participant_reactivate(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """Restore a leaver's access (#18)."""
    participant = selectors.participant_get(viewer.organisation, code)
    target = participant.membership
    if not policies.can_deactivate_member(viewer.membership, target):
        raise PermissionDenied
    name = target.user.get_full_name() or target.user.email
    if services.membership_reactivate(membership=target, by=viewer.membership, source="admin"):
        messages.success(request, _("%(name)s is active again.") % {"name": name})
    else:
        messages.info(request, _("%(name)s was already active.") % {"name": name})
    detail = reverse("programme-participant-detail", args=[viewer.org, code])
    return _back_to(request, detail)


@tenant_view(policy=policies.can_resend_invitation)
@require_POST
def participant_invite(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    participant = selectors.participant_get(membership.organisation, code)
    if participant.membership.joined_at is not None:
        messages.info(
            request,
            _("%(name)s has already joined; no invitation was sent.") % {"name": participant},
        )
    else:
        services.invitation_resend(membership=participant.membership, by=membership)
        messages.success(
            request, _("A new invitation to %(name)s is on its way.") % {"name": participant}
        )
    return redirect("programme-participant-detail", org=viewer.org, code=code)


# --- Teams ------------------------------------------------------------------------------------


@tenant_view(policy=policies.can_view_teams)
@require_http_methods(["GET", "POST"])
def team_list(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    form = None
    if policies.can_manage_teams(membership):
        form = TeamForm(request.POST or None, organisation=membership.organisation)
    if request.method == "POST" and form is None:
        raise PermissionDenied  # nothing to post without the form
    if request.method == "POST" and form.is_valid():
        team = services.team_create(
            by=membership,
            name=form.cleaned_data["name"],
            parent=form.cleaned_data["parent"],
        )
        messages.success(request, _("Team “%(name)s” created.") % {"name": team})
        return redirect("programme-team-list", org=viewer.org)
    teams = selectors.teams_with_counts(membership.organisation)
    context = {"tree": _team_tree(teams), "form": form, "count": len(teams)}
    status = 400 if form is not None and form.errors else 200
    return render(request, "programme/team_list.html", context, status=status)


def _team_tree(teams: list) -> list[tuple[object, int]]:
    """Teams in display order with their depth; a team whose parent is missing is a root."""
    by_parent: dict[int | None, list] = {}
    ids = {team.pk for team in teams}
    for team in teams:
        by_parent.setdefault(team.parent_id if team.parent_id in ids else None, []).append(team)
    ordered: list[tuple[object, int]] = []
    seen: set[int] = set()
    stack = [(team, 0) for team in reversed(by_parent.get(None, []))]
    while stack:
        team, depth = stack.pop()
        if team.pk in seen:
            continue
        seen.add(team.pk)
        ordered.append((team, depth))
        stack.extend((child, depth + 1) for child in reversed(by_parent.get(team.pk, [])))
    return ordered


# --- Roster import ----------------------------------------------------------------------------


@tenant_view(policy=policies.can_import_roster)
@require_http_methods(["GET", "POST"])
def roster_upload(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    posted = request.method == "POST"  # bound even when the file was lost on the way
    form = RosterUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        roster_import = services.roster_import_create(
            by=membership,
            filename=form.cleaned_data["file"].name,
            rows=form.result.rows,
            deactivate_missing=form.cleaned_data["deactivate_missing"],
        )
        return redirect("programme-roster-detail", org=viewer.org, code=roster_import.code)
    context = {
        "form": form,
        "line_errors": getattr(form, "result", None) and form.result.errors,
        "imports": selectors.roster_imports_for(membership.organisation)[:10],
    }
    return render(
        request, "programme/roster_upload.html", context, status=400 if form.errors else 200
    )


@tenant_view(policy=policies.can_import_roster)
@require_GET
def roster_detail(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    roster_import = selectors.roster_import_get(membership.organisation, code)
    return _roster_detail_page(request, roster_import)


def _roster_detail_page(
    request: HttpRequest, roster_import: RosterImport, error: str = ""
) -> HttpResponse:
    context = {
        "roster_import": roster_import,
        "in_progress": roster_import.status
        in (RosterImport.Status.QUEUED, RosterImport.Status.RUNNING),
        "error": error,
    }
    if roster_import.status == RosterImport.Status.AWAITING:
        # The confirmation (#18): who would be deactivated, and the fingerprint of that list.
        leavers = list(selectors.roster_missing_members(roster_import))
        context["leavers"] = leavers
        context["leavers_shown"] = services.roster_leavers_fingerprint(m.pk for m in leavers)
    template = "programme/roster_detail.html"
    if request.htmx:
        template += "#roster-status"
    return render(request, template, context, status=400 if error else 200)


@tenant_view(policy=policies.can_import_roster)
@require_POST
def roster_confirm(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """Confirm (or cancel) an import waiting with "deactivate people not in this file"."""
    roster_import = selectors.roster_import_get(viewer.organisation, code)
    try:
        if request.POST.get("action") == "cancel":
            services.roster_import_cancel(by=viewer.membership, roster_import=roster_import)
        else:
            services.roster_import_confirm(
                by=viewer.membership,
                roster_import=roster_import,
                shown=request.POST.get("shown", ""),
            )
    except ValidationError as error:
        roster_import.refresh_from_db()
        return _roster_detail_page(request, roster_import, error=" ".join(error.messages))
    return redirect("programme-roster-detail", org=viewer.org, code=roster_import.code)


# --- Invitations ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    membership = services.invitation_membership(token=token)
    if membership is None:
        return render(request, "programme/invitation_invalid.html", status=400)
    if membership.user.has_usable_password():
        # Already has an account (a consultant joining a second client, say): just sign in.
        services.membership_mark_joined(membership=membership)
        next_url = reverse("programme-organisation-home", args=[membership.organisation.slug])
        if request.user.is_authenticated and request.user.pk == membership.user_id:
            return redirect(next_url)
        return redirect(f"{reverse('account_login')}?next={next_url}")
    if request.user.is_authenticated and request.user.pk != membership.user_id:
        logout(request)  # the link belongs to someone else; never mix two people's sessions
    form = InvitationAcceptForm(membership.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.invitation_accept(
            membership=membership, password=form.cleaned_data["new_password1"]
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, _("Welcome to %(organisation)s.") % {"organisation": membership.organisation}
        )
        return redirect("programme-organisation-home", org=membership.organisation.slug)
    context = {"membership": membership, "form": form}
    return render(
        request, "programme/invitation_accept.html", context, status=400 if form.errors else 200
    )


# --- Error pages ------------------------------------------------------------------------------


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
