"""Sharing a pick well: the seller's own angle first, the organisation's disclosure line, then
LinkedIn's share dialog with a link that names the pick and the team (never the person), and
"I shared it" recorded when they come back. Also the pick's stored preview (fragment, image)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from programme.selectors.translations import reader_language
from programme.tenancy import Viewer, tenant_view
from showcase import policies, selectors, services, sharing
from showcase.models import MarketingPick
from showcase.pick_translations import picks_in_language


def _require_takes_up(viewer: Viewer) -> None:
    # In the view, not as the decorator's policy: the policy needs the viewer's participant.
    if not policies.can_take_up_pick(viewer.membership, viewer.participant is not None):
        raise PermissionDenied


def share_links(pick: MarketingPick, viewer: Viewer) -> dict[str, str]:
    """The link the seller shares (Snowball's short link when the deployment makes it public,
    else the pick's own link with UTM parameters) and LinkedIn's dialog for it."""
    team = viewer.participant.team if viewer.participant else None
    key = sharing.team_key(team.code if team else None)
    link = pick.share
    if getattr(settings, "PICK_SHORT_LINKS", False):
        path = reverse("showcase-pick-redirect-team" if key else "showcase-pick-redirect",
                       args=[link.code, key] if key else [link.code])  # fmt: skip
        shared = settings.SITE_URL + path
    else:
        shared = sharing.tracked_url(pick.url, campaign=link.campaign, pick_code=link.code,
                                     team=key)  # fmt: skip
    return {"shared_link": shared, "linkedin_url": sharing.linkedin_share_url(shared)}


@tenant_view
@require_GET
def pick_share(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    pick = selectors.pick_for_sharing(viewer, code)  # another organisation's: 404 first
    _require_takes_up(viewer)
    picks_in_language([pick], reader_language(viewer.membership))  # the reader's words (#20)
    context = {
        "pick": pick,
        "disclosure_line": viewer.organisation.disclosure_line,
        **share_links(pick, viewer),
    }
    return render(request, "showcase/pick_share.html", context)


@tenant_view
@require_POST
def pick_shared(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    pick = selectors.pick_for_sharing(viewer, code)  # another organisation's: 404 first
    _require_takes_up(viewer)
    try:
        services.pick_shared_record(pick=pick, by=viewer.membership)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, gettext("Thank you: marked as shared."))
    return redirect(reverse("showcase-pick-list", args=[viewer.org]) + f"#pick-{pick.code}")


@tenant_view
@require_GET
def pick_preview(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """The preview part of a pick's card, which polls itself while the fetch is pending."""
    preview = selectors.pick_preview_get(viewer, code)
    context = {"pick": preview.pick, "can_post": policies.can_post_pick(viewer.membership)}
    return render(request, "showcase/_pick_preview.html", context)


@tenant_view
@require_GET
def pick_preview_image(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """The stored thumbnail: readers' browsers fetch it from Snowball, never from the page's
    own site."""
    preview = selectors.pick_preview_get(viewer, code)
    if not preview.image:
        return HttpResponse(status=404)
    response = FileResponse(preview.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
