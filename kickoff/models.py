from __future__ import annotations

# Models for this app arrive with their issue (see DESIGN.md); it builds on programme.
