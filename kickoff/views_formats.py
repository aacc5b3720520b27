"""Kick-off formats: the list, saving a session as a format, editing and archiving one,
planning a session from one, and comparing the sessions of a format wave over wave."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kickoff import formats, policies, selectors, services
from kickoff.forms import KickoffFormatForm, KickoffFromFormatForm
from kickoff.models import EmotionKind
from programme import selectors as programme_selectors
from programme.pages import render_form_page
from programme.tenancy import Viewer, tenant_view


def _form_errors_from(form: KickoffFormatForm, error: ValidationError) -> None:
    """The service's refusal, shown next to the field it is about."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@tenant_view(policy=policies.can_compare_kickoffs)
@require_GET
def format_list(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    can_manage = policies.can_manage_kickoff_formats(viewer.membership)
    context = {
        "formats": selectors.kickoff_formats_for(viewer.organisation),
        "can_manage": can_manage,
        # Where a format is used: a kick-off is planned in a programme.
        "programmes": (
            list(programme_selectors.programmes_for(viewer.organisation)) if can_manage else []
        ),
    }
    return render(request, "kickoff/format_list.html", context)


@tenant_view(policy=policies.can_manage_kickoff_formats)
@require_http_methods(["GET", "POST"])
def format_create(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    form = KickoffFormatForm(
        request.POST or None,
        initial={"agenda": formats.DEFAULT_AGENDA, "emotion_check": True, "follow_up_days": 30},
    )
    if request.method == "POST" and form.is_valid():
        try:
            kickoff_format = services.kickoff_format_save(
                by=viewer.membership, data=form.cleaned_data
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(
                request, gettext("Format “%(name)s” saved.") % {"name": kickoff_format.name}
            )
            return redirect("kickoff-format-list", org=viewer.org)
    context = {"form": form, "kickoff_format": None, "session": None}
    return render_form_page(request, "kickoff/format_form.html", context, form)


@tenant_view(policy=policies.can_manage_kickoff_formats)
@require_http_methods(["GET", "POST"])
def format_edit(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """Rename or change a format. Sessions planned from it keep the copy they were given."""
    kickoff_format = selectors.kickoff_format_get(viewer.organisation, code)
    form = KickoffFormatForm(
        request.POST or None, initial=KickoffFormatForm.initial_from(kickoff_format)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.kickoff_format_save(
                by=viewer.membership, data=form.cleaned_data, kickoff_format=kickoff_format
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(
                request,
                gettext("Format “%(name)s” saved. Sessions planned from it before keep theirs.")
                % {"name": kickoff_format.name},
            )
            return redirect("kickoff-format-list", org=viewer.org)
    context = {"form": form, "kickoff_format": kickoff_format, "session": None}
    return render_form_page(request, "kickoff/format_form.html", context, form)


@tenant_view(policy=policies.can_manage_kickoff_formats)
@require_POST
def format_archive(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    kickoff_format = selectors.kickoff_format_get(viewer.organisation, code)
    archived = request.POST.get("archived") != "0"
    services.kickoff_format_archive(
        kickoff_format=kickoff_format, by=viewer.membership, archived=archived
    )
    text = (
        gettext("Format “%(name)s” archived: it is no longer offered for new kick-offs.")
        if archived
        else gettext("Format “%(name)s” restored.")
    )
    messages.success(request, text % {"name": kickoff_format.name})
    return redirect("kickoff-format-list", org=viewer.org)


@tenant_view(policy=policies.can_manage_kickoff_formats)
@require_http_methods(["GET", "POST"])
def session_save_as_format(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """Save as a format: prefilled from the session (a suggested agenda if it had none)."""
    session = selectors.kickoff_get(viewer.organisation, code)
    initial = KickoffFormatForm.initial_from(session)
    initial["agenda"] = session.agenda or formats.DEFAULT_AGENDA
    form = KickoffFormatForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            kickoff_format = services.kickoff_format_save_from_session(
                session=session, by=viewer.membership, data=form.cleaned_data
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(
                request,
                gettext("Format “%(name)s” saved: plan the next wave's kick-off from it.")
                % {"name": kickoff_format.name},
            )
            return redirect("kickoff-session-detail", org=viewer.org, code=session.code)
    context = {"form": form, "kickoff_format": None, "session": session}
    return render_form_page(request, "kickoff/format_form.html", context, form)


@tenant_view(policy=policies.can_run_kickoff)
@require_http_methods(["GET", "POST"])
def session_plan_from_format(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """Plan a programme's kick-off from a format (?format=<code> preselects one)."""
    programme = programme_selectors.programme_get(viewer.organisation, code)
    available = list(selectors.active_kickoff_formats(viewer.organisation))
    initial = {"kickoff_format": request.GET.get("format") or None}
    form = KickoffFromFormatForm(
        request.POST or None,
        organisation=viewer.organisation,
        programme=programme,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = {
            key: value
            for key, value in form.cleaned_data.items()
            if key not in {"attendees", "kickoff_format"}
        }
        try:
            session = services.kickoff_plan_from_format(
                programme=programme,
                by=viewer.membership,
                kickoff_format=form.cleaned_data["kickoff_format"],
                data=data,
                attendees=form.cleaned_data["attendees"],
            )
        except ValidationError as error:
            _form_errors_from(form, error)
        else:
            messages.success(
                request,
                gettext("Kick-off planned from “%(format)s”. Its join code is %(code)s.")
                % {"format": session.kickoff_format.name, "code": session.join_code},
            )
            return redirect("kickoff-session-detail", org=viewer.org, code=session.code)
    context = {"programme": programme, "form": form, "formats": available}
    return render_form_page(request, "kickoff/format_plan.html", context, form)


@tenant_view(policy=policies.can_compare_kickoffs)
@require_GET
def format_compare(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """The format's sessions side by side, oldest first, each beside the wave before it."""
    kickoff_format = selectors.kickoff_format_get(viewer.organisation, code)
    columns = selectors.format_comparison(kickoff_format)
    labels = {kind.value: str(kind.label) for kind in EmotionKind}
    context = {
        "kickoff_format": kickoff_format,
        "columns": columns,
        "rows": formats.comparison_rows([c["figures"] for c in columns], labels),
        "can_manage": policies.can_manage_kickoff_formats(viewer.membership),
    }
    return render(request, "kickoff/format_compare.html", context)
