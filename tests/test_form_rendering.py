"""After a failed submit only the fields with an error are marked (config/bootstrap.py)."""

from __future__ import annotations

from django import forms
from django.template import Context, Template


class _Form(forms.Form):
    title = forms.CharField()
    note = forms.CharField(required=False)


def test_a_bound_form_marks_the_field_in_error_and_leaves_the_others_plain() -> None:
    form = _Form(data={"title": "", "note": ""})
    assert not form.is_valid()
    html = Template("{% load django_bootstrap5 %}{% bootstrap_form form %}").render(
        Context({"form": form})
    )
    assert html.count("is-invalid") == 1  # the required title, empty
    assert "is-valid" not in html  # the empty optional note gets no green tick
