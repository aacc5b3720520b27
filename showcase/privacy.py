"""What the showcase keeps about a person, for "My data": described, exported, erased here."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from programme.models import Membership
from programme.privacy import (
    DataGroup,
    ExportPart,
    Identity,
    PrivacyProvider,
    participant_ids,
    register_privacy_provider,
    table,
)
from showcase.models import (
    CaseComment,
    CaseImage,
    CaseReaction,
    CaseReport,
    CaseStudy,
    MarketingPick,
    PickUptake,
)


def _cases(membership: Membership):
    # Never author_id=None: that would be every case left by erased authors.
    return CaseStudy.objects.filter(author_id__in=participant_ids(membership))


def describe(membership: Membership) -> list[DataGroup]:
    cases = _cases(membership)
    return [
        DataGroup(
            "cases",
            _("Case studies"),
            _(
                "The cases you wrote, with their images, and whether you agreed to have them "
                "featured. On erasure you choose: delete them, or leave them to the others "
                "without your name (your consent to feature them is withdrawn either way)."
            ),
            cases.count(),
        ),
        DataGroup(
            "comments",
            _("Comments"),
            _("Your comments on cases. Deleted, or kept without your name: your choice."),
            CaseComment.objects.filter(author=membership).count(),
        ),
        DataGroup(
            "reactions",
            _("Reactions, reports and picks you took up"),
            _(
                "“Useful”, “Inspiring”, “I'll try this”, cases you reported, and which "
                "marketing picks you said you shared or commented on. Erasure deletes them."
            ),
            CaseReaction.objects.filter(membership=membership).count()
            + CaseReport.objects.filter(membership=membership).count()
            + PickUptake.objects.filter(membership=membership).count(),
        ),
    ]


def export(membership: Membership) -> ExportPart:
    cases = _cases(membership)
    part = ExportPart()
    part.tables["cases"] = table(
        cases, "code", "kind", "title", "story", "outcome", "links", "technique", "segment",
        "tags", "visibility", "feature_consent", "featured_at", "hidden_reason", "created_at",
        "updated_at",
    )  # fmt: skip
    part.tables["comments"] = table(
        CaseComment.objects.filter(author=membership), "case__title", "body", "created_at"
    )
    part.tables["reactions"] = table(
        CaseReaction.objects.filter(membership=membership), "case__title", "kind", "created_at"
    )
    part.tables["reports"] = table(
        CaseReport.objects.filter(membership=membership), "case__title", "reason", "created_at"
    )
    part.tables["picks_taken_up"] = table(
        PickUptake.objects.filter(membership=membership), "pick__url", "action", "created_at"
    )
    part.tables["picks_posted"] = table(
        MarketingPick.objects.filter(posted_by=membership), "url", "title", "note", "created_at"
    )
    for image in CaseImage.objects.filter(case__in=cases).select_related("case"):
        name = f"{image.case.code}-{image.position}.{image.extension}"
        part.files.append((name, image.file))
    return part


def erase(
    membership: Membership, *, keep_contributions: bool, identity: Identity, files: list
) -> dict[str, int]:
    organisation_id = membership.organisation_id
    cases = _cases(membership)
    comments = CaseComment.objects.filter(author=membership)
    if keep_contributions:
        counts = {
            "case studies unsigned": cases.update(
                author=None,
                feature_consent=False,
                featured_at=None,
                featured_by=None,
                feature_requested_at=None,
                feature_requested_by=None,
            ),
            "comments unsigned": comments.update(author=None),
        }
    else:
        images = CaseImage.objects.filter(case__in=cases)
        files += [(image.file.storage, image.file.name) for image in images if image.file.name]
        # Others' replies to a deleted comment stay, as comments of their own.
        CaseComment.objects.filter(parent__in=comments).exclude(author=membership).update(
            parent=None
        )
        # delete() counts the rows it cascades to (others' comments on the cases) as well.
        counts = {
            "comments": comments.delete()[1].get(CaseComment._meta.label, 0),
            "case studies": cases.delete()[1].get(CaseStudy._meta.label, 0),
        }
    counts["reactions"] = CaseReaction.objects.filter(membership=membership).delete()[0]
    counts["reports"] = CaseReport.objects.filter(membership=membership).delete()[0]
    counts["picks taken up"] = PickUptake.objects.filter(membership=membership).delete()[0]
    mine = CaseStudy.objects.filter(organisation_id=organisation_id)
    mine.filter(hidden_by=membership).update(hidden_by=None)
    mine.filter(featured_by=membership).update(featured_by=None)
    mine.filter(feature_requested_by=membership).update(feature_requested_by=None)
    CaseComment.objects.filter(case__organisation_id=organisation_id, hidden_by=membership).update(
        hidden_by=None
    )
    MarketingPick.objects.filter(organisation_id=organisation_id, posted_by=membership).update(
        posted_by=None
    )
    return counts


def register() -> None:
    register_privacy_provider(
        PrivacyProvider(
            app="showcase",
            label=_("Showcase"),
            describe=describe,
            export=export,
            erase=erase,
        )
    )
