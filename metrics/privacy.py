"""What metrics keeps about a person, for "My data": described, exported, erased here.

The person's own events, imports, weekly rows and indicators go. Group figures (a team's or
wave's weekly counts) hold no names; the next full rollup recomputes the weeks it covers without
the person, so their contribution leaves those figures too."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from metrics.models import (
    ActivityEvent,
    ActivityImport,
    ApiToken,
    EventSource,
    IndicatorWeek,
    InteractionCircle,
    LinkedInProfileText,
    ParticipantWeek,
    PostSignature,
    WeeklySummary,
)
from programme.models import Membership
from programme.privacy import (
    DataGroup,
    ExportPart,
    Identity,
    PrivacyProvider,
    mentions,
    participant_ids,
    register_privacy_provider,
    table,
)


def _imports(membership: Membership):
    about = participant_ids(membership)
    return ActivityImport.objects.filter(organisation_id=membership.organisation_id).filter(
        participant_id__in=about
    ) | ActivityImport.objects.filter(uploaded_by=membership)


def describe(membership: Membership) -> list[DataGroup]:
    about = participant_ids(membership)
    by_source = dict(
        ActivityEvent.objects.filter(participant_id__in=about)
        .values_list("source")
        .annotate(n=Count("id"))
        .values_list("source", "n")
    )
    groups = [
        DataGroup(
            f"events_{source}",
            _("Activity events: %(source)s") % {"source": EventSource(source).label},
            _(
                "What you did or received, by week (counts, links to your own posts, CRM "
                "outcomes), used for your indicators. Erasure deletes them."
            ),
            count,
        )
        for source, count in sorted(by_source.items())
    ]
    if not groups:
        groups.append(
            DataGroup(
                "events",
                _("Activity events"),
                _("What you did or received on LinkedIn, by week. You have none yet."),
                0,
            )
        )
    groups += [
        DataGroup(
            "imports",
            _("Imports"),
            _(
                "Files imported by you or for you: their name, status, counts and messages. "
                "Erasure deletes those for you and takes your name off the others."
            ),
            _imports(membership).count(),
        ),
        DataGroup(
            "indicators",
            _("Your weekly figures and indicators"),
            _(
                "Computed from your events: weekly counts, streak, regularity, early warnings, "
                "your LinkedIn headline and summary, your posts' first words and signatures "
                "(for the copy-paste check), your interactions with colleagues' posts, and "
                "weekly summaries sent. Erasure "
                "deletes them; team and wave figures hold no names and are recomputed without "
                "you by the next nightly rollup."
            ),
            ParticipantWeek.objects.filter(participant_id__in=about).count()
            + IndicatorWeek.objects.filter(participant_id__in=about).count()
            + LinkedInProfileText.objects.filter(participant_id__in=about).count()
            + WeeklySummary.objects.filter(participant_id__in=about).count()
            + PostSignature.objects.filter(participant_id__in=about).count()
            + InteractionCircle.objects.filter(participant_id__in=about).count(),
        ),
    ]
    return groups


def export(membership: Membership) -> ExportPart:
    about = participant_ids(membership)
    part = ExportPart()
    part.tables["activity_events"] = table(
        ActivityEvent.objects.filter(participant_id__in=about).order_by("occurred_at"),
        "kind", "occurred_at", "week", "quantity", "value", "url", "via_linkedin", "details",
        "source", "ingested_at",
    )  # fmt: skip
    part.tables["imports"] = table(
        _imports(membership),
        "kind", "filename", "status", "rows_read", "created_count", "duplicate_count",
        "skipped_count", "skipped", "errors", "created_at", "finished_at",
    )  # fmt: skip
    part.tables["linkedin_profile"] = table(
        LinkedInProfileText.objects.filter(participant_id__in=about), "headline", "summary"
    )
    part.tables["weeks"] = table(
        ParticipantWeek.objects.filter(participant_id__in=about).order_by("week"),
        *[f.name for f in ParticipantWeek._meta.concrete_fields
          if f.name not in {"id", "organisation", "participant"}],
    )  # fmt: skip
    part.tables["indicators"] = table(
        IndicatorWeek.objects.filter(participant_id__in=about).order_by("week"),
        *[f.name for f in IndicatorWeek._meta.concrete_fields
          if f.name not in {"id", "organisation", "participant"}],
    )  # fmt: skip
    part.tables["post_signatures"] = table(
        PostSignature.objects.filter(participant_id__in=about).order_by("week"),
        "week", "first_words", "similarity",
    )  # fmt: skip
    part.tables["interactions_with_colleagues"] = table(
        InteractionCircle.objects.filter(participant_id__in=about),
        "given", "given_linked", "inside", "inside_received", "ring_share",
    )  # fmt: skip
    part.tables["weekly_summaries"] = table(
        WeeklySummary.objects.filter(participant_id__in=about), "week", "sent_at"
    )
    part.tables["api_tokens_created"] = table(
        ApiToken.objects.filter(created_by=membership), "name", "prefix", "created_at"
    )
    return part


def erase(
    membership: Membership, *, keep_contributions: bool, identity: Identity, files: list
) -> dict[str, int]:
    about = participant_ids(membership)
    organisation_id = membership.organisation_id
    own_imports = ActivityImport.objects.filter(participant_id__in=about)
    files += [(item.file.storage, item.file.name) for item in own_imports if item.file.name]
    theirs = {"participant_id__in": about}
    counts = {
        "activity events": ActivityEvent.objects.filter(**theirs).delete()[0],
        "imports": own_imports.delete()[0],
        "weekly figures": ParticipantWeek.objects.filter(**theirs).delete()[0],
        "indicators": IndicatorWeek.objects.filter(**theirs).delete()[0],
        "weekly summaries": WeeklySummary.objects.filter(**theirs).delete()[0],
        "LinkedIn profile": LinkedInProfileText.objects.filter(**theirs).delete()[0],
        "post signatures": PostSignature.objects.filter(**theirs).delete()[0],
        "interactions with colleagues": InteractionCircle.objects.filter(**theirs).delete()[0],
    }
    LinkedInProfileText.objects.filter(lookalike_of_id__in=about).update(
        lookalike_of=None, similarity=None
    )
    ActivityImport.objects.filter(organisation_id=organisation_id, uploaded_by=membership).update(
        uploaded_by=None
    )
    ApiToken.objects.filter(organisation_id=organisation_id, created_by=membership).update(
        created_by=None
    )
    # Imports for many people (CRM, SSI) may name the person in a row's message.
    scrubbed = 0
    for item in ActivityImport.objects.filter(organisation_id=organisation_id).only(
        "skipped", "errors", "filename"
    ):
        if not mentions([item.skipped, item.errors, item.filename], identity):
            continue
        item.skipped = [row for row in item.skipped if not mentions(row, identity)]
        item.errors = [row for row in item.errors if not mentions(row, identity)]
        if mentions(item.filename, identity):
            item.filename = str(_("(file name erased)"))
        item.save(update_fields=["skipped", "errors", "filename"])
        scrubbed += 1
    counts["mentions in others' imports"] = scrubbed
    return counts


def register() -> None:
    register_privacy_provider(
        PrivacyProvider(
            app="metrics",
            label=_("Activity and indicators"),
            describe=describe,
            export=export,
            erase=erase,
        )
    )
