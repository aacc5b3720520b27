"""A person's language and time zone: on their pages, in e-mails to them, and how they are chosen.

Language: the person's choice (their preferences), else (signed out) the sign-in page's switcher
cookie, else the browser's Accept-Language, else the organisation's default. The first sign-in
stores the guess, so e-mails sent to them later, from any sender, are in that language.

Time zone: the person's choice, else the organisation's. ISO weeks and rollups stay in the
organisation's zone (the dashboards say so): a week is the same week for everyone in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def supported_language(code: str | None) -> str:
    """One of settings.LANGUAGES for `code` ("de-AT" -> "de", "en" -> "en-gb"), or ""."""
    if not code:
        return ""
    try:
        return translation.get_supported_language_variant(code.strip().lower())
    except LookupError:
        return ""


class deferred:
    """Messages translated for their reader later, not now (notifications are shown in each
    reader's language): the names are gettext's, so makemessages extracts them as usual."""

    @staticmethod
    def ngettext(singular: str, plural: str, count: int) -> tuple[str, dict]:
        """(the singular msgid, the params that keep the plural and the count)."""
        return singular, {"_plural": plural, "_count": count, "count": count}


def english(label: object) -> str:
    """A lazily translated label's English text (its msgid), whatever language is active: what
    a notification stores, to be translated for each reader (`Notification.message`)."""
    with translation.override(None):
        return str(label)


def language_of(user: object | None, organisation: object | None = None) -> str:
    """The language to write to this person in (e-mails, notifications built for them)."""
    chosen = supported_language(getattr(user, "language", ""))
    if chosen:
        return chosen
    return supported_language(getattr(organisation, "language", "")) or settings.LANGUAGE_CODE


def zone_named(name: str | None) -> ZoneInfo | None:
    """The zone called `name`, or None when it is empty or unknown to this machine."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_of(user: object | None, organisation: object | None = None) -> ZoneInfo:
    """The person's zone, else their organisation's, else UTC."""
    return (
        zone_named(getattr(user, "time_zone", ""))
        or zone_named(getattr(organisation, "time_zone", ""))
        or ZoneInfo("UTC")
    )


@contextmanager
def for_recipient(user: object | None, organisation: object | None = None) -> Iterator[None]:
    """Build what goes to this person in their language and time zone (e-mails, tasks)."""
    language, zone = language_of(user, organisation), zone_of(user, organisation)
    with translation.override(language), timezone.override(zone):
        yield


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    """Every zone this machine knows, by area ("Europe/Stockholm"), for the preferences form."""
    names = sorted(
        zone for zone in available_timezones() if "/" in zone and not zone.startswith("Etc/")
    )
    return [(name, name.replace("_", " ")) for name in ["UTC", *names]]


def browser_language(request: HttpRequest) -> str:
    """The first of our languages the browser asks for, or "" when it asks for none of them."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for accepted, _quality in translation.trans_real.parse_accept_lang_header(header):
        if accepted == "*":
            continue
        found = supported_language(accepted)
        if found:
            return found
    return ""


def guess_language(request: HttpRequest, organisation: object | None = None) -> str:
    """What a person who has chosen nothing probably reads: switcher, browser, organisation."""
    cookie = supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    return cookie or browser_language(request) or language_of(None, organisation)


@receiver(user_logged_in, dispatch_uid="snowball-first-language")
def remember_first_language(sender: object, request: HttpRequest, user: object, **kw) -> None:
    """At the first sign-in the guess becomes the person's language (they can change it)."""
    if request is None or getattr(user, "language", "x"):
        return
    membership = (
        user.memberships.select_related("organisation").order_by("pk").first()  # type: ignore[attr-defined]
    )
    user.language = guess_language(request, membership.organisation if membership else None)  # type: ignore[attr-defined]
    type(user).objects.filter(pk=user.pk).update(language=user.language)  # type: ignore[attr-defined]
    translation.activate(user.language)  # type: ignore[attr-defined]
    request.LANGUAGE_CODE = user.language  # type: ignore[attr-defined]


class PersonLocaleMiddleware:
    """Each request in its reader's language (and, outside an organisation, their zone).

    Signed in with a language chosen: that language. Otherwise the switcher's cookie, the
    browser, the default. Inside an organisation `membership_for_request` sets the zone (the
    person's, else the organisation's); `OrganisationTimeZoneMiddleware` resets it afterwards.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        language = supported_language(user.language) if signed_in else ""
        if not language:
            language = supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        language = language or browser_language(request) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        if signed_in:
            zone = zone_named(user.time_zone)
            if zone is not None:
                timezone.activate(zone)
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response
