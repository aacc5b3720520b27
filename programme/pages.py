"""Rendering helpers every app's views share (they are not views themselves)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_form_page(
    request: HttpRequest, template: str, context: dict[str, object], *forms: object
) -> HttpResponse:
    """Render a page; a refused form answers 400 so the failure is visible to any client."""
    invalid = any(form is not None and form.is_bound and form.errors for form in forms)
    return render(request, template, context, status=400 if invalid else 200)
