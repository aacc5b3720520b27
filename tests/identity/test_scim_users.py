"""SCIM Users as Microsoft Entra ID and Okta provision them: create (or claim a roster member by
e-mail), find by filter, page, replace, patch in each vendor's shape, deactivate and reactivate,
delete (= deactivate). Each change shows on the person's access and in the audit log."""

from __future__ import annotations

from django.urls import reverse

from identity.models import ScimUser
from programme.models import AuditEntry, Membership, Participant, Role, User
from tests.factories import member
from tests.identity.conftest import entra_user, okta_user

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def patch(*operations: dict) -> dict:
    return {"schemas": [PATCH], "Operations": list(operations)}


def test_entra_provisions_a_new_person_as_a_seller_of_this_organisation_alone(org, scim):
    # Entra first looks the person up, then creates them.
    found = scim.get("Users", filter='userName eq "ada@acme.example"')
    assert found.status_code == 200 and found.json()["totalResults"] == 0
    assert found["Content-Type"] == "application/scim+json"

    created = scim.post("Users", entra_user("Ada@Acme.example"))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["userName"] == "ada@acme.example"
    assert body["name"]["givenName"] == "Ada" and body["name"]["familyName"] == "Lovelace"
    assert body["active"] is True and body["externalId"] == "Ada"
    assert body["meta"]["location"].endswith(f"/scim/v2/Users/{body['id']}")
    membership = Membership.objects.get(code=body["id"])
    assert membership.organisation == org and membership.role == Role.SELLER
    assert Participant.objects.filter(membership=membership, organisation=org).exists()
    assert membership.user.first_name == "Ada"
    assert Membership.objects.filter(user=membership.user).count() == 1
    entry = AuditEntry.objects.get(action="provisioned")
    assert entry.actor_label == "SCIM" and entry.target == membership

    # Found by userName (any case), externalId, id and Entra's emails filter.
    for expression in (
        'userName eq "ADA@acme.example"',
        'externalId eq "Ada"',
        f'id eq "{body["id"]}"',
        'emails[type eq "work"].value eq "ada@acme.example"',
    ):
        listed = scim.get("Users", filter=expression).json()
        assert [r["id"] for r in listed["Resources"]] == [body["id"]], expression
    assert scim.get(f"Users/{body['id']}").json()["userName"] == "ada@acme.example"


def test_a_roster_member_is_claimed_by_email_not_duplicated(org, scim):
    roster = member(org, Role.MANAGER)
    roster.user.email = "grace@acme.example"
    roster.user.save()
    # Not provisioned yet: SCIM does not see them, so the provider creates them...
    assert scim.get("Users", filter='userName eq "grace@acme.example"').json()["totalResults"] == 0
    created = scim.post("Users", okta_user("Grace@acme.example"))
    assert created.status_code == 201
    # ...and gets the member who was there, role and all: nobody is duplicated.
    assert created.json()["id"] == str(roster.code)
    roster.refresh_from_db()
    assert roster.role == Role.MANAGER
    assert User.objects.filter(email="grace@acme.example").count() == 1
    assert AuditEntry.objects.get(action="provisioned").details["existing_member"] is True
    # Creating the same person again is a uniqueness conflict that changes nothing.
    again = scim.post("Users", okta_user("grace@acme.example"))
    assert again.status_code == 409 and again.json()["scimType"] == "uniqueness"
    assert ScimUser.objects.count() == 1


def test_a_person_of_another_organisation_joins_this_one_without_their_name_changing(
    org, other_org, scim
):
    consultant = member(other_org, Role.CONSULTANT)
    consultant.user.first_name = "Kept"
    consultant.user.save()
    created = scim.post("Users", entra_user(consultant.user.email))
    assert created.status_code == 201
    consultant.user.refresh_from_db()
    assert consultant.user.first_name == "Kept"  # another organisation's provider's to change
    other = Membership.objects.get(user=consultant.user, organisation=other_org)
    assert other.deactivated_at is None
    assert Membership.objects.get(code=created.json()["id"]).organisation == org
    # Nor may this organisation change their address.
    renamed = scim.patch(
        f"Users/{created.json()['id']}",
        patch({"op": "replace", "path": "userName", "value": "new@acme.example"}),
    )
    assert renamed.status_code == 400 and renamed.json()["scimType"] == "mutability"
    consultant.user.refresh_from_db()
    assert consultant.user.email != "new@acme.example"


def test_entra_patch_sequence_updates_deactivates_and_reactivates(org, scim, login):
    scim_id = scim.post("Users", entra_user("ada@acme.example")).json()["id"]
    membership = Membership.objects.get(code=scim_id)
    home = reverse("programme-organisation-home", kwargs={"org": org.slug})
    client = login(membership)
    assert client.get(home).status_code == 200

    # Entra ID: capitalised ops, a path per attribute, enterprise attributes, string booleans.
    updated = scim.patch(f"Users/{scim_id}", patch(
        {"op": "Replace", "path": "name.givenName", "value": "Augusta"},
        {"op": "Replace", "path": "displayName", "value": "Augusta Ada King"},
        {"op": "Add", "path": "title", "value": "Countess"},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "ada@acme.example"},
        {"op": "Replace",
         "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
         "value": "Analytical engines"},
        {"op": "Add", "path": "externalId", "value": "ada.king"},
    ))  # fmt: skip
    assert updated.status_code == 200, updated.content
    assert updated.json()["name"]["givenName"] == "Augusta"
    assert updated.json()["displayName"] == "Augusta Ada King"
    assert updated.json()["externalId"] == "ada.king"
    assert AuditEntry.objects.filter(action="person_updated").count() == 1

    off = scim.patch(
        f"Users/{scim_id}", patch({"op": "Replace", "path": "active", "value": "False"})
    )
    assert off.status_code == 200 and off.json()["active"] is False
    membership.refresh_from_db()
    assert membership.deactivated_at is not None and membership.deactivated_by == "scim"
    assert client.get(home).status_code == 403  # told their access ended
    # A deactivated user is still found by filter, with active false (Entra's validator checks).
    listed = scim.get("Users", filter='userName eq "ada@acme.example"').json()["Resources"]
    assert listed[0]["active"] is False

    on = scim.patch(f"Users/{scim_id}", patch({"op": "Replace", "path": "active", "value": "True"}))
    assert on.json()["active"] is True
    assert client.get(home).status_code == 200
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "actor_label"))
    assert ("deactivated", "SCIM") in actions and ("reactivated", "SCIM") in actions

    # Replace without a path, value an object (Entra and Okta both send it).
    off = scim.patch(f"Users/{scim_id}", patch({"op": "replace", "value": {"active": False}}))
    assert off.json()["active"] is False


def test_okta_sequence_put_profile_then_deactivate(org, scim):
    scim_id = scim.post("Users", okta_user("grace@acme.example")).json()["id"]
    # Okta updates a profile with a full PUT...
    replaced = scim.put(f"Users/{scim_id}", okta_user(
        "grace@acme.example", id=scim_id, name={"givenName": "Amazing", "familyName": "Grace"},
        externalId="",
    ))  # fmt: skip
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["name"] == {
        "givenName": "Amazing", "familyName": "Grace", "formatted": "Amazing Grace"
    }  # fmt: skip
    assert "externalId" not in replaced.json()
    # ...and deactivates with a PATCH replace without a path.
    off = scim.patch(f"Users/{scim_id}", patch({"op": "replace", "value": {"active": False}}))
    assert off.status_code == 200 and off.json()["active"] is False
    # A later PUT with active true brings them back.
    back = scim.put(f"Users/{scim_id}", okta_user("grace@acme.example", active=True))
    assert back.json()["active"] is True


def test_renaming_the_address_of_a_person_of_this_organisation_only(org, scim):
    scim_id = scim.post("Users", entra_user("ada@acme.example")).json()["id"]
    member(org).user  # noqa: B018 (someone else, with another address)
    taken = member(org).user.email
    clash = scim.patch(
        f"Users/{scim_id}", patch({"op": "Replace", "path": "userName", "value": taken})
    )
    assert clash.status_code == 409 and clash.json()["scimType"] == "uniqueness"
    moved = scim.patch(
        f"Users/{scim_id}",
        patch({"op": "Replace", "path": "userName", "value": "KING@acme.example"}),
    )
    assert moved.status_code == 200 and moved.json()["userName"] == "king@acme.example"
    assert Membership.objects.get(code=scim_id).user.email == "king@acme.example"


def test_delete_deactivates_and_never_deletes(org, scim):
    scim_id = scim.post("Users", entra_user("ada@acme.example")).json()["id"]
    gone = scim.delete(f"Users/{scim_id}")
    assert gone.status_code == 204
    membership = Membership.objects.get(code=scim_id)
    assert membership.deactivated_at is not None
    assert Participant.objects.filter(membership=membership).exists()
    assert scim.get(f"Users/{scim_id}").status_code == 404
    # Provisioned again later: the same membership, reactivated.
    again = scim.post("Users", entra_user("ada@acme.example"))
    assert again.status_code == 201 and again.json()["id"] == scim_id
    assert again.json()["active"] is True


def test_paging_and_a_fixed_number_of_queries_whatever_the_page_size(org, scim, count_queries):
    ids = [
        scim.post("Users", entra_user(f"p{n}@acme.example", externalId=f"p{n}")).json()["id"]
        for n in range(7)
    ]
    first = scim.get("Users", startIndex=1, count=3).json()
    assert first["totalResults"] == 7 and first["itemsPerPage"] == 3 and first["startIndex"] == 1
    rest = scim.get("Users", startIndex=4, count=10).json()
    assert [r["id"] for r in first["Resources"] + rest["Resources"]] == ids
    assert scim.get("Users", count=0).json() == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 7, "startIndex": 1, "itemsPerPage": 0, "Resources": [],
    }  # fmt: skip
    assert scim.get("Users", startIndex=-5, count=1).json()["startIndex"] == 1

    scim.post("Groups", {"displayName": "East", "members": [{"value": i} for i in ids[:4]]})
    assert scim.get(f"Users/{ids[0]}").json()["groups"][0]["display"] == "East"
    scim.get("Users")  # the token's last use is noted at most once a minute
    small = count_queries(scim.get, "Users", count=1)
    large = count_queries(scim.get, "Users", count=100)
    assert small == large == 3  # the token, the count, the page (with people and teams)
