"""Training and consultation sessions, consultation cycles, management meetings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from programme import policies, selectors, services
from programme.forms import CycleForm, FollowUpForm, MeetingForm, SessionForm
from programme.pages import render_form_page
from programme.tenancy import Viewer, tenant_view


@tenant_view
@require_http_methods(["GET", "POST"])
def session_list(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    programme = selectors.programme_get(membership.organisation, code)
    can_manage = policies.can_manage_programme(membership)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = SessionForm(request.POST or None, programme=programme) if can_manage else None
    if request.method == "POST" and form is not None and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "plan_anyway"}
        session = services.session_save(programme=programme, by=membership, data=data)
        if session.lecture_warning:
            messages.warning(
                request,
                _("Planned, with a warning: %(warning)s.") % {"warning": session.lecture_warning},
            )
        else:
            messages.success(request, _("Session planned."))
        return redirect("programme-session-detail", org=viewer.org, code=session.code)
    context = {
        "programme": programme,
        "sessions": selectors.sessions_for(programme),
        "form": form,
        "cycle_form": CycleForm(programme=programme) if can_manage else None,
    }
    return render_form_page(request, "programme/session_list.html", context, form)


@tenant_view(policy=policies.can_manage_programme)
@require_POST
def cycle_create(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    programme = selectors.programme_get(membership.organisation, code)
    form = CycleForm(request.POST, programme=programme)
    if not form.is_valid():
        context = {
            "programme": programme,
            "sessions": selectors.sessions_for(programme),
            "form": SessionForm(programme=programme),
            "cycle_form": form,
        }
        return render(request, "programme/session_list.html", context, status=400)
    cycle = services.cycle_create(programme=programme, by=membership, data=form.cleaned_data)
    messages.success(
        request,
        # Translators: the whole sentence is chosen by the number of weeks; %(sessions)s is
        # already a phrase with its own plural, e.g. "6 sessions".
        ngettext(
            "Consultation cycle for %(wave)s: %(sessions)s, every week.",
            "Consultation cycle for %(wave)s: %(sessions)s, every %(weeks)d weeks.",
            cycle.every_weeks,
        )
        % {
            "wave": cycle.wave,
            "weeks": cycle.every_weeks,
            "sessions": ngettext("%(count)d session", "%(count)d sessions", cycle.occurrences)
            % {"count": cycle.occurrences},
        },
    )
    return redirect("programme-session-list", org=viewer.org, code=code)


@tenant_view
@require_http_methods(["GET", "POST"])
def session_detail(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    session = selectors.session_get(membership.organisation, code)
    can_record = policies.can_record_attendance(membership)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        present = [p for p in request.POST.getlist("present") if p.isdigit()]
        expected = set(session.attendance.values_list("participant_id", flat=True))
        services.attendance_record(
            session=session,
            by=membership,
            present=[int(p) for p in present if int(p) in expected],
        )
        messages.success(request, _("Attendance saved."))
        return redirect("programme-session-detail", org=viewer.org, code=code)
    context = {
        "session": session,
        "attendance": selectors.session_attendance(session) if can_record else None,
        "can_record": can_record,
    }
    return render(request, "programme/session_detail.html", context)


# --- Management meetings -----------------------------------------------------------------------


@tenant_view(policy=policies.can_view_meetings)
@require_http_methods(["GET", "POST"])
def meeting_list(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    programme = selectors.programme_get(membership.organisation, code)
    form = (
        MeetingForm(request.POST or None, organisation=membership.organisation)
        if policies.can_manage_meetings(membership)
        else None
    )
    if request.method == "POST" and form is None:
        raise PermissionDenied  # nothing to post without the form
    if request.method == "POST" and form.is_valid():
        meeting = services.meeting_create(programme=programme, by=membership, **form.cleaned_data)
        messages.success(request, _("Meeting recorded. Add its follow-ups below."))
        return redirect("programme-meeting-detail", org=viewer.org, code=meeting.code)
    meetings = list(selectors.meetings_for(programme))
    last = meetings[0].held_on if meetings else None
    context = {
        "programme": programme,
        "meetings": meetings,
        "form": form,
        "cadence_missed": selectors.cadence_missed(programme, last),
    }
    return render_form_page(request, "programme/meeting_list.html", context, form)


@tenant_view(policy=policies.can_view_meetings)
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    meeting = selectors.meeting_get(membership.organisation, code)
    can_manage = policies.can_manage_meetings(membership)
    form = (
        FollowUpForm(request.POST or None, organisation=membership.organisation)
        if can_manage
        else None
    )
    if request.method == "POST" and form is None:
        raise PermissionDenied  # nothing to post without the form
    if request.method == "POST" and form.is_valid():
        services.follow_up_add(meeting=meeting, by=membership, **form.cleaned_data)
        messages.success(request, _("Follow-up added."))
        return redirect("programme-meeting-detail", org=viewer.org, code=code)
    context = {
        "meeting": meeting,
        "attendees": meeting.attendees.select_related("user"),
        "follow_ups": selectors.follow_ups_for(meeting),
        "decisions": [line for line in meeting.decisions.splitlines() if line.strip()],
        "form": form,
        "me": membership,
        "can_manage": can_manage,
        "today": timezone.localdate(),
    }
    return render_form_page(request, "programme/meeting_detail.html", context, form)


@tenant_view
@require_POST
def follow_up_done(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    follow_up = selectors.follow_up_get(membership.organisation, code)
    if services.follow_up_done(follow_up=follow_up, by=membership):
        messages.success(request, _("Follow-up done."))
    return redirect("programme-meeting-detail", org=viewer.org, code=follow_up.meeting.code)
