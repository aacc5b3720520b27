"""Kick-off moderation (the queue of held concerns), themes and the CSV export (issue #22).

The board (views.kickoff_detail) takes its moderation and theme parts from `board_context`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kickoff import policies, selectors, services
from kickoff.forms import ModerateForm, ThemeFollowUpForm
from kickoff.models import KickoffSession
from programme.csvexport import csv_response
from programme.pages import render_form_page
from programme.tenancy import Viewer, tenant_view


def board_context(request: HttpRequest, viewer: Viewer, session: KickoffSession) -> dict:
    """What the board adds for moderation and themes: the queue (for those who moderate), the
    themes, and the board narrowed to one theme when the address asks (`?theme=`)."""
    membership = viewer.membership
    themes = selectors.concern_themes(session, viewer.organisation)
    context: dict[str, object] = {
        "themes": themes,
        "can_moderate": policies.can_moderate_concerns(membership),
        "can_export": policies.can_export_concerns(membership),
        "can_follow_up_theme": policies.can_follow_up_concern(membership),
    }
    if context["can_moderate"]:
        context["held"] = selectors.held_concerns(session)
    asked = request.GET.get("theme", "").strip()
    if asked:
        theme = next((t for t in themes if t.word == asked), None)
        if theme is None:
            context["unknown_theme"] = asked[:100]
        else:
            concerns = selectors.concerns_with_theme(session, viewer.organisation, theme.word)
            context["theme"] = theme
            context["groups"] = selectors.concerns_by_category(session, concerns)
            context["theme_follow_up"] = selectors.theme_follow_up_of(session, theme.word)
    return context


@tenant_view(policy=policies.can_moderate_concerns)
@require_POST
def concern_moderate(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """Approve or reject a held concern, one click each. Answers with a redirect to the board,
    without JavaScript and with htmx alike (htmx swaps the queue and the board from it)."""
    concern = selectors.concern_get(viewer.organisation, code)
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to reject the concern."))
    else:
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.concern_moderate(concern=concern, by=viewer.membership, approve=approve)
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Approved: the concern is on the screen.")
                if approve
                else _("Rejected: the concern is shown nowhere."),
            )
    return redirect("kickoff-session-detail", org=viewer.org, code=concern.session.code)


@tenant_view(policy=policies.can_moderate_concerns)
@require_POST
def kickoff_premoderation(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """The session's "concerns wait for me" switch, on the board (it is on the planning form
    too): `premoderated` is "on" or "off"; anything else changes nothing."""
    session = selectors.kickoff_get(viewer.organisation, code)
    wanted = request.POST.get("premoderated")
    if wanted not in ("on", "off"):
        messages.error(request, _("Choose whether concerns wait for you or not."))
    else:
        on = wanted == "on"
        services.kickoff_premoderation_set(session=session, by=viewer.membership, on=on)
        messages.success(
            request,
            _("Concerns now wait for you before they are shown.")
            if on
            else _(
                "Concerns now go straight on the screen (unless they hold a blocked word). "
                "Those waiting still wait for your decision."
            ),
        )
    return redirect("kickoff-session-detail", org=viewer.org, code=session.code)


@tenant_view(policy=policies.can_export_concerns)
@require_GET
def kickoff_export(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """The session's live concerns and their counts as CSV (formula-safe, as every export):
    never the held or rejected ones, and an author's name only where they chose to give it."""
    session = selectors.kickoff_get(viewer.organisation, code)
    header = [
        _("What worries me"), _("What would help"), _("Category"), _("Status"), _("Me too"),
        pgettext("opinion on a concern", "Agree"), pgettext("opinion on a concern", "Disagree"),
        pgettext("opinion on a concern", "Pass"), _("Agree share (5 or more took a side)"),
        _("Duplicates merged in"), _("Name (only when its author gave it)"),
    ]  # fmt: skip
    rows = (
        [c.worry, c.would_help, c.category, c.get_status_display(), c.votes,
         c.agrees, c.disagrees, c.passes,
         "" if c.split.agree_percent is None else f"{c.split.agree_percent}%", c.duplicates,
         _author_name(c)]
        for c in selectors.concern_export_rows(session)
    )  # fmt: skip
    filename = f"kickoff-{slugify(session.title)[:60] or 'session'}-{session.held_on}.csv"
    return csv_response(filename, header, rows)


def _author_name(concern) -> str:
    author = concern.author
    return (author.user.get_full_name() or author.user.email) if author else ""


@tenant_view(policy=policies.can_view_kickoff_board)
@require_http_methods(["GET", "POST"])
def theme_follow_up(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """Answer a theme once, in "you said, we did", for every concern that holds it. The session
    is looked up first: another organisation's answers 404 whoever asks."""
    session = selectors.kickoff_get(viewer.organisation, code)
    if not policies.can_follow_up_concern(viewer.membership):
        raise PermissionDenied
    word = (request.POST.get("theme") or request.GET.get("theme") or "").strip()
    theme = next(
        (t for t in selectors.concern_themes(session, viewer.organisation) if t.word == word),
        None,
    )
    board = reverse("kickoff-session-detail", args=[viewer.org, session.code])
    if theme is None:
        messages.error(request, _("This session has no such theme: choose one from its list."))
        return redirect(board)
    existing = selectors.theme_follow_up_of(session, theme.word)
    form = ThemeFollowUpForm(
        request.POST if request.method == "POST" else None,
        initial={"action": existing.action, "response": existing.response} if existing else None,
    )
    concerns = list(selectors.concerns_with_theme(session, viewer.organisation, theme.word))
    if request.method == "POST" and form.is_valid():
        try:
            services.theme_follow_up_save(
                session=session, by=viewer.membership, word=theme.word, label=theme.label,
                concerns=concerns, **form.cleaned_data,
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The theme “%(theme)s” is answered in “you said, we did”.")
                % {"theme": theme.label},
            )
            return redirect(f"{board}?{urlencode({'theme': theme.word})}")
    context = {
        "session": session,
        "theme": theme,
        "concerns": concerns,
        "form": form,
        "existing": existing,
        "board_url": f"{board}?{urlencode({'theme': theme.word})}",
    }
    return render_form_page(request, "kickoff/theme_follow_up.html", context, form)
