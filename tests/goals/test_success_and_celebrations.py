"""Success defined with the sellers sets the indicators' thresholds; rituals are voted; a
milestone is detected once and celebrated only with its owner's consent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from goals import services
from goals.milestones import milestones_detect
from goals.models import Celebration, Proposal, ProposalVote
from metrics import rollups
from metrics.indicators import monday
from metrics.ingest import Event, EventWriter, Summary
from metrics.models import EventKind, GroupKind, GroupWeek, IndicatorWeek
from programme.models import EmailKind, Notification, Role, Team
from tests.factories import member


def write(org, source, events):
    writer = EventWriter(organisation=org, source=source, summary=Summary())
    with transaction.atomic():
        for event in events:
            writer.add(event)
        writer.flush()


def weeks_ago(n):
    start = monday(timezone.now().date()) - timedelta(weeks=n)
    return timezone.now().replace(year=start.year, month=start.month, day=start.day, hour=10)


@pytest.fixture
def team(org):
    return Team.objects.create(organisation=org, name="North")


@pytest.fixture
def open_vote(org):
    consultant = member(org, Role.CONSULTANT)
    for subject in ("success", "ritual"):
        services.window_open(by=consultant, subject=subject,
                             closes_at=timezone.now() + timedelta(days=7))  # fmt: skip
    return consultant


def test_adopted_success_definition_changes_who_handles_the_skill(org, login, team, open_vote):
    org.time_zone = "UTC"
    org.save()
    seller = member(org, Role.SELLER, team=team)
    pid = seller.participant.pk
    # Posts in 4 of the last 8 weeks, each with 5 reactions: good quality, not regular (6/8).
    write(org, "quick_log", [
        event for w in (0, 2, 4, 6) for event in (
            Event(pid, EventKind.POST_PUBLISHED, weeks_ago(w), f"p{w}"),
            Event(pid, EventKind.REACTIONS_RECEIVED, weeks_ago(w), f"r{w}", quantity=5),
        )
    ])  # fmt: skip
    rollups.rollup_full(organisation_id=org.pk)
    latest = IndicatorWeek.objects.filter(participant_id=pid).latest("week")
    assert latest.active_weeks == 4 and not latest.regular and not latest.handles_skill

    client = login(seller)
    response = client.post(reverse("goals-proposal-create", args=[org.slug, "success"]), {
        "statement": "Regular means active 4 weeks out of 8: we also travel to customers",
        "indicator": "regular_weeks", "threshold": "4",
    })  # fmt: skip
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    voters = [member(org, Role.SELLER) for _ in range(3)]
    for voter in voters:
        url = reverse("goals-proposal-vote", args=[org.slug, proposal.code])
        assert login(voter).post(url).status_code == 302
    login(voters[0]).post(reverse("goals-proposal-vote", args=[org.slug, proposal.code]))
    assert ProposalVote.objects.count() == 2  # the second click took the vote back
    page = login(member(org, Role.SPONSOR)).get(reverse("goals-success", args=[org.slug]))
    html = page.content.decode()
    assert "2 votes" in html
    for voter in voters:  # counts only: who voted is nowhere
        assert voter.user.email not in html and voter.user.last_name not in html

    url = reverse("goals-proposal-decide", args=[org.slug, proposal.code])
    assert login(seller).post(url, {"decision": "adopt"}).status_code == 403
    assert login(open_vote).post(url, {"decision": "adopt"}).status_code == 302
    rollups.refresh_indicators(organisation_id=org.pk)  # what the queued task does
    latest = IndicatorWeek.objects.filter(participant_id=pid).latest("week")
    assert latest.regular and latest.handles_skill
    group = GroupWeek.objects.filter(organisation=org, kind=GroupKind.ORGANISATION)
    assert group.latest("week").handles_skill == 1
    page = login(seller).get(reverse("goals-success", args=[org.slug])).content.decode()
    assert "Adopted" in page and "<strong>4</strong>" in page


@pytest.mark.parametrize(("data", "message"), [
    ({"statement": "", "indicator": "", "threshold": ""}, "This field is required"),
    ({"statement": "x", "indicator": "regular_weeks", "threshold": "12"}, "from 1 to 8"),
    ({"statement": "x", "indicator": "regular_weeks", "threshold": "4.5"}, "whole number"),
    ({"statement": "x", "indicator": "", "threshold": "3"}, "needs an indicator"),
    ({"statement": "x", "indicator": "revenue", "threshold": "3"}, "Select a valid choice"),
])  # fmt: skip
def test_bad_proposals_are_refused_with_a_message(org, login, data, message):
    response = login(member(org, Role.SELLER)).post(
        reverse("goals-proposal-create", args=[org.slug, "success"]), data
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert Proposal.objects.count() == 0


def test_votes_only_while_the_vote_is_open(org):
    seller = member(org, Role.SELLER)
    proposal = services.proposal_add(by=seller, subject="ritual", statement="Team breakfast")
    with pytest.raises(ValidationError, match="closed"):
        services.vote_toggle(proposal=proposal, by=member(org, Role.SELLER))
    with pytest.raises(PermissionDenied):
        services.proposal_add(by=member(org, Role.CONSULTANT), subject="ritual", statement="x")
    assert ProposalVote.objects.count() == 0


def test_an_undecided_proposal_reads_as_awaiting_a_decision_while_voting_is_closed(org, login):
    seller = member(org, Role.SELLER)
    services.proposal_add(by=seller, subject="ritual", statement="Team breakfast")
    page = login(seller).get(reverse("goals-rituals", args=[org.slug])).content.decode()
    assert "Voting is closed at the moment." in page
    listed = page.split('data-testid="proposals"')[1].split("</ul>")[0]
    assert "Awaiting a decision" in listed and "Open</div>" not in listed


def meeting(org, participant, external_id="m1"):
    write(org, "quick_log", [
        Event(participant.pk, EventKind.MEETING_BOOKED, weeks_ago(0), external_id,
              via_linkedin=True),
    ])  # fmt: skip
    rollups.rollup_full(organisation_id=org.pk)


def test_milestone_detected_once_and_asked_privately(org, team, login):
    seller = member(org, Role.SELLER, team=team)
    meeting(org, seller.participant)
    assert milestones_detect(org.pk) == 1
    meeting(org, seller.participant, "m2")  # a second meeting is not a first one
    assert milestones_detect(org.pk) == 0 and Celebration.objects.count() == 1
    told = Notification.objects.get(kind=EmailKind.CELEBRATION)
    assert told.recipient == seller and "Only you see this" in told.message
    page = login(seller).get(reverse("goals-celebrations", args=[org.slug])).content.decode()
    assert "First meeting booked through LinkedIn" in page and "Save my answer" in page
    teammate = member(org, Role.SELLER, team=team)
    other = login(teammate).get(reverse("goals-celebrations", args=[org.slug])).content.decode()
    assert seller.user.last_name not in other  # nobody sees it before the owner answers
    code = Celebration.objects.get().code
    answer = reverse("goals-celebration-answer", args=[org.slug, code])
    assert login(teammate).post(answer, {"consent": "public"}).status_code == 404


def test_a_declined_celebration_appears_nowhere(org, team, login):
    seller, manager = member(org, Role.SELLER, team=team), member(org, Role.MANAGER, team=team)
    meeting(org, seller.participant)
    milestones_detect(org.pk)
    code = Celebration.objects.get().code
    login(seller).post(reverse("goals-celebration-answer", args=[org.slug, code]),
                       {"consent": "no"})  # fmt: skip
    for role in (Role.SELLER, Role.MANAGER, Role.SPONSOR, Role.CONSULTANT):
        viewer = manager if role == Role.MANAGER else member(org, role, team=team)
        page = login(viewer).get(reverse("goals-celebrations", args=[org.slug])).content.decode()
        assert seller.user.last_name not in page
    assert not Notification.objects.filter(recipient=manager).exists()


def test_consent_puts_it_on_the_feed_with_a_chosen_ritual_and_tells_the_manager(
    org, team, login, open_vote
):
    seller, manager = member(org, Role.SELLER, team=team), member(org, Role.MANAGER, team=team)
    ritual = services.proposal_add(by=seller, subject="ritual", statement="Dinner voucher")
    services.proposal_decide(proposal=ritual, by=open_vote, adopt=True)
    meeting(org, seller.participant)
    milestones_detect(org.pk)
    code = Celebration.objects.get().code
    response = login(seller).post(
        reverse("goals-celebration-answer", args=[org.slug, code]),
        {"consent": "team", "ritual": str(ritual.code)},
    )
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=manager, kind=EmailKind.CELEBRATION).exists()
    teammate = member(org, Role.SELLER, team=team)
    feed = login(teammate).get(reverse("goals-celebrations", args=[org.slug])).content.decode()
    assert seller.user.last_name in feed and "Dinner voucher" in feed and "team only" in feed
    assert "First meeting booked through LinkedIn" in feed  # not "through linkedin"
    elsewhere = login(member(org, Role.SELLER)).get(reverse("goals-celebrations", args=[org.slug]))
    assert seller.user.last_name not in elsewhere.content.decode()  # team only means team only


def test_a_no_after_a_yes_withdraws_what_the_manager_was_told(org, team, login):
    seller = member(org, Role.SELLER, team=team)
    manager = member(org, Role.MANAGER, team=team)
    meeting(org, seller.participant)
    milestones_detect(org.pk)
    answer = reverse("goals-celebration-answer", args=[org.slug, Celebration.objects.get().code])
    login(seller).post(answer, {"consent": "public"})
    told = Notification.objects.get(recipient=manager, kind=EmailKind.CELEBRATION)
    assert told.message.endswith(": first meeting booked through LinkedIn. Time to celebrate!")
    manager_page = login(manager).get(told.url.split("#")[0]).content.decode()
    assert f'id="celebration-{Celebration.objects.get().code}"' in manager_page

    login(seller).post(answer, {"consent": "no"})
    assert not Notification.objects.filter(recipient=manager, kind=EmailKind.CELEBRATION)
    feed = login(manager).get(reverse("goals-celebrations", args=[org.slug])).content.decode()
    assert seller.user.last_name not in feed

    # Yes again: the manager is told again, once.
    login(seller).post(answer, {"consent": "team"})
    login(seller).post(answer, {"consent": "public"})
    assert Notification.objects.filter(recipient=manager, kind=EmailKind.CELEBRATION).count() == 1


def test_a_notification_sent_before_celebrations_had_their_own_address_is_withdrawn_too(
    org, team, login
):
    seller = member(org, Role.SELLER, team=team)
    manager = member(org, Role.MANAGER, team=team)
    meeting(org, seller.participant)
    milestones_detect(org.pk)
    celebration = Celebration.objects.get()
    login(seller).post(
        reverse("goals-celebration-answer", args=[org.slug, celebration.code]),
        {"consent": "public"},
    )
    # As the earlier code wrote it: the shared page, the kind in lower case.
    Notification.objects.filter(recipient=manager).update(
        url=reverse("goals-celebrations", args=[org.slug]),
        text=f"{seller.user.get_full_name()}: first meeting booked through linkedin. "
        "Time to celebrate!",
    )
    other = Notification.objects.create(
        organisation=org, recipient=manager, kind=EmailKind.CELEBRATION,
        text="Someone else: first deal. Time to celebrate!",
        url=reverse("goals-celebrations", args=[org.slug]),
    )  # fmt: skip
    login(seller).post(
        reverse("goals-celebration-answer", args=[org.slug, celebration.code]), {"consent": "no"}
    )
    assert list(Notification.objects.filter(recipient=manager)) == [other]


def test_a_milestone_is_e_mailed_when_the_rollup_commits_to_whoever_chose_immediate(
    org, team, monkeypatch, django_capture_on_commit_callbacks
):
    """Milestone notifications follow each person's e-mail choice like every other kind: the
    immediate ones go out once the rollup's transaction commits, not at the hourly sweep."""
    from django.core import mail

    from metrics import tasks as metrics_tasks
    from programme import services as programme_services
    from programme import tasks as programme_tasks

    at_once = member(org, Role.SELLER, team=team)
    in_digest = member(org, Role.SELLER, team=team)  # the default for celebrations
    programme_services.email_preference_set(membership=at_once, kind=EmailKind.CELEBRATION,
                                            mode="immediate")  # fmt: skip
    for person, external_id in ((at_once, "m1"), (in_digest, "m2")):
        write(org, "quick_log", [Event(person.participant.pk, EventKind.MEETING_BOOKED,
                                       weeks_ago(0), external_id, via_linkedin=True)])  # fmt: skip
    # The send task runs here instead of on a worker.
    send = programme_tasks.notifications_send_immediate
    monkeypatch.setattr(send, "delay", lambda organisation_id: send(organisation_id))

    with django_capture_on_commit_callbacks(execute=True):
        metrics_tasks.rollup_full(org.pk)  # the rollup, then its after-rollup milestones
        assert mail.outbox == []  # nothing leaves before the commit
    assert Celebration.objects.count() == 2
    assert [message.to for message in mail.outbox] == [[at_once.user.email]]
    assert "First meeting booked through LinkedIn" in mail.outbox[0].subject
    assert "Only you see this" in mail.outbox[0].body
    assert Notification.objects.filter(kind=EmailKind.CELEBRATION).count() == 2  # both in-app
