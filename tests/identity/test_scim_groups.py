"""SCIM Groups are teams: Entra ID's and Okta's group requests (create, rename, members added
and removed in each vendor's PATCH shape), a person in one team at a time, parent teams by the
Snowball extension or the "Parent / Child" naming rule, DELETE keeping the team."""

from __future__ import annotations

from identity.models import ScimGroup
from programme.models import AuditEntry, Participant, Team
from tests.factories import member
from tests.identity.conftest import entra_user, okta_user

PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
SNOWBALL = "urn:ietf:params:scim:schemas:extension:snowball:2.0:Group"


def patch(*operations: dict) -> dict:
    return {"schemas": [PATCH], "Operations": list(operations)}


def team_of(scim_user_id: str) -> str | None:
    participant = Participant.objects.select_related("team").get(membership__code=scim_user_id)
    return participant.team.name if participant.team else None


def test_entra_group_sequence(org, scim):
    ada = scim.post("Users", entra_user("ada@acme.example")).json()["id"]
    bob = scim.post("Users", entra_user("bob@acme.example", externalId="bob")).json()["id"]
    # Entra looks the group up by displayName, then creates it (without members), then adds.
    assert scim.get("Groups", filter='displayName eq "Sales North"').json()["totalResults"] == 0
    created = scim.post("Groups", {
        "schemas": [GROUP], "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        "displayName": "Sales North", "members": [],
    })  # fmt: skip
    assert created.status_code == 201, created.content
    group_id = created.json()["id"]
    team = Team.objects.get(code=group_id)
    assert team.organisation == org and team.name == "Sales North"

    added = scim.patch(f"Groups/{group_id}", patch(
        {"op": "Add", "path": "members", "value": [{"value": ada}, {"value": bob}]},
    ))  # fmt: skip
    assert added.status_code == 200, added.content
    assert {m["value"] for m in added.json()["members"]} == {ada, bob}
    assert team_of(ada) == team_of(bob) == "Sales North"

    # Entra checks membership with a filter, members excluded.
    found = scim.get(
        "Groups", filter=f'id eq "{group_id}" and members[value eq "{ada}"]',
        excludedAttributes="members",
    ).json()  # fmt: skip
    assert found["totalResults"] == 1 and "members" not in found["Resources"][0]
    assert "members" not in scim.get(f"Groups/{group_id}", excludedAttributes="members").json()

    removed = scim.patch(f"Groups/{group_id}", patch(
        {"op": "Remove", "path": f'members[value eq "{bob}"]'},
    ))  # fmt: skip
    assert [m["value"] for m in removed.json()["members"]] == [ada]
    assert team_of(bob) is None and team_of(ada) == "Sales North"

    renamed = scim.patch(f"Groups/{group_id}", patch(
        {"op": "Replace", "path": "displayName", "value": "Sales Nord"},
    ))  # fmt: skip
    assert renamed.json()["displayName"] == "Sales Nord"
    team.refresh_from_db()
    assert team.name == "Sales Nord"
    entries = AuditEntry.objects.filter(action="team_provisioned", actor_label="SCIM")
    assert entries.count() == 4 and entries.filter(details__created=True).count() == 1


def test_okta_group_push_sequence(org, scim):
    grace = scim.post("Users", okta_user("grace@acme.example")).json()["id"]
    # Okta pushes the group with its members, then renames with a value object, then replaces
    # members and removes with a list value.
    created = scim.post("Groups", {
        "schemas": [GROUP], "displayName": "Partners",
        "members": [{"value": grace, "display": "grace"}],
    })  # fmt: skip
    group_id = created.json()["id"]
    assert team_of(grace) == "Partners"
    renamed = scim.patch(f"Groups/{group_id}", patch(
        {"op": "replace", "value": {"id": group_id, "displayName": "Channel partners"}},
    ))  # fmt: skip
    assert renamed.status_code == 200 and renamed.json()["displayName"] == "Channel partners"
    linus = scim.post("Users", okta_user("linus@acme.example")).json()["id"]
    replaced = scim.patch(f"Groups/{group_id}", patch(
        {"op": "replace", "path": "members", "value": [{"value": linus}]},
    ))  # fmt: skip
    assert [m["value"] for m in replaced.json()["members"]] == [linus]
    assert team_of(grace) is None
    emptied = scim.patch(f"Groups/{group_id}", patch(
        {"op": "remove", "path": "members", "value": [{"value": linus}]},
    ))  # fmt: skip
    assert emptied.json()["members"] == []
    # And a full PUT.
    put = scim.put(f"Groups/{group_id}", {
        "schemas": [GROUP], "id": group_id, "displayName": "Partners",
        "members": [{"value": grace}],
    })  # fmt: skip
    assert put.status_code == 200 and [m["value"] for m in put.json()["members"]] == [grace]


def test_a_person_is_in_one_team_so_a_second_group_moves_them(org, scim):
    ada = scim.post("Users", entra_user("ada@acme.example")).json()["id"]
    first = scim.post("Groups", {"displayName": "East", "members": [{"value": ada}]}).json()["id"]
    second = scim.post("Groups", {"displayName": "West", "members": [{"value": ada}]}).json()["id"]
    assert team_of(ada) == "West"
    assert scim.get(f"Groups/{first}").json()["members"] == []
    assert [m["value"] for m in scim.get(f"Groups/{second}").json()["members"]] == [ada]
    assert scim.get(f"Users/{ada}").json()["groups"][0]["display"] == "West"


def test_a_roster_team_is_claimed_by_name_and_keeps_its_roster_members(org, scim):
    roster_team = Team.objects.create(organisation=org, name="Key accounts")
    placed = member(org, team=roster_team)
    created = scim.post("Groups", {"displayName": "key accounts"})
    assert created.status_code == 201
    assert created.json()["id"] == str(roster_team.code)
    assert created.json()["members"] == []  # roster members are not the provider's
    ada = scim.post("Users", entra_user("ada@acme.example")).json()["id"]
    scim.patch(f"Groups/{roster_team.code}", patch(
        {"op": "replace", "path": "members", "value": [{"value": ada}]},
    ))  # fmt: skip
    placed.participant.refresh_from_db()
    assert placed.participant.team == roster_team  # a replace leaves the roster's people
    again = scim.post("Groups", {"displayName": "Key Accounts"})
    assert again.status_code == 409 and again.json()["scimType"] == "uniqueness"


def test_parent_teams_by_extension_or_naming_rule(org, scim):
    emea = scim.post("Groups", {"displayName": "EMEA"}).json()["id"]
    child = scim.post("Groups", {
        "schemas": [GROUP, SNOWBALL], "displayName": "France", SNOWBALL: {"parent": emea},
    })  # fmt: skip
    assert child.status_code == 201
    assert child.json()[SNOWBALL]["parent"] == emea
    assert Team.objects.get(name="France").parent.name == "EMEA"
    # The naming rule: "Parent / Child" puts the team under "Parent" (made if missing).
    named = scim.post("Groups", {"displayName": "Americas / Brazil"}).json()
    brazil = Team.objects.get(code=named["id"])
    assert brazil.name == "Americas / Brazil" and brazil.parent.name == "Americas"
    # Moved by a PATCH of the extension attribute; a cycle is refused and changes nothing.
    moved = scim.patch(f"Groups/{emea}", patch(
        {"op": "replace", "path": f"{SNOWBALL}:parent", "value": named["id"]},
    ))  # fmt: skip
    assert moved.status_code == 200 and moved.json()[SNOWBALL]["parent"] == named["id"]
    cycle = scim.patch(f"Groups/{named['id']}", patch(
        {"op": "replace", "path": f"{SNOWBALL}:parent", "value": child.json()["id"]},
    ))  # fmt: skip
    assert cycle.status_code == 400 and cycle.json()["scimType"] == "invalidValue"
    assert Team.objects.get(code=named["id"]).parent.name == "Americas"


def test_delete_group_keeps_the_team_and_its_people(org, scim):
    ada = scim.post("Users", entra_user("ada@acme.example")).json()["id"]
    group_id = scim.post("Groups", {"displayName": "East", "members": [{"value": ada}]}).json()[
        "id"
    ]
    assert scim.delete(f"Groups/{group_id}").status_code == 204
    assert scim.get(f"Groups/{group_id}").status_code == 404
    assert not ScimGroup.objects.exists()
    assert Team.objects.filter(code=group_id).exists() and team_of(ada) == "East"


def test_members_must_be_users_of_this_organisation_and_nothing_changes_otherwise(
    org, scim, other_scim
):
    ada = scim.post("Users", entra_user("ada@acme.example")).json()["id"]
    theirs = other_scim.post("Users", entra_user("eve@globex.example")).json()["id"]
    group_id = scim.post("Groups", {"displayName": "East"}).json()["id"]
    refused = scim.patch(f"Groups/{group_id}", patch(
        {"op": "add", "path": "members", "value": [{"value": ada}, {"value": theirs}]},
    ))  # fmt: skip
    assert refused.status_code == 400 and refused.json()["scimType"] == "invalidValue"
    assert team_of(ada) is None and team_of(theirs) is None
    bad = scim.post("Groups", {"displayName": "West", "members": [{"value": theirs}]})
    assert bad.status_code == 400 and not Team.objects.filter(name="West").exists()


def test_group_list_runs_a_fixed_number_of_queries(org, scim, count_queries):
    for n in range(6):
        user = scim.post("Users", entra_user(f"p{n}@acme.example", externalId=f"p{n}")).json()
        scim.post("Groups", {"displayName": f"Team {n}", "members": [{"value": user["id"]}]})
    listed = scim.get("Groups", count=4).json()
    assert listed["totalResults"] == 6 and len(listed["Resources"]) == 4
    assert all(len(g["members"]) == 1 for g in listed["Resources"])
    small = count_queries(scim.get, "Groups", count=1)
    large = count_queries(scim.get, "Groups", count=100)
    assert small == large == 4  # the token, the count, the page, the members
    assert count_queries(scim.get, "Groups", excludedAttributes="members") == 3
