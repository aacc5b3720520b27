from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from goals import alignment
from goals.measures import INDICATORS
from goals.models import Consent, Initiative, KeyResult, Objective, Scope
from goals.progress import Direction
from goals.text import lowerfirst
from metrics import indicators
from programme.models import Membership, Organisation, Programme, Team, Wave
from programme.widgets import PersonChoiceField


def owners_for(organisation: Organisation) -> object:
    """Anyone in the organisation may own an objective or an initiative (not a leaver, #18)."""
    return (
        Membership.objects.active()
        .filter(organisation=organisation)
        .order_by("user__last_name", "user__first_name")
    )


def _date_input() -> forms.DateInput:
    # A date input takes ISO dates only: the localised "25/11/2026" would show an empty field.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProposalForm(forms.Form):
    statement = forms.CharField(
        label=_("Your proposal"), max_length=300,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. Regular means active 5 weeks out of 8")}
        ),
    )  # fmt: skip
    indicator = forms.ChoiceField(
        label=_("Tie it to an indicator (optional)"), required=False,
        choices=[("", _("No indicator"))] + [(k, v[0]) for k, v in indicators.TUNABLE.items()],
    )  # fmt: skip
    threshold = forms.FloatField(label=_("Threshold"), required=False)


class RitualForm(forms.Form):
    statement = forms.CharField(
        label=_("Your proposal"), max_length=300,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. A shout-out in the Monday team call")}
        ),
    )  # fmt: skip


class WindowForm(forms.Form):
    closes_on = forms.DateField(label=_("Voting closes on"), widget=_date_input())


class AnswerForm(forms.Form):
    consent = forms.ChoiceField(choices=Consent.choices, widget=forms.RadioSelect)
    ritual = forms.UUIDField(required=False)


# --- OKRIs ---


class ObjectiveForm(forms.Form):
    title = forms.CharField(
        label=_("Objective"), max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. LinkedIn becomes a weekly habit")}),
    )  # fmt: skip
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none())
    # Translators: whom an objective is for (the programme, a wave, a team, a person).
    scope = forms.ChoiceField(label=_("For"), choices=Scope.choices)
    wave = forms.ModelChoiceField(label=_("Wave"), queryset=Wave.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    owner = PersonChoiceField(
        label=_("Owner"), queryset=Membership.objects.none(), required=False,
        empty_label=_("Me"), help_text=_("Leave “Me” to own it yourself."),
    )  # fmt: skip
    starts_on = forms.DateField(label=_("From"), widget=_date_input())
    ends_on = forms.DateField(label=_("Until"), widget=_date_input())

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(organisation=organisation)
        self.fields["wave"].queryset = Wave.objects.filter(
            programme__organisation=organisation
        ).select_related("programme")
        self.fields["team"].queryset = Team.objects.filter(organisation=organisation).order_by(
            "name"
        )
        self.fields["owner"].queryset = owners_for(organisation)
        _alignment_fields(self, organisation)

    def clean(self) -> dict:
        data = super().clean()
        scope = data.get("scope")
        if scope == Scope.WAVE and not data.get("wave"):
            self.add_error("wave", _("Choose the wave."))
        if scope == Scope.TEAM and not data.get("team"):
            self.add_error("team", _("Choose the team."))
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] <= data["starts_on"]:
            self.add_error("ends_on", _("The period must end after it starts."))
        return data


class KeyResultForm(forms.Form):
    title = forms.CharField(
        label=_("Key result"), max_length=200,
        # xgettext:no-python-format
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 60% of wave 1 regular by March")}),
    )  # fmt: skip
    source = forms.ChoiceField(
        label=_("Measured"), choices=KeyResult.Source.choices, widget=forms.RadioSelect,
        initial=KeyResult.Source.INDICATOR,
    )  # fmt: skip
    indicator = forms.ChoiceField(
        label=_("Indicator"), required=False,
        choices=[("", "—")]
        + [(key, format_lazy("{} ({})", label, unit))
           for key, (label, unit, __) in INDICATORS.items()],
    )  # fmt: skip
    baseline = forms.FloatField(
        label=_("Baseline today"), required=False,
        help_text=_("Checked in by hand only: indicators capture their own baseline."),
    )  # fmt: skip
    unit = forms.CharField(label=_("Unit"), max_length=30, required=False)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.INCREASE,
        help_text=_("Increase or decrease to: progress runs from the baseline to the target. "
                    "Stay at or above / below: met while the value holds the line."),
    )  # fmt: skip
    target = forms.FloatField(label=_("Target"))
    about_revenue = forms.BooleanField(label=_("This key result is about revenue"), required=False)

    def __init__(self, *args: object, objective: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        _key_result_alignment_fields(self, objective)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("source") == KeyResult.Source.INDICATOR and not data.get("indicator"):
            self.add_error("indicator", _("Choose the indicator."))
        if data.get("source") == KeyResult.Source.MANUAL and data.get("baseline") is None:
            self.add_error("baseline", _("Give the baseline: where things stand today."))
        return data


class CheckInForm(forms.Form):
    value = forms.FloatField(label=_("Value now"))
    confidence = forms.IntegerField(
        label=_("Confidence (1-10)"), min_value=1, max_value=10,
        help_text=_("How sure are you the target will be reached?"),
    )  # fmt: skip
    comment = forms.CharField(
        label=_("Comment"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InitiativeForm(forms.Form):
    title = forms.CharField(label=_("Initiative"), max_length=200)
    owner = PersonChoiceField(
        label=_("Owner"), queryset=Membership.objects.none(), required=False,
        empty_label=_("Me"), help_text=_("Leave “Me” to own it yourself."),
    )  # fmt: skip
    due_on = forms.DateField(
        # Translators: the day an initiative is due.
        label=_("Due"),
        required=False,
        widget=_date_input(),
    )

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners_for(organisation)


class InitiativeStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Initiative.Status.choices)


# --- Alignment (issue #22): parent, weight, contribution, and the OKRI list's filters ---

MAX_WEIGHT = 10


def _objective_label(objective: object) -> str:
    return f"{objective.title} ({lowerfirst(objective.get_scope_display())})"


class _ByCode:
    """Choices named by their code: text that is no code at all reads as an unknown choice
    ("select a valid choice"), not as a UUID error."""

    def to_python(self, value: object) -> object:
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code == "invalid_choice":
                raise
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice",
                params={"value": value},
            ) from error  # fmt: skip


class CodeChoiceField(_ByCode, forms.ModelChoiceField):
    pass


class CodePersonChoiceField(_ByCode, PersonChoiceField):
    pass


class ObjectiveChoiceField(_ByCode, forms.ModelChoiceField):
    def label_from_instance(self, obj: object) -> str:
        return _objective_label(obj)


def _live_objectives(organisation: Organisation) -> object:
    return Objective.objects.filter(
        organisation=organisation, archived_at__isnull=True, closure__isnull=True
    ).order_by("programme__name", "title")


def _alignment_fields(form: forms.Form, organisation: Organisation) -> None:
    """The objective this one sits under (same programme, same or broader level)."""
    form.fields["parent"] = ObjectiveChoiceField(
        label=_("Sits under"), queryset=_live_objectives(organisation), required=False,
        to_field_name="code", empty_label=_("Nothing: a top objective"),
        help_text=_("The broader objective this one helps reach: its progress rolls up there."),
    )  # fmt: skip


def _key_result_alignment_fields(form: forms.Form, objective: object) -> None:
    form.fields["weight"] = forms.IntegerField(
        label=_("Weight"), min_value=1, max_value=MAX_WEIGHT, initial=1, required=False,
        help_text=_("How much it counts in the objective's progress: 1 is normal, 2 counts "
                    "double."),
    )  # fmt: skip
    broader = [scope for scope in alignment.LEVELS if alignment.may_contribute_to(
        objective.scope, scope)] if objective is not None else []  # fmt: skip
    if not broader:  # a programme's key result has nothing broader to count toward
        return
    form.fields["contributes_to"] = ObjectiveChoiceField(
        label=_("Also counts toward"), required=False, to_field_name="code",
        queryset=_live_objectives(objective.organisation_id).filter(
            programme_id=objective.programme_id, scope__in=broader
        ),
        empty_label=_("Only this objective"),
        help_text=_("A broader objective of the same programme this key result also moves."),
    )  # fmt: skip


class OkriFilterForm(forms.Form):
    """The OKRI list's filters (GET): every choice scoped to the organisation."""

    programme = CodeChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), required=False,
        to_field_name="code", empty_label=_("All programmes"),
    )  # fmt: skip
    wave = CodeChoiceField(
        label=_("Wave"), queryset=Wave.objects.none(), required=False, to_field_name="code",
        empty_label=_("All waves"),
    )  # fmt: skip
    team = CodeChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, to_field_name="code",
        empty_label=_("All teams"),
    )  # fmt: skip
    owner = CodePersonChoiceField(
        label=_("Owner"), queryset=Membership.objects.none(), required=False,
        to_field_name="code", empty_label=_("Anyone"),
    )  # fmt: skip

    def __init__(self, *args: object, organisation: Organisation, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(organisation=organisation)
        self.fields["wave"].queryset = (
            Wave.objects.filter(programme__organisation=organisation)
            .select_related("programme").order_by("programme__name", "number")
        )  # fmt: skip
        self.fields["team"].queryset = Team.objects.filter(organisation=organisation).order_by(
            "name"
        )
        self.fields["owner"].queryset = owners_for(organisation)

    def chosen(self) -> dict[str, object]:
        """The filters that are valid (an unknown choice is reported and left out)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) for name in self.fields if name not in self.errors}


# --- Closing a period: grades, lessons, copies forward (issue #22) ---


class CloseObjectiveForm(forms.Form):
    """One grade (0.0-1.0, step 0.1, prefilled from progress) and comment per key result, and
    what was learned. `rows()` pairs each key result with its two fields."""

    lessons = forms.CharField(
        label=_("What we learned"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What worked, what did not, what the next period should do differently."),
    )  # fmt: skip

    def __init__(self, *args: object, key_results: list[KeyResult], prefill: dict,
                 **kwargs: object) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.key_results = key_results
        for key_result in key_results:
            self.fields[f"grade_{key_result.code}"] = forms.DecimalField(
                label=_("Grade (0.0 to 1.0)"), min_value=0, max_value=1, decimal_places=1,
                max_digits=2, step_size=Decimal("0.1"), initial=prefill[key_result.pk],
                widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "1"}),
            )  # fmt: skip
            self.fields[f"comment_{key_result.code}"] = forms.CharField(
                label=_("Comment"), max_length=1000, required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )  # fmt: skip

    def rows(self) -> list[tuple[KeyResult, forms.BoundField, forms.BoundField]]:
        return [(kr, self[f"grade_{kr.code}"], self[f"comment_{kr.code}"])
                for kr in self.key_results]  # fmt: skip

    def grades(self) -> dict[int, tuple[Decimal, str]]:
        data = self.cleaned_data
        return {kr.pk: (data[f"grade_{kr.code}"], data[f"comment_{kr.code}"])
                for kr in self.key_results}  # fmt: skip


class CopyForwardForm(forms.Form):
    starts_on = forms.DateField(label=_("Next period from"), widget=_date_input())
    ends_on = forms.DateField(label=_("Until"), widget=_date_input())

    def clean(self) -> dict:
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] <= data["starts_on"]:
            self.add_error("ends_on", _("The period must end after it starts."))
        return data
