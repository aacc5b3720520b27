"""Build the demo organisation. Idempotent: running it twice changes nothing."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from programme import services
from programme.anonymous import anonymous_flush
from programme.demo import run_demo_seeders
from programme.models import (
    AnnouncementRecipient,
    Audience,
    JobRole,
    Membership,
    Mindset,
    Organisation,
    Participant,
    Phase,
    Problem,
    ProblemStatus,
    Programme,
    Question,
    Role,
    SellingStrategy,
    SessionKind,
    Track,
    User,
)
from programme.tenancy import organisation_zone

DEMO_PASSWORD = "snowball-demo"  # noqa: S105 - printed on purpose: demo data only
DOMAIN = "acme.example"

FIRST = [
    "Anna",
    "Ben",
    "Chloé",
    "David",
    "Emma",
    "Farid",
    "Greta",
    "Hugo",
    "Inès",
    "Jonas",
    "Karin",
    "Lucas",
    "Maja",
    "Nils",
    "Olivia",
    "Pablo",
    "Quentin",
    "Rosa",
    "Sven",
    "Tara",
    "Ugo",
    "Vera",
    "Wim",
    "Xenia",
    "Yusuf",
    "Zoé",
    "Alba",
    "Bruno",
    "Carla",
    "Dario",
    "Elena",
    "Filip",
    "Gaia",
    "Henrik",
    "Ida",
    "Jules",
    "Katja",
    "Leo",
    "Mona",
    "Noah",
    "Oskar",
    "Paula",
    "Rami",
    "Sara",
    "Timo",
    "Ulla",
    "Viktor",
    "Wanda",
    "Yann",
    "Zara",
    "Amir",
    "Bea",
    "Cyril",
    "Dana",
    "Emil",
    "Flora",
    "Goran",
    "Hanna",
    "Ivo",
    "Jana",
]
LAST = [
    "Andersen",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ivanova",
    "Jansen",
    "Keller",
    "Larsen",
    "Moreau",
    "Nielsen",
    "Olsen",
    "Petit",
    "Quist",
    "Richter",
    "Schmidt",
    "Thomsen",
    "Ulrich",
    "Vogel",
    "Weber",
    "Xu",
    "Young",
    "Zimmer",
]

STAFF = [
    ("claire.martin", "Claire", "Martin", Role.SPONSOR, JobRole.EXECUTIVE, None),
    ("mia.novak", "Mia", "Novak", Role.CONSULTANT, JobRole.EXECUTIVE, None),
    ("tom.berg", "Tom", "Berg", Role.CONSULTANT, JobRole.EXECUTIVE, None),
    ("lena.koch", "Lena", "Koch", Role.MANAGER, JobRole.EXECUTIVE, "Nordics"),
    ("marc.roux", "Marc", "Roux", Role.MANAGER, JobRole.EXECUTIVE, "France"),
    ("jan.weber", "Jan", "Weber", Role.MANAGER, JobRole.EXECUTIVE, "DACH"),
    ("nora.lind", "Nora", "Lind", Role.MARKETING, JobRole.EXECUTIVE, None),
    ("admin", "Alex", "Admin", Role.ADMIN, JobRole.EXECUTIVE, None),
]
TEAMS = ["Nordics", "France", "DACH"]
# The sign-ins the README offers first for each role read Snowball in English; the France and
# DACH teams (managers marc.roux and jan.weber, sellers ben.hansen, chloe.olsen, ...) in theirs.
DEMO_SIGN_INS = [
    *(f"{local}@{DOMAIN}" for local, *_rest, team in STAFF if team in (None, "Nordics")),
    f"anna.andersen@{DOMAIN}",
]
SEGMENTS = ["Manufacturing", "Energy", "Logistics", "Public sector", "Retail"]
SELLER_COUNT = 60


class Command(BaseCommand):
    help = "Create (or leave as is) the demo organisation with its people and demo logins."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        rng = random.Random(2026)  # noqa: S311 - demo data, fixed seed so runs are identical
        acme, _ = Organisation.objects.get_or_create(
            slug="acme",
            defaults={
                "name": "Acme Industrial Systems",
                "industry_segment": "Industrial automation",
            },
        )
        emea = services.team_ensure(organisation=acme, name="EMEA")
        teams = {
            name: services.team_ensure(organisation=acme, name=name, parent=emea) for name in TEAMS
        }

        for local, first, last, role, job_role, team in STAFF:
            services.membership_create(
                organisation=acme,
                email=f"{local}@{DOMAIN}",
                first_name=first,
                last_name=last,
                role=role,
                password=DEMO_PASSWORD,
                verified=True,
                team=teams.get(team) if team else None,
                job_role=job_role,
            )

        for index in range(SELLER_COUNT):
            first = FIRST[index % len(FIRST)]
            last = LAST[(index * 7) % len(LAST)]
            job_role = rng.choices(
                [JobRole.SELLER, JobRole.PRE_SALES, JobRole.PARTNER], weights=[70, 20, 10]
            )[0]
            slug = f"{first}.{last}".lower().replace("é", "e").replace("è", "e")
            services.membership_create(
                organisation=acme,
                email=f"{slug}@{DOMAIN}",
                first_name=first,
                last_name=last,
                role=Role.SELLER,
                password=DEMO_PASSWORD,
                verified=True,
                team=teams[TEAMS[index % len(TEAMS)]],
                job_role=job_role,
                segment=rng.choice(SEGMENTS),
                mindset=rng.choice([Mindset.HUNTER, Mindset.FARMER]),
                digital_affinity=rng.randint(1, 5),
                selling_strategy=rng.choices(
                    [SellingStrategy.CONTENT_LED, SellingStrategy.DIRECT_ACQUISITION],
                    weights=[65, 35],
                )[0],
                # The first seller's URL is the one in docs/demo/linkedin-export (her export).
                linkedin_url=f"https://www.linkedin.com/in/{slug.replace('.', '-')}-demo"
                if rng.random() < 0.8 or index == 0
                else "",
                is_ambassador=index % 11 == 0,
            )
        # Everyone was invited by the January roster import (programme/demo.py's history, six
        # weeks ago) and joined in the days after it: the funnel's "Invited" is not 0 and nobody
        # "joined today" while having trained last month. Only the first run sets it.
        now = timezone.now()
        for membership in Membership.objects.filter(
            organisation=acme, invitation_sent_at__isnull=True
        ).order_by("pk"):
            membership.invitation_sent_at = now - timedelta(days=41, hours=2)
            membership.joined_at = now - timedelta(days=40 - membership.pk % 4, hours=3)
            membership.save(update_fields=["invitation_sent_at", "joined_at"])
        # Each team in its own language and zone: the French team reads Snowball in French, the
        # DACH team in German, the Nordics team in English on Stockholm time (the organisation
        # runs on Paris time).
        for team, language, zone in [
            ("France", "fr", ""),
            ("DACH", "de", "Europe/Berlin"),
            ("Nordics", "en-gb", "Europe/Stockholm"),
        ]:
            User.objects.filter(
                memberships__organisation=acme, memberships__participant__team=teams[team]
            ).exclude(email__in=DEMO_SIGN_INS).update(language=language, time_zone=zone)
        User.objects.filter(email__in=DEMO_SIGN_INS).update(language="en-gb")

        # A second client of the same consultant, to show the organisation switcher.
        globex, _ = Organisation.objects.get_or_create(
            slug="globex", defaults={"name": "Globex Logistics", "industry_segment": "Logistics"}
        )
        services.membership_create(
            organisation=globex,
            email=f"mia.novak@{DOMAIN}",
            role=Role.CONSULTANT,
            verified=True,
            job_role=JobRole.EXECUTIVE,
        )
        services.membership_create(
            organisation=globex,
            email="ravi.shah@globex.example",
            first_name="Ravi",
            last_name="Shah",
            role=Role.SPONSOR,
            password=DEMO_PASSWORD,
            verified=True,
            job_role=JobRole.EXECUTIVE,
        )

        _seed_programme(acme, rng)
        run_demo_seeders(acme)  # kick-off, showcase, metrics... each app adds its own

        self.stdout.write(
            self.style.SUCCESS(
                "Demo organisations ready: Acme Industrial Systems, Globex Logistics."
            )
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for local, _first, _last, role, _job, _team in STAFF:
            self.stdout.write(f"  {role.label:<11} {local}@{DOMAIN}")
        self.stdout.write(
            f"  {'Seller':<11} anna.andersen@{DOMAIN}  (and {SELLER_COUNT - 1} more sellers)"
        )


def _seed_programme(acme: Organisation, rng: random.Random) -> None:
    """A programme in its training phase: two waves, news, risks, problems, sessions, meetings."""
    if Programme.objects.filter(organisation=acme, name=PROGRAMME_NAME).exists():
        return  # already seeded: running twice changes nothing
    zone = organisation_zone(acme)
    today = timezone.localdate(timezone=zone)

    def at(days: int, hour: int) -> datetime:
        """A working hour in the organisation's zone, `days` from today."""
        return datetime.combine(today + timedelta(days=days), time(hour), tzinfo=zone)

    members = {
        m.user.email.split("@")[0]: m
        for m in Membership.objects.filter(organisation=acme).select_related("user")
    }
    sponsor, mia, tom = members["claire.martin"], members["mia.novak"], members["tom.berg"]
    programme = services.programme_save(
        by=mia,
        organisation=acme,
        data={
            "name": PROGRAMME_NAME,
            "description": "From cold calls to conversations: Acme's sellers learn to win "
            "business through LinkedIn, supporters first.",
            "start_date": today - timedelta(days=42),
            "current_phase": Phase.TRAINING,
            "problem_flag_days": 14,
            "meeting_cadence_days": 14,
        },
        sponsors=[sponsor],
        consultants=[mia, tom],
    )
    sellers = list(
        Participant.objects.filter(organisation=acme, membership__role=Role.SELLER)
        .select_related("membership__user")
        .order_by("pk")
    )
    wave1 = services.wave_create(
        by=mia, programme=programme, name="Supporters", start_date=today - timedelta(days=28)
    )
    wave2 = services.wave_create(
        by=mia, programme=programme, name="Second wave", start_date=today + timedelta(days=28)
    )
    services.wave_add_members(by=mia, wave=wave1, participants=sellers[:18])
    services.wave_add_members(by=mia, wave=wave2, participants=sellers[18:40])

    for title, may_happen, we_do in RISKS:
        services.risk_save(
            by=sponsor,
            programme=programme,
            data={"title": title, "what_may_happen": may_happen, "what_we_do": we_do},
        )

    kickoff = services.announcement_save(
        programme=programme,
        author=mia,
        title="Why we are doing this, and why you go first",
        body=KICKOFF_NOTE,
        audience=Audience.WAVES,
        waves=[wave1],
    )
    services.announcement_publish(announcement=kickoff, publisher=sponsor)
    everyone = services.announcement_save(
        programme=programme,
        author=sponsor,
        title="What changes for all of us this year",
        body=EVERYONE_NOTE,
        audience=Audience.ORGANISATION,
    )
    services.announcement_publish(announcement=everyone, publisher=sponsor)
    AnnouncementRecipient.objects.filter(announcement__in=[kickoff, everyone]).update(
        emailed_at=timezone.now()  # the demo does not e-mail anyone
    )
    for index, recipient in enumerate(
        AnnouncementRecipient.objects.filter(announcement=kickoff).order_by("pk")
    ):
        if index % 4 != 3:
            services.announcement_acknowledge(by=recipient.membership, recipient=recipient)
    for index, recipient in enumerate(
        AnnouncementRecipient.objects.filter(announcement=everyone).order_by("pk")
    ):
        if index % 3 == 0:
            services.announcement_mark_opened(by=recipient.membership, recipient=recipient)
        if index % 6 == 0:
            services.announcement_acknowledge(by=recipient.membership, recipient=recipient)
    services.announcement_save(
        programme=programme,
        author=mia,
        title="Second wave: what the supporters learned",
        body="Draft for Claire: three stories from wave 1, in their own words.",
        audience=Audience.WAVES,
        waves=[wave2],
    )
    question = services.question_ask(
        announcement=kickoff,
        author=sellers[2].membership,
        body="Will the number of posts be part of my yearly review?",
        anonymous=True,
    )
    anonymous_flush()  # anonymous questions and problems are queued; the demo writes them now
    question = Question.objects.get(code=question.code)
    services.question_answer(
        question=question,
        by=sponsor,
        answer="No. We look at whether it helps you, never at counts for reviews.",
    )

    for title, description, days_ago, anonymous in PROBLEMS:
        problem = services.problem_raise(
            programme=programme,
            by=sellers[rng.randrange(18)].membership,
            title=title,
            description=description,
            anonymous=anonymous,
        )
        anonymous_flush()
        Problem.objects.filter(code=problem.code).update(raised_on=today - timedelta(days=days_ago))
    first = Problem.objects.filter(programme=programme).order_by("raised_on").first()
    services.problem_triage(
        problem=first, by=mia, owner=mia, status=ProblemStatus.IN_PROGRESS,
        resolution="Talking to IT about a LinkedIn-friendly CRM field.",
    )  # fmt: skip

    training = services.session_save(
        by=mia,
        programme=programme,
        data={
            "kind": SessionKind.TRAINING,
            "title": "Your profile and your first posts (hands-on)",
            "starts_at": at(-21, 9),
            "duration_minutes": 240,
            "practice_minutes": 150,
            "track": Track.SELLER,
            "segment": "Manufacturing",
            "wave": wave1,
            "agenda_issues": "Fear of looking like a salesman online",
            "agenda_successes": "Two sellers already had replies from prospects",
            "agenda_inspirations": "Comment first, post later",
        },
    )
    services.attendance_record(
        by=mia, session=training, present=[p.pk for p in sellers[:18] if p.pk % 5 != 0]
    )
    services.session_save(
        by=mia,
        programme=programme,
        data={
            "kind": SessionKind.TRAINING,
            "title": "Sales directors: leading by example",
            "starts_at": at(3, 14),
            "duration_minutes": 240,
            "practice_minutes": 120,
            "track": Track.SALES_DIRECTOR,
        },
    )
    services.cycle_create(
        by=mia,
        programme=programme,
        data={
            "wave": wave1,
            "every_weeks": 2,
            "first_at": at(-7, 10),
            "occurrences": 6,
            "duration_minutes": 90,
            "track": Track.SELLER,
        },
    )

    # Two meetings, so the meetings page shows its newest first.
    services.meeting_create(
        by=sponsor,
        programme=programme,
        held_on=today - timedelta(days=30),
        attendees=[sponsor, members["lena.koch"], members["marc.roux"]],
        notes="Kick-off feedback reviewed; sellers ask for time to practise.",
        decisions="Start with the supporters as wave 1",
    )
    meeting = services.meeting_create(
        by=sponsor,
        programme=programme,
        held_on=today - timedelta(days=16),
        attendees=[sponsor, members["lena.koch"], members["marc.roux"], members["jan.weber"]],
        notes="Adoption in wave 1 is good; DACH needs more examples in German.",
        decisions="Protect two hours a week for LinkedIn in wave 1\nAmbassadors run the demos",
    )
    services.follow_up_add(
        by=sponsor,
        meeting=meeting,
        text="Collect three German success stories",
        owner=members["jan.weber"],
        due_on=today - timedelta(days=2),
    )
    services.follow_up_add(
        by=sponsor,
        meeting=meeting,
        text="Confirm the dates of the second wave",
        owner=sponsor,
        due_on=today + timedelta(days=5),
    )


PROGRAMME_NAME = "Social selling 2027"
RISKS = [
    (
        "It takes time before it pays",
        "The first months bring conversations, not deals; some will feel it is not working.",
        "We measure regularity and replies, not revenue, in the first phase.",
    ),
    (
        "Posting in public can feel exposed",
        "A critical comment, or no reaction at all, can be discouraging.",
        "Consultants review first posts with you; ambassadors comment early.",
    ),
    (
        "Time taken from calls",
        "Quota pressure may push LinkedIn work to evenings.",
        "Managers protect two hours a week in wave 1.",
    ),
]
PROBLEMS = [
    ("CRM has no field for LinkedIn leads", "I cannot record where a lead came from.", 20, False),
    ("Training room too small", "Twenty people, twelve chairs.", 9, True),
    ("My manager asks for connection counts", "Is this really what we measure?", 3, True),
]
KICKOFF_NOTE = """Dear colleagues,

Our customers decide long before they call us. We want to be in the conversation earlier:
**on LinkedIn, where they already are.**

You are in the first wave because you volunteered. You will shape how the rest of Acme works.
What I ask of you:

- come to the hands-on training with your laptop;
- try, and tell us honestly what does not work;
- share one real story in the showcase.

Thank you for going first.

Claire"""
EVERYONE_NOTE = """Dear all,

This year we learn to sell through conversations on LinkedIn. It starts with a group of
volunteers; everyone else follows in waves, with training and coaching.

Nobody will be rated on post counts. Ask me anything below, anonymously if you prefer.

Claire"""
