"""Programmes, waves, the risk register and the problem log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programme import policies, selectors, services
from programme.forms import (
    ProblemForm,
    ProgrammeForm,
    RiskForm,
    TriageForm,
    WaveForm,
    WaveMembersForm,
)
from programme.home import programme_links
from programme.models import Participant, ProblemStatus
from programme.pages import render_form_page
from programme.tenancy import Viewer, tenant_view


@tenant_view
@require_http_methods(["GET", "POST"])
def programme_list(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    can_manage = policies.can_manage_programme(membership)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = None
    if can_manage:
        form = ProgrammeForm(request.POST or None, organisation=membership.organisation)
        if request.method == "POST" and form.is_valid():
            data = {
                k: v for k, v in form.cleaned_data.items() if k not in ("sponsors", "consultants")
            }
            programme = services.programme_save(
                organisation=membership.organisation,
                by=membership,
                data=data,
                sponsors=form.cleaned_data["sponsors"],
                consultants=form.cleaned_data["consultants"],
            )
            messages.success(request, _("Programme “%(name)s” created.") % {"name": programme})
            return redirect("programme-programme-detail", org=viewer.org, code=programme.code)
    programmes = selectors.programmes_for(membership.organisation)
    if len(programmes) == 1 and not can_manage:
        return redirect("programme-programme-detail", org=viewer.org, code=programmes[0].code)
    return render_form_page(
        request, "programme/programme_list.html", {"programmes": programmes, "form": form}, form
    )


@tenant_view
@require_GET
def programme_detail(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    programme = selectors.programme_get(membership.organisation, code)
    context = {
        "programme": programme,
        "sponsors": programme.sponsors.select_related("user"),
        "consultants": programme.consultants.select_related("user"),
        "waves": selectors.waves_with_counts(programme),
        "risks": selectors.risks_for(programme),
        "announcements": selectors.announcements_visible_to(membership, programme)[:10],
        "can_manage": policies.can_manage_programme(membership),
        "can_draft": policies.can_draft_announcement(membership),
        "can_manage_risks": policies.can_manage_risks(membership),
        "can_view_meetings": policies.can_view_meetings(membership),
        "extra_links": programme_links(membership, programme),
    }
    return render(request, "programme/programme_detail.html", context)


@tenant_view(policy=policies.can_manage_programme)
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    programme = selectors.programme_get(membership.organisation, code)
    instance = selectors.programme_get(membership.organisation, code)  # a refused form leaves it
    form = ProgrammeForm(
        request.POST or None, instance=instance, organisation=membership.organisation
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("sponsors", "consultants")}
        services.programme_save(
            organisation=membership.organisation,
            data=data,
            sponsors=form.cleaned_data["sponsors"],
            consultants=form.cleaned_data["consultants"],
            by=membership,
            programme=programme,
        )
        messages.success(request, _("Programme saved."))
        return redirect("programme-programme-detail", org=viewer.org, code=code)
    context = {"programme": programme, "form": form}
    return render_form_page(request, "programme/programme_edit.html", context, form)


# --- Waves ----------------------------------------------------------------------------------------


@tenant_view(policy=policies.can_manage_programme)
@require_POST
def wave_create(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    programme = selectors.programme_get(membership.organisation, code)
    form = WaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A wave needs a valid start date."))
        return redirect("programme-programme-detail", org=viewer.org, code=code)
    try:
        wave = services.wave_create(programme=programme, by=membership, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("programme-programme-detail", org=viewer.org, code=code)
    # Translators: %(wave)s is the new wave's name, e.g. "Supporters".
    messages.success(request, _("%(wave)s created. Add its people now.") % {"wave": wave})
    return redirect("programme-wave-detail", org=viewer.org, code=wave.code)


# Who may see the people may see a wave (the programme team, who shape waves, are among them).
@tenant_view(policy=policies.can_view_people)
@require_http_methods(["GET", "POST"])
def wave_detail(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    wave = selectors.wave_get(membership.organisation, code)
    form = (
        WaveMembersForm(request.POST or None, programme=wave.programme)
        if policies.can_manage_programme(membership)
        else None
    )
    if request.method == "POST" and form is None:
        raise PermissionDenied  # nothing to post without the form
    if request.method == "POST" and form.is_valid():
        people = list(form.cleaned_data["participants"])
        if team := form.cleaned_data["team"]:
            subtree = selectors.team_subtree_ids(membership.organisation, team.pk)
            people += list(
                selectors.participants_without_wave(wave.programme).filter(team_id__in=subtree)
            )
        added, elsewhere = services.wave_add_members(wave=wave, by=membership, participants=people)
        messages.success(
            request,
            ngettext(
                "%(count)d person added to %(wave)s.",
                "%(count)d people added to %(wave)s.",
                added,
            )
            % {"count": added, "wave": wave},
        )
        if elsewhere:
            names = ", ".join(str(p) for p in elsewhere[:5])
            messages.warning(
                request,
                # Translators: %(names)s lists up to five people's names, separated by commas.
                _("Already in another wave, so not added: %(names)s.") % {"names": names},
            )
        return redirect("programme-wave-detail", org=viewer.org, code=code)
    context = {"wave": wave, "members": selectors.wave_members(wave), "form": form}
    return render_form_page(request, "programme/wave_detail.html", context, form)


@tenant_view(policy=policies.can_manage_programme)
@require_POST
def wave_member_remove(
    request: HttpRequest, viewer: Viewer, code: str, participant: str
) -> HttpResponse:
    membership = viewer.membership
    wave = selectors.wave_get(membership.organisation, code)
    person: Participant = selectors.participant_get(membership.organisation, participant)
    if services.wave_remove_member(wave=wave, by=membership, participant=person):
        messages.success(
            request, _("%(name)s removed from %(wave)s.") % {"name": person, "wave": wave}
        )
    return redirect("programme-wave-detail", org=viewer.org, code=code)


# --- Risks ----------------------------------------------------------------------------------------


@tenant_view
@require_http_methods(["GET", "POST"])
def risk_create(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    programme = selectors.programme_get(membership.organisation, code)
    if not policies.can_manage_risks(membership):
        raise PermissionDenied
    form = RiskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.risk_save(programme=programme, by=membership, data=form.cleaned_data)
        messages.success(request, _("Risk added: everyone in the programme can read it."))
        return redirect("programme-programme-detail", org=viewer.org, code=code)
    context = {"programme": programme, "form": form, "risk": None}
    return render_form_page(request, "programme/risk_form.html", context, form)


@tenant_view
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    risk = selectors.risk_get(membership.organisation, code)
    if not policies.can_manage_risks(membership):
        raise PermissionDenied
    form = RiskForm(
        request.POST or None, instance=selectors.risk_get(membership.organisation, code)
    )
    if request.method == "POST" and form.is_valid():
        services.risk_save(
            programme=risk.programme, by=membership, data=form.cleaned_data, risk=risk
        )
        messages.success(request, _("Risk saved."))
        return redirect("programme-programme-detail", org=viewer.org, code=risk.programme.code)
    context = {"programme": risk.programme, "form": form, "risk": risk}
    return render_form_page(request, "programme/risk_form.html", context, form)


# --- Problems -------------------------------------------------------------------------------------


@tenant_view
@require_http_methods(["GET", "POST"])
def problem_list(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    programme = selectors.programme_get(membership.organisation, code)
    form = ProblemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.problem_raise(
            programme=programme,
            by=membership,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            anonymous=form.cleaned_data["anonymous"],
        )
        messages.success(
            request,
            _(
                "Problem raised anonymously: it appears in the list within half a minute, in a "
                "batch with others, so nothing links it to you."
            )
            if form.cleaned_data["anonymous"]
            else _("Problem raised. The programme team will pick it up."),
        )
        return redirect("programme-problem-list", org=viewer.org, code=code)
    problems = list(selectors.problems_for(programme))
    context = {
        "programme": programme,
        "problems": problems,
        "form": form,
        "show_authors": policies.can_view_problem_authors(membership),
        "can_triage": policies.can_triage_problem(membership),
        "me": membership,
    }
    return render_form_page(request, "programme/problem_list.html", context, form)


@tenant_view
@require_http_methods(["GET", "POST"])
def problem_detail(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    problem = selectors.problem_get(membership.organisation, code)
    can_triage = policies.can_triage_problem(membership)
    if request.method == "POST" and not can_triage:
        raise PermissionDenied
    form = None
    if can_triage:
        form = TriageForm(
            request.POST or None,
            organisation=membership.organisation,
            initial={
                "owner": problem.owner,
                "status": problem.status,
                "resolution": problem.resolution,
            },
        )
        if request.method == "POST" and form.is_valid():
            services.problem_triage(problem=problem, by=membership, **form.cleaned_data)
            messages.success(request, _("Problem updated."))
            return redirect("programme-problem-detail", org=viewer.org, code=code)
    context = {
        "problem": problem,
        "programme": problem.programme,
        "form": form,
        "stale": problem.stale,
        "show_author": policies.can_view_problem_authors(membership),
        "resolved": problem.status == ProblemStatus.RESOLVED,
    }
    return render_form_page(request, "programme/problem_detail.html", context, form)
