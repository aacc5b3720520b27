"""Success defined with the sellers, rituals they choose, celebrations with consent."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from goals import policies, selectors, services
from goals.forms import AnswerForm, ProposalForm, RitualForm, WindowForm
from goals.models import Consent, Subject
from metrics import indicators
from programme.tenancy import Viewer, tenant_view

PAGES = {Subject.SUCCESS: "goals-success", Subject.RITUAL: "goals-rituals"}


def _subject(subject: str) -> str:
    if subject not in Subject.values:
        raise Http404
    return subject


def _page_context(viewer: Viewer, subject: str, form: object = None) -> dict:
    membership, has_participant = viewer.membership, viewer.participant is not None
    thresholds = indicators.thresholds_for(membership.organisation_id)
    found = selectors.proposals(viewer, subject)
    for proposal in found:
        proposal.indicator_label = indicators.TUNABLE.get(proposal.indicator, ("",))[0]
    return {
        "subject": subject,
        "proposals": found,
        "window": selectors.open_window(membership.organisation_id, subject),
        "form": form or (ProposalForm() if subject == Subject.SUCCESS else RitualForm()),
        "window_form": WindowForm(),
        "can_propose": policies.can_propose(membership, has_participant),
        "can_vote": policies.can_vote(membership, has_participant),
        "can_run_votes": policies.can_run_votes(membership),
        "tunable": [
            (label, getattr(indicators.DEFAULT, key), getattr(thresholds, key))
            for key, (label, *_) in indicators.TUNABLE.items()
        ],
    }


@tenant_view
@require_GET
def proposal_list(request: HttpRequest, viewer: Viewer, subject: str) -> HttpResponse:
    return render(request, "goals/proposals.html", _page_context(viewer, _subject(subject)))


@tenant_view
@require_POST
def proposal_create(request: HttpRequest, viewer: Viewer, subject: str) -> HttpResponse:
    membership = viewer.membership
    subject = _subject(subject)
    # Refused before the form is read: a 403, not the form's errors.
    if not policies.can_propose(membership, viewer.participant is not None):
        raise PermissionDenied
    form = (ProposalForm if subject == Subject.SUCCESS else RitualForm)(request.POST)
    if form.is_valid():
        try:
            services.proposal_add(by=membership, subject=subject, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, gettext("Proposed. Everyone can vote on it while the vote is open.")
            )
            return redirect(PAGES[subject], org=viewer.org)
    context = _page_context(viewer, subject, form)
    return render(request, "goals/proposals.html", context, status=400)


@tenant_view
@require_POST
def proposal_vote(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    proposal = selectors.proposal_get(viewer, code)
    try:  # the service refuses (403) whoever may not vote
        services.vote_toggle(proposal=proposal, by=viewer.membership)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect(PAGES[proposal.subject], org=viewer.org)


@tenant_view
@require_POST
def proposal_decide(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    proposal = selectors.proposal_get(viewer, code)
    adopt = request.POST.get("decision") == "adopt"
    try:  # the service refuses (403) whoever may not run the votes
        services.proposal_decide(proposal=proposal, by=viewer.membership, adopt=adopt)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if adopt and proposal.indicator:
            messages.success(
                request, gettext("Adopted. The indicators are being recomputed with it.")
            )
        else:
            messages.success(request, gettext("Adopted.") if adopt else gettext("Set aside."))
    return redirect(PAGES[proposal.subject], org=viewer.org)


@tenant_view(policy=policies.can_run_votes)
@require_POST
def window_open(request: HttpRequest, viewer: Viewer, subject: str) -> HttpResponse:
    membership = viewer.membership
    subject = _subject(subject)
    form = WindowForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose the day the vote closes."))
        return redirect(PAGES[subject], org=viewer.org)
    zone = ZoneInfo(membership.organisation.time_zone or "UTC")
    closes = datetime.combine(form.cleaned_data["closes_on"], time(23, 59), tzinfo=zone)
    try:
        services.window_open(by=membership, subject=subject, closes_at=closes)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, gettext("The vote is open."))
    return redirect(PAGES[subject], org=viewer.org)


@tenant_view
@require_GET
def celebrations(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    context = {
        "mine": selectors.my_celebrations(viewer),
        "feed": selectors.celebrations_feed(viewer),
        "rituals": list(selectors.adopted_rituals(viewer.organisation_id)),
        "consents": Consent.choices,
    }
    return render(request, "goals/celebrations.html", context)


@tenant_view
@require_POST
def celebration_answer(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    celebration = selectors.my_celebration(viewer, code)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose how you would like it celebrated, or not at all."))
        return redirect("goals-celebrations", org=viewer.org)
    ritual = None
    if form.cleaned_data["ritual"]:
        ritual = (
            selectors.adopted_rituals(membership.organisation_id)
            .filter(code=form.cleaned_data["ritual"])
            .first()
        )
    try:
        services.celebration_answer(
            celebration=celebration, by=membership, consent=form.cleaned_data["consent"],
            ritual=ritual,
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, gettext("Thank you. It is your call, and you can change it."))
    return redirect("goals-celebrations", org=viewer.org)
