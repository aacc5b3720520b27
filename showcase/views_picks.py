"""Marketing picks: company content for sellers to amplify, and what they took up."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programme.tenancy import Viewer, tenant_view
from showcase import policies, selectors, services
from showcase.forms import PickForm


def _list_context(viewer: Viewer, form: PickForm | None = None) -> dict:
    membership = viewer.membership
    can_post = policies.can_post_pick(membership)
    return {
        "picks": selectors.picks_for(viewer),
        "form": form or (PickForm() if can_post else None),
        "can_post": can_post,
        "can_take_up": policies.can_take_up_pick(membership, viewer.participant is not None),
        "can_see_uptake": policies.can_see_uptake(membership),
    }


@tenant_view
@require_GET
def pick_list(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    return render(request, "showcase/picks.html", _list_context(viewer))


@tenant_view(policy=policies.can_post_pick)
@require_POST
def pick_create(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    form = PickForm(request.POST)
    if form.is_valid():
        try:
            services.pick_post(by=viewer.membership, **form.cleaned_data)
        except ValidationError as error:
            # Blocked words come as {field: message}: each next to its field.
            form.add_error(None if hasattr(error, "error_dict") else "note", error)
        else:
            messages.success(request, gettext("Posted. Everyone in the programme is told."))
            return redirect("showcase-pick-list", org=viewer.org)
    return render(request, "showcase/picks.html", _list_context(viewer, form), status=400)


@tenant_view
@require_POST
def pick_uptake(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    pick = selectors.pick_get(viewer, code)
    try:
        services.uptake_toggle(
            pick=pick, by=viewer.membership, action=request.POST.get("action", "")
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect(reverse("showcase-pick-list", args=[viewer.org]) + f"#pick-{pick.code}")


@tenant_view
@require_POST
def pick_archive(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    pick = selectors.pick_get(viewer, code)
    services.pick_archive(pick=pick, by=viewer.membership)
    messages.success(request, gettext("Archived: sellers no longer see it."))
    return redirect("showcase-pick-report", org=viewer.org)


@tenant_view(policy=policies.can_see_uptake)
@require_http_methods(["GET"])
def pick_report(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    context = {
        **selectors.uptake_report(viewer),
        "can_post": policies.can_post_pick(viewer.membership),
    }
    return render(request, "showcase/pick_report.html", context)
