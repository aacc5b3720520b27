"""Writes for the programme app, one module per area; import them from here."""

from __future__ import annotations

from programme.services.announcements import *  # noqa: F403
from programme.services.audit import *  # noqa: F403
from programme.services.calendar_feed import *  # noqa: F403
from programme.services.core import *  # noqa: F403
from programme.services.integrations import *  # noqa: F403
from programme.services.moderation import *  # noqa: F403
from programme.services.notifications import *  # noqa: F403
from programme.services.preferences import *  # noqa: F403
from programme.services.privacy import *  # noqa: F403
from programme.services.programmes import *  # noqa: F403
from programme.services.provisioning import *  # noqa: F403
from programme.services.sessions import *  # noqa: F403
