"""A person's language and time zone: their preferences page and the sign-in page's switcher."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from programme.forms_locale import LanguageSettingsForm
from programme.i18n import supported_language
from programme.services.preferences import person_locale_set
from programme.tenancy import Viewer, tenant_view


@tenant_view
@require_http_methods(["GET", "POST"])
def language_settings(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    user = viewer.membership.user
    form = LanguageSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"language": request.LANGUAGE_CODE, "time_zone": user.time_zone},  # type: ignore[attr-defined]
        organisation_zone=viewer.organisation.time_zone,
    )
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "programme/language_settings.html", {"form": form}, status=400)
        person_locale_set(
            user=user,
            language=form.cleaned_data["language"],
            time_zone=form.cleaned_data["time_zone"],
        )
        translation.activate(user.language)  # the confirmation in the language just chosen
        messages.success(request, _("Language and time zone saved."))
        response = redirect("programme-language-settings", org=viewer.org)
        _remember_cookie(response, user.language)
        return response
    return render(request, "programme/language_settings.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's switcher (a cookie), and the person's own choice when they are signed in."""
    response = django_set_language(request)
    language = supported_language(request.POST.get("language"))
    if language and request.user.is_authenticated:
        person_locale_set(user=request.user, language=language, time_zone=None)
    return response


def _remember_cookie(response: HttpResponse, language: str) -> None:
    from django.conf import settings

    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
