"""The person's language and time zone (their preferences page)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from programme.i18n import time_zone_choices


class LanguageSettingsForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("Pages and every e-mail Snowball sends you, whoever sent it."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_(
            "Times on pages and in e-mails. Weeks on the dashboards stay in the organisation's "
            "time zone, so that a week is the same week for everyone in it."
        ),
    )

    def __init__(self, *args: object, organisation_zone: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            ("", _("The organisation's (%(zone)s)") % {"zone": organisation_zone}),
            *time_zone_choices(),
        ]
