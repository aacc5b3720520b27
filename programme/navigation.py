"""The main navigation: which places each role has, grouped into a few menus.

`programme` imports none of the other apps; they register their places here from their
AppConfig.ready, each with the policy that decides who may open it, so the navigation shows a
role exactly the pages it may open (no link answering 403).

Sections: "main" entries are top-level links (each role's first pages, one click away); the
others are dropdown menus; "account" is the user menu on the right.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programme import policies
from programme.models import Membership

Visible = Callable[[Membership], bool]
Route = str | Callable[[Membership], str]

SECTIONS: dict[str, object] = {
    "main": "",
    "programme": _("Programme"),
    "showcase": _("Showcase"),
    "goals": _("Goals"),
    "insights": _("Insights"),
    "account": _("Account"),
}


@dataclass(frozen=True)
class NavEntry:
    section: str
    label: object
    route: Route
    visible: Visible
    order: int = 50
    # URL names (or name prefixes) of the pages below this entry, so it shows as the current
    # section there too (a programme's waves under "Programmes", a case under "Cases").
    active_for: tuple[str, ...] = ()
    in_organisation: bool = True  # the URL takes the organisation's slug
    key: str = ""  # stable name for tests; the route when not given

    def route_for(self, membership: Membership) -> str:
        return self.route(membership) if callable(self.route) else self.route


@dataclass
class NavLink:
    key: str
    label: object
    url: str
    route: str
    active: bool = False


@dataclass
class NavSection:
    key: str
    label: object
    links: list[NavLink] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(link.active for link in self.links)


_entries: list[NavEntry] = []


def register_nav_entry(entry: NavEntry) -> NavEntry:
    if entry.section not in SECTIONS:
        raise ValueError(f"Unknown navigation section {entry.section!r}")
    if all(_key(existing) != _key(entry) for existing in _entries):
        _entries.append(entry)
    return entry


def _key(entry: NavEntry) -> str:
    return entry.key or (entry.route if isinstance(entry.route, str) else entry.section)


def _is_active(entry: NavEntry, route: str, current: str | None) -> bool:
    if not current:
        return False
    return current == route or any(current.startswith(prefix) for prefix in entry.active_for)


def navigation_for(membership: Membership, current: str | None = None) -> list[NavSection]:
    """The sections `membership` sees, in order, each with the links its role may open.

    `current` is the URL name of the page being shown; its entry is marked active. Only the
    first matching entry is, so a page never lights up two places."""
    sections = {key: NavSection(key=key, label=label) for key, label in SECTIONS.items()}
    slug = membership.organisation.slug
    for entry in sorted(_entries, key=lambda e: (list(SECTIONS).index(e.section), e.order)):
        if not entry.visible(membership):
            continue
        route = entry.route_for(membership)
        url = reverse(route, kwargs={"org": slug}) if entry.in_organisation else reverse(route)
        sections[entry.section].links.append(
            NavLink(key=_key(entry), label=entry.label, url=url, route=route)
        )
    # The exact page first, then the entry whose pages include it.
    links = list(_links_with_entries(sections))
    chosen = next((link for link, _entry in links if link.route == current), None)
    if chosen is None:
        chosen = next(
            (link for link, entry in links if _is_active(entry, link.route, current)), None
        )
    if chosen is not None:
        chosen.active = True
    # A menu does not repeat a page that is already one click away at the top level.
    top = {link.url for link in sections["main"].links}
    for key, section in sections.items():
        if key != "main":
            section.links = [link for link in section.links if link.url not in top]
    return [section for section in sections.values() if section.links]


def _links_with_entries(sections: dict[str, NavSection]):
    by_key = {_key(entry): entry for entry in _entries}
    for section in sections.values():
        for link in section.links:
            yield link, by_key[link.key]


def everyone(membership: Membership) -> bool:
    return True


# --- The programme core's own places ------------------------------------------------------------
for _entry in (
    NavEntry("main", _("Home"), "programme-organisation-home", everyone, order=0),
    NavEntry(
        "programme", _("Programmes"), "programme-programme-list", everyone, order=10,
        active_for=("programme-programme", "programme-wave", "programme-risk",
                    "programme-problem", "programme-session", "programme-cycle",
                    "programme-meeting", "programme-follow-up", "kickoff-session",
                    "kickoff-you-said", "kickoff-wave-planner", "kickoff-report",
                    "kickoff-concern", "kickoff-emotion", "kickoff-projector"),
    ),
    NavEntry(
        "programme", _("Announcements"), "programme-announcement-list", everyone, order=20,
        active_for=("programme-announcement", "programme-question"),
    ),
    NavEntry(
        "programme", _("People"), "programme-people-list", policies.can_view_people, order=60,
        active_for=("programme-participant-detail", "programme-participant-invite"),
    ),
    NavEntry("programme", _("Teams"), "programme-team-list", policies.can_view_teams, order=70),
    NavEntry(
        "programme", _("Roster"), "programme-roster-upload", policies.can_import_roster,
        order=80, active_for=("programme-roster",),
    ),
    NavEntry("account", _("My profile"), "programme-participant-me", everyone, order=10),
    NavEntry(
        "account", _("E-mail settings"), "programme-email-preferences", everyone, order=20
    ),
    NavEntry(
        "account", _("Calendar feed"), "programme-calendar-feed", everyone, order=25,
        active_for=("programme-calendar-feed",),
    ),
    NavEntry(
        "account", _("My data"), "programme-my-data", policies.can_see_own_data, order=30,
        active_for=("programme-my-data",),
    ),
    NavEntry(
        "account", _("Erasure requests"), "programme-erasure-requests",
        policies.can_erase_on_request, order=45,
    ),
    NavEntry(
        "account", _("Organisation settings"), "programme-organisation-settings",
        policies.can_change_organisation_settings, order=40,
    ),
):  # fmt: skip
    register_nav_entry(_entry)

# Blocked words (moderation): the list that holds concerns (and later picks, cases) for a look.
register_nav_entry(
    NavEntry(
        "programme", _("Blocked words"), "programme-blocked-words",
        policies.can_edit_blocked_words, order=90,
    )
)  # fmt: skip

# Integrations: Teams, Slack and signed webhooks, for the organisation's admins.
register_nav_entry(
    NavEntry(
        "account", _("Integrations"), "programme-integrations",
        policies.can_change_organisation_settings, order=42,
    )
)  # fmt: skip

# The audit log (#18): what was changed about people and settings, for the admins.
register_nav_entry(
    NavEntry(
        "account", _("Audit log"), "programme-audit-log", policies.can_read_audit_log, order=44,
    )
)  # fmt: skip

# A person's language and time zone.
register_nav_entry(
    NavEntry(
        "account", _("Language and time zone"), "programme-language-settings", everyone,
        order=22, active_for=("programme-language-settings",),
    )
)  # fmt: skip
