"""The organisation's blocked words: the list consultants and administrators keep."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programme import policies, selectors, services
from programme.forms import BlockedWordForm
from programme.tenancy import Viewer, tenant_view


@tenant_view(policy=policies.can_edit_blocked_words)
@require_http_methods(["GET", "POST"])
def blocked_words(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    """GET lists the words; a POST with `word` adds one, a POST with `remove` (a word's code)
    removes it. Works without JavaScript: every change redirects back here."""
    organisation = viewer.organisation
    form = BlockedWordForm()
    if request.method == "POST":
        if "remove" in request.POST:
            found = selectors.blocked_words_of(organisation).filter(
                code__in=_uuids(request.POST.getlist("remove"))
            )
            word = found.first()
            if word is None:
                messages.error(request, _("That word is not on the list (any more)."))
            else:
                services.blocked_word_remove(by=viewer.membership, word=word)
                messages.success(request, _("“%(word)s” removed.") % {"word": word.word})
            return redirect("programme-blocked-words", org=viewer.org)
        form = BlockedWordForm(request.POST)
        if form.is_valid():
            try:
                word = services.blocked_word_add(
                    by=viewer.membership, word=form.cleaned_data["word"]
                )
            except ValidationError as error:
                form.add_error("word", error)
            else:
                messages.success(
                    request,
                    _("“%(word)s” added: texts holding it now wait for moderation.")
                    % {"word": word.word},
                )
                return redirect("programme-blocked-words", org=viewer.org)
    context = {"form": form, "words": selectors.blocked_words_of(organisation)}
    return render(
        request, "programme/blocked_words.html", context, status=400 if form.errors else 200
    )


def _uuids(values: list[str]) -> list[str]:
    """The well-formed codes among `values` (a mangled one finds nothing instead of a 500)."""
    valid = []
    for value in values:
        try:
            valid.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return valid
