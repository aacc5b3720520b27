from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from metrics import policies, selectors, services
from metrics.forms import ApiTokenForm, QuickLogForm, SsiForm, UploadForm
from metrics.models import ActivityEvent, ActivityImport, ApiToken, ImportKind
from programme import selectors as programme_selectors
from programme.pages import render_form_page
from programme.tenancy import Viewer, tenant_view


def _own_participant(membership):
    participant = programme_selectors.own_participant(membership)
    if participant is None:
        raise PermissionDenied
    return participant


def _activity_context(membership, participant, ssi_form: SsiForm | None = None) -> dict:
    events = ActivityEvent.objects.filter(participant=participant).order_by("-occurred_at")
    ssi = selectors.latest_ssi(participant)
    if ssi_form is None:
        initial = {}
        if ssi is not None and ssi.on == timezone.localdate():
            # Today's entry is there: the form holds it, ready to be corrected.
            initial = {
                "total": ssi.total,
                **dict(zip(SsiForm.PILLAR_FIELDS, ssi.scores, strict=True)),
            }
        ssi_form = SsiForm(initial=initial)
    return {
        "quick_form": QuickLogForm(),
        "ssi_form": ssi_form,
        "ssi": ssi,
        "ssi_today": ssi is not None and ssi.on == timezone.localdate(),
        "upload_form": UploadForm(organisation=membership.organisation, for_others=False),
        "events": events[:15],
        "imports": ActivityImport.objects.filter(
            organisation=membership.organisation, uploaded_by=membership
        )[:5],
        "for_others": policies.can_import_for_others(membership),
    }


@tenant_view
@require_GET
def activity_home(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    """The seller's page: quick log, SSI, own uploads, recent activity."""
    membership = viewer.membership
    participant = _own_participant(membership)
    context = _activity_context(membership, participant)
    return render(request, "metrics/activity_home.html", context)


@tenant_view
@require_POST
def quick_log(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    participant = _own_participant(membership)
    form = QuickLogForm(request.POST)
    if form.is_valid():
        created = services.quick_log(participant=participant, **form.cleaned_data)
        messages.success(request, "Logged. Well done." if created else "Already logged.")
    else:
        messages.error(request, "Choose what happened.")
    return redirect("metrics-activity-home", org=viewer.org)


@tenant_view
@require_POST
def ssi_entry(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    participant = _own_participant(membership)
    form = SsiForm(request.POST)
    if not form.is_valid():
        context = _activity_context(membership, participant, ssi_form=form)
        return render(request, "metrics/activity_home.html", context, status=400)
    data = form.cleaned_data
    on = timezone.make_aware(datetime.combine(data["on"], time(12)))
    pillars = {
        "establishbrand": data["establish_brand"],
        "findpeople": data["find_people"],
        "engageinsights": data["engage_insights"],
        "buildrelationships": data["build_relationships"],
    }
    outcome = services.ssi_record(
        participant=participant, on=on, total=data["total"], pillars=pillars
    )
    day = date_format(data["on"], "j F Y")
    messages.success(
        request,
        {
            services.SSI_CREATED: _("SSI saved for %(day)s.") % {"day": day},
            services.SSI_CORRECTED: _("SSI for %(day)s corrected.") % {"day": day},
            services.SSI_UNCHANGED: _("Your SSI for %(day)s already had these numbers.")
            % {"day": day},
        }[outcome],
    )
    return redirect("metrics-activity-home", org=viewer.org)


@tenant_view
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    for_others = policies.can_import_for_others(membership)
    own = programme_selectors.own_participant(membership)
    posted = request.method == "POST"  # bound even when the file was lost on the way
    form = UploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        organisation=membership.organisation,
        for_others=for_others,
    )
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        participant = form.cleaned_data.get("participant") or own
        if (
            kind in (ImportKind.LINKEDIN_EXPORT, ImportKind.LINKEDIN_ANALYTICS)
            and participant is None
        ):
            form.add_error("participant", "Choose whose LinkedIn file this is.")
        else:
            activity_import = services.activity_import_create(
                organisation=membership.organisation,
                uploaded_by=membership,
                participant=participant
                if kind in (ImportKind.LINKEDIN_EXPORT, ImportKind.LINKEDIN_ANALYTICS)
                else None,
                kind=kind,
                upload=form.cleaned_data["file"],
            )
            return redirect("metrics-import-detail", org=viewer.org, code=activity_import.code)
    imports = ActivityImport.objects.filter(organisation=membership.organisation).select_related(
        "participant__membership__user"
    )
    if not for_others:
        imports = imports.filter(uploaded_by=membership)
    context = {"form": form, "imports": imports[:20], "for_others": for_others}
    return render_form_page(request, "metrics/import_upload.html", context, form)


@tenant_view
@require_GET
def import_detail(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    activity_import = get_object_or_404(
        ActivityImport.objects.filter(organisation=membership.organisation).select_related(
            "participant__membership__user"
        ),
        code=code,
    )
    if not policies.can_view_import(membership, activity_import):
        raise PermissionDenied
    in_progress = activity_import.status in (
        ActivityImport.Status.QUEUED,
        ActivityImport.Status.RUNNING,
    )
    context = {
        "item": activity_import,
        "in_progress": in_progress,
        "progress": cache.get(services.progress_key(activity_import.pk)) or 0,
    }
    template = "metrics/import_detail.html"
    if request.htmx:
        template += "#import-status"
    return render(request, template, context)


# --- API tokens ---------------------------------------------------------------------------------


@tenant_view
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    if not policies.can_manage_api_tokens(membership):
        raise PermissionDenied
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _token, secret = services.api_token_create(
            organisation=membership.organisation, name=form.cleaned_data["name"], by=membership
        )
        form = ApiTokenForm()
    context = {
        "form": form,
        "secret": secret,
        "tokens": ApiToken.objects.filter(organisation=membership.organisation),
    }
    return render_form_page(request, "metrics/api_tokens.html", context, form)


@tenant_view
@require_POST
def api_token_revoke(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    token = get_object_or_404(
        ApiToken.objects.filter(organisation=membership.organisation), code=code
    )
    if not policies.can_manage_api_tokens(membership):
        raise PermissionDenied
    services.api_token_revoke(token=token)
    messages.success(request, f"Token '{token.name}' revoked: it no longer works.")
    return redirect("metrics-api-tokens", org=viewer.org)
