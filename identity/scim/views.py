"""The SCIM 2.0 API under /scim/v2/ (one base URL for every organisation: the bearer token names
the organisation) and the admin page where tokens are created and revoked.

The API is authenticated by its bearer token alone, never by a session, so it is CSRF-exempt;
nothing else in the app is. Every answer is `application/scim+json`; every refusal is an RFC 7644
error body (400, 401, 404, 405, 409, 413), never a server error. Error details are in English:
they are read in the provider's provisioning log, not by the people in Snowball.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from identity import policies
from identity.models import ScimToken
from identity.scim import parsing, resources, selectors, services
from identity.scim.errors import ScimError, invalid_value
from identity.scim.forms import ScimTokenForm
from programme.models import Organisation
from programme.pages import render_form_page
from programme.tenancy import tenant_view
from programme.viewer import Viewer

CONTENT_TYPE = "application/scim+json"
Answer = tuple[int, dict | None]


def scim_response(status: int, body: dict | None) -> HttpResponse:
    if body is None:
        return HttpResponse(status=status, content_type=CONTENT_TYPE)
    return HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("identity-scim-users")).removesuffix("Users")


def _token(request: HttpRequest) -> ScimToken:
    scheme, _space, raw = request.headers.get("Authorization", "").strip().partition(" ")
    token = services.scim_token_authenticate(raw.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise ScimError(401, "A valid SCIM bearer token is required.")
    return token


def scim_api(methods: tuple[str, ...]) -> Callable:
    """Wrap a SCIM view `view(request, organisation, *args) -> (status, body)`: the method, the
    token, the body size and every refusal answered as SCIM."""

    def decorate(view: Callable[..., Answer]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                token = _token(request)
                if request.method not in methods:
                    raise ScimError(405, f"{request.method} is not supported here.")
                length = request.headers.get("Content-Length", "") or "0"
                if not length.isdigit() or int(length) > parsing.MAX_BODY_BYTES:
                    raise ScimError(413, "The request body is too large.")
                status, body = view(request, token.organisation, *args, **kwargs)
            except ScimError as error:
                response = scim_response(error.status, error.body())
                if error.status == 401:
                    response["WWW-Authenticate"] = 'Bearer realm="SCIM"'
                return response
            except RequestDataTooBig:
                return scim_response(413, ScimError(413, "The request body is too large.").body())
            except DataError:
                # A filter value the database refuses to compare (the parser let it through).
                return scim_response(400, ScimError(400, "The filter cannot be evaluated.",
                                                    "invalidFilter").body())  # fmt: skip
            except IntegrityError:
                # Two requests racing to create the same person or team: the loser is told so.
                return scim_response(409, services.integrity_conflict().body())
            return scim_response(status, body)

        wrapper.scim_methods = methods  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _body(request: HttpRequest) -> dict:
    return parsing.parse_body(request.body)


def _paging(request: HttpRequest) -> tuple[int, int]:
    """(startIndex, count): 1-based, count capped at the page limit (RFC 7644 §3.4.2.4)."""
    values = []
    for name, default in (("startIndex", 1), ("count", resources.MAX_PAGE)):
        raw = request.GET.get(name, "")
        try:
            values.append(int(raw) if raw.strip() else default)
        except ValueError:
            raise invalid_value(f"'{name}' must be an integer.") from None
    start, count = values
    # Past the last row is an empty page, not an OFFSET the database cannot hold.
    return min(max(start, 1), 2**31), min(max(count, 0), resources.MAX_PAGE)


def _excluded(request: HttpRequest) -> set[str]:
    return {name.strip().lower() for name in request.GET.get("excludedAttributes", "").split(",")}


# --- Users --------------------------------------------------------------------------------------


@scim_api(("GET", "POST"))
def users(request: HttpRequest, organisation: Organisation) -> Answer:
    base = base_url(request)
    if request.method == "POST":
        state = parsing.user_state_from_resource(_body(request))
        link = services.scim_user_create(organisation=organisation, state=state)
        link = selectors.user_of(organisation, str(link.membership.code))
        return 201, resources.user_resource(link, base)
    start, count = _paging(request)
    matching = selectors.users_matching(organisation, request.GET.get("filter", "").strip())
    total = matching.count()
    page = list(matching[start - 1 : start - 1 + count]) if count else []
    found = [resources.user_resource(link, base) for link in page]
    return 200, resources.list_response(found, total, start)


@scim_api(("GET", "PUT", "PATCH", "DELETE"))
def user(request: HttpRequest, organisation: Organisation, scim_id: str) -> Answer:
    link = selectors.user_of(organisation, scim_id)
    if request.method == "DELETE":
        services.scim_user_delete(link=link)
        return 204, None
    if request.method == "PUT":
        base = services.user_state_for_replace(link)
        state = parsing.user_state_from_resource(_body(request), base=base)
        services.scim_user_update(link=link, state=state)
    elif request.method == "PATCH":
        operations = parsing.patch_operations(_body(request))
        state = parsing.apply_user_operations(services.user_state(link), operations)
        services.scim_user_update(link=link, state=state)
    link = selectors.user_of(organisation, scim_id)
    return 200, resources.user_resource(link, base_url(request))


# --- Groups -------------------------------------------------------------------------------------


@scim_api(("GET", "POST"))
def groups(request: HttpRequest, organisation: Organisation) -> Answer:
    base = base_url(request)
    if request.method == "POST":
        state = parsing.group_state_from_resource(_body(request))
        group = services.scim_group_create(organisation=organisation, state=state)
        group = selectors.group_of(organisation, str(group.team.code))
        return 201, resources.group_resource(group, base)
    start, count = _paging(request)
    with_members = "members" not in _excluded(request)
    matching = selectors.groups_matching(
        organisation, request.GET.get("filter", "").strip(), with_members=with_members
    )
    total = matching.count()
    page = list(matching[start - 1 : start - 1 + count]) if count else []
    found = [resources.group_resource(g, base, with_members=with_members) for g in page]
    return 200, resources.list_response(found, total, start)


@scim_api(("GET", "PUT", "PATCH", "DELETE"))
def group(request: HttpRequest, organisation: Organisation, scim_id: str) -> Answer:
    with_members = "members" not in _excluded(request)
    found = selectors.group_of(organisation, scim_id, with_members=False)
    if request.method == "DELETE":
        services.scim_group_delete(group=found)
        return 204, None
    if request.method == "PUT":
        base = services.group_state_for_replace(found)
        state = parsing.group_state_from_resource(_body(request), base=base)
        services.scim_group_update(group=found, state=state)
    elif request.method == "PATCH":
        operations = parsing.patch_operations(_body(request))
        state = parsing.apply_group_operations(services.group_state(found), operations)
        services.scim_group_update(group=found, state=state)
    found = selectors.group_of(organisation, scim_id, with_members=with_members)
    return 200, resources.group_resource(found, base_url(request), with_members=with_members)


# --- Discovery ----------------------------------------------------------------------------------


@scim_api(("GET",))
def service_provider_config(request: HttpRequest, organisation: Organisation) -> Answer:
    return 200, resources.service_provider_config(base_url(request))


@scim_api(("GET",))
def resource_types(request: HttpRequest, organisation: Organisation) -> Answer:
    found = resources.resource_types(base_url(request))
    return 200, resources.list_response(found, len(found), 1)


@scim_api(("GET",))
def resource_type(request: HttpRequest, organisation: Organisation, name: str) -> Answer:
    for found in resources.resource_types(base_url(request)):
        if found["id"].lower() == name.lower():
            return 200, found
    raise ScimError(404, f"No resource type '{name[:100]}'.")


@scim_api(("GET",))
def schemas(request: HttpRequest, organisation: Organisation) -> Answer:
    found = resources.schemas(base_url(request))
    return 200, resources.list_response(found, len(found), 1)


@scim_api(("GET",))
def schema(request: HttpRequest, organisation: Organisation, uri: str) -> Answer:
    for found in resources.schemas(base_url(request)):
        if found["id"].lower() == uri.lower():
            return 200, found
    raise ScimError(404, f"No schema '{uri[:200]}'.")


@csrf_exempt
def fallback(request: HttpRequest, rest: str) -> HttpResponse:
    """Anything else under /scim/v2/: a trailing slash some clients add is forgiven; the rest is
    a SCIM 404 (after the token check, so it tells an outsider nothing)."""
    if rest.endswith("/") and rest.strip("/"):
        try:
            match = resolve(reverse("identity-scim-users").removesuffix("Users") + rest.rstrip("/"))
        except Resolver404:
            match = None
        if match is not None and match.func is not fallback:
            return match.func(request, *match.args, **match.kwargs)
    return _unknown(request)


@scim_api(("GET", "POST", "PUT", "PATCH", "DELETE"))
def _unknown(request: HttpRequest, organisation: Organisation) -> Answer:
    raise ScimError(404, "There is no SCIM endpoint here.")


# --- The admin page -----------------------------------------------------------------------------


@tenant_view(policy=policies.can_manage_scim)
@require_http_methods(["GET", "POST"])
def scim_tokens(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    form = ScimTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _created, secret = services.scim_token_create(
            by=viewer.membership, name=form.cleaned_data["name"]
        )
        form = ScimTokenForm()
    context = {
        "form": form,
        "secret": secret,
        "tokens": selectors.tokens_for(viewer),
        "base_url": base_url(request),
    }
    return render_form_page(request, "identity/scim_tokens.html", context, form)


@tenant_view
@require_POST
def scim_token_revoke(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    # Found first: another organisation's token answers 404 whoever asks, never 403.
    token = selectors.token_for(viewer, code)
    services.scim_token_revoke(token=token, by=viewer.membership)
    messages.success(
        request,
        _("SCIM token '%(name)s' revoked: your identity provider can no longer use it.")
        % {"name": token.name},
    )
    return redirect("identity-scim-tokens", org=viewer.org)
