"""Milestones detected after each rollup, set-based: one INSERT ... SELECT per organisation.
A person reaches each milestone once (a unique constraint, so reruns and races add nothing);
the new ones ask their owner, privately, whether and how to celebrate."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from goals.models import Celebration, MilestoneKind
from metrics.hooks import register_after_rollup
from metrics.models import ActivityEvent, EventKind, IndicatorWeek
from programme import services as programme_services
from programme.i18n import english
from programme.models import EmailKind, Membership, Organisation

POPULAR_POST_COMMENTS = 10
REGULAR_RUN_WEEKS = 8
LOOK_BACK_WEEKS = 26  # how far back comments on one post are added up


@register_after_rollup
def milestones_detect(organisation_id: int) -> int:
    """Create a pending celebration for each milestone reached and not yet recorded, and
    tell each owner privately. Returns how many were new."""
    weeks, events = IndicatorWeek._meta.db_table, ActivityEvent._meta.db_table
    celebrations = Celebration._meta.db_table
    params = {
        "org": organisation_id,
        "meeting": MilestoneKind.FIRST_MEETING, "deal": MilestoneKind.FIRST_DEAL,
        "popular": MilestoneKind.POPULAR_POST, "regular": MilestoneKind.REGULAR_8,
        "comments": EventKind.COMMENTS_RECEIVED, "min_comments": POPULAR_POST_COMMENTS,
        "run": REGULAR_RUN_WEEKS, "since": timezone.now() - timedelta(weeks=LOOK_BACK_WEEKS),
    }  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {celebrations}
                    (code, organisation_id, participant_id, kind, detected_at, consent)
                SELECT gen_random_uuid(), %(org)s, reached.participant_id, reached.kind, now(), ''
                FROM (
                    SELECT participant_id, %(meeting)s AS kind FROM {weeks}
                    WHERE organisation_id = %(org)s AND meetings_total > 0
                    UNION
                    SELECT participant_id, %(deal)s FROM {weeks}
                    WHERE organisation_id = %(org)s AND deals_total > 0
                    UNION
                    SELECT participant_id, %(popular)s FROM {events}
                    WHERE organisation_id = %(org)s AND kind = %(comments)s AND url <> ''
                      AND occurred_at >= %(since)s
                    GROUP BY participant_id, url HAVING SUM(quantity) >= %(min_comments)s
                    UNION
                    SELECT participant_id, %(regular)s FROM (
                        SELECT participant_id, COUNT(*) FILTER (WHERE regular) OVER (
                            PARTITION BY participant_id ORDER BY week
                            ROWS BETWEEN {REGULAR_RUN_WEEKS - 1} PRECEDING AND CURRENT ROW) AS run
                        FROM {weeks} WHERE organisation_id = %(org)s
                    ) runs WHERE run >= %(run)s
                ) reached
                ON CONFLICT ON CONSTRAINT milestone_once DO NOTHING
                RETURNING id, kind""",  # noqa: S608
            params,
        )
        new = cursor.fetchall()
        if new:
            _ask_owners(organisation_id, new)
    return len(new)


def _ask_owners(organisation_id: int, new: list[tuple[int, str]]) -> None:
    """One notification per new milestone, to its owner only: one statement per kind reached."""
    slug = Organisation.objects.values_list("slug", flat=True).get(pk=organisation_id)
    link = reverse("goals-celebrations", args=[slug]) + "#mine"
    for kind in MilestoneKind:
        ids = [pk for pk, reached in new if reached == kind]
        if not ids:
            continue
        programme_services.notify_members(
            organisation_id=organisation_id,
            recipients=Membership.objects.filter(
                participant__celebrations__id__in=ids, participant__celebrations__kind=kind
            ),
            kind=EmailKind.CELEBRATION,
            # Translators: milestone is one such as "First deal won through LinkedIn".
            text=gettext_noop(
                "Congratulations: %(milestone)s. Would you like it celebrated? "
                "Only you see this until you answer."
            ),
            params={"milestone": {"_msgid": english(kind.label)}},
            url=link,
        )
