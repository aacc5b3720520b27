"""The form of an announcement's translation (#20): a language other than the original's, a
title and a Markdown body, limited as the original's are."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.models import Announcement, AnnouncementTranslation, ContentLanguage


class AnnouncementTranslationForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"))
    title = forms.CharField(
        label=_("Title"), max_length=AnnouncementTranslation._meta.get_field("title").max_length
    )
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20_000,
        help_text=_("Markdown: **bold**, *italic*, lists, links."),
    )

    def __init__(self, *args: object, announcement: Announcement, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            (code, label) for code, label in ContentLanguage.choices
            if code != announcement.language
        ]  # fmt: skip
