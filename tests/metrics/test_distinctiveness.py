"""Look-alike LinkedIn profiles: near-identical clusters flagged, distinct profiles left alone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from metrics.distinctiveness import profiles_compare
from metrics.models import LinkedInProfileText
from programme.models import Role
from tests.factories import member

GHOSTWRITTEN = (
    "Helping enterprise leaders unlock growth through trusted partnerships | Passionate about "
    "digital transformation, customer success and innovation at scale"
)


def profile(org, headline, summary=""):
    person = member(org, Role.SELLER)
    LinkedInProfileText.objects.create(
        participant=person.participant, headline=headline, summary=summary
    )
    return person


def test_near_identical_profiles_form_one_cluster(org, other_org, login):
    same = [profile(org, GHOSTWRITTEN) for _ in range(4)]
    tweaked = profile(org, GHOSTWRITTEN.replace("innovation", "innovation and data"))
    own = [
        profile(org, "I sell cold-chain sensors to Nordic fish farms; ask me about salmon lice."),
        profile(org, "Former nurse, now helping hospitals buy fewer, better infusion pumps."),
        profile(org, "Short"),  # too short to compare
    ]
    elsewhere = profile(other_org, GHOSTWRITTEN)  # another organisation is never compared

    flagged = profiles_compare(organisation_id=org.pk)

    assert flagged == 4  # three copies and the tweaked one, each a look-alike of the first
    first = min(same, key=lambda m: m.participant.pk).participant
    texts = {t.participant_id: t for t in LinkedInProfileText.objects.all()}
    for person in [*same, tweaked]:
        if person.participant.pk != first.pk:
            assert texts[person.participant.pk].lookalike_of_id == first.pk
    assert texts[tweaked.participant.pk].similarity == pytest.approx(0.7)  # 14 of 20 shingles
    for person in own:
        assert texts[person.participant.pk].lookalike_of_id is None
    assert texts[elsewhere.participant.pk].lookalike_of_id is None
    assert profiles_compare(organisation_id=org.pk) == 4  # twice: the same answer

    page = (
        login(member(org, Role.CONSULTANT))
        .get(reverse("metrics-dashboard-consultant", args=[org.slug]))
        .content.decode()
    )
    section = page.split("Look-alike LinkedIn profiles")[1]
    assert "5 profiles" in section and "Helping enterprise leaders" in section


def test_a_profile_rewritten_in_own_words_is_no_longer_flagged(org):
    people = [profile(org, GHOSTWRITTEN) for _ in range(2)]
    profiles_compare(organisation_id=org.pk)
    later = people[1].participant.linkedin_profile_text
    later.headline = "I help Belgian SMEs replace spreadsheets with a planning tool they enjoy."
    later.save()
    assert profiles_compare(organisation_id=org.pk) == 0
