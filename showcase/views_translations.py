"""A pick's words in other languages (#20), written by marketing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programme.pages import render_form_page
from programme.selectors.translations import language_code, language_name
from programme.tenancy import Viewer, tenant_view
from showcase import policies, selectors
from showcase.pick_translations import (
    pick_translation_delete,
    pick_translation_save,
    pick_versions,
)
from showcase.translation_forms import PickTranslationForm


@tenant_view
@require_http_methods(["GET", "POST"])
def pick_translation(request: HttpRequest, viewer: Viewer, code: str) -> HttpResponse:
    """One translation of a pick: `?language=` chooses which; the POST saves it, or removes
    it when `delete` is sent."""
    pick = selectors.pick_get(viewer, code)  # another organisation's: 404 first
    if not policies.can_translate_pick(viewer.membership):
        raise PermissionDenied
    language = language_code(request.POST.get("language") or request.GET.get("language"))
    back = reverse("showcase-pick-list", args=[viewer.org]) + f"#pick-{pick.code}"
    if request.method == "POST" and request.POST.get("delete"):
        try:
            pick_translation_delete(pick=pick, by=viewer.membership, language=language)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Translation removed."))
        return redirect(back)
    existing = next(
        (v for v in pick_versions(pick) if v.language == language and not v.original), None
    )
    initial = {"language": language}
    if existing is not None:
        initial |= {"title": existing.title, "note": existing.note, "angle": existing.angle}
    form = PickTranslationForm(request.POST or None, pick=pick, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pick_translation_save(pick=pick, by=viewer.membership, **form.cleaned_data)
        except ValidationError as error:
            # Blocked words come as {field: message}: each next to its field.
            form.add_error(None if hasattr(error, "error_dict") else "note", error)
        else:
            messages.success(request, _("Translation saved."))
            return redirect(back)
    context = {
        "pick": pick,
        "form": form,
        "existing": existing is not None,
        "original_language": language_name(pick.language),
    }
    return render_form_page(request, "showcase/pick_translation.html", context, form)
