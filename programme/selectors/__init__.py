"""Reads for the programme app: tenant-scoped querysets, one module per area."""

from __future__ import annotations

from programme.selectors.audit import *  # noqa: F403
from programme.selectors.core import *  # noqa: F403
from programme.selectors.moderation import *  # noqa: F403
from programme.selectors.privacy import *  # noqa: F403
from programme.selectors.programmes import *  # noqa: F403
