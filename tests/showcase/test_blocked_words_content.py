"""An organisation's blocked words are refused in marketing picks and case studies, with the word
named next to its field; nothing is saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programme.blocked_words import word_key
from programme.models import BlockedWord, Role
from showcase import services
from showcase.models import CaseStudy, MarketingPick
from tests.factories import member

POST = "https://www.linkedin.com/feed/update/urn:li:activity:7000/"


@pytest.fixture
def blocked(org):
    BlockedWord.objects.create(organisation=org, word="Idiot", key=word_key("Idiot"))


def test_pick_with_a_blocked_word_is_refused_with_the_word_named(org, blocked, login):
    client = login(member(org, Role.MARKETING))
    response = client.post(reverse("showcase-pick-create", args=[org.slug]), {
        "url": POST, "note": "Fine", "angle": "Only an IDIÓT would miss this",
    })  # fmt: skip
    assert response.status_code == 400
    assert (
        "“Idiot” is on your organisation&#x27;s list of blocked words" in response.content.decode()
    )
    assert not MarketingPick.objects.exists()


def test_blocked_words_of_another_organisation_do_not_apply(org, other_org, login):
    BlockedWord.objects.create(organisation=other_org, word="idiot", key="idiot")
    services.pick_post(by=member(org, Role.MARKETING), url=POST, note="An idiot-proof guide")
    assert MarketingPick.objects.count() == 1


def _case_data(**changes):
    data = {"kind": "post_worked", "title": "A post that worked", "story": "It went well.",
            "outcome": "", "links": "", "technique": "content", "segment": "", "tags": "",
            "visibility": "organisation"}  # fmt: skip
    return data | changes


def test_case_with_a_blocked_word_is_refused_with_the_word_named(org, blocked, login):
    seller = member(org, Role.SELLER)
    client = login(seller)
    response = client.post(reverse("showcase-case-create", args=[org.slug]),
                           _case_data(story="The buyer was an idiot, but"))  # fmt: skip
    assert response.status_code == 400
    assert (
        "“Idiot” is on your organisation&#x27;s list of blocked words" in response.content.decode()
    )
    assert not CaseStudy.objects.exists()


def test_editing_a_case_to_add_a_blocked_word_changes_nothing(org, blocked):
    seller = member(org, Role.SELLER)
    case = services.case_save(author=seller.participant, data=_case_data())
    with pytest.raises(ValidationError) as refused:
        services.case_save(author=seller.participant, data=_case_data(title="Idiot proof"),
                           case=case)  # fmt: skip
    assert "title" in refused.value.error_dict
    case.refresh_from_db()
    assert case.title == "A post that worked"
