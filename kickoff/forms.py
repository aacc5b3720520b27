from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kickoff.formats import AgendaError, agenda_text, parse_agenda
from kickoff.models import ConcernStatus, EmotionKind, KickoffSession, StakeholderAssessment
from kickoff.selectors import active_kickoff_formats
from programme.forms import DateInput, MembershipChoiceField, MembershipSingleChoiceField
from programme.models import (
    Membership,
    Organisation,
    Participant,
    Programme,
    Role,
    Team,
    Wave,
)
from programme.selectors import possible_owners
from programme.services import wave_name_taken_message
from programme.widgets import PersonChoiceField


class KickoffForm(forms.ModelForm):
    attendees = MembershipChoiceField(queryset=None, required=False, label=_("Attendees"))

    class Meta:
        model = KickoffSession
        fields = [
            "title", "held_on", "facilitator", "sponsor_present", "examples", "sponsor_notes",
            "follow_up_days", "premoderated",
        ]  # fmt: skip
        widgets = {
            "held_on": DateInput,
            "examples": forms.Textarea(attrs={"rows": 3}),
            "sponsor_notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "title": _("Title"),
            "held_on": _("Held on"),
            "sponsor_present": _("Sponsor present"),
            "follow_up_days": _("Follow-up days"),
        }

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Leavers (#18) are not offered.
        people = (
            Membership.objects.active().filter(organisation=organisation).select_related("user")
        )
        self.fields["facilitator"] = MembershipSingleChoiceField(
            queryset=people.filter(role=Role.CONSULTANT), required=False, label=_("Facilitator")
        )
        self.fields["attendees"].queryset = people.order_by("user__last_name", "user__first_name")
        self.fields["follow_up_days"].min_value = 1
        self.fields["follow_up_days"].max_value = 365

    def clean_examples(self) -> str:
        examples = self.cleaned_data["examples"]
        validator = forms.URLField(assume_scheme="https")
        for number, line in enumerate(examples.splitlines(), start=1):
            if line.strip():
                try:
                    validator.clean(line.strip())
                except forms.ValidationError:
                    raise forms.ValidationError(
                        gettext("Line %(number)d is not a web address: put one link per line.")
                        % {"number": number}
                    ) from None
        return examples


class ConcernForm(forms.Form):
    worry = forms.CharField(
        label=_("What worries me"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    would_help = forms.CharField(
        label=_("What would help (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    named = forms.BooleanField(
        label=_("Show my name with it"),
        help_text=_(
            "Your name then appears next to your concern on the screen in the room and on this "
            "page for everyone in the session, and on the kick-off board and its report for the "
            "programme team (consultants and sponsors). Unticked, it is anonymous: nothing links "
            "it to you."
        ),
        required=False,
    )

    def __init__(self, *args: object, session: KickoffSession | None = None, **kwargs: object):
        super().__init__(*args, **kwargs)
        if session is not None:  # the session's own questions (its format may reword them)
            self.fields["worry"].label = session.worry_label
            # Translators: the label of an optional field; %(question)s is its question.
            self.fields["would_help"].label = gettext("%(question)s (optional)") % {
                "question": session.help_label
            }


class JoinForm(forms.Form):
    join_code = forms.CharField(
        label=_("Session code"),
        max_length=12,
        help_text=_("The six letters and digits shown on the screen in the room."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )


class CategoriseForm(forms.Form):
    category = forms.CharField(label=_("Category"), max_length=80, required=False)


class MergeForm(forms.Form):
    into = forms.UUIDField(label=_("Duplicate of"))


class FollowUpConcernForm(forms.Form):
    status = forms.ChoiceField(choices=ConcernStatus.choices, label=_("Status"))
    owner = MembershipSingleChoiceField(
        queryset=None, required=False, label=_("Owner"), empty_label=_("Nobody yet")
    )
    action = forms.CharField(
        label=pgettext_lazy("what is done about a concern", "Action"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=3000,
    )
    response = forms.CharField(
        label=_("Our response (published as 'you said, we did')"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=3000,
    )

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = possible_owners(organisation)

    def clean(self) -> dict:
        data = super().clean()
        status = data.get("status")
        if status == ConcernStatus.IN_PROGRESS:
            if not data.get("owner"):
                self.add_error("owner", gettext("Name who works on it."))
            if not (data.get("action") or "").strip():
                self.add_error("action", gettext("Say what is being done."))
        if status == ConcernStatus.ADDRESSED and not (data.get("response") or "").strip():
            self.add_error("response", gettext("Write the response sellers will read."))
        return data


class EmotionForm(forms.Form):
    kind = forms.ChoiceField(choices=EmotionKind.choices, label=_("Signal"))
    intensity = forms.TypedChoiceField(
        label=_("Intensity"),
        # Translators: how strong an emotion noticed in the room was, from 1 to 3.
        choices=[(1, _("1 · slight")), (2, _("2 · clear")), (3, _("3 · strong"))],
        coerce=int,
    )
    participant = PersonChoiceField(
        queryset=None,
        required=False,
        label=_("From (person)"),
        empty_label=_("Nobody in particular"),
    )
    team = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("From (team)"),
        empty_label=_("No team in particular"),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(
        self,
        *args: object,
        programme: Programme,
        session: KickoffSession | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = Participant.objects.filter(
            organisation_id=programme.organisation_id, membership__deactivated_at__isnull=True
        ).order_by("membership__user__last_name", "membership__user__first_name")
        if session is not None:
            # Emotions come from the people in the room: the session's attendees first.
            self.fields["participant"].pin(
                Participant.objects.filter(membership__in=session.attendees.all()).values_list(
                    "pk", flat=True
                )
            )
        self.fields["team"].queryset = Team.objects.filter(
            organisation_id=programme.organisation_id
        )


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = StakeholderAssessment
        fields = ["assessed_on", "stance", "influence", "curve_stage", "note"]
        widgets = {"assessed_on": DateInput, "note": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "assessed_on": _("Assessed on"),
            "stance": _("Stance"),
            "influence": _("Influence"),
            "note": _("Note"),
        }

    def clean_assessed_on(self) -> object:
        assessed_on = self.cleaned_data["assessed_on"]
        if assessed_on > timezone.localdate():
            raise forms.ValidationError(
                gettext("An assessment records what you saw: it cannot be in the future.")
            )
        return assessed_on


class EngagementActionForm(forms.Form):
    action = forms.CharField(max_length=300, label=_("One-to-one action"))
    due_on = forms.DateField(widget=DateInput, label=_("Due on"))


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}), max_length=3000
    )


def _clean_wave_name(programme: Programme, name: str, wave: Wave | None = None) -> str:
    name = name.strip()
    if programme.waves.filter(name__iexact=name).exclude(pk=getattr(wave, "pk", None)).exists():
        raise forms.ValidationError(wave_name_taken_message(name))
    return name


class WavePlanForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("Unique in the programme: pickers show waves by name."),
    )
    start_date = forms.DateField(widget=DateInput, label=_("Start date"))
    participants = forms.ModelMultipleChoiceField(
        queryset=Participant.objects.none(), label=_("Participants")
    )

    def __init__(self, *args: object, programme: Programme, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["participants"].queryset = Participant.objects.filter(
            organisation_id=programme.organisation_id,
            membership__role=Role.SELLER,
            membership__deactivated_at__isnull=True,
        ).exclude(wave_memberships__programme=programme)

    def clean_name(self) -> str:
        return _clean_wave_name(self.programme, self.cleaned_data["name"])


class WaveRenameForm(forms.Form):
    name = forms.CharField(
        label=_("New name"),
        max_length=120,
        help_text=_("Unique in the programme: pickers show waves by name."),
    )

    def __init__(self, *args: object, wave: Wave, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.wave = wave

    def clean_name(self) -> str:
        return _clean_wave_name(self.wave.programme, self.cleaned_data["name"], self.wave)


# --- Kick-off formats ----------------------------------------------------------------------------


class KickoffFormatForm(forms.Form):
    """A format's fields: what the service checks too (name free, agenda parses)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    agenda = forms.CharField(
        label=_("Agenda"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        help_text=_(
            "The prompts shown to the room, one step per line with its minutes, like "
            "'What worries you — 20'. The session page turns them into a run-sheet."
        ),
    )
    worry_question = forms.CharField(
        label=_('The "what worries you" question'),
        max_length=200,
        required=False,
        help_text=_("Empty: the standard wording, 'What worries me', in each reader's language."),
    )
    help_question = forms.CharField(
        label=_('The "what would help" question'),
        max_length=200,
        required=False,
        help_text=_("Empty: the standard wording, 'What would help', in each reader's language."),
    )
    emotion_check = forms.BooleanField(
        label=_("Emotion check"),
        required=False,
        help_text=_("The facilitator notes the emotions in the room on the session's page."),
    )
    follow_up_days = forms.IntegerField(
        label=_("Follow-up days"),
        min_value=1,
        max_value=365,
        help_text=_("Concerns not addressed within this many days are flagged."),
    )

    def clean_agenda(self) -> str:
        try:
            steps = parse_agenda(self.cleaned_data["agenda"])
        except AgendaError as error:
            raise forms.ValidationError(error.messages) from None
        if not steps:
            raise forms.ValidationError(gettext("Write at least one step, like 'Welcome — 10'."))
        return agenda_text(steps)

    @staticmethod
    def initial_from(source: object) -> dict[str, object]:
        """The fields of a format, or of a session being saved as one."""
        return {
            "name": getattr(source, "name", None) or getattr(source, "title", ""),
            "agenda": source.agenda,
            "worry_question": source.worry_question,
            "help_question": source.help_question,
            "emotion_check": source.emotion_check,
            "follow_up_days": source.follow_up_days,
        }


class KickoffFromFormatForm(KickoffForm):
    """Plan a kick-off from a format: the format brings its agenda, questions, emotion check and
    follow-up days; the session adds its wave and the time it starts (for the run-sheet)."""

    kickoff_format = forms.ModelChoiceField(
        queryset=None, to_field_name="code", label=_("Format"), empty_label=None
    )

    class Meta(KickoffForm.Meta):
        fields = [
            "kickoff_format",
            *KickoffForm.Meta.fields,
            "starts_at",
            "wave",
        ]
        widgets = {
            **KickoffForm.Meta.widgets,
            "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        labels = {**KickoffForm.Meta.labels, "starts_at": _("Starts at"), "wave": _("Wave")}
        help_texts = {
            "starts_at": _("Optional: the run-sheet then shows clock times."),
            "wave": _("Optional: the wave this kick-off starts; the comparison is labelled by it."),
        }

    def __init__(
        self, *args: object, organisation: Organisation, programme: Programme, **kwargs: object
    ) -> None:
        super().__init__(*args, organisation=organisation, **kwargs)
        del self.fields["follow_up_days"]  # the format's

        self.fields["kickoff_format"].queryset = active_kickoff_formats(organisation)
        self.fields["wave"].queryset = programme.waves.order_by("number")
        self.fields["wave"].empty_label = gettext("No wave")
        self.order_fields(["kickoff_format", "title", "held_on", "starts_at", "wave"])


# --- Moderation and themes (issue #22) ---


class ModerateForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )


class ThemeFollowUpForm(forms.Form):
    action = forms.CharField(
        label=_("What we do (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=3000,
    )
    response = forms.CharField(
        label=_("Our response (published as 'you said, we did')"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        error_messages={"required": _("Write the response sellers will read.")},
    )
