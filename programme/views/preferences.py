"""A person's notifications and e-mail preferences, the one-click unsubscribe, and the
organisation's settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from programme import policies, selectors, services
from programme.forms import EmailPreferencesForm, OrganisationSettingsForm
from programme.models import EmailKind
from programme.tenancy import Viewer, tenant_view


@tenant_view
@require_http_methods(["GET", "POST"])
def email_preferences(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    current = {
        kind: services.email_mode(membership=membership, kind=kind)
        for kind in services.email_kinds_for(membership)
    }
    form = EmailPreferencesForm(request.POST if request.method == "POST" else None, current=current)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "programme/email_preferences.html", {"form": form}, status=400)
        for kind, mode in form.cleaned_data.items():
            if mode:
                services.email_preference_set(membership=membership, kind=kind, mode=mode)
        messages.success(request, _("E-mail settings saved."))
        return redirect("programme-email-preferences", org=viewer.org)
    return render(request, "programme/email_preferences.html", {"form": form})


# Enough for weeks of activity: they are grouped on the page, one line per kind and object.
INBOX_SIZE = 200


@tenant_view
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    """The latest notifications, newest first, one line per kind and object ("12 comments
    and reactions on “X”"); opening the page marks them read (the unread ones stay marked
    on this visit). Two queries whatever the number: the list, and marking it read."""
    membership = viewer.membership
    items = selectors.notifications_of(membership, INBOX_SIZE)
    services.notifications_mark_read(membership=membership)
    groups = services.notification_groups(items)
    return render(request, "programme/notifications.html", {"groups": groups})


@tenant_view
@require_http_methods(["GET"])
def notifications_badge(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    """The unread count in the navigation bar, fetched by htmx after the page has loaded so
    no page pays a query for it."""
    membership = viewer.membership
    unread = selectors.unread_notification_count(membership)
    return render(request, "programme/_notifications_badge.html", {"unread": unread})


# The link arrives in an e-mail and must work without signing in; the signed token is the
# credential. GET only shows a button (mail scanners follow links); POST turns the kind off.
# Mail clients' one-click unsubscribe (RFC 8058) POSTs without a CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def email_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    target = services.unsubscribe_target(token=token)
    if target is None:
        return render(request, "programme/email_unsubscribe.html", {"invalid": True}, status=404)
    membership, kind = target
    label = _("Daily digest") if kind == services.DIGEST else EmailKind(kind).label
    context = {"kind": label, "organisation": membership.organisation}
    if request.method == "POST":
        services.unsubscribe(membership=membership, kind=kind)
        context["done"] = True
    return render(request, "programme/email_unsubscribe.html", context)


@tenant_view(policy=policies.can_change_organisation_settings)
@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    membership = viewer.membership
    organisation = membership.organisation
    form = OrganisationSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "managers_see_individuals": organisation.managers_see_individuals,
            "disclosure_line": organisation.disclosure_line,
            "language": organisation.language,
        },
    )
    if request.method == "POST":
        if not form.is_valid():
            context = {"form": form}
            return render(request, "programme/organisation_settings.html", context, status=400)
        services.organisation_settings_change(
            by=membership,
            managers_see_individuals=form.cleaned_data["managers_see_individuals"],
            disclosure_line=form.cleaned_data["disclosure_line"],
            language=form.cleaned_data["language"] or None,
        )
        messages.success(request, _("Settings saved."))
        return redirect("programme-organisation-settings", org=viewer.org)
    return render(request, "programme/organisation_settings.html", {"form": form})
