"""Writes of the goals app: success definitions, rituals, celebrations, and OKRIs."""

from goals.services.okris import *  # noqa: F403
from goals.services.success import *  # noqa: F403
