"""The stakeholder map, a person's path, engagement plans, the wave planner, the kick-off report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kickoff import policies, selectors, services, stakeholders
from kickoff.forms import (
    AssessmentForm,
    EngagementActionForm,
    OutcomeForm,
    WavePlanForm,
    WaveRenameForm,
)
from programme import selectors as programme_selectors
from programme.models import Participant
from programme.pages import render_form_page
from programme.tenancy import Viewer, tenant_view


@tenant_view(policy=policies.can_map_stakeholders)
@require_GET
def stakeholder_map(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    organisation = membership.organisation
    programmes = list(programme_selectors.programmes_for(organisation))
    start = min((p.start_date for p in programmes), default=timezone.localdate())
    context = {
        "grid": stakeholders.stakeholder_grid(organisation),
        # pygal builds the SVG with escaped text and no script (js=[]): safe to inline.
        "chart": mark_safe(stakeholders.stance_chart_svg(organisation, start)),
        "ambassadors": programme_selectors.participants_for(organisation).filter(
            is_ambassador=True, membership__deactivated_at__isnull=True
        ),
        "people": programme_selectors.participants_for(organisation)
        .filter(membership__deactivated_at__isnull=True)
        .order_by("membership__user__last_name"),
    }
    return render(request, "kickoff/stakeholder_map.html", context)


@tenant_view(policy=policies.can_map_stakeholders)
@require_http_methods(["GET", "POST"])
def stakeholder_detail(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    participant: Participant = programme_selectors.participant_get(membership.organisation, code)
    # A new assessment starts from the last one: usually one thing has moved, not all three.
    last = selectors.latest_assessment(participant)
    initial = {"assessed_on": timezone.localdate()}
    if last is not None:
        initial |= {"stance": last.stance, "influence": last.influence,
                    "curve_stage": last.curve_stage}  # fmt: skip
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.assessment_record(participant=participant, by=membership, data=form.cleaned_data)
        messages.success(
            request, gettext("Assessment recorded; earlier ones are kept as the path.")
        )
        return redirect("kickoff-stakeholder-detail", org=viewer.org, code=code)
    plan = selectors.engagement_plan_of(participant)
    actions = list(plan.actions.all()) if plan else []
    context = {
        "participant": participant,
        "path": selectors.assessment_path(participant),
        "form": form,
        "plan": plan,
        "actions": actions,
        "plan_active": any(action.done_on is None for action in actions),
        "action_form": EngagementActionForm(),
        "last": last,
        "waves": selectors.person_waves(participant),
        "today": timezone.localdate(),
    }
    return render_form_page(request, "kickoff/stakeholder_detail.html", context, form)


@tenant_view(policy=policies.can_map_stakeholders)
@require_POST
def engagement_action_add(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    participant = programme_selectors.participant_get(membership.organisation, code)
    form = EngagementActionForm(request.POST)
    if form.is_valid():
        plan = services.engagement_plan_ensure(participant=participant, by=membership)
        services.engagement_action_add(plan=plan, by=membership, **form.cleaned_data)
        messages.success(request, gettext("One-to-one action planned."))
    else:
        messages.error(request, gettext("An action needs a description and a due date."))
    return redirect("kickoff-stakeholder-detail", org=viewer.org, code=code)


@tenant_view(policy=policies.can_map_stakeholders)
@require_POST
def engagement_action_done(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    action = selectors.engagement_action_get(membership.organisation, code)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        services.engagement_action_complete(
            action=action, by=membership, outcome=form.cleaned_data["outcome"]
        )
        messages.success(request, gettext("Outcome recorded."))
    else:
        messages.error(request, gettext("Write what came out of it."))
    return redirect("kickoff-stakeholder-detail", org=viewer.org, code=action.plan.participant.code)


@tenant_view(policy=policies.can_plan_waves)
@require_http_methods(["GET", "POST"])
def wave_planner(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    programme = programme_selectors.programme_get(membership.organisation, code)
    proposed, others, target = stakeholders.wave_plan_propose(programme)
    form = WavePlanForm(
        request.POST or None,
        programme=programme,
        initial={
            "name": stakeholders.next_wave_name(programme),
            "participants": [c.participant.pk for c in proposed],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            wave = services.wave_plan_confirm(
                programme=programme,
                by=membership,
                name=form.cleaned_data["name"],
                start_date=form.cleaned_data["start_date"],
                participants=list(form.cleaned_data["participants"]),
            )
        except ValidationError as error:  # a wave of that name was made meanwhile
            form.add_error(None, error)
        else:
            count = wave.members.count()
            messages.success(
                request,
                # Translators: %(wave)s is the wave's name, e.g. "Supporters".
                ngettext(
                    "%(wave)s confirmed with %(count)d person.",
                    "%(wave)s confirmed with %(count)d people.",
                    count,
                )
                % {"wave": wave, "count": count},
            )
            return redirect("programme-wave-detail", org=viewer.org, code=wave.code)
    chosen_ids = {int(p) for p in form["participants"].value() or [] if str(p).isdigit()}
    context = {
        "programme": programme,
        "form": form,
        "proposed": proposed,
        "others": others,
        "target": target,
        "chosen_ids": chosen_ids,
        "missing_teams": stakeholders.teams_without(membership.organisation, proposed),
        "eligible": len(proposed) + len(others),
        "waves": programme_selectors.waves_with_counts(programme),
    }
    return render_form_page(request, "kickoff/wave_planner.html", context, form)


@tenant_view(policy=policies.can_plan_waves)
@require_http_methods(["GET", "POST"])
def wave_rename(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """Rename a wave (e.g. the second "Supporters"): whoever plans waves may."""
    membership = viewer.membership
    wave = programme_selectors.wave_get(membership.organisation, code)
    form = WaveRenameForm(request.POST or None, wave=wave, initial={"name": wave.name})
    if request.method == "POST" and form.is_valid():
        old_name = str(wave)
        try:
            services.wave_rename(wave=wave, by=membership, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                # Translators: the old and the new name of a wave.
                gettext("%(old)s is now called %(new)s.") % {"old": old_name, "new": wave},
            )
            return redirect("kickoff-wave-planner", org=viewer.org, code=wave.programme.code)
    context = {"wave": wave, "form": form}
    return render_form_page(request, "kickoff/wave_rename.html", context, form)


@tenant_view(policy=policies.can_view_kickoff_board)
@require_GET
def kickoff_report(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    session = selectors.kickoff_get(membership.organisation, code)
    context = {
        "session": session,
        "groups": selectors.concerns_by_category(session),
        "emotions": selectors.emotion_summary(session),
        "distribution": stakeholders.stakeholder_grid(membership.organisation).distribution,
        "generated": timezone.now(),
        "attendees": session.attendees.count(),
    }
    return render(request, "kickoff/report.html", context)
