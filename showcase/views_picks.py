"""Marketing picks: company content for sellers to amplify, and what they took up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programme import selectors as programme_selectors
from programme.tenancy import membership_for_request
from showcase import policies, selectors, services
from showcase.forms import PickForm


def _list_context(membership: object, form: PickForm | None = None) -> dict:
    has_participant = programme_selectors.own_participant(membership) is not None
    can_post = policies.can_post_pick(membership)
    return {
        "picks": selectors.picks_for(membership),
        "form": form or (PickForm() if can_post else None),
        "can_post": can_post,
        "can_take_up": policies.can_take_up_pick(membership, has_participant),
        "can_see_uptake": policies.can_see_uptake(membership),
    }


@login_required
@require_GET
def pick_list(request: HttpRequest, org: str) -> HttpResponse:
    membership = membership_for_request(request, org)
    return render(request, "showcase/picks.html", _list_context(membership))


@login_required
@require_POST
def pick_create(request: HttpRequest, org: str) -> HttpResponse:
    membership = membership_for_request(request, org)
    if not policies.can_post_pick(membership):
        raise PermissionDenied
    form = PickForm(request.POST)
    if form.is_valid():
        try:
            services.pick_post(by=membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("note", error)
        else:
            messages.success(request, "Posted. Everyone in the programme is told.")
            return redirect("showcase-pick-list", org=org)
    return render(request, "showcase/picks.html", _list_context(membership, form), status=400)


@login_required
@require_POST
def pick_uptake(request: HttpRequest, org: str, code: str) -> HttpResponse:
    membership = membership_for_request(request, org)
    pick = selectors.pick_get(membership, code)
    try:
        services.uptake_toggle(pick=pick, by=membership, action=request.POST.get("action", ""))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect(reverse("showcase-pick-list", args=[org]) + f"#pick-{pick.code}")


@login_required
@require_POST
def pick_archive(request: HttpRequest, org: str, code: str) -> HttpResponse:
    membership = membership_for_request(request, org)
    pick = selectors.pick_get(membership, code)
    if not policies.can_post_pick(membership):
        raise PermissionDenied
    services.pick_archive(pick=pick, by=membership)
    messages.success(request, "Archived: sellers no longer see it.")
    return redirect("showcase-pick-report", org=org)


@login_required
@require_http_methods(["GET"])
def pick_report(request: HttpRequest, org: str) -> HttpResponse:
    membership = membership_for_request(request, org)
    if not policies.can_see_uptake(membership):
        raise PermissionDenied
    context = {
        **selectors.uptake_report(membership),
        "can_post": policies.can_post_pick(membership),
    }
    return render(request, "showcase/pick_report.html", context)
