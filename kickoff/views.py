from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kickoff import live, policies, selectors, services, views_moderation
from kickoff.forms import (
    CategoriseForm,
    ConcernForm,
    EmotionForm,
    FollowUpConcernForm,
    JoinForm,
    KickoffForm,
    MergeForm,
)
from kickoff.models import KickoffSession, Moderation
from programme import selectors as programme_selectors
from programme.pages import render_form_page
from programme.selectors import memberships_of_user
from programme.tenancy import Viewer, tenant_view


@tenant_view(policy=policies.can_view_kickoff_board)
@require_http_methods(["GET", "POST"])
def kickoff_list(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    programme = programme_selectors.programme_get(viewer.organisation, code)
    # The planning form is shown to those who run kick-offs; there is nothing to post without it.
    form = (
        KickoffForm(request.POST or None, organisation=viewer.organisation)
        if policies.can_run_kickoff(membership)
        else None
    )
    if request.method == "POST" and form is None:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "attendees"}
        session = services.kickoff_save(
            programme=programme, by=membership, data=data, attendees=form.cleaned_data["attendees"]
        )
        messages.success(
            request,
            gettext("Kick-off planned. Its join code is %(code)s.") % {"code": session.join_code},
        )
        return redirect("kickoff-session-detail", org=viewer.org, code=session.code)
    context = {
        "programme": programme,
        "sessions": selectors.kickoffs_of_programme(programme),
        "form": form,
    }
    return render_form_page(request, "kickoff/kickoff_list.html", context, form)


@tenant_view(policy=policies.can_view_kickoff_board)
@require_GET
def kickoff_detail(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    session = selectors.kickoff_get(viewer.organisation, code)
    context = {
        "session": session,
        "groups": selectors.concerns_by_category(session),
        "emotions": selectors.emotion_summary(session),
        "emotion_form": EmotionForm(programme=session.programme, session=session),
        "can_run": policies.can_run_kickoff(membership),
        "can_follow_up": policies.can_follow_up_concern(membership),
        "joined": selectors.joined_count(session),
        "join_url": request.build_absolute_uri(
            reverse("kickoff-join", args=[viewer.org, session.join_code])
        ),
    }
    context |= views_moderation.board_context(request, viewer, session)
    return render(request, "kickoff/kickoff_detail.html", context)


@tenant_view(policy=policies.can_run_kickoff)
@require_POST
def kickoff_open(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    session = selectors.kickoff_get(viewer.organisation, code)
    try:
        services.kickoff_open(session=session, by=viewer.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("kickoff-session-detail", org=viewer.org, code=code)
    return redirect("kickoff-projector", org=viewer.org, code=code)


@tenant_view(policy=policies.can_run_kickoff)
@require_http_methods(["GET", "POST"])
def kickoff_close(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """Closing cannot be undone (the voters are forgotten): it asks first, saying what goes.
    Only a POST carrying the confirmation closes; the page works without JavaScript and htmx
    shows the same question in place on the kick-off page."""
    session = selectors.kickoff_get(viewer.organisation, code)
    if session.status == KickoffSession.Status.CLOSED:
        messages.info(request, gettext("This session is closed already."))
        return redirect("kickoff-session-detail", org=viewer.org, code=code)
    if request.method == "POST" and request.POST.get("confirm") == "close":
        services.kickoff_close(session=session, by=viewer.membership)
        messages.success(
            request,
            gettext("Session closed. Who voted for what is now forgotten; the counts stay."),
        )
        return redirect("kickoff-session-detail", org=viewer.org, code=code)
    context = {"session": session, "summary": selectors.closing_summary(session)}
    if request.htmx:
        context["fragment"] = True
        return render(request, "kickoff/close_confirm.html#close-question", context)
    return render(request, "kickoff/close_confirm.html", context)


# --- Participants: join by code, submit and vote ---


@login_required
@require_http_methods(["GET", "POST"])
def join_by_code(request: HttpRequest) -> HttpResponse:
    """Type the code shown on the projector; it is looked up in your own organisations only."""
    form = JoinForm(request.POST or request.GET or None)
    if form.is_bound and form.is_valid():
        memberships = list(memberships_of_user(request.user))
        found = selectors.open_kickoffs_for_code(memberships, form.cleaned_data["join_code"])
        if found:
            session = found[0]
            return redirect(
                "kickoff-join", org=session.organisation.slug, join_code=session.join_code
            )
        form.add_error(
            "join_code", gettext("No session of yours has this code. Check it on the screen.")
        )
    context = {
        "form": form,
        "open_sessions": selectors.open_kickoffs(memberships_of_user(request.user)),
    }
    return render_form_page(request, "kickoff/join_code.html", context, form)


# The concerns a person sent anonymously are known to their browser only: their codes are kept
# in a signed cookie (never on the server, which must not link an anonymous concern to anyone),
# so "me too" can be refused for one's own concern. Signed per user: another person signing in
# on the same browser starts with none.
# "token" in the name: error reports (Django redacts cookies named like secrets) never show it.
OWN_CONCERNS_COOKIE = "kickoff_own_concerns_token"
OWN_CONCERNS_KEPT = 40


def _own_salt(request: HttpRequest) -> str:
    return f"kickoff-own-concerns:{request.user.pk}"


def own_concern_codes(request: HttpRequest) -> list[str]:
    raw = request.get_signed_cookie(OWN_CONCERNS_COOKIE, default="", salt=_own_salt(request))
    return [code for code in raw.split(",") if code]


def _remember_own_concern(request: HttpRequest, response: HttpResponse, concern) -> None:
    codes = [str(concern.pk), *own_concern_codes(request)][:OWN_CONCERNS_KEPT]
    response.set_signed_cookie(
        OWN_CONCERNS_COOKIE, ",".join(codes), salt=_own_salt(request), max_age=90 * 86400,
        httponly=True, samesite="Lax", secure=request.is_secure(),
    )  # fmt: skip


_ANY_UUID = "00000000-0000-0000-0000-000000000000"


def concern_rows(request: HttpRequest, session: KickoffSession, concerns) -> dict:
    """What each line of the join page's list needs, worked out once per page instead of in
    each line: its two form addresses (from one reverse each), the 40 characters of the
    concern screen readers hear on its buttons, and the CSRF field shared by every form
    (four per line). A line cost ~1 ms of CPU to draw, most of it in these; the list is
    what 300 phones poll in a room."""
    slug = request.membership.organisation.slug
    vote = reverse("kickoff-concern-vote", args=[slug, session.join_code, _ANY_UUID])
    opinion = reverse("kickoff-concern-opinion", args=[slug, session.join_code, _ANY_UUID])
    for concern in concerns:
        code = str(concern.code)
        concern.vote_url = vote.replace(_ANY_UUID, code)
        concern.opinion_url = opinion.replace(_ANY_UUID, code)
        worry = concern.worry
        concern.worry_short = worry if len(worry) <= 40 else worry[:39] + "…"  # truncatechars:40
    return {
        "csrf_input": format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        )
    }


def _join_context(request: HttpRequest, session: KickoffSession, membership, form=None) -> dict:
    """The join page (and its live list, kickoff.live): the concerns a page at a time, most
    seconded first (300 in a large room would be 300 lines and 1,200 buttons on a phone, and
    the most costly page of the load test), as many pages as the person has opened."""
    is_open = session.status == KickoffSession.Status.OPEN
    upto = live.shown_upto(request)
    concerns = list(selectors.live_concerns(session)[: upto + 1])
    more = len(concerns) > upto
    concerns = concerns[:upto]
    own = set(own_concern_codes(request))
    # The sender's own anonymous concerns that the timer has not written yet: looked up only
    # when their browser knows of one that is not on the board.
    on_board = {str(c.pk) for c in concerns}
    pending = selectors.own_pending_concerns(session, own - on_board) if is_open else []
    return concern_rows(request, session, concerns) | {
        "session": session,
        "form": form or ConcernForm(session=session),
        "concerns": concerns,
        "pending": pending,
        "voted": selectors.my_votes(session, membership) if is_open else set(),
        "opinions": selectors.my_opinions(session, membership) if is_open else {},
        "mine": {c.pk for c in concerns if str(c.pk) in own or c.author_id == membership.pk},
        "is_open": is_open,
        "unshown": selectors.own_unshown_concerns(session, membership, own),
        "upto": upto,
        "more_upto": upto + live.JOIN_PAGE if more else None,
    }


def _join_list(request: HttpRequest, session: KickoffSession, membership) -> HttpResponse:
    """The join page's list of concerns, as the page polls it (htmx) or asks for more: 304
    while nothing the person sees has changed (kickoff.live), without reading a concern."""
    etag = live.etag_for(request, session.pk, membership.pk, "join", live.shown_upto(request))
    if live.not_modified(request, etag):
        return live.not_modified_response(etag)
    context = _join_context(request, session, membership) | {"etag": etag}
    return live.with_etag(render(request, "kickoff/join.html#concern-list", context), etag)


@tenant_view
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, viewer: Viewer, join_code: str) -> HttpResponse:
    membership = viewer.membership
    session = selectors.kickoff_by_join_code(membership.organisation, join_code)
    if request.method == "POST":
        form = ConcernForm(request.POST, session=session)
        if session.status != KickoffSession.Status.OPEN:
            messages.error(request, gettext("This session is closed: it no longer takes concerns."))
            return redirect("kickoff-join", org=viewer.org, join_code=session.join_code)
        if not form.is_valid():
            context = _join_context(request, session, membership, form)
            return render(request, "kickoff/join.html", context, status=400)
        concern = None
        try:
            concern = services.concern_submit(
                session=session,
                by=membership,
                worry=form.cleaned_data["worry"],
                would_help=form.cleaned_data["would_help"],
                anonymous=not form.cleaned_data["named"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                gettext(
                    "Thank you. Your concern waits for the facilitator, who reads it before "
                    "it goes on the screen."
                )
                if concern.moderation != Moderation.SHOWN
                else gettext("Thank you. Your concern is on the screen.")
                if concern.author_id
                else gettext(
                    "Thank you. Your concern is being added: it goes on the screen within "
                    "half a minute, together with others, so that nobody can tell who sent it."
                ),
            )
        response = redirect("kickoff-join", org=viewer.org, join_code=session.join_code)
        if concern is not None:
            _remember_own_concern(request, response, concern)
        return response
    if request.htmx:  # the list polling, or "Show more": the same URL serves the fragment
        return _join_list(request, session, membership)
    services.kickoff_join_record(session=session, by=membership)
    context = _join_context(request, session, membership)
    # The list's ETag, so that its first poll can already be answered 304 (kickoff.live).
    context["etag"] = live.etag_for(request, session.pk, membership.pk, "join", context["upto"])
    return render(request, "kickoff/join.html", context)


@tenant_view
@require_POST
def concern_vote(request: HttpRequest, viewer: Viewer, join_code: str, code: str) -> HttpResponse:
    membership = viewer.membership
    # One read for the concern, its session's join code and what the vote checks (kickoff.live).
    concern = live.vote_concern(
        organisation_id=membership.organisation_id, join_code=join_code, code=code
    )
    if concern is None:
        raise Http404
    join_code = join_code.strip().upper()
    if str(concern.pk) in own_concern_codes(request):
        messages.error(request, services.OWN_CONCERN)
        return redirect("kickoff-join", org=viewer.org, join_code=join_code)
    try:
        counted = services.concern_vote(concern=concern, by=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if not counted:
            messages.info(
                request, gettext("You already said 'me too' to this one: it counts once.")
            )
    return redirect("kickoff-join", org=viewer.org, join_code=join_code)


# --- Facilitator: sort, merge, follow through, emotions ---


@tenant_view(policy=policies.can_run_kickoff)
@require_POST
def concern_categorise(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    concern = selectors.concern_get(viewer.organisation, code)
    form = CategoriseForm(request.POST)
    if form.is_valid():
        services.concern_categorise(
            concern=concern, by=viewer.membership, category=form.cleaned_data["category"]
        )
    else:
        messages.error(request, gettext("A category is at most 80 characters."))
    return redirect("kickoff-session-detail", org=viewer.org, code=concern.session.code)


@tenant_view(policy=policies.can_run_kickoff)
@require_POST
def concern_merge(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    duplicate = selectors.concern_get(viewer.organisation, code)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose the concern this one duplicates."))
    else:
        into = selectors.concern_get(viewer.organisation, form.cleaned_data["into"])
        try:
            services.concern_merge(duplicate=duplicate, into=into, by=viewer.membership)
            messages.success(request, gettext("Merged: the votes now count on one concern."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("kickoff-session-detail", org=viewer.org, code=duplicate.session.code)


@tenant_view(policy=policies.can_view_kickoff_board)
@require_http_methods(["GET", "POST"])
def concern_detail(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    concern = selectors.concern_get(viewer.organisation, code)
    # The follow-up form is shown to those who follow concerns up; nothing to post without it.
    form = None
    if policies.can_follow_up_concern(membership):
        form = FollowUpConcernForm(
            request.POST or None,
            organisation=viewer.organisation,
            initial={
                "status": concern.status,
                "owner": concern.owner,
                "action": concern.action,
                "response": concern.response,
            },
        )
    if request.method == "POST" and form is None:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        services.concern_follow_up(concern=concern, by=membership, **form.cleaned_data)
        messages.success(request, gettext("Concern updated."))
        return redirect("kickoff-concern-detail", org=viewer.org, code=code)
    context = {"concern": concern, "form": form, "merged": concern.merged.all()}
    return render_form_page(request, "kickoff/concern_detail.html", context, form)


@tenant_view(policy=policies.can_run_kickoff)
@require_POST
def emotion_log(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    session = selectors.kickoff_get(viewer.organisation, code)
    form = EmotionForm(request.POST, programme=session.programme, session=session)
    if form.is_valid():
        try:
            services.emotion_log(session=session, by=membership, data=form.cleaned_data)
        except ValidationError as error:  # its format leaves the emotion check out
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, gettext("Signal noted."))
    else:
        messages.error(request, gettext("Choose a signal and an intensity from 1 to 3."))
    return redirect("kickoff-session-detail", org=viewer.org, code=code)


@tenant_view
@require_GET
def you_said_we_did(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    membership = viewer.membership
    programme = programme_selectors.programme_get(membership.organisation, code)
    context = {
        "programme": programme,
        "concerns": selectors.you_said_we_did(programme),
        "themes": selectors.theme_follow_ups_of(programme),
    }
    return render(request, "kickoff/you_said_we_did.html", context)
