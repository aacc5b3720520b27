"""Roster upload: validated whole before anything is written; re-import changes nothing."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programme import services
from programme.models import Membership, Participant, Role, RosterImport, Team, User

HEADER = "email;first name;last name;team;role;job role;parent team\n"


def roster_file(
    count: int, *, bad_line: int | None = None, name: str = "roster.csv"
) -> SimpleUploadedFile:
    lines = [HEADER]
    for index in range(count):
        email = f"seller{index}@example.com"
        if bad_line is not None and index + 2 == bad_line:
            email = "seller-without-at-sign.example.com"
        team = ["Lyon", "Paris", "Berlin"][index % 3]
        parent = "Germany" if team == "Berlin" else "France"
        lines.append(f"{email};First{index};Last{index};{team};seller;seller;{parent}\n")
    return SimpleUploadedFile(name, "".join(lines).encode("utf-8"), content_type="text/csv")


def upload(client, org, file):
    return client.post(reverse("programme-roster-upload", args=[org.slug]), {"file": file})


def test_one_bad_line_among_500_creates_nothing_and_names_it(org, consultant, login) -> None:
    users_before = User.objects.count()
    response = upload(login(consultant), org, roster_file(500, bad_line=377))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 377" in page
    assert "“seller-without-at-sign.example.com” is not a valid e-mail address." in page
    assert "Nothing has been changed" in page
    assert User.objects.count() == users_before
    assert not RosterImport.objects.exists()
    assert not Team.objects.filter(organisation=org).exists()


def test_good_file_is_stored_and_queued(
    org, consultant, login, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(login(consultant), org, roster_file(3))
    roster_import = RosterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "programme-roster-detail", args=[org.slug, roster_import.code]
    )
    assert roster_import.organisation == org and roster_import.total_rows == 3
    assert roster_import.status == RosterImport.Status.QUEUED
    assert len(callbacks) == 1  # the import task, enqueued only once the upload committed


def test_apply_creates_people_teams_and_reimport_changes_nothing(org, consultant) -> None:
    from programme.roster import roster_parse

    rows = roster_parse(roster_file(30).read()).rows
    first = services.roster_import_create(by=consultant, filename="r.csv", rows=rows)
    services.roster_import_apply(roster_import_id=first.pk)
    first.refresh_from_db()
    assert (first.status, first.created_count, first.updated_count) == ("done", 30, 0)
    assert Membership.objects.filter(organisation=org, role=Role.SELLER).count() == 30
    assert Participant.objects.filter(organisation=org, team__name="Berlin").count() == 10
    berlin = Team.objects.get(organisation=org, name="Berlin")
    assert berlin.parent.name == "Germany"
    snapshot = sorted(
        Participant.objects.filter(organisation=org).values_list(
            "membership__user__email", "membership__role", "team__name", "job_role", "updated_at"
        )
    )

    second = services.roster_import_create(by=consultant, filename="r.csv", rows=rows)
    services.roster_import_apply(roster_import_id=second.pk)
    second.refresh_from_db()
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 30)
    assert snapshot == sorted(
        Participant.objects.filter(organisation=org).values_list(
            "membership__user__email", "membership__role", "team__name", "job_role", "updated_at"
        )
    )
    assert Team.objects.filter(organisation=org).count() == 5

    # Applying the same stored import again (a redelivered task) does nothing at all.
    assert services.roster_import_apply(roster_import_id=second.pk) is None


def test_corrected_file_updates_role_team_and_name(org, consultant) -> None:
    from programme.roster import roster_parse

    def apply(text: str) -> RosterImport:
        rows = roster_parse((HEADER + text).encode()).rows
        item = services.roster_import_create(by=consultant, filename="r.csv", rows=rows)
        services.roster_import_apply(roster_import_id=item.pk)
        item.refresh_from_db()
        return item

    apply("jo@example.com;Jo;Smith;Lyon;seller;seller;\n")
    result = apply("jo@example.com;Joanna;Smith;Paris;manager;pre-sales;\n")
    assert (result.created_count, result.updated_count) == (0, 1)
    participant = Participant.objects.select_related("membership__user", "team").get(
        membership__user__email="jo@example.com"
    )
    assert participant.membership.user.first_name == "Joanna"
    assert participant.membership.role == Role.MANAGER
    assert participant.team.name == "Paris" and participant.job_role == "pre_sales"


def test_person_in_another_organisation_keeps_their_name(org, other_org, consultant) -> None:
    from programme.roster import roster_parse
    from tests.factories import member

    existing = member(other_org, Role.CONSULTANT)
    rows = roster_parse(
        (HEADER + f"{existing.user.email};Renamed;ByAcme;;consultant;;\n").encode()
    ).rows
    item = services.roster_import_create(by=consultant, filename="r.csv", rows=rows)
    services.roster_import_apply(roster_import_id=item.pk)
    existing.user.refresh_from_db()
    assert existing.user.first_name != "Renamed"
    assert Membership.objects.filter(user=existing.user).count() == 2


@pytest.mark.parametrize("role", [Role.SELLER, Role.MANAGER, Role.SPONSOR, Role.MARKETING])
def test_only_consultants_and_admins_may_import(org, make_member, login, role) -> None:
    client = login(make_member(org, role))
    assert client.get(reverse("programme-roster-upload", args=[org.slug])).status_code == 403
    assert upload(client, org, roster_file(2)).status_code == 403
    assert not RosterImport.objects.exists()


def test_oversized_file_is_refused(org, consultant, login, settings) -> None:
    settings.ROSTER_MAX_BYTES = 100
    response = upload(login(consultant), org, roster_file(10))
    assert response.status_code == 400
    assert "the limit is 100" in response.content.decode()
    assert not RosterImport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_upload_imports_and_invites_through_a_real_worker(
    celery_worker, org, consultant, login
) -> None:
    client = login(consultant)
    response = upload(client, org, roster_file(12))
    assert response.status_code == 302
    roster_import = RosterImport.objects.get()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        roster_import.refresh_from_db()
        invited = Membership.objects.filter(
            organisation=org, invitation_sent_at__isnull=False
        ).count()
        if roster_import.status == "done" and invited == 12 and len(mail.outbox) == 12:
            break
        time.sleep(0.1)
    assert roster_import.status == "done"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"seller{i}@example.com" for i in range(12)
    )
    assert "/invitations/" in mail.outbox[0].body

    # The status page the consultant polls now shows the counts.
    page = client.get(response["Location"]).content.decode()
    assert "12</strong> new" in page

    # Running the send again, or re-importing, e-mails nobody twice.
    services.invitations_send(organisation_id=org.pk)
    assert len(mail.outbox) == 12


def test_a_redelivered_import_queues_invitations_its_dead_worker_never_queued(
    celery_worker, org, consultant
) -> None:
    """The worker died after the import's commit, before queueing the invitations: the task is
    handed out again, finds the import done, and queues them (nobody invited twice)."""
    from programme.roster import roster_parse

    rows = roster_parse(roster_file(3).read()).rows
    roster_import = RosterImport.objects.create(
        organisation=org, uploaded_by=consultant.user, filename="r.csv", status="done",
        rows=[r.as_dict() for r in rows], total_rows=3,
    )  # fmt: skip
    for index in range(3):
        services.membership_create(
            organisation=org, email=f"seller{index}@example.com", role=Role.SELLER
        )
    services.roster_import_apply(roster_import_id=roster_import.pk)
    deadline = time.monotonic() + 30
    while len(mail.outbox) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sorted(m.to[0] for m in mail.outbox) == [f"seller{i}@example.com" for i in range(3)]
    services.roster_import_apply(roster_import_id=roster_import.pk)  # and once more
    time.sleep(1)
    assert len(mail.outbox) == 3
