"""Announcements in several languages (#20): a drafter writes a translation of a draft; a
reader switches between the versions on the announcement's page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programme import policies, selectors
from programme.models import Announcement, ContentLanguage, Membership
from programme.pages import render_form_page
from programme.selectors.translations import (
    announcement_versions,
    language_code,
    reader_language,
    version_for,
)
from programme.services.translations import (
    announcement_translation_delete,
    announcement_translation_save,
)
from programme.tenancy import Viewer, tenant_view
from programme.translation_forms import AnnouncementTranslationForm


def translations_context(
    membership: Membership, announcement: Announcement, chosen: str | None
) -> dict[str, object]:
    """What the announcement's page needs to show one version and offer the others: the
    version chosen (`?lang=`), else the reader's language, else the original. A draft opens
    on its original, the text its drafters are working on."""
    versions = announcement_versions(announcement)
    is_draft = announcement.status == Announcement.Status.DRAFT
    language = chosen or (None if is_draft else reader_language(membership))
    can_translate = is_draft and policies.can_translate_announcement(membership)
    present = {v.language for v in versions}
    return {
        "versions": versions,
        "version": version_for(versions, language),
        "can_translate": can_translate,
        "missing_languages": [
            (code, label) for code, label in ContentLanguage.choices if code not in present
        ]
        if can_translate
        else [],
    }


@tenant_view
@require_http_methods(["GET", "POST"])
def announcement_translation(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """One translation of a draft: `?language=` chooses which (a new one when there is none
    yet); the POST saves it, or removes it when `delete` is sent."""
    membership = viewer.membership
    announcement = selectors.announcement_get_for(membership, code)
    if not policies.can_translate_announcement(membership):
        raise PermissionDenied
    if announcement.status != Announcement.Status.DRAFT:
        messages.error(request, _("A published announcement can no longer be changed."))
        return redirect("programme-announcement-detail", org=viewer.org, code=code)
    language = language_code(request.POST.get("language") or request.GET.get("language"))
    existing = next(
        (v for v in announcement_versions(announcement) if v.language == language), None
    )
    if request.method == "POST" and request.POST.get("delete"):
        try:
            announcement_translation_delete(
                announcement=announcement, by=membership, language=language
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Translation removed."))
        return redirect("programme-announcement-detail", org=viewer.org, code=code)
    initial = {"language": language}
    if existing is not None and not existing.original:
        initial |= {"title": existing.title, "body": existing.body}
    form = AnnouncementTranslationForm(
        request.POST or None, announcement=announcement, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            announcement_translation_save(
                announcement=announcement, by=membership, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Translation saved."))
            detail = reverse("programme-announcement-detail", args=[viewer.org, code])
            return redirect(f"{detail}?lang={form.cleaned_data['language']}")
    context = {
        "announcement": announcement,
        "form": form,
        "existing": existing is not None and not existing.original,
        "original_language": ContentLanguage(announcement.language).label
        if announcement.language in ContentLanguage.values
        else announcement.language,
    }
    return render_form_page(request, "programme/announcement_translation.html", context, form)
