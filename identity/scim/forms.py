"""The admin page's form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ScimTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label=_("Name"),
        help_text=_("Which identity provider uses it, e.g. 'Entra ID production'."),
    )
