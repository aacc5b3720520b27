"""Demo: success definitions and rituals proposed, voted and partly adopted, and milestones in
every consent state (celebrated in the programme, in the team, declined, not answered yet)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from goals import services
from goals.milestones import milestones_detect
from goals.models import Celebration, Consent, Proposal, ProposalVote, VotingWindow
from metrics.rollups import refresh_indicators
from programme.demo import register_demo_seeder
from programme.models import Membership, Organisation, Role

SUCCESS = [
    ("Regular means active 5 weeks out of 8: we are on the road a lot", "regular_weeks", 5, True),
    ("Handling the skill means 4 interactions per post, not 3", "quality_per_post", 4, False),
    ("Success is one real conversation a week with someone in my accounts", "", None, False),
]
RITUALS = [
    ("A shout-out in the Monday team call", True),
    ("A dinner voucher for two after a first deal through LinkedIn", True),
    ("A short video message from the CEO", False),
]


@register_demo_seeder
def seed_goals(organisation: Organisation) -> None:
    if Proposal.objects.filter(organisation=organisation).exists():
        return
    people = list(
        Membership.objects.filter(
            organisation=organisation,
            role__in=[Role.SELLER, Role.MANAGER],
            participant__isnull=False,
        ).order_by("pk")
    )
    consultant = Membership.objects.filter(organisation=organisation, role=Role.CONSULTANT).first()
    if len(people) < 10 or consultant is None:
        return
    rng = random.Random(8)  # noqa: S311 - demo data, fixed seed
    with transaction.atomic():
        for subject in ("success", "ritual"):
            services.window_open(by=consultant, subject=subject,
                                 closes_at=timezone.now() + timedelta(days=10))  # fmt: skip
        made = [
            (services.proposal_add(by=rng.choice(people), subject="success", statement=text,
                                   indicator=key, threshold=value), adopt)
            for text, key, value, adopt in SUCCESS
        ] + [
            (services.proposal_add(by=rng.choice(people), subject="ritual", statement=text), adopt)
            for text, adopt in RITUALS
        ]  # fmt: skip
        for proposal, _ in made:
            ProposalVote.objects.bulk_create(
                [ProposalVote(proposal=proposal, membership=m)
                 for m in rng.sample(people, rng.randint(4, min(25, len(people))))]
            )  # fmt: skip
        for proposal, adopt in made:
            if adopt:
                services.proposal_decide(proposal=proposal, by=consultant, adopt=True)
        # The success vote is over; the ritual vote stays open for the demo.
        VotingWindow.objects.filter(organisation=organisation, subject="success").update(
            closes_at=timezone.now() - timedelta(hours=1)
        )
    refresh_indicators(organisation_id=organisation.pk)  # the adopted threshold applies
    milestones_detect(organisation.pk)
    rituals = list(Proposal.objects.filter(organisation=organisation, subject="ritual",
                                           status=Proposal.Status.ADOPTED))  # fmt: skip
    answers = [Consent.PUBLIC, Consent.TEAM, Consent.NO, None]
    for number, celebration in enumerate(
        Celebration.objects.filter(organisation=organisation)
        .select_related("participant__membership", "participant__team")
        .order_by("pk")
    ):
        consent = answers[number % len(answers)]
        if consent is not None:
            services.celebration_answer(
                celebration=celebration, by=celebration.participant.membership, consent=consent,
                ritual=rituals[number % len(rituals)] if rituals else None,
            )  # fmt: skip
