"""get_FOO_display() reads each field's labels from a map built once (programme.choice_labels):
the same words as Django's own, in the reader's language, the stored value when it is not a
choice, and a model's own get_FOO_display left alone."""

from __future__ import annotations

from django.utils import translation

from programme.models import Membership, Role
from showcase.models import CaseKind, CaseStudy


def test_labels_follow_the_readers_language():
    case = CaseStudy(kind=CaseKind.DEAL_WON, language="fr")
    with translation.override("en"):
        assert case.get_kind_display() == "A deal won"
    for language in ("de", "fr"):
        with translation.override(language):
            assert case.get_kind_display() == translation.gettext("A deal won")
            assert case.get_kind_display() != "A deal won"


def test_a_value_that_is_not_a_choice_is_shown_as_stored():
    assert CaseStudy(kind="something_else").get_kind_display() == "something_else"
    assert Membership(role=Role.MANAGER).get_role_display() == str(Role.MANAGER.label)


def test_every_generated_display_is_the_fast_one():
    from functools import partialmethod

    from programme import choice_labels

    made = CaseStudy.__dict__["get_kind_display"]
    assert isinstance(made, partialmethod) and made.func is choice_labels._get_FIELD_display
