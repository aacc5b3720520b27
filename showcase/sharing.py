"""Share links of a pick: UTM parameters naming the pick and the seller's team (never the
person), LinkedIn's public share dialog, and who is a link-preview robot rather than a reader.
Pure functions: no database, no network."""

from __future__ import annotations

import re
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

LINKEDIN_SHARE = "https://www.linkedin.com/sharing/share-offsite/"
DEFAULT_CAMPAIGN = "snowball-picks"
_CAMPAIGN = re.compile(r"[^a-z0-9._-]+")

# Link previews and crawlers fetch a shared link without a person behind them: not counted.
# Matched anywhere in the User-Agent, case-insensitively.
_ROBOT = re.compile(
    r"bot\b|bot/|crawler|spider|preview|facebookexternalhit|facebookcatalog|linkedinbot|"
    r"slackbot|twitterbot|discordbot|telegrambot|whatsapp|skypeuripreview|embedly|"
    r"quora link preview|outbrain|pinterest|vkshare|w3c_validator|redditbot|applebot|"
    r"googlebot|bingbot|yandex|baiduspider|duckduckbot|headlesschrome|curl/|wget/|"
    r"python-requests|python-urllib|go-http-client|okhttp|mastodon|iframely|microsoft office",
    re.IGNORECASE,
)


def is_robot(user_agent: str) -> bool:
    """An empty User-Agent is a robot too: browsers always send one."""
    return not user_agent.strip() or bool(_ROBOT.search(user_agent))


def new_code() -> str:
    """A short random code for a pick's share link (10 characters, about 60 bits)."""
    return secrets.token_urlsafe(8)[:10]


def team_key(team_code: object | None) -> str:
    """A team's short code in links: the start of its public code, no name in clear."""
    return team_code.hex[:8] if team_code is not None else ""


def campaign_clean(campaign: str) -> str:
    """A UTM campaign name: lower case, letters, digits, dots, dashes and underscores."""
    cleaned = _CAMPAIGN.sub("-", campaign.strip().lower()).strip("-")[:80]
    return cleaned or DEFAULT_CAMPAIGN


def tracked_url(url: str, *, campaign: str, pick_code: str, team: str) -> str:
    """The pick's own link with UTM parameters; any UTM parameters it had are replaced."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith("utm_")]  # fmt: skip
    utm = [
        ("utm_source", "linkedin"),
        ("utm_medium", "social"),
        ("utm_campaign", campaign_clean(campaign)),
        ("utm_content", f"pick-{pick_code}"),
    ]
    if team:
        utm.append(("utm_term", f"team-{team}"))
    return urlunsplit(parts._replace(query=urlencode(kept + utm)))


def linkedin_share_url(link: str) -> str:
    """LinkedIn's public share dialog for `link` (no API, no partnership, no token)."""
    return f"{LINKEDIN_SHARE}?{urlencode({'url': link})}"
