"""Presenter mode (the projector and the consultant's speaker notes) and agree / disagree /
pass on the join page (issue #22).

The presenter's state lives in the query string, so every state is a plain link that works
without JavaScript and survives a reload: `sort` (votes, newest, consensus, divisive),
`reveal` (reveal mode: how many concerns are uncovered) and `hl` (the highlighted concern, or
`latest`: the one H would highlight, resolved by the server when the key was pressed before
the screen had caught up with the keys before it).
projector.js maps the keys onto these links and polls the same URL for its fragment."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kickoff import consensus, live, policies, selectors, services
from kickoff.models import KickoffSession
from kickoff.views import concern_rows, own_concern_codes
from programme.tenancy import Viewer, tenant_view

SORT_LABELS = {
    consensus.MOST_VOTED: gettext_lazy("Most voted"),
    consensus.NEWEST: gettext_lazy("Newest"),
    consensus.CONSENSUS: gettext_lazy("Consensus"),
    consensus.DIVISIVE: gettext_lazy("Divisive"),
}
REVEAL_LIMIT = 100_000
# hl=latest: highlight what H targets in this state (the latest revealed, else the top one).
LATEST = "latest"


def _typeable(url: str) -> str:
    """An address as read off a wall and typed on a phone: no scheme, and lines that may
    break only after a slash."""
    bare = url.split("://", 1)[-1]
    return mark_safe("/<wbr>".join(escape(part) for part in bare.split("/")))


def _join_qr_svg(url: str) -> str:
    """The join address as a QR code, drawn here as SVG: no service, no network, no script."""
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(
        scale=10, border=2, light="#fff", omitsize=True, svgclass="projector-qr", title=url
    )
    label = escape(gettext("QR code"))
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


def _presenter_state(request: HttpRequest) -> tuple[str, int | None, str | None]:
    """The query string read leniently: anything unexpected falls back to the default (a typo
    in a projector URL must not blank the screen in front of the room)."""
    sort = consensus.sort_or_default(request.GET.get("sort"))
    raw = request.GET.get("reveal", "")
    reveal = min(int(raw), REVEAL_LIMIT) if raw.isdigit() else None
    asked = request.GET.get("hl", "")
    if asked == LATEST:
        return sort, reveal, LATEST
    try:
        highlight = str(uuid.UUID(asked))
    except ValueError:
        highlight = None
    return sort, reveal, highlight


def _query(sort: str, reveal: int | None, highlight: str | None = None) -> str:
    params: dict[str, object] = {"sort": sort}
    if reveal is not None:
        params["reveal"] = reveal
    if highlight:
        params["hl"] = highlight
    return "?" + urlencode(params)


def _board_context(request: HttpRequest, session: KickoffSession) -> dict:
    sort, reveal, highlight = _presenter_state(request)
    concerns = selectors.presenter_concerns(session)
    arrivals = services.concern_arrivals_note(session=session, codes=[str(c.pk) for c in concerns])
    board = selectors.presenter_board(
        concerns, sort=sort, reveal=reveal, highlight=highlight, arrivals=arrivals
    )
    for concern in board.shown:
        concern.highlight_query = _query(board.sort, reveal, str(concern.pk))
    # The concern key H highlights: the latest revealed in reveal mode, else the top one.
    h_target = board.shown[-1] if reveal is not None and board.shown else None
    h_target = h_target or (board.shown[0] if board.shown else None)
    if highlight == LATEST:
        # Resolved once: the screen, its poll and its links carry the concern's own key, so
        # the highlight stays on it while votes reorder the board.
        board.highlighted = h_target
        highlight = str(h_target.pk) if h_target else None
    return {
        "session": session,
        "board": board,
        "top": board.top(selectors.PROJECTOR_TOP),
        "more": board.more(selectors.PROJECTOR_TOP),
        "joined": selectors.joined_count(session),
        "min_voters": consensus.MIN_VOTERS,
        "sorts": [
            {
                "key": key,
                "number": number,
                "label": label,
                "query": _query(key, reveal, highlight),
                "current": key == board.sort,
            }
            for number, (key, label) in enumerate(SORT_LABELS.items(), start=1)
        ],
        "sort_label": SORT_LABELS[board.sort],
        "query": _query(board.sort, reveal, highlight),
        "unhighlight_query": _query(board.sort, reveal),
        "h_target": h_target,
    }


@tenant_view(policy=policies.can_run_kickoff)
@require_GET
def kickoff_projector(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """The screen the room sees: no menu, no notifications, large type; how to join (address,
    QR code, code), how many have joined, and the concerns live in the presenter's order."""
    session = selectors.kickoff_get(viewer.organisation, code)
    # The poll: 304 while the board is as the screen shows it (kickoff.live), before reading
    # a concern or noting arrivals.
    etag = live.etag_for(request, session.pk, viewer.membership.pk, "projector",
                         *_presenter_state(request))  # fmt: skip
    if request.htmx and live.not_modified(request, etag):
        return live.not_modified_response(etag)
    context = _board_context(request, session) | {"etag": etag}
    if request.htmx:
        fragment = render(request, "kickoff/projector.html#live-concerns", context)
        return live.with_etag(fragment, etag)
    if session.status == KickoffSession.Status.CLOSED:
        # Nobody joins a closed kick-off: its screen shows no address, code or QR code.
        return render(request, "kickoff/projector.html", context)
    join_url = request.build_absolute_uri(
        reverse("kickoff-join", args=[viewer.org, session.join_code])
    )
    by_code_url = request.build_absolute_uri(reverse("kickoff-join-by-code"))
    context |= {
        "join_url": join_url,
        "join_url_display": _typeable(join_url),
        "join_by_code_display": _typeable(by_code_url),
        "qr_svg": _join_qr_svg(join_url),
    }
    return render(request, "kickoff/projector.html", context)


@tenant_view(policy=policies.can_run_kickoff)
@require_GET
def presenter_notes(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """The consultant's own screen, never the projector: the sponsor's input, the examples,
    what comes next in the current order with its agree / disagree split, and the keys."""
    session = selectors.kickoff_get(viewer.organisation, code)
    etag = live.etag_for(request, session.pk, viewer.membership.pk, "notes",
                         *_presenter_state(request))  # fmt: skip
    if request.htmx and live.not_modified(request, etag):
        return live.not_modified_response(etag)
    context = _board_context(request, session) | {"etag": etag}
    board = context["board"]
    # In reveal mode "next" is what is still covered; otherwise the order from the top.
    start = board.reveal if board.reveal is not None else 0
    context["next_concerns"] = board.ordered[start : start + selectors.NOTES_NEXT]
    context["next_start"] = start + 1
    if request.htmx:
        return live.with_etag(
            render(request, "kickoff/presenter_notes.html#notes-live", context), etag
        )
    return render(request, "kickoff/presenter_notes.html", context)


@tenant_view
@require_POST
def concern_opinion(
    request: HttpRequest, viewer: Viewer, join_code: str, code: str
) -> HttpResponse:
    """Agree, disagree or pass from the join page: a plain form post (then back to the page)
    or, with htmx, the concern's line swapped in place."""
    membership = viewer.membership
    session = selectors.kickoff_by_join_code(membership.organisation, join_code)
    concern = selectors.concern_get(membership.organisation, code)
    if concern.session_id != session.pk:
        raise Http404
    error = None
    if str(concern.pk) in own_concern_codes(request):
        error = gettext(services.OWN_CONCERN_OPINION)
    else:
        try:
            services.concern_opine(
                concern=concern, by=membership, opinion=request.POST.get("opinion", "")
            )
        except ValidationError as refused:
            error = " ".join(gettext(message) for message in refused.messages)
    if not request.htmx:
        if error:
            messages.error(request, error)
        url = reverse("kickoff-join", args=[viewer.org, session.join_code])
        return redirect(f"{url}#concern-{concern.pk}")
    session.refresh_from_db(fields=["status"])
    concern = selectors.concern_get(membership.organisation, code)
    is_open = session.status == KickoffSession.Status.OPEN
    own = set(own_concern_codes(request))
    is_mine = str(concern.pk) in own or concern.author_id == membership.pk
    context = concern_rows(request, session, [concern]) | {
        "session": session,
        "c": concern,
        "is_open": is_open,
        "voted": selectors.my_votes(session, membership) if is_open else set(),
        "opinions": selectors.my_opinions(session, membership) if is_open else {},
        "mine": {concern.pk} if is_mine else set(),
        "opinion_error": error,
        "min_voters": consensus.MIN_VOTERS,
    }
    return render(request, "kickoff/join.html#concern-item", context)
