"""Authenticity in the indicators (#23): engagement pods and copy-paste posts, from LinkedIn
exports built here for the purpose."""

from __future__ import annotations

import csv
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics import rollups
from metrics.authenticity import authenticity_compute, post_keys
from metrics.importers import import_linkedin_export
from metrics.models import InteractionCircle, PostSignature
from programme.models import Role, Team
from tests.factories import member

PICK = (
    "Our new grid-balancing service cut outage minutes by a third for three Nordic utilities. "
    "Here is how the pilot worked and what the engineers learned on the way."
)


FEED = "https://www.linkedin.com/feed/update/"


def when(days_ago: int) -> str:
    return (timezone.now() - timedelta(days=days_ago)).strftime("%Y-%m-%d %H:%M:%S")


def post_url(n: int) -> str:
    return f"https://www.linkedin.com/feed/update/urn:li:activity:71{n:017d}"


def export(
    tmp_path: Path, org, person, *, shares=(), reactions=(), comments=()
) -> None:  # fmt: skip
    """Write Shares.csv, Reactions.csv and Comments.csv as LinkedIn does, zip and import them."""
    folder = tmp_path / uuid.uuid4().hex
    folder.mkdir()
    files = {
        "Shares.csv": (["Date", "ShareLink", "ShareCommentary", "SharedUrl", "MediaUrl",
                        "Visibility"], [[d, link, text, "", "", "MEMBER_NETWORK"]
                                        for d, link, text in shares]),
        "Reactions.csv": (["Date", "Type", "Link"], [[d, "LIKE", link] for d, link in reactions]),
        "Comments.csv": (["Date", "Link", "Message"],
                         [[d, link, f"Nice one {i}"] for i, (d, link) in enumerate(comments)]),
    }  # fmt: skip
    target = folder / "export.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for name, (header, rows) in files.items():
            if not rows:
                continue
            path = folder / name
            with open(path, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                writer.writerows(rows)
            archive.write(path, name)
    summary = import_linkedin_export(
        organisation=org, participant=person.participant, path=target, filename=target.name
    )
    assert not summary.errors, summary.errors


def test_linkedin_post_links_reduce_to_one_key(db):
    assert post_keys(
        [
            "https://www.linkedin.com/feed/update/urn:li:activity:7170000000000000001",
            "https://www.linkedin.com/feed/update/urn:li:activity:7170000000000000001/",
            "urn:li:activity:7170000000000000001",
            "https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A7170000000000000001",
            "https://www.linkedin.com/posts/anna-andersen_grid-energy-activity-7170000000000000001-AbCd",
            "https://www.linkedin.com/feed/update/urn:li:activity:7170000000000000001?commentUrn="
            "urn%3Ali%3Acomment%3A%28activity%3A7170000000000000001%2C7170000000000000999%29",
            "https://www.linkedin.com/feed/update/urn:li:ugcPost:7170000000000000002",
            "https://www.linkedin.com/feed/update/urn:li:share:7170000000000000003",
            "https://www.linkedin.com/company/acme/",
            "",
        ]
    ) == [
        *["activity:7170000000000000001"] * 6,
        "ugcpost:7170000000000000002",
        "share:7170000000000000003",
        None,  # a company page names no post
        None,
    ]


@pytest.fixture
def sales(org):
    return Team.objects.create(organisation=org, name="Nordics")


def test_a_ring_of_three_is_shown_to_the_consultant_and_a_genuine_seller_is_not(
    org, sales, tmp_path, login
):
    ring = [member(org, Role.SELLER, team=sales) for _ in range(3)]
    genuine = member(org, Role.SELLER, team=sales)
    quiet = [member(org, Role.SELLER, team=sales) for _ in range(2)]
    elsewhere = member(org, Role.SELLER)  # a colleague outside the team, posts only
    for i, person in enumerate([*ring, genuine, elsewhere]):
        export(tmp_path, org, person, shares=[
            (when(20 + k), post_url(10 * i + k), f"Post {k} of seller {i} on grid sensors")
            for k in range(3)
        ])  # fmt: skip
    # Each of the ring gives 8 interactions to the other two and 1 to a customer's post.
    for i, person in enumerate(ring):
        others = [j for j in range(3) if j != i]
        export(
            tmp_path, org, person,
            reactions=[(when(10 - k), post_url(10 * others[k % 2] + k % 3)) for k in range(6)]
            + [(when(3), "https://www.linkedin.com/feed/update/urn:li:activity:7999999999999999999")],
            comments=[(when(5 + k), post_url(10 * others[k]) + "/") for k in range(2)],
        )  # fmt: skip
    # The genuine seller reacts mostly to customers' posts, twice to a ring member's.
    export(
        tmp_path, org, genuine,
        reactions=[(when(k + 1), f"{FEED}urn:li:activity:78{k:017d}") for k in range(10)]
        + [(when(12), post_url(0)), (when(13), post_url(1))],
    )  # fmt: skip
    export(
        tmp_path, org, quiet[0], reactions=[(when(2), f"{FEED}urn:li:activity:7800000000000000001")]
    )
    # A company page's post, as some exports link it: no post key, counted as outside.
    export(tmp_path, org, quiet[1], reactions=[(when(2), "https://www.linkedin.com/company/acme/")])

    authenticity_compute(organisation_id=org.pk)

    circles = {c.participant_id: c for c in InteractionCircle.objects.all()}
    first = min(p.participant.pk for p in ring)
    for person in ring:
        circle = circles[person.participant.pk]
        assert (circle.given, circle.inside, circle.ring) == (9, 8, first)
        assert circle.ring_share == pytest.approx(8 / 9)
    assert circles[genuine.participant.pk].ring is None
    assert (circles[genuine.participant.pk].given, circles[genuine.participant.pk].inside) == (
        12, 2,
    )  # fmt: skip
    authenticity_compute(organisation_id=org.pk)  # twice: the same answer
    assert InteractionCircle.objects.filter(ring=first).count() == 3

    consultant_page = (
        login(member(org, Role.CONSULTANT))
        .get(reverse("metrics-dashboard-consultant", args=[org.slug]))
        .content.decode()
    )
    section = consultant_page.split("Pairs and rings")[1].split("Copy-paste posts")[0]
    assert "Ring of 3" in section
    for person in ring:
        assert str(person.participant) in section
        detail = reverse("programme-participant-detail", args=[org.slug, person.participant.code])
        assert detail in section
    assert str(genuine.participant) not in section
    assert "89% of their 27 interactions go to each other" in section
    # The organisation: 8 x 3 + 2 of the 27 + 12 + 2 given stayed inside.
    assert "<strong>63%</strong> of the 41 interactions given stayed inside" in consultant_page
    assert "1 of them names no post Snowball can match" in consultant_page


def test_the_team_dashboard_shows_the_inside_share_without_names(
    org, sales, tmp_path, login
):  # fmt: skip
    org.managers_see_individuals = False
    org.save()
    people = [member(org, Role.SELLER, team=sales) for _ in range(5)]
    export(tmp_path, org, people[0], shares=[(when(9), post_url(1), "Our grid sensors in winter")])
    for person in people[1:]:
        export(tmp_path, org, person, reactions=[
            (when(3), post_url(1)), (when(4), f"{FEED}urn:li:activity:7800000000000000001"),
            (when(5), f"{FEED}urn:li:activity:7800000000000000002"),
            (when(6), f"{FEED}urn:li:activity:7800000000000000003"),
        ])  # fmt: skip
    rollups.rollup_full(organisation_id=org.pk)
    authenticity_compute(organisation_id=org.pk)
    manager = member(org, Role.MANAGER, team=sales)
    page = (
        login(manager).get(reverse("metrics-dashboard-manager", args=[org.slug])).content.decode()
    )
    assert "<strong>25%</strong> of the 16 reactions and comments this team gave" in page
    assert "Pairs and rings" not in page


def test_a_pick_shared_verbatim_by_ten_sellers_is_flagged_to_the_consultant_only(
    org, sales, tmp_path, login
):
    copiers = [member(org, Role.SELLER, team=sales) for _ in range(10)]
    own = member(org, Role.SELLER, team=sales)
    for i, person in enumerate(copiers):
        export(tmp_path, org, person, shares=[(when(4), post_url(i), PICK)])
    export(tmp_path, org, own, shares=[
        (when(4), post_url(50), PICK.replace("Here is how the pilot worked", "I sat in on the "
         "pilot in Tromsø: the night shift found the fault before the sensors did, ask me how")
         .replace("three Nordic utilities", "our customer Nordkraft")),
    ])  # fmt: skip
    stored = PostSignature.objects.get(participant=own.participant)
    assert stored.first_words == "Our new grid-balancing service cut outage minutes by"
    assert not any(PICK[60:] in str(value) for value in stored.__dict__.values())

    rollups.rollup_full(organisation_id=org.pk)
    authenticity_compute(organisation_id=org.pk)

    assert PostSignature.objects.get(participant=own.participant).copy_of_id is None
    consultant_page = (
        login(member(org, Role.CONSULTANT))
        .get(reverse("metrics-dashboard-consultant", args=[org.slug]))
        .content.decode()
    )
    section = consultant_page.split("Copy-paste posts")[1]
    assert "<strong>10 sellers</strong>, week of" in section
    assert "“Our new grid-balancing service cut outage minutes by …”" in section
    for who, name in [
        (copiers[0], "metrics-dashboard-seller"),
        (member(org, Role.MANAGER, team=sales), "metrics-dashboard-manager"),
    ]:
        page = login(who).get(reverse(name, args=[org.slug])).content.decode()
        assert "Copy-paste" not in page and "grid-balancing" not in page


def test_another_organisation_is_never_compared(org, other_org, tmp_path):
    mine = [member(org, Role.SELLER) for _ in range(2)]
    theirs = member(other_org, Role.SELLER)
    for i, person in enumerate([*mine, theirs]):
        export(tmp_path, org if person in mine else other_org, person,
               shares=[(when(4), post_url(i), PICK)])  # fmt: skip
    authenticity_compute(organisation_id=org.pk)
    authenticity_compute(organisation_id=other_org.pk)
    assert PostSignature.objects.get(participant=theirs.participant).copy_of_id is None
    # Two sellers share it: a cluster, but under the three sellers the dashboard asks for.
    assert PostSignature.objects.filter(copy_of__isnull=False).count() == 2


def test_the_consultant_dashboard_runs_the_same_queries_whatever_the_size(
    org, sales, tmp_path, login, count_queries
):
    consultant = login(member(org, Role.CONSULTANT))
    manager = login(member(org, Role.MANAGER, team=sales))
    targets = [
        (consultant, reverse("metrics-dashboard-consultant", args=[org.slug])),
        (manager, reverse("metrics-dashboard-manager", args=[org.slug])),
    ]

    def populate(start: int, size: int) -> None:
        people = [member(org, Role.SELLER, team=sales) for _ in range(size)]
        for i, person in enumerate(people):
            n = start + i
            partner = start + (i ^ 1 if (i ^ 1) < size else i)
            export(tmp_path, org, person,
                   shares=[(when(4), post_url(n), PICK)],
                   reactions=[(when(3 + k), post_url(partner)) for k in range(5)])  # fmt: skip
        rollups.rollup_full(organisation_id=org.pk)
        authenticity_compute(organisation_id=org.pk)

    populate(0, 6)
    for client, target in targets:
        assert client.get(target).status_code == 200  # sessions and caches warm
    small = [count_queries(lambda c=c, t=t: c.get(t)) for c, t in targets]
    populate(100, 14)
    large = [count_queries(lambda c=c, t=t: c.get(t)) for c, t in targets]
    assert InteractionCircle.objects.filter(ring__isnull=False).count() == 20
    assert large == small


def test_my_data_exports_and_erases_the_signatures_and_circles(org, tmp_path):
    from metrics import privacy
    from programme.privacy import Identity

    people = [member(org, Role.SELLER) for _ in range(2)]
    export(tmp_path, org, people[0], shares=[(when(4), post_url(1), PICK)])
    export(tmp_path, org, people[1], reactions=[(when(3), post_url(1))])
    authenticity_compute(organisation_id=org.pk)
    mine = privacy.export(people[0])
    assert mine.tables["post_signatures"][0]["first_words"] == (
        "Our new grid-balancing service cut outage minutes by"
    )
    assert mine.tables["interactions_with_colleagues"][0]["inside_received"] == 1

    counts = privacy.erase(
        people[0], keep_contributions=False, identity=Identity("", "", ""), files=[]
    )

    assert counts["post signatures"] == 1 and counts["interactions with colleagues"] == 1
    assert not PostSignature.objects.filter(participant=people[0].participant).exists()
    assert not InteractionCircle.objects.filter(participant=people[0].participant).exists()
