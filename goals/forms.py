from __future__ import annotations

from django import forms

from goals.models import Consent
from metrics import indicators


class ProposalForm(forms.Form):
    statement = forms.CharField(
        label="Your proposal", max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Regular means active 5 weeks out of 8"}),
    )  # fmt: skip
    indicator = forms.ChoiceField(
        label="Tie it to an indicator (optional)", required=False,
        choices=[("", "No indicator")] + [(k, v[0]) for k, v in indicators.TUNABLE.items()],
    )  # fmt: skip
    threshold = forms.FloatField(label="Threshold", required=False)


class RitualForm(forms.Form):
    statement = forms.CharField(
        label="Your proposal", max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "e.g. A shout-out in the Monday team call"}),
    )  # fmt: skip


class WindowForm(forms.Form):
    closes_on = forms.DateField(
        label="Voting closes on", widget=forms.DateInput(attrs={"type": "date"})
    )


class AnswerForm(forms.Form):
    consent = forms.ChoiceField(choices=Consent.choices, widget=forms.RadioSelect)
    ritual = forms.UUIDField(required=False)
