from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.test import Client

from kickoff.models import Concern, EmotionSignal, KickoffSession, StakeholderAssessment
from metrics.models import ActivityEvent
from programme.models import (
    Announcement,
    AnnouncementRecipient,
    FollowUp,
    Membership,
    Notification,
    Organisation,
    Participant,
    Problem,
    Question,
    Risk,
    Role,
    Session,
    SessionAttendance,
    Team,
    User,
)


def test_seed_demo_is_believable_and_idempotent(db, capsys, tmp_path) -> None:
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert "claire.martin@acme.example" in output and "snowball-demo" in output

    acme = Organisation.objects.get(slug="acme")
    roles = dict(
        Membership.objects.filter(organisation=acme)
        .values_list("role")
        .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("pk"))
    )
    assert roles[Role.SPONSOR] == 1 and roles[Role.CONSULTANT] == 2 and roles[Role.MANAGER] == 3
    assert roles[Role.SELLER] == 60
    assert Team.objects.filter(organisation=acme, parent__isnull=False).count() == 3
    assert Participant.objects.filter(organisation=acme).values("job_role").distinct().count() >= 3

    def counts() -> list[int]:
        models = [User, Membership, Participant, Team, Announcement, AnnouncementRecipient]
        models += [Problem, Session, Risk, Question, FollowUp, SessionAttendance]
        models += [KickoffSession, Concern, EmotionSignal, StakeholderAssessment, ActivityEvent]
        return [model.objects.count() for model in models]

    before = counts()
    stamps = sorted(Participant.objects.values_list("pk", "updated_at"))
    call_command("seed_demo")
    assert counts() == before
    assert stamps == sorted(Participant.objects.values_list("pk", "updated_at"))

    from programme.models import (
        Programme,
    )

    programme = Programme.objects.get(organisation=acme)
    assert programme.waves.count() == 2
    assert len(set(programme.waves.values_list("name", flat=True))) == 2  # told apart in pickers
    assert Announcement.objects.filter(programme=programme, status="published").count() == 2
    assert AnnouncementRecipient.objects.filter(acknowledged_at__isnull=False).exists()
    assert Risk.objects.filter(programme=programme).count() == 3
    assert Problem.objects.filter(programme=programme, raised_by__isnull=True).exists()
    assert Session.objects.filter(programme=programme, cycle__isnull=False).count() == 6
    assert programme.meetings.count() == 2
    assert programme.meetings.order_by("-held_on").first().follow_ups.count() == 2

    # Demo sellers have an SSI history (ten weeks), so their latest SSI shows with its pillars.
    from metrics.models import EventKind

    anna = ActivityEvent.objects.filter(
        organisation=acme, kind=EventKind.SSI_SNAPSHOT,
        participant__membership__user__email="anna.andersen@acme.example",
    )  # fmt: skip
    assert anna.count() == 10 and set(anna.first().details) == {
        "establishbrand", "findpeople", "engageinsights", "buildrelationships",
    }  # fmt: skip

    assert (
        ActivityEvent.objects.filter(organisation=acme).values("participant").distinct().count()
        >= 20
    )
    # The demo's dashboards have numbers at once: at-risk, lapsed, a burst, look-alikes.
    from metrics.models import GroupKind, GroupWeek, IndicatorWeek, LinkedInProfileText

    latest = GroupWeek.objects.filter(organisation=acme, kind=GroupKind.ORGANISATION).latest("week")
    assert latest.regular > 0 and latest.about_to_quit > 0 and latest.lapsed > 0
    assert IndicatorWeek.objects.filter(organisation=acme, gaming=True).exists()
    assert LinkedInProfileText.objects.filter(lookalike_of__isnull=False).count() == 4

    kickoff = KickoffSession.objects.get(programme=programme, status="closed")
    assert kickoff.concerns.count() == 8
    # Its room's splits are kept (counts only), so its report and projector show them.
    from kickoff.consensus import split_of

    assert all(split_of(concern).shown for concern in kickoff.concerns.all())
    # And one open now, that the demo sellers find on their home page and join.
    open_kickoff = KickoffSession.objects.get(programme=programme, status="open")
    assert open_kickoff.joins.exists()
    # Whoever took a side on a concern opened the join page: "N joined" is not below the sides.
    sides = max(c.opinion_rows.count() for c in open_kickoff.concerns.all())
    assert open_kickoff.joins.count() >= sides
    # One seller per session chose to show their name; every other concern is anonymous.
    assert Concern.objects.filter(author__isnull=False).count() == 2
    assert StakeholderAssessment.objects.values("participant").distinct().count() >= 40
    assert StakeholderAssessment.objects.values("assessed_on").distinct().count() >= 3

    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "mia.novak@acme.example", "password": "snowball-demo"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # two organisations: the chooser

    # The showcase: about 150 cases across every kind, with talk around them, picks taken up.
    from showcase.models import CaseComment, CaseKind, CaseReaction, CaseStudy, PickUptake

    cases = CaseStudy.objects.filter(organisation=acme)
    assert 140 <= cases.count() <= 160
    assert set(cases.values_list("kind", flat=True)) == set(CaseKind.values)
    assert CaseComment.objects.filter(case__organisation=acme, parent__isnull=False).exists()
    assert CaseReaction.objects.filter(case__organisation=acme).count() > 150
    featured = cases.get(featured_at__isnull=False, feature_consent=True)
    # Featured after its author said yes to the manager's request; another request waits.
    assert featured.featured_by.role == "manager"
    assert Notification.objects.filter(
        recipient=featured.author.membership, text__contains="asks to feature your case"
    ).exists()
    waiting = cases.get(feature_requested_at__isnull=False)
    assert waiting.author.membership.user.email == "anna.andersen@acme.example"
    assert cases.filter(hidden_at__isnull=False).count() == 1
    assert cases.filter(picks__isnull=False).exists() and PickUptake.objects.exists()
    assert cases.values("author").distinct().count() >= 15
    counted = (cases.count(), CaseComment.objects.count(), PickUptake.objects.count())
    call_command("seed_demo")
    assert (cases.count(), CaseComment.objects.count(), PickUptake.objects.count()) == counted

    # Success defined with the sellers, rituals, and milestones in every consent state.
    from goals.models import Celebration, Proposal
    from metrics.models import IndicatorThreshold

    assert Proposal.objects.filter(organisation=acme, status="adopted").count() == 3
    assert IndicatorThreshold.objects.get(organisation=acme, key="regular_weeks").value == 5
    states = set(Celebration.objects.filter(organisation=acme).values_list("consent", flat=True))
    assert {"public", "team", "no", ""} <= states
    celebrations = Celebration.objects.count()
    call_command("seed_demo")
    assert Celebration.objects.count() == celebrations
    assert Proposal.objects.filter(organisation=acme).count() == 6

    # OKRIs: objectives for a wave, the programme, a team and a person (an alignment tree),
    # with check-ins and a revenue key result waiting for the sponsor (first phase).
    from goals.models import CheckIn, KeyResult, Objective

    assert set(Objective.objects.filter(organisation=acme).values_list("scope", flat=True)) == {
        "wave", "programme", "team", "person"
    }  # fmt: skip
    linked = KeyResult.objects.filter(objective__organisation=acme, source="indicator")
    assert linked.count() == 3 and all(kr.measured_week for kr in linked)
    assert CheckIn.objects.filter(key_result__objective__organisation=acme).count() >= 8
    # Every direction, and every status, shows somewhere in the demo.
    from goals.progress import Direction, Status
    from goals.selectors import objectives
    from programme.viewer import Viewer

    consultant = acme.memberships.filter(role="consultant").first()
    shown = [kr for o in objectives(Viewer(consultant)) for kr in o.key_results.all()]
    assert {kr.direction for kr in shown} == set(Direction.values)
    assert {kr.track.status for kr in shown if kr.track} == set(Status.values)
    awaiting = KeyResult.objects.get(objective__organisation=acme, needs_sponsor=True)
    assert awaiting.confirmed_at is None and "€500k" in awaiting.title
    # Closing a period (#22): the previous quarter closed, graded and copied forward; a key
    # result at risk by its owner's low confidence, and one whose check-in is overdue.
    from goals.models.okris import ObjectiveClosure

    closed = ObjectiveClosure.objects.filter(objective__organisation=acme)
    assert closed.count() == 2 and all(c.lessons and c.copied_to_id for c in closed)
    assert any(kr.track and kr.track.reason.startswith("confidence 5/10") for kr in shown)
    assert [kr.overdue_days for kr in shown if kr.overdue_days] == [18]
    objectives_made = Objective.objects.filter(organisation=acme).count()
    call_command("seed_demo")
    assert Objective.objects.filter(organisation=acme).count() == objectives_made

    # The demo export in docs/demo/ is the first seller's own: importing it counts her messages
    # and replies (no demo seller's URL matched the sample files before).
    import shutil

    from metrics.importers import import_linkedin_export
    from metrics.models import EventKind

    anna = Participant.objects.get(
        organisation=acme, membership__user__email="anna.andersen@acme.example"
    )
    demo_export = Path(__file__).resolve().parents[2] / "docs" / "demo" / "linkedin-export"
    archive = Path(shutil.make_archive(str(tmp_path / "export"), "zip", demo_export))
    summary = import_linkedin_export(
        organisation=acme, participant=anna, path=archive, filename="export.zip"
    )
    assert summary.errors == []
    imported = ActivityEvent.objects.filter(participant=anna, occurred_at__year=2024)
    kinds = set(imported.values_list("kind", flat=True))
    assert {EventKind.MESSAGE_SENT, EventKind.MESSAGE_REPLY_RECEIVED} <= kinds

    # Some private messages got a reply, so direct-acquisition sellers' quality (their reply
    # rate) is not 0% for all of them.
    replied = ActivityEvent.objects.filter(organisation=acme, kind=EventKind.MESSAGE_REPLY_RECEIVED)
    assert replied.exclude(occurred_at__year=2024).values("participant").distinct().count() >= 10
