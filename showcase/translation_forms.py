"""The form of a pick's translation (#20): the words sellers read, in another language."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.models import ContentLanguage
from showcase.models import MarketingPick


class PickTranslationForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    note = forms.CharField(label=_("Description"), max_length=300)
    angle = forms.CharField(
        label=_("Suggested angle"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How a seller could make it their own: a question to ask, a story to add."),
    )  # fmt: skip

    def __init__(self, *args: object, pick: MarketingPick, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            (code, label) for code, label in ContentLanguage.choices if code != pick.language
        ]
