"""Activity pages: a member's own activity (quick log, SSI, uploads), imports, API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from metrics import policies, selectors, services
from metrics.forms import ApiTokenForm, QuickLogForm, SsiForm, UploadForm
from metrics.models import ActivityImport
from programme.models import Participant
from programme.pages import render_form_page
from programme.tenancy import Viewer, tenant_view


def _own_participant(viewer: Viewer) -> Participant:
    """The pages of one's own activity need one's participant record (403 without one)."""
    if viewer.participant is None:
        raise PermissionDenied
    return viewer.participant


def _activity_context(
    viewer: Viewer, participant: Participant, ssi_form: SsiForm | None = None
) -> dict:
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
        "upload_form": UploadForm(organisation=viewer.organisation, for_others=False),
        "events": selectors.events_recent(participant, limit=15),
        "imports": selectors.imports_for(viewer, everyone=False, limit=5),
        "for_others": policies.can_import_for_others(viewer.membership),
        "import_details_days": settings.IMPORT_DETAILS_RETENTION_DAYS,
    }


@tenant_view
@require_GET
def activity_home(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    """The seller's page: quick log, SSI, own uploads, recent activity."""
    participant = _own_participant(viewer)
    context = _activity_context(viewer, participant)
    return render(request, "metrics/activity_home.html", context)


@tenant_view
@require_POST
def quick_log(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    participant = _own_participant(viewer)
    form = QuickLogForm(request.POST)
    if form.is_valid():
        created = services.quick_log(
            by=viewer.membership, participant=participant, **form.cleaned_data
        )
        messages.success(request, _("Logged. Well done.") if created else _("Already logged."))
    else:
        messages.error(request, _("Choose what happened."))
    return redirect("metrics-activity-home", org=viewer.org)


@tenant_view
@require_POST
def ssi_entry(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    participant = _own_participant(viewer)
    form = SsiForm(request.POST)
    if not form.is_valid():
        context = _activity_context(viewer, participant, ssi_form=form)
        return render(request, "metrics/activity_home.html", context, status=400)
    outcome = services.ssi_record(
        by=viewer.membership, participant=participant, **form.cleaned_data
    )
    day = date_format(form.cleaned_data["on"], "DATE_FORMAT")
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
    posted = request.method == "POST"  # bound even when the file was lost on the way
    form = UploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        organisation=viewer.organisation,
        for_others=for_others,
    )
    if request.method == "POST" and form.is_valid():
        try:
            activity_import = services.activity_import_create(
                organisation=viewer.organisation,
                uploaded_by=membership,
                participant=form.cleaned_data.get("participant") or viewer.participant,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            # Only the programme team's form has a "whose file" field to point at.
            form.add_error("participant" if "participant" in form.fields else None, error)
        else:
            return redirect("metrics-import-detail", org=viewer.org, code=activity_import.code)
    context = {
        "form": form,
        "imports": selectors.imports_for(viewer, everyone=for_others, limit=20),
        "for_others": for_others,
        "import_details_days": settings.IMPORT_DETAILS_RETENTION_DAYS,
    }
    return render_form_page(request, "metrics/import_upload.html", context, form)


@tenant_view
@require_GET
def import_detail(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    activity_import = selectors.import_for(viewer, code)
    if not policies.can_view_import(viewer.membership, activity_import):
        raise PermissionDenied
    in_progress = activity_import.status in (
        ActivityImport.Status.QUEUED,
        ActivityImport.Status.RUNNING,
    )
    context = {
        "item": activity_import,
        "in_progress": in_progress,
        "progress": selectors.import_progress(activity_import),
    }
    template = "metrics/import_detail.html"
    if request.htmx:
        template += "#import-status"
    return render(request, template, context)


# --- API tokens ---------------------------------------------------------------------------------


@tenant_view(policy=policies.can_manage_api_tokens)
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _token, secret = services.api_token_create(
            organisation=viewer.organisation, name=form.cleaned_data["name"], by=viewer.membership
        )
        form = ApiTokenForm()
    context = {"form": form, "secret": secret, "tokens": selectors.api_tokens_for(viewer)}
    return render_form_page(request, "metrics/api_tokens.html", context, form)


@tenant_view
@require_POST
def api_token_revoke(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    # Found first: another organisation's token answers 404 whoever asks, never 403.
    token = selectors.api_token_for(viewer, code)
    services.api_token_revoke(token=token, by=viewer.membership)
    messages.success(
        request, _("Token '%(name)s' revoked: it no longer works.") % {"name": token.name}
    )
    return redirect("metrics-api-tokens", org=viewer.org)
