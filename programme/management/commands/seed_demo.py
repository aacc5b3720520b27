"""Build the demo organisation. Idempotent: running it twice changes nothing."""

from __future__ import annotations

import random

from django.core.management.base import BaseCommand
from django.db import transaction

from programme import services
from programme.models import JobRole, Mindset, Organisation, Role, SellingStrategy

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
                linkedin_url=f"https://www.linkedin.com/in/{slug.replace('.', '-')}-demo"
                if rng.random() < 0.8
                else "",
                is_ambassador=index % 12 == 0,
            )

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
