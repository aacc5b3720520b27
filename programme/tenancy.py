"""The one place that resolves the current organisation from a request.

Every tenant view starts with `membership_for_request`; tenant data is then reached only
through selectors that take the organisation it returns.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from programme.models import Membership

SESSION_KEY = "organisation"


def membership_for_request(request: HttpRequest, org: str) -> Membership:
    """The signed-in user's membership of organisation `org` (a slug), or 404.

    An organisation the user does not belong to is indistinguishable from one that
    does not exist.
    """
    if not request.user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(user=request.user, organisation__slug=org, organisation__archived_at__isnull=True)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation")
    request.membership = membership  # type: ignore[attr-defined]
    request.organisation = membership.organisation  # type: ignore[attr-defined]
    if request.session.get(SESSION_KEY) != membership.organisation.slug:
        request.session[SESSION_KEY] = membership.organisation.slug
    return membership


def remembered_organisation_slug(request: HttpRequest) -> str | None:
    return request.session.get(SESSION_KEY)
