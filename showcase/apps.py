from __future__ import annotations

from django.apps import AppConfig


class ShowcaseConfig(AppConfig):
    name = "showcase"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from showcase import demo, panels  # noqa: F401 - register demo data and the home panel

        register_navigation()
        from showcase import privacy

        privacy.register()  # the showcase's share of "My data"


def register_navigation() -> None:
    from django.utils.translation import gettext_lazy as _

    from programme.navigation import NavEntry, everyone, register_nav_entry
    from showcase import policies

    def reads_picks(membership) -> bool:
        return not policies.can_post_pick(membership)

    for entry in (
        # Marketing's own place, one click away: its picks and the form to post one.
        NavEntry("main", _("Picks"), "showcase-pick-list", policies.can_post_pick, order=20,
                 key="showcase-picks-main"),
        NavEntry("showcase", _("Cases"), "showcase-case-feed", everyone, order=10,
                 active_for=("showcase-case", "showcase-image", "showcase-comment")),
        NavEntry("showcase", _("Marketing picks"), "showcase-pick-list", reads_picks,
                 order=20),
        NavEntry("insights", _("Picks uptake"), "showcase-pick-report",
                 policies.can_see_uptake, order=60),
    ):  # fmt: skip
        register_nav_entry(entry)
