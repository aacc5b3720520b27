"""Roster re-import with "deactivate people not in this file" (#18): nothing changes until the
uploader confirms the count and list (name, e-mail, team) of the active people missing from the
file; confirmed, the import deactivates them (never admins, consultants or the uploader) and
reactivates people in the file who had left; the summary says how many; applying twice
changes nothing more."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programme import services
from programme.models import AuditEntry, Membership, Role, RosterImport
from tests.factories import TeamFactory, member

HEADER = "email;first name;last name;team;role;job role\n"


def roster(*people: Membership, extra: str = "") -> SimpleUploadedFile:
    lines = [HEADER]
    for person in people:
        lines.append(f"{person.user.email};{person.user.first_name};{person.user.last_name};"
                     f"North;{person.role};seller\n")  # fmt: skip
    lines.append(extra)
    return SimpleUploadedFile("roster.csv", "".join(lines).encode(), content_type="text/csv")


def upload(client, org, file, deactivate=True):
    data = {"file": file}
    if deactivate:
        data["deactivate_missing"] = "on"
    return client.post(reverse("programme-roster-upload", args=[org.slug]), data)


def test_confirmation_lists_the_missing_then_the_import_deactivates_and_reactivates(
    org, consultant, login, django_capture_on_commit_callbacks
):
    north = TeamFactory(organisation=org, name="North")
    stays = member(org, Role.SELLER, team=north)
    missing = member(org, Role.SELLER, team=north)
    missing_boss = member(org, Role.MANAGER, team=north)
    admin = member(org, Role.ADMIN)
    colleague = member(org, Role.CONSULTANT)
    back = member(org, Role.SELLER, team=north)
    services.membership_deactivate(membership=back, by=None, source="scim")
    client = login(consultant)

    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(client, org, roster(stays, back))
    assert callbacks == []  # nothing queued before the confirmation
    roster_import = RosterImport.objects.get()
    assert roster_import.status == RosterImport.Status.AWAITING
    page = client.get(response["Location"]).content.decode()
    page = page[page.index("Confirm the people to deactivate") : page.index("</table>")]
    assert "<strong>2</strong> active people are not in it" in page
    for person in (missing, missing_boss):
        assert person.user.email in page and person.user.get_full_name() in page
    assert "North" in page
    for person in (stays, admin, colleague, consultant, back):
        assert person.user.email not in page
    assert not Membership.objects.filter(pk=missing.pk, deactivated_at__isnull=False).exists()

    shown = services.roster_leavers_fingerprint([missing.pk, missing_boss.pk])
    confirm = reverse("programme-roster-confirm", args=[org.slug, roster_import.code])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(confirm, {"shown": shown, "action": "confirm"})
    assert response.status_code == 302 and len(callbacks) == 1
    services.roster_import_apply(roster_import_id=roster_import.pk)
    services.roster_import_apply(roster_import_id=roster_import.pk)  # a redelivery: no change

    roster_import.refresh_from_db()
    assert (roster_import.deactivated_count, roster_import.reactivated_count) == (2, 1)
    assert roster_import.rows == []
    left = set(
        Membership.objects.filter(deactivated_at__isnull=False).values_list("pk", "deactivated_by")
    )
    assert left == {(missing.pk, "roster"), (missing_boss.pk, "roster")}
    page = client.get(reverse("programme-roster-detail", args=[org.slug, roster_import.code]))
    text = page.content.decode()
    assert "<strong>2</strong> people not in the file were deactivated." in text
    assert "<strong>1</strong> person in the file was reactivated." in text

    entries = AuditEntry.objects.filter(organisation=org)
    assert sorted(entries.values_list("action", flat=True)) == [
        "deactivated",
        "deactivated",
        "deactivated",
        "reactivated",
        "roster_imported",
    ]  # fmt: skip  (one deactivation is the SCIM one before the import)
    imported = entries.get(action="roster_imported")
    assert imported.actor == consultant and imported.details["deactivated"] == 2
    by_roster = entries.filter(action="deactivated", details__source="roster")
    assert {e.target_id for e in by_roster} == {missing.pk, missing_boss.pk}
    assert all(e.actor == consultant for e in by_roster)


def test_a_list_that_changed_since_it_was_shown_is_refused(org, consultant, login):
    missing = member(org, Role.SELLER)
    client = login(consultant)
    upload(client, org, roster(consultant))
    roster_import = RosterImport.objects.get()
    shown = services.roster_leavers_fingerprint([missing.pk])
    newcomer = member(org, Role.SELLER)  # joined in the meantime: not in the file either
    response = client.post(
        reverse("programme-roster-confirm", args=[org.slug, roster_import.code]),
        {"shown": shown, "action": "confirm"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "changed since you saw it" in page and newcomer.user.email in page
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.AWAITING


def test_cancel_changes_nothing_and_drops_the_rows(org, consultant, login):
    missing = member(org, Role.SELLER)
    client = login(consultant)
    upload(client, org, roster(consultant))
    roster_import = RosterImport.objects.get()
    client.post(
        reverse("programme-roster-confirm", args=[org.slug, roster_import.code]),
        {"action": "cancel"},
    )
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.CANCELLED and roster_import.rows == []
    missing.refresh_from_db()
    assert missing.deactivated_at is None
    # Confirming it afterwards is refused with words, not a server error.
    response = client.post(
        reverse("programme-roster-confirm", args=[org.slug, roster_import.code]),
        {"action": "confirm", "shown": "x"},
    )
    assert response.status_code == 400
    assert "no longer waiting" in response.content.decode()


def test_without_the_box_nobody_is_deactivated_but_leavers_in_the_file_come_back(
    org, consultant, login
):
    other = member(org, Role.SELLER)
    back = member(org, Role.SELLER)
    services.membership_deactivate(membership=back, by=None, source="scim")
    upload(login(consultant), org, roster(back), deactivate=False)
    roster_import = RosterImport.objects.get()
    assert roster_import.status == RosterImport.Status.QUEUED
    services.roster_import_apply(roster_import_id=roster_import.pk)
    other.refresh_from_db()
    back.refresh_from_db()
    assert other.deactivated_at is None and back.deactivated_at is None


def test_a_role_change_by_the_roster_is_in_the_audit_log(org, consultant):
    from programme.roster import roster_parse

    person = member(org, Role.SELLER)
    person.role = Role.MANAGER
    rows = roster_parse(roster(person).read()).rows
    roster_import = services.roster_import_create(by=consultant, filename="r.csv", rows=rows)
    services.roster_import_apply(roster_import_id=roster_import.pk)
    entry = AuditEntry.objects.get(action="role_changed")
    assert entry.target_id == person.pk and entry.actor == consultant
    assert entry.details == {"from": "seller", "to": "manager", "source": "roster"}


def test_only_the_programme_team_confirms_and_another_organisation_is_a_404(
    org, consultant, login, outsider
):
    upload(login(consultant), org, roster(consultant))
    roster_import = RosterImport.objects.get()
    url = reverse("programme-roster-confirm", args=[org.slug, roster_import.code])
    assert login(member(org, Role.SELLER)).post(url, {"action": "cancel"}).status_code == 403
    assert login(member(org, Role.MANAGER)).post(url, {"action": "cancel"}).status_code == 403
    foreign = reverse(
        "programme-roster-confirm", args=[outsider.organisation.slug, roster_import.code]
    )
    assert login(outsider).post(foreign, {"action": "cancel"}).status_code == 404
    assert login(consultant).get(url).status_code == 405
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.AWAITING
