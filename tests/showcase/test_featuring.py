"""Featuring a case asks its author (#27): a notification with yes and no, featured only after
yes, and the author is told when it goes on the home page and when it comes off."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from programme.models import Notification, Role
from showcase import policies, services
from tests.factories import member


@pytest.fixture
def case(org):
    author = member(org, Role.SELLER)
    return services.case_save(
        author=author.participant,
        data={"kind": "deal_won", "title": "A deal from a comment", "story": "It worked.",
              "visibility": "organisation"},
    )  # fmt: skip


def _page(client, org, case, **query):
    target = reverse("showcase-case-detail", args=[org.slug, case.code])
    return client.get(target, query).content.decode()


def _home(client, org):
    return client.get(reverse("programme-organisation-home", args=[org.slug])).content.decode()


def test_a_manager_asks_the_author_who_says_yes_and_the_case_is_featured(org, case, login):
    manager = member(org, Role.MANAGER)
    manager.user.first_name, manager.user.last_name = "Lena", "Koch"
    manager.user.save()
    author = case.author.membership
    feature = reverse("showcase-case-feature", args=[org.slug, case.code])
    staff = login(manager)
    assert "Ask the author to feature it" in _page(staff, org, case)
    assert "The author is asked" in staff.post(feature, follow=True).content.decode()
    case.refresh_from_db()
    assert case.featured_at is None and case.feature_requested_by == manager
    assert "their answer is awaited" in _page(staff, org, case)
    assert "A deal from a comment" not in _home(login(member(org, Role.SELLER)), org)

    asked = Notification.objects.get(recipient=author)
    assert asked.message == (
        "Lena Koch asks to feature your case “A deal from a comment” on the home page. Yes or no?"
    )
    writer = login(author)
    question = writer.get(asked.url).content.decode()
    assert "May we feature your case on the home page?" in question
    assert "Yes, feature it" in question and "No, thank you" in question

    answer = reverse("showcase-case-feature-answer", args=[org.slug, case.code])
    done = writer.post(answer, {"answer": "yes"}, follow=True).content.decode()
    assert "your case is on the home page" in done
    case.refresh_from_db()
    assert case.featured_at is not None and case.feature_consent
    assert case.featured_by == manager and case.feature_requested_at is None
    assert "A deal from a comment" in _home(login(member(org, Role.SELLER)), org)
    told = [n.message for n in Notification.objects.filter(recipient=manager)]
    assert any("agreed: “A deal from a comment” is now featured" in text for text in told)

    # Taken off by the team: the author is told.
    staff.post(feature, {"off": "1"})
    case.refresh_from_db()
    assert case.featured_at is None
    latest = Notification.objects.filter(recipient=author).order_by("-id").first()
    assert (
        latest.message
        == "Your case “A deal from a comment” is no longer featured on the home page."
    )


def test_no_keeps_the_case_off_and_tells_whoever_asked(org, case, login):
    consultant = member(org, Role.CONSULTANT)
    services.case_feature_request(case=case, by=consultant)
    answer = reverse("showcase-case-feature-answer", args=[org.slug, case.code])
    login(case.author.membership).post(answer, {"answer": "no"})
    case.refresh_from_db()
    assert case.featured_at is None and not case.feature_consent
    assert case.feature_requested_at is None
    told = Notification.objects.get(recipient=consultant)
    assert "prefers to keep “A deal from a comment” off the home page" in told.message
    # A second answer, or an answer nobody asked for, changes nothing.
    page = login(case.author.membership).post(answer, {"answer": "yes"}, follow=True)
    assert "Nobody is asking to feature this case" in page.content.decode()
    case.refresh_from_db()
    assert case.featured_at is None


def test_featuring_with_the_standing_consent_tells_the_author(org, case, login):
    services.case_save(author=case.author, case=case, data={"feature_consent": True})
    manager = member(org, Role.MANAGER)
    login(manager).post(reverse("showcase-case-feature", args=[org.slug, case.code]))
    case.refresh_from_db()
    assert case.featured_at is not None
    told = Notification.objects.get(recipient=case.author.membership)
    assert told.message.startswith("Your case “A deal from a comment” is now featured")


@pytest.mark.parametrize(
    "role, may_ask",
    [(Role.CONSULTANT, True), (Role.MANAGER, True), (Role.SELLER, False),
     (Role.SPONSOR, False), (Role.MARKETING, False), (Role.ADMIN, False)],
)  # fmt: skip
def test_who_may_ask_and_who_answers(org, case, login, role, may_ask):
    someone = member(org, role)
    assert policies.can_request_feature(someone) is may_ask
    if not may_ask:
        with pytest.raises(PermissionDenied):
            services.case_feature_request(case=case, by=someone)
        return
    services.case_feature_request(case=case, by=someone)
    answer = reverse("showcase-case-feature-answer", args=[org.slug, case.code])
    assert login(someone).post(answer, {"answer": "yes"}).status_code == 403
    assert login(member(org, Role.SELLER)).post(answer, {"answer": "yes"}).status_code == 403
    case.refresh_from_db()
    assert case.featured_at is None
