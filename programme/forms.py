from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from programme.models import (
    Audience,
    AuditAction,
    EmailKind,
    EmailMode,
    Membership,
    Organisation,
    Participant,
    ProblemStatus,
    Programme,
    Risk,
    Role,
    Session,
    Team,
    Track,
)
from programme.roster import RosterResult, roster_parse
from programme.selectors import participants_without_wave, possible_owners
from programme.services.preferences import KIND_MODES
from programme.widgets import PeopleChoiceField, PersonChoiceField


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster CSV"),
        # Translators: the column names stay in English: they are the file's headers.
        help_text=_(
            "Columns: email, first name, last name, team, role, job role "
            "(optional: parent team). UTF-8, comma or semicolon separated."
        ),
    )
    deactivate_missing = forms.BooleanField(
        required=False,
        label=_("Deactivate people not in this file"),
        help_text=_(
            "Sponsors, managers, sellers and marketing people who are not in the file lose "
            "access to the organisation. You see the list and confirm it before anything "
            "changes; nothing of theirs is deleted."
        ),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > settings.ROSTER_MAX_BYTES:
            raise forms.ValidationError(
                # Translators: both values are file sizes, e.g. "3.2 MB".
                gettext("The file is %(size)s; the limit is %(limit)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(settings.ROSTER_MAX_BYTES),
                }
            )
        self.result: RosterResult = roster_parse(upload.read())
        if not self.result.ok:
            raise forms.ValidationError(
                gettext(
                    "The roster was not imported: fix the lines below and upload it again. "
                    "Nothing has been changed."
                )
            )
        return upload


class ParticipantProfileForm(forms.ModelForm):
    """What a person may change about themselves."""

    digital_affinity = forms.TypedChoiceField(
        choices=[("", "—")] + [(i, str(i)) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        label=_("Digital affinity"),
        help_text=_("1: avoids digital tools, 5: lives on them."),
    )

    linkedin_url = forms.URLField(
        label=_("LinkedIn profile URL"), required=False, assume_scheme="https", max_length=200
    )

    class Meta:
        model = Participant
        fields = ["segment", "mindset", "digital_affinity", "selling_strategy", "linkedin_url"]
        labels = {"mindset": _("Mindset"), "selling_strategy": _("Selling strategy")}

    def clean_linkedin_url(self) -> str:
        url = self.cleaned_data["linkedin_url"].strip()
        if url and "linkedin.com/" not in url.lower():
            raise forms.ValidationError(
                gettext(
                    "Enter the address of a LinkedIn profile, like "
                    "https://www.linkedin.com/in/your-name."
                )
            )
        return url


class ParticipantPlacementForm(ParticipantProfileForm):
    """What the programme team may also change: team, job role, ambassador."""

    class Meta(ParticipantProfileForm.Meta):
        fields = ["job_role", "team", *ParticipantProfileForm.Meta.fields, "is_ambassador"]
        labels = {
            **ParticipantProfileForm.Meta.labels,
            "job_role": _("Job role"),
            "team": _("Team"),
        }

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(organisation=organisation)


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "parent"]
        labels = {"name": _("Name"), "parent": _("Parent")}

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["parent"].queryset = Team.objects.filter(organisation=organisation)
        self.fields["parent"].required = False

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Team.objects.filter(organisation=self.organisation, name__iexact=name).exists():
            raise forms.ValidationError(
                gettext("There is already a team called “%(name)s”.") % {"name": name}
            )
        return name


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=100)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, label=_("Team"), empty_label=_("All teams")
    )
    role = forms.ChoiceField(
        choices=[("", _("All roles")), *Role.choices], required=False, label=_("Role")
    )
    # Leavers (#18): the list shows those still in the organisation unless asked otherwise.
    status = forms.ChoiceField(
        choices=[
            ("active", pgettext_lazy("people filter", "Active")),
            ("deactivated", pgettext_lazy("people filter", "Deactivated")),
            ("all", pgettext_lazy("people filter", "All")),
        ],
        required=False,
        label=_("Access"),
    )

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(organisation=organisation)


class InvitationAcceptForm(SetPasswordForm):
    """Choose a password to finish joining."""


# --- Programmes, announcements, problems, sessions, meetings ---


class DateInput(forms.DateInput):
    """A native date picker; it needs ISO dates whatever the locale's display format."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or "%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value: object) -> str | None:
        return value.strftime("%Y-%m-%dT%H:%M") if hasattr(value, "strftime") else value


def _memberships(organisation: Organisation, *roles: str) -> object:
    return (
        Membership.objects.active()  # leavers (#18) are not offered
        .filter(organisation=organisation, role__in=roles)
        .select_related("user")
        .order_by("user__last_name")
    )


# Every choice of people is the one searchable picker (programme/widgets.py).
MembershipChoiceField = PeopleChoiceField
MembershipSingleChoiceField = PersonChoiceField


class ProgrammeForm(forms.ModelForm):
    sponsors = MembershipChoiceField(queryset=None, required=False, label=_("Sponsors"))
    consultants = MembershipChoiceField(queryset=None, required=False, label=_("Consultants"))

    class Meta:
        model = Programme
        fields = [
            "name", "description", "start_date", "current_phase",
            "problem_flag_days", "meeting_cadence_days",
        ]  # fmt: skip
        widgets = {"start_date": DateInput, "description": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "name": _("Name"),
            "description": _("Description"),
            "start_date": _("Start date"),
            "current_phase": _("Current phase"),
            "problem_flag_days": _("Problem flag days"),
            "meeting_cadence_days": _("Meeting cadence days"),
        }

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["sponsors"].queryset = _memberships(organisation, Role.SPONSOR)
        self.fields["consultants"].queryset = _memberships(organisation, Role.CONSULTANT)
        self.fields["problem_flag_days"].min_value = 1
        self.fields["meeting_cadence_days"].min_value = 1
        if self.instance.pk:
            self.initial["sponsors"] = list(self.instance.sponsors.all())
            self.initial["consultants"] = list(self.instance.consultants.all())

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Programme.objects.filter(organisation=self.organisation, name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                gettext("There is already a programme called “%(name)s”.") % {"name": name}
            )
        return name

    def clean(self) -> dict:
        data = super().clean()
        for field in ("problem_flag_days", "meeting_cadence_days"):
            value = data.get(field)
            if value is not None and not 1 <= value <= 365:
                self.add_error(field, gettext("Use a number of days between 1 and 365."))
        return data


class WaveForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        required=False,
        label=_("Name"),
        # Translators: an example of a wave's name: the first wave is made of supporters.
        help_text=_("e.g. “Supporters”"),
    )
    start_date = forms.DateField(widget=DateInput, label=_("Starts on"))


class WaveMembersForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label="—",
        label=_("Team"),
        help_text=_("Add everyone in this team (and the teams below it) who has no wave yet."),
    )
    participants = PeopleChoiceField(
        queryset=Participant.objects.none(), required=False, label=_("Or choose people")
    )

    def __init__(self, *args: object, programme: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(
            organisation_id=programme.organisation_id
        )
        self.fields["participants"].queryset = participants_without_wave(programme)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("team") and not data.get("participants"):
            raise forms.ValidationError(gettext("Choose a team or at least one person to add."))
        return data


class AnnouncementForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20_000,
        label=_("Body"),
        # Translators: keep the Markdown syntax (**, *, -, [](...)) as it is.
        help_text=_(
            "Markdown: **bold**, *italic*, - lists, [links](https://...). "
            "Write it in the sponsor's own voice."
        ),
    )
    audience = forms.ChoiceField(choices=(), widget=forms.RadioSelect, label=_("Audience"))
    waves = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label=_("Waves")
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label=_("Teams")
    )

    def __init__(self, *args: object, programme: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = Audience.choices
        self.fields["audience"].initial = Audience.ORGANISATION
        self.fields["waves"].queryset = programme.waves.all()
        self.fields["teams"].queryset = Team.objects.filter(
            organisation_id=programme.organisation_id
        )

    def clean(self) -> dict:
        data = super().clean()
        audience = data.get("audience")
        if audience == Audience.WAVES and not data.get("waves"):
            self.add_error("waves", gettext("Choose at least one wave."))
        if audience == Audience.TEAMS and not data.get("teams"):
            self.add_error("teams", gettext("Choose at least one team."))
        return data


class QuestionForm(forms.Form):
    body = forms.CharField(
        label=_("Your question"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    anonymous = forms.BooleanField(
        label=_("Ask anonymously (your name is not stored with the question)"), required=False
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, label=_("Answer")
    )


class RiskForm(forms.ModelForm):
    class Meta:
        model = Risk
        fields = ["title", "what_may_happen", "what_we_do"]
        labels = {"title": _("Title"), "what_may_happen": _("What may happen")}
        widgets = {
            "what_may_happen": forms.Textarea(attrs={"rows": 3}),
            "what_we_do": forms.Textarea(attrs={"rows": 3}),
        }


class ProblemForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, label=_("Description")
    )
    anonymous = forms.BooleanField(
        label=_("Raise it anonymously (your name is not stored with it)"), required=False
    )


class TriageForm(forms.Form):
    owner = MembershipSingleChoiceField(
        queryset=None, required=False, empty_label=_("Nobody yet"), label=_("Owner")
    )
    status = forms.ChoiceField(choices=(), label=_("Status"))
    resolution = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Resolution")
    )

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = ProblemStatus.choices
        self.fields["owner"].queryset = possible_owners(organisation)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("status") == "resolved" and not (data.get("resolution") or "").strip():
            self.add_error(
                "resolution",
                gettext("Say how it was resolved: the person who raised it will read this."),
            )
        return data


class SessionForm(forms.ModelForm):
    plan_anyway = forms.BooleanField(
        required=False,
        label=_("I understand the warning and want to plan this training as it is"),
    )

    class Meta:
        model = Session
        fields = [
            "kind", "title", "starts_at", "duration_minutes", "practice_minutes", "track",
            "segment", "wave", "agenda_issues", "agenda_successes", "agenda_inspirations", "notes",
        ]  # fmt: skip
        labels = {
            "kind": _("Kind"),
            "title": _("Title"),
            "starts_at": _("Starts at"),
            "duration_minutes": _("Duration minutes"),
            "track": _("Track"),
            "wave": _("Wave"),
            "notes": _("Notes"),
        }
        widgets = {
            "starts_at": DateTimeInput,
            "agenda_issues": forms.Textarea(attrs={"rows": 2}),
            "agenda_successes": forms.Textarea(attrs={"rows": 2}),
            "agenda_inspirations": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, programme: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wave"].queryset = programme.waves.all()
        self.fields["duration_minutes"].min_value = 1
        self.fields["duration_minutes"].max_value = 600
        self.fields["practice_minutes"].max_value = 600
        self.lecture_warning = ""

    def clean(self) -> dict:
        data = super().clean()
        duration, practice = data.get("duration_minutes"), data.get("practice_minutes")
        if duration is not None and practice is not None and practice > duration:
            self.add_error(
                "practice_minutes", gettext("Practice cannot be longer than the session.")
            )
            return data
        probe = Session(
            kind=data.get("kind") or "",
            duration_minutes=duration or 0,
            practice_minutes=practice or 0,
        )
        self.lecture_warning = probe.lecture_warning
        if self.lecture_warning and not data.get("plan_anyway"):
            self.add_error(
                "plan_anyway",
                # Translators: %(warning)s says why, e.g. "only 10 of 60 minutes are practice".
                gettext(
                    "This training risks being a lecture: %(warning)s. Sellers change habits by "
                    "practising on their own profiles, in sessions of half a day or more. Add "
                    "practice time, or tick this box to plan it anyway."
                )
                % {"warning": self.lecture_warning},
            )
        return data


class CycleForm(forms.Form):
    wave = forms.ModelChoiceField(queryset=None, label=_("Wave"))
    every_weeks = forms.IntegerField(min_value=1, max_value=26, initial=2, label=_("Every (weeks)"))
    first_at = forms.DateTimeField(widget=DateTimeInput, label=_("First session"))
    occurrences = forms.IntegerField(
        min_value=1, max_value=52, initial=6, label=_("Number of sessions")
    )
    duration_minutes = forms.IntegerField(
        min_value=15, max_value=480, initial=90, label=_("Duration minutes")
    )
    track = forms.ChoiceField(choices=(), label=_("Track"))

    def __init__(self, *args: object, programme: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wave"].queryset = programme.waves.all()
        self.fields["track"].choices = Track.choices


class MeetingForm(forms.Form):
    held_on = forms.DateField(widget=DateInput, label=_("Held on"))
    attendees = MembershipChoiceField(queryset=None, required=False, label=_("Attendees"))
    decisions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=_("Decisions"),
        help_text=_("One decision per line."),
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label=_("Notes")
    )

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = possible_owners(organisation)

    def clean_held_on(self) -> object:
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(gettext("Record meetings once they have been held."))
        return held_on


class FollowUpForm(forms.Form):
    text = forms.CharField(max_length=300, label=_("Follow-up"))
    owner = MembershipSingleChoiceField(queryset=None, label=_("Owner"))
    due_on = forms.DateField(widget=DateInput, label=_("Due on"))

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = possible_owners(organisation)


class EmailPreferencesForm(forms.Form):
    """One choice per kind of e-mail in `current` (the kinds the person can receive), offering
    only the modes that kind has."""

    def __init__(self, *args: object, current: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for kind in current:
            modes = KIND_MODES[kind]
            self.fields[kind] = forms.ChoiceField(
                label=EmailKind(kind).label,
                # One order for every kind (at once, digest, off); KIND_MODES lists the
                # default first, which would shuffle the options from one kind to the next.
                choices=[(mode.value, mode.label) for mode in EmailMode if mode in modes],
                initial=current.get(kind, modes[0]),
                widget=forms.RadioSelect,
                required=False,  # a kind left out of the POST keeps its current mode
            )


class OrganisationSettingsForm(forms.Form):
    managers_see_individuals = forms.BooleanField(
        required=False,
        label=_("Managers see individual sellers' indicators"),
        help_text=_(
            "Off: managers see their teams' aggregates only. Groups of fewer than 5 "
            "people are never shown, whatever this says."
        ),
    )
    disclosure_line = forms.CharField(
        required=False, max_length=100, label=_("Disclosure line"),
        help_text=_("Shown to sellers to add when they share company content, for "
                        "instance “#employee”. Empty: none is asked for."),
    )  # fmt: skip
    language = forms.ChoiceField(
        label=_("Default language"),
        choices=settings.LANGUAGES,
        required=False,  # left out: unchanged
        help_text=_(
            "For people who have not chosen a language and whose browser asks for none of "
            "Snowball's. Each person can choose their own."
        ),
    )


# --- Blocked words (moderation) ---


class BlockedWordForm(forms.Form):
    word = forms.CharField(
        label=_("Word or phrase to hold for moderation"),
        max_length=60,
        help_text=_(
            "Matched as a whole word, whatever its case or accents: “idiot” also holds "
            "“Idiót”, but not “idiotic”."
        ),
    )


class AuditFilterForm(forms.Form):
    """The audit log's filters (#18): all optional; a bad value is named next to its field."""

    action = forms.ChoiceField(
        choices=[("", _("All changes")), *AuditAction.choices], required=False, label=_("What")
    )
    person = forms.CharField(
        required=False,
        max_length=100,
        label=_("Person's e-mail contains"),
        help_text=_("Who made the change or whom it was about."),
    )
    since = forms.DateField(required=False, label=_("From"), widget=DateInput)
    until = forms.DateField(required=False, label=_("To"), widget=DateInput)

    def clean(self) -> dict:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", gettext("The end date is before the start date."))
        return cleaned
