"""The audit log page (issue #18): admins read what was changed about people and settings.
Read-only: there is no view that edits or deletes an entry."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from programme import policies, selectors
from programme.forms import AuditFilterForm
from programme.tenancy import Viewer, tenant_view


@tenant_view(policy=policies.can_read_audit_log)
@require_GET
def audit_log(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = selectors.audit_entries_page(
        viewer.organisation,
        action=filters.get("action", ""),
        person=filters.get("person", "").strip(),
        since=filters.get("since"),
        until=filters.get("until"),
        cursor=request.GET.get("after", "")[:60],
    )
    for entry in page.entries:
        entry.lines = selectors.audit_detail_lines(entry)
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "form": form,
        "entries": page.entries,
        "next_cursor": page.next_cursor,
        "query": query.urlencode(),
        "first_page": "after" not in request.GET,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "programme/audit_log.html", context, status=status)
