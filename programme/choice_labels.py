"""`get_FOO_display()` without translating every choice on each call (issue #21).

Django's `Model._get_FIELD_display` builds `dict(make_hashable(field.flatchoices))` on every
call, and hashing a lazily translated label translates it: a case card's kind and language
labels translated 30 labels each time, 25% of the showcase search view's CPU
(bench/page_profile.py). Here each field's value -> label map is built once per process
(labels stay lazy, so each call still answers in the reader's language) and a call costs one
dictionary look-up and one translation. Fields whose choices are computed when read (a
callable) keep Django's own way.
"""

from __future__ import annotations

from functools import cache, partialmethod

from django.apps import apps
from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_django_display = models.Model._get_FIELD_display


@cache
def _labels(field: models.Field) -> dict | None:
    if not isinstance(field.choices, (list, tuple)):
        return None
    return {make_hashable(value): label for value, label in field.flatchoices}


def _get_FIELD_display(self: models.Model, field: models.Field) -> str:
    labels = _labels(field)
    if labels is None:
        return _django_display(self, field)
    value = getattr(self, field.attname)
    return force_str(labels.get(make_hashable(value), value), strings_only=True)


def install() -> None:
    """Every model's `get_FOO_display` that Django made (a partialmethod over its own
    implementation, bound when the class was created) takes this one; one a model defines
    itself is left alone."""
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            name = f"get_{field.name}_display"
            made = model.__dict__.get(name)
            if isinstance(made, partialmethod) and made.func is _django_display:
                setattr(model, name, partialmethod(_get_FIELD_display, field=field))
