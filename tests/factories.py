from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from programme.anonymous import anonymous_flush
from programme.models import (
    JobRole,
    Membership,
    Organisation,
    Participant,
    Role,
    Team,
    User,
)

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    # A Faker surname made unique: a bare one ("Snow", "Lee") can occur in any page
    # ("Snowball"), so a test asserting that a name is absent from a page could fail by chance.
    last_name = factory.LazyAttributeSequence(lambda o, n: f"{o.surname}-{n:05d}")

    class Params:
        surname = factory.Faker("last_name")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if extracted is False:
            self.set_unusable_password()
        else:
            self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")
    industry_segment = "Manufacturing"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.SELLER
    joined_at = factory.Faker("date_time_this_year", tzinfo=__import__("datetime").UTC)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    membership = factory.SubFactory(MembershipFactory)
    organisation = factory.SelfAttribute("membership.organisation")
    job_role = JobRole.SELLER


def member(
    organisation: Organisation, role: str = Role.SELLER, **participant: object
) -> Membership:
    """A joined member of `organisation` with a participant profile."""
    membership = MembershipFactory(organisation=organisation, role=role)
    ParticipantFactory(membership=membership, **participant)
    return membership


def foreign_world(organisation: Organisation) -> dict[str, object]:
    """One object of every kind in `organisation`, for tenancy and permission probes."""
    import datetime

    from django.utils import timezone

    from programme import services
    from programme.models import Problem, Question, RosterImport, Session

    today = timezone.localdate()
    sponsor = member(organisation, Role.SPONSOR)
    target = member(organisation, Role.SELLER, is_ambassador=True)
    consultant = member(organisation, Role.CONSULTANT)  # who plans the programme's work
    programme = services.programme_save(
        organisation=organisation,
        by=consultant,
        data={"name": f"Programme of {organisation.name}", "start_date": today},
        sponsors=[sponsor],
        consultants=[],
    )
    wave = services.wave_create(programme=programme, by=consultant, name="Supporters",
                                start_date=today)  # fmt: skip
    services.wave_add_members(wave=wave, by=consultant, participants=[target.participant])
    risk = services.risk_save(
        programme=programme,
        by=sponsor,
        data={"title": "Secret risk", "what_may_happen": "x", "what_we_do": "y"},
    )
    problem = Problem.objects.create(
        organisation=organisation,
        programme=programme,
        title="Their problem",
        description="d",
        raised_on=today,
    )
    draft = services.announcement_save(
        programme=programme, author=sponsor, title="Their draft", body="b", audience="organisation"
    )
    announcement = services.announcement_save(
        programme=programme, author=sponsor, title="Their news", body="b", audience="organisation"
    )
    services.announcement_publish(announcement=announcement, publisher=sponsor)
    question = Question.objects.create(
        organisation=organisation, announcement=announcement, body="q?", asked_on=today
    )
    session = Session.objects.create(
        organisation=organisation,
        programme=programme,
        kind="training",
        title="Their training",
        starts_at=timezone.now() + datetime.timedelta(days=2),
        duration_minutes=240,
        practice_minutes=120,
        wave=wave,
    )
    meeting = services.meeting_create(
        programme=programme, by=sponsor, held_on=today, attendees=[sponsor], notes="", decisions=""
    )
    follow_up = services.follow_up_add(
        meeting=meeting, by=sponsor, text="Their follow-up", owner=sponsor, due_on=today
    )
    from kickoff import services as kickoff_services

    kickoff = kickoff_services.kickoff_save(
        programme=programme, by=consultant, data={"title": "Their kick-off", "held_on": today},
        attendees=[],
    )  # fmt: skip
    kickoff_services.kickoff_open(session=kickoff, by=consultant)
    kickoff.refresh_from_db()
    concern = kickoff_services.concern_submit(
        session=kickoff, by=target, worry="Their worry", would_help="", anonymous=True
    )
    anonymous_flush()  # anonymous concerns are written in batches by the timer
    concern = type(concern).objects.get(pk=concern.pk)
    plan = kickoff_services.engagement_plan_ensure(participant=target.participant, by=consultant)
    engagement_action = kickoff_services.engagement_action_add(
        plan=plan, by=consultant, action="Coffee with them", due_on=today
    )
    from metrics import services as metrics_services
    from metrics.models import ActivityImport

    api_token, _secret = metrics_services.api_token_create(
        organisation=organisation, name="Their CRM", by=member(organisation, Role.ADMIN)
    )
    activity_import = ActivityImport.objects.create(
        organisation=organisation, kind="crm", filename="their-crm.csv", file="imports/none"
    )
    from showcase import services as showcase_services

    case = showcase_services.case_save(
        author=target.participant,
        data={"kind": "post_worked", "title": "A post that worked", "story": "It worked.",
              "visibility": "organisation"},
    )  # fmt: skip
    case_comment = showcase_services.comment_add(case=case, by=sponsor, body="Nice one")
    from django.core.files.base import ContentFile

    from showcase.models import CaseImage

    case_image = CaseImage(case=case, content_type="image/png", width=1, height=1)
    case_image.file.save("image", ContentFile(b"not read by the probes"), save=True)
    marketing = member(organisation, Role.MARKETING)
    pick = showcase_services.pick_post(
        by=marketing, url="https://www.linkedin.com/feed/update/urn:li:activity:1", note="Theirs"
    )
    from goals import services as goals_services
    from goals.models import Celebration

    proposal = goals_services.proposal_add(by=target, subject="ritual", statement="Their ritual")
    celebration = Celebration.objects.create(
        organisation=organisation, participant=target.participant, kind="first_meeting"
    )
    objective = goals_services.objective_create(
        by=sponsor, programme=programme, scope="programme", title="Their objective",
        owner=sponsor, starts_on=today, ends_on=today + datetime.timedelta(days=90),
    )  # fmt: skip
    key_result = goals_services.key_result_add(
        objective=objective, by=sponsor, title="Their key result", source="manual",
        baseline=1, target=5,
    )  # fmt: skip
    initiative = goals_services.initiative_add(
        objective=objective, by=sponsor, title="Their initiative", owner=sponsor
    )
    return {
        "objective": objective,
        "key_result": key_result,
        "initiative": initiative,
        "proposal": proposal,
        "celebration": celebration,
        "pick": pick,
        "case": case,
        "case_comment": case_comment,
        "case_image": case_image,
        "api_token": api_token,
        "activity_import": activity_import,
        "engagement_action": engagement_action,
        "kickoff": kickoff,
        "concern": concern,
        "sponsor": sponsor,
        "participant": target.participant,
        "roster_import": RosterImport.objects.create(organisation=organisation, filename="t.csv"),
        "programme": programme,
        "wave": wave,
        "risk": risk,
        "problem": problem,
        "draft": draft,
        "announcement": announcement,
        "question": question,
        "session": session,
        "meeting": meeting,
        "follow_up": follow_up,
    }


def open_kickoff(organisation: Organisation, consultant: Membership | None = None, **data):
    """An open kick-off of a new programme, run by `consultant` (a new one if not given), as
    the kick-off tests need one: `data` adds to or replaces the session's fields."""
    from django.utils import timezone

    from kickoff import services as kickoff_services
    from programme import services as programme_services

    consultant = consultant or member(organisation, Role.CONSULTANT)
    programme = programme_services.programme_save(
        by=consultant, organisation=organisation,
        data={"name": "Social selling", "start_date": timezone.localdate()},
        sponsors=[], consultants=[consultant],
    )  # fmt: skip
    session = kickoff_services.kickoff_save(
        by=consultant, programme=programme, attendees=[],
        data={"title": "Kick-off Lyon", "held_on": timezone.localdate(), **data},
    )  # fmt: skip
    kickoff_services.kickoff_open(by=consultant, session=session)
    session.refresh_from_db()
    return session
