"""The admins' Integrations page: Teams and Slack channels, signed webhooks, delivery logs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programme import integrations as selectors
from programme.integrations import EVENT_LABELS, EndpointForm
from programme.services import integrations as services
from programme.tenancy import tenant_view
from programme.viewer import Viewer


@tenant_view(policy=services.can_manage_integrations)
@require_http_methods(["GET", "POST"])
def integrations(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    """GET lists the endpoints (and, with ?log=<code>, one's delivery log); POST adds one.
    A new webhook's secret is shown in the answer to that POST, and never again."""
    form = EndpointForm(viewer=viewer)
    created = None
    if request.method == "POST":
        form = EndpointForm(request.POST, viewer=viewer)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.endpoint_create(
                    by=viewer.membership, kind=data["kind"], name=data["name"],
                    url=data["url"], team=data["team"], events=data["events"],
                )  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)  # each message next to its field
            else:
                if not created.secret:
                    messages.success(request, _("“%(name)s” connected.") % {"name": created.name})
                    return redirect("programme-integrations", org=viewer.org)
                form = EndpointForm(viewer=viewer)
    log_of = None
    if request.GET.get("log"):
        log_of = selectors.endpoint_of(viewer, request.GET["log"])
        if log_of is None:
            raise Http404
    context = {
        "form": form,
        "created": created,
        "endpoints": selectors.endpoints_of(viewer),
        "log_of": log_of,
        "log": selectors.delivery_log(log_of) if log_of else [],
        "event_labels": EVENT_LABELS,
        "flag_after": services.FLAG_AFTER,
        "log_size": services.LOG_SIZE,
    }
    return render(
        request, "programme/integrations.html", context, status=400 if form.errors else 200
    )


@tenant_view(policy=services.can_manage_integrations)
@require_POST
def integration_remove(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    endpoint = selectors.endpoint_of(viewer, request.POST.get("endpoint"))
    if endpoint is None:
        messages.error(request, _("That integration is not connected (any more)."))
    else:
        services.endpoint_remove(by=viewer.membership, endpoint=endpoint)
        messages.success(request, _("“%(name)s” disconnected.") % {"name": endpoint.name})
    return redirect("programme-integrations", org=viewer.org)


@tenant_view(policy=services.can_manage_integrations)
@require_POST
def integration_test(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    endpoint = selectors.endpoint_of(viewer, request.POST.get("endpoint"))
    if endpoint is None:
        messages.error(request, _("That integration is not connected (any more)."))
        return redirect("programme-integrations", org=viewer.org)
    try:
        services.endpoint_test_send(by=viewer.membership, endpoint=endpoint)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Test message queued for “%(name)s”: it is sent within half a minute; its result "
              "shows in the delivery log.") % {"name": endpoint.name},
        )  # fmt: skip
    response = redirect("programme-integrations", org=viewer.org)
    response["Location"] += f"?log={endpoint.code}"
    return response


@tenant_view(policy=services.can_manage_integrations)
@require_POST
def integration_switch(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    """Switch an endpoint on (`active=1`) or off (`active=0`): off, nothing is sent to it."""
    endpoint = selectors.endpoint_of(viewer, request.POST.get("endpoint"))
    if endpoint is None or request.POST.get("active") not in ("0", "1"):
        messages.error(request, _("That integration is not connected (any more)."))
        return redirect("programme-integrations", org=viewer.org)
    active = request.POST["active"] == "1"
    services.endpoint_switch(by=viewer.membership, endpoint=endpoint, active=active)
    messages.success(
        request,
        (_("“%(name)s” switched on.") if active else _("“%(name)s” switched off: nothing is sent "
                                                      "to it.")) % {"name": endpoint.name},
    )  # fmt: skip
    return redirect("programme-integrations", org=viewer.org)
