"""Views for the programme app, one module per area."""

from __future__ import annotations

from programme.views.core import error_403, error_404, error_500

__all__ = ["error_403", "error_404", "error_500"]
