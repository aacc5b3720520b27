"""Programme models, one module per area; import them from here."""

from __future__ import annotations

from programme.models.audit import *  # noqa: F403
from programme.models.calendar import *  # noqa: F403
from programme.models.communication import *  # noqa: F403
from programme.models.core import *  # noqa: F403
from programme.models.integrations import *  # noqa: F403
from programme.models.moderation import *  # noqa: F403
from programme.models.privacy import *  # noqa: F403
from programme.models.programmes import *  # noqa: F403
from programme.models.sessions import *  # noqa: F403
