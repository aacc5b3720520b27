"""One people picker for every form that chooses people (owners, attendees, "from").

The page gets a native <select> (or <select multiple>) whose options carry each person's name,
e-mail and team in data-* attributes. Without JavaScript that select is the picker and works
as before; with it, static/js/pickers.js turns every `select[data-picker]` into a Tom Select
(vendored under static/vendor/tom-select/, no CDN, no build step) that searches by name, e-mail
and team, is driven by the keyboard and keeps the select's label.

The fields choose Memberships or Participants and can pin some people first in their own group
(the session's attendees first in an emotion's "from"): a ModelChoiceField validates against its
queryset, not its choices, so the grouping changes what is shown and nothing of what is accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from programme.models import Membership, Participant

__all__ = [
    "PeopleChoiceField",
    "PeoplePicker",
    "PersonChoiceField",
    "PersonPicker",
    "person_data",
]

INVALID_PERSON = _(
    "That person is not one of the people you can choose here (they may have left the "
    "organisation): pick someone from the list."
)


def person_data(person: Model) -> dict[str, str]:
    """Name, e-mail and team of a Membership or a Participant: what the picker shows and
    searches."""
    if isinstance(person, Participant):
        membership, participant = person.membership, person
    else:
        membership = person
        try:
            participant = person.participant
        except ObjectDoesNotExist:  # staff without a participant row
            participant = None
    user = membership.user
    team = participant.team if participant is not None else None
    return {
        "name": user.get_full_name() or user.email,
        "email": user.email,
        "team": team.name if team is not None else "",
    }


def _with_people(queryset: QuerySet) -> QuerySet:
    """Each option reads user and team: fetched in the same query, whatever the size."""
    if queryset.model is Participant:
        return queryset.select_related("membership__user", "team")
    if queryset.model is Membership:
        return queryset.select_related("user", "participant__team")
    return queryset


class _PinnedFirstIterator(ModelChoiceIterator):
    """Choices in two groups when the field pins people: the pinned ones, then the rest."""

    def __iter__(self) -> Iterator[tuple]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = _with_people(self.queryset)
        if not queryset._prefetch_related_lookups:
            queryset = queryset.iterator()
        pinned_ids = self.field.pinned_ids
        if not pinned_ids:
            for obj in queryset:
                yield self.choice(obj)
            return
        pinned, others = [], []
        for obj in queryset:
            (pinned if obj.pk in pinned_ids else others).append(self.choice(obj))
        if pinned:
            yield (str(self.field.pinned_label), pinned)
        if others:
            yield (str(self.field.others_label), others)


class _PickerMixin:
    """Marks the select for pickers.js and puts each person's data on their option."""

    def __init__(self, attrs: dict | None = None, **kwargs: object) -> None:
        # Lazy texts, not str(): a widget of a field declared on a form class is built once at
        # import, and its attributes must follow the language of each request that renders it.
        attrs = {
            "data-picker": "people",
            "data-picker-placeholder": self.placeholder,
            "data-picker-no-results": _("No one matches: try a name, an e-mail or a team."),
            # Translators: title of the cross button that takes a chosen person out of a picker.
            "data-picker-remove": _("Remove"),
            **(attrs or {}),
        }
        super().__init__(attrs, **kwargs)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        person = getattr(value, "instance", None)
        if person is not None:
            # Tom Select reads an option's data-* attributes as its fields.
            for key, text in person_data(person).items():
                option["attrs"][f"data-{key}"] = text
        return option


class PersonPicker(_PickerMixin, forms.Select):
    placeholder = _("Type a name, an e-mail or a team")


class PeoplePicker(_PickerMixin, forms.SelectMultiple):
    # As short as the single picker's: a longer one was cut off on a phone ("…a team to ad").
    placeholder = _("Type a name, an e-mail or a team")


class _PeopleFieldMixin:
    iterator = _PinnedFirstIterator

    def __init__(
        self,
        *args: object,
        pinned_label: str = _("In this session"),
        others_label: str = _("Everyone else"),
        **kwargs: object,
    ) -> None:
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"] = {
            "invalid_choice": INVALID_PERSON,
            "invalid_pk_value": INVALID_PERSON,
            **kwargs["error_messages"],
        }
        super().__init__(*args, **kwargs)
        self.pinned_ids: set[int] = set()
        self.pinned_label = pinned_label
        self.others_label = others_label

    def pin(self, people: Iterable[Model | int]) -> None:
        """Offer these people first, in their own group."""
        self.pinned_ids = {p if isinstance(p, int) else p.pk for p in people}

    def label_from_instance(self, obj: Model) -> str:
        # Without JavaScript the label is all a person sees: the team tells namesakes apart.
        data = person_data(obj)
        return f"{data['name']} · {data['team']}" if data["team"] else data["name"]


class PersonChoiceField(_PeopleFieldMixin, forms.ModelChoiceField):
    """One person, searchable."""

    widget = PersonPicker

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("empty_label", _("Nobody chosen"))
        super().__init__(*args, **kwargs)


class PeopleChoiceField(_PeopleFieldMixin, forms.ModelMultipleChoiceField):
    """Several people, searchable."""

    widget = PeoplePicker

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # ModelMultipleChoiceField names its own key for an unknown choice.
        self.error_messages["invalid_choice"] = INVALID_PERSON
