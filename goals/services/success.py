"""Writes for success definitions, rituals and celebrations. Each write takes the acting
membership (`by`) and asks goals.policies itself, so it is safe whoever calls it."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from goals import policies, selectors
from goals.models import (
    Celebration,
    Consent,
    Proposal,
    ProposalVote,
    Subject,
    VotingWindow,
)
from metrics import indicators
from metrics import services as metrics_services
from programme import services as programme_services
from programme.i18n import english
from programme.models import EmailKind, Membership, Role
from programme.selectors import own_participant

__all__ = [
    "celebration_answer",
    "proposal_add",
    "proposal_decide",
    "vote_toggle",
    "window_open",
]


def proposal_add(
    *, by: Membership, subject: str, statement: str, indicator: str = "",
    threshold: float | None = None,
) -> Proposal:  # fmt: skip
    if not policies.can_propose(by, own_participant(by) is not None):
        raise PermissionDenied("The people in the programme make the proposals.")
    if subject not in Subject.values:
        raise ValidationError(gettext("Unknown subject."))
    statement = statement.strip()
    if not statement:
        raise ValidationError(gettext("Say in a sentence what you propose."))
    if subject == Subject.RITUAL:
        indicator, threshold = "", None
    if indicator:
        if indicator not in indicators.TUNABLE:
            raise ValidationError(gettext("Choose one of the indicators offered."))
        label, kind, low, high = indicators.TUNABLE[indicator]
        if threshold is None or not low <= threshold <= high:
            raise ValidationError(
                # Translators: label names an indicator threshold; low and high are numbers.
                gettext("“%(label)s” takes a value from %(low)s to %(high)s.")
                % {"label": label, "low": f"{low:g}", "high": f"{high:g}"}
            )
        if kind is int and threshold != int(threshold):
            raise ValidationError(gettext("“%(label)s” takes a whole number.") % {"label": label})
    elif threshold is not None:
        raise ValidationError(gettext("A threshold needs an indicator to apply to."))
    return Proposal.objects.create(
        organisation_id=by.organisation_id, subject=subject, author=by, statement=statement[:300],
        indicator=indicator, threshold=threshold,
    )  # fmt: skip


def window_open(*, by: Membership, subject: str, closes_at: datetime) -> VotingWindow:
    if not policies.can_run_votes(by):
        raise PermissionDenied("The consultant opens the votes.")
    if closes_at <= timezone.now():
        raise ValidationError(gettext("The vote must close in the future."))
    return VotingWindow.objects.create(
        organisation_id=by.organisation_id, subject=subject, closes_at=closes_at, opened_by=by
    )


def vote_toggle(*, proposal: Proposal, by: Membership) -> bool:
    """Vote for a proposal, or take the vote back; only while its vote is open."""
    if not policies.can_vote(by, own_participant(by) is not None):
        raise PermissionDenied("The people in the programme vote.")
    if proposal.status != Proposal.Status.OPEN:
        raise ValidationError(gettext("This proposal has been decided."))
    if selectors.open_window(proposal.organisation_id, proposal.subject) is None:
        raise ValidationError(gettext("Voting is closed at the moment."))
    return programme_services.row_toggle(ProposalVote, proposal=proposal, membership=by)[0]


def proposal_decide(*, proposal: Proposal, by: Membership, adopt: bool) -> None:
    """Adopt a proposal (its threshold then drives the indicators) or set it aside."""

    if not policies.can_run_votes(by):
        raise PermissionDenied("The consultant adopts proposals.")
    if proposal.status != Proposal.Status.OPEN:
        raise ValidationError(gettext("This proposal has been decided already."))
    proposal.status = Proposal.Status.ADOPTED if adopt else Proposal.Status.NOT_ADOPTED
    proposal.decided_at, proposal.decided_by = timezone.now(), by
    proposal.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    if adopt and proposal.indicator:
        metrics_services.thresholds_set(
            by=by, values={proposal.indicator: proposal.threshold}, reason=proposal.statement
        )


def celebration_answer(
    *, celebration: Celebration, by: Membership, consent: str, ritual: Proposal | None = None
) -> None:
    """The owner says whether and how; only then may anyone else see it, and their manager is
    told (unless they said no)."""
    if not policies.can_answer_celebration(by, celebration):
        raise PermissionDenied("Only its owner answers.")
    if consent not in Consent.values:
        raise ValidationError(gettext("Choose how you would like it celebrated, or not at all."))
    if ritual is not None and (
        ritual.subject != Subject.RITUAL or ritual.status != Proposal.Status.ADOPTED
        or ritual.organisation_id != celebration.organisation_id
    ):  # fmt: skip
        raise ValidationError(gettext("Choose one of the rituals the programme adopted."))
    was_celebrated = celebration.consent not in ("", Consent.NO)
    celebration.consent = consent
    celebration.ritual = ritual if consent != Consent.NO else None
    celebration.answered_at = timezone.now()
    celebration.save(update_fields=["consent", "ritual", "answered_at"])
    if consent != Consent.NO and not was_celebrated:
        _tell_managers(celebration)
        programme_services.publish(
            celebration.organisation,
            "milestone.celebrated",
            {
                "key": str(celebration.code),
                "title": gettext("Time to celebrate!"),
                "text": _celebration_line(celebration),
                "url": _celebration_url(celebration),
                "data": {
                    "celebration": str(celebration.code),
                    "kind": celebration.kind,
                    "consent": consent,
                    "person": celebration.participant.membership.user.get_full_name(),
                },
            },
            team=celebration.participant.team_id,
            team_only=consent == Consent.TEAM,
        )
    elif consent == Consent.NO and was_celebrated:
        _withdraw_from_managers(celebration)


def _managers_of(participant) -> list[Membership]:
    return list(
        Membership.objects.active().filter(
            organisation_id=participant.organisation_id, role=Role.MANAGER,
            participant__team_id=participant.team_id,
        ).exclude(pk=participant.membership_id)
    )  # fmt: skip


def _celebration_url(celebration: Celebration) -> str:
    # One address per celebration, so taking it back finds exactly its notifications.
    base = reverse("goals-celebrations", args=[celebration.participant.organisation.slug])
    return f"{base}#celebration-{celebration.code}"


def _celebration_text(celebration: Celebration) -> tuple[str, dict]:
    """What managers are told (each in their language): "Anna: first meeting booked through
    LinkedIn. Time to celebrate!", as the English message and its values."""
    participant = celebration.participant
    name = participant.membership.user.get_full_name() or {
        "_msgid": gettext_noop("Someone in your team")
    }
    what = {"_msgid": english(celebration.get_kind_display()), "_lowerfirst": True}
    return gettext_noop("%(name)s: %(what)s. Time to celebrate!"), {"name": name, "what": what}


def _celebration_line(celebration: Celebration) -> str:
    """The same in the active language (a team channel's message)."""
    text, params = _celebration_text(celebration)
    name = params["name"] if isinstance(params["name"], str) else gettext(params["name"]["_msgid"])
    what = gettext(params["what"]["_msgid"])
    return gettext(text) % {"name": name, "what": what[:1].lower() + what[1:]}


def _tell_managers(celebration: Celebration) -> None:
    if celebration.participant.team_id is None:
        return
    text, params = _celebration_text(celebration)
    for manager in _managers_of(celebration.participant):
        programme_services.notify(
            recipient=manager, kind=EmailKind.CELEBRATION, text=text, params=params,
            url=_celebration_url(celebration),
        )  # fmt: skip


def _withdraw_from_managers(celebration: Celebration) -> None:
    """The seller said no after all: what their manager was told is taken back."""
    organisation_id = celebration.organisation_id
    programme_services.notifications_withdraw(
        organisation_id=organisation_id, kind=EmailKind.CELEBRATION,
        url=_celebration_url(celebration),
    )  # fmt: skip
    # Told before celebrations had an address of their own: the shared page and the same words.
    old_text = (
        f"{celebration.participant.membership.user.get_full_name() or 'Someone in your team'}: "
        f"{english(celebration.get_kind_display()).lower()}. Time to celebrate!"
    )
    programme_services.notifications_withdraw(
        organisation_id=organisation_id, kind=EmailKind.CELEBRATION,
        url=_celebration_url(celebration).split("#")[0], text=old_text,
    )  # fmt: skip
