from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.template.defaultfilters import filesizeformat

from programme.models import Organisation, Participant, Role, Team
from programme.roster import RosterResult, roster_parse


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Roster CSV",
        help_text="Columns: email, first name, last name, team, role, job role "
        "(optional: parent team). UTF-8, comma or semicolon separated.",
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > settings.ROSTER_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is "
                f"{filesizeformat(settings.ROSTER_MAX_BYTES)}."
            )
        self.result: RosterResult = roster_parse(upload.read())
        if not self.result.ok:
            raise forms.ValidationError(
                "The roster was not imported: fix the lines below and upload it again. "
                "Nothing has been changed."
            )
        return upload


class ParticipantProfileForm(forms.ModelForm):
    """What a person may change about themselves."""

    digital_affinity = forms.TypedChoiceField(
        choices=[("", "—")] + [(i, str(i)) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="1: avoids digital tools, 5: lives on them.",
    )

    linkedin_url = forms.URLField(
        label="LinkedIn profile URL", required=False, assume_scheme="https", max_length=200
    )

    class Meta:
        model = Participant
        fields = ["segment", "mindset", "digital_affinity", "selling_strategy", "linkedin_url"]

    def clean_linkedin_url(self) -> str:
        url = self.cleaned_data["linkedin_url"].strip()
        if url and "linkedin.com/" not in url.lower():
            raise forms.ValidationError(
                "Enter the address of a LinkedIn profile, like https://www.linkedin.com/in/your-name."
            )
        return url


class ParticipantPlacementForm(ParticipantProfileForm):
    """What the programme team may also change: team, job role, ambassador."""

    class Meta(ParticipantProfileForm.Meta):
        fields = ["job_role", "team", *ParticipantProfileForm.Meta.fields, "is_ambassador"]

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(organisation=organisation)


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "parent"]

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["parent"].queryset = Team.objects.filter(organisation=organisation)
        self.fields["parent"].required = False

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Team.objects.filter(organisation=self.organisation, name__iexact=name).exists():
            raise forms.ValidationError(f"There is already a team called '{name}'.")
        return name


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label="Name or e-mail", required=False, max_length=100)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="All teams"
    )
    role = forms.ChoiceField(choices=[("", "All roles"), *Role.choices], required=False)

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(organisation=organisation)


class InvitationAcceptForm(SetPasswordForm):
    """Choose a password to finish joining."""
