"""How django-bootstrap5 marks fields once a form comes back with errors."""

from __future__ import annotations

from django_bootstrap5.renderers import FieldRenderer


class ErrorsOnlyFieldRenderer(FieldRenderer):
    """Marks a field only when it has an error.

    The default paints every other field of a bound form green with a tick, empty optional
    fields included, which reads as "checked and approved" when nothing was checked: after a
    failed submit only the fields to fix should stand out."""

    def get_server_side_validation_classes(self) -> str:
        return "is-invalid" if self.field_errors else ""
