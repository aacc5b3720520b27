"""Identity models: per-organisation SSO configuration and SCIM tokens (issue #18)."""

from __future__ import annotations
