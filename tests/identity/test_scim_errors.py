"""The SCIM API refuses what it must, with RFC 7644 error bodies and never a server error: no
token, a wrong or revoked one, another organisation's ids (the same 404 as unknown ones), bad
filters, malformed and oversized bodies, hostile bodies (fuzzed). A refusal changes nothing."""

from __future__ import annotations

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from identity.models import ScimGroup, ScimToken, ScimUser
from identity.scim import services
from programme.models import AuditEntry, Membership, Team, User
from tests.identity.conftest import ScimClient, entra_user

ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def assert_error(response, status: int, scim_type: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    assert body["schemas"] == [ERROR] and body["status"] == str(status) and body["detail"]
    if scim_type is not None:
        assert body.get("scimType") == scim_type
    return body


def scim_routes() -> list[tuple[str, list[str]]]:
    """Every SCIM API pattern, found from the resolver (a new one is covered without edits)."""
    found = []

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and str(pattern.pattern).startswith("scim/"):
                found.append((str(pattern.pattern), list(pattern.pattern.converters)))

    walk(get_resolver().url_patterns)
    return found


def fill(route: str, objects: dict[str, str]) -> str:
    for name, value in objects.items():
        route = route.replace(f"<str:{name}>", value).replace(f"<path:{name}>", value)
    return "/" + route


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer scim_wrong", "Basic eDp5"])
def test_every_scim_url_wants_a_valid_token(org, scim, authorization):
    ada = scim.post("Users", entra_user("ada@acme.example")).json()["id"]
    client = ScimClient(None)
    headers = {"Authorization": authorization} if authorization else {}
    for route, _params in scim_routes():
        url = fill(route, {"scim_id": ada, "name": "User", "uri": "x", "rest": "Nope"})
        for method in ("get", "post", "put", "patch", "delete"):
            response = getattr(client.client, method)(url, headers=headers)
            assert_error(response, 401)
            assert response["WWW-Authenticate"].startswith("Bearer")
    assert Membership.objects.get(code=ada).deactivated_at is None


def test_a_revoked_token_stops_working_at_once(org, admin, make_scim_token):
    client = ScimClient(make_scim_token(org))
    assert client.get("Users").status_code == 200
    token = ScimToken.objects.get(token_hash=services.token_hash(client.token))
    services.scim_token_revoke(token=token, by=admin)
    assert_error(client.get("Users"), 401)


def test_a_token_of_another_organisation_reads_and_changes_nothing_here(org, scim, other_scim):
    """The tenancy probe of the SCIM API: every route, every method, with the other
    organisation's token and this organisation's ids, answers 404 (or an empty list)."""
    ada = scim.post("Users", entra_user("ada@acme.example")).json()["id"]
    team = scim.post("Groups", {"displayName": "East", "members": [{"value": ada}]}).json()["id"]
    before = (
        list(Membership.objects.values_list("id", "deactivated_at", "updated_at")),
        list(Team.objects.values_list("id", "name", "parent_id", "updated_at")),
        list(User.objects.values_list("id", "email", "first_name")),
        AuditEntry.objects.count(),
    )
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False, "displayName": "Mine"}}],
    }
    for route, params in scim_routes():
        for scim_id in (ada, team):
            url = fill(route, {"scim_id": scim_id, "name": "User", "uri": "x", "rest": "x"})
            for method in ("get", "put", "patch", "delete"):
                response = other_scim.request(method, url, body if method != "get" else None)
                if "scim_id" in params:
                    assert_error(response, 404)
                    assert "Acme" not in response.content.decode()
                else:
                    assert response.status_code in (200, 400, 404, 405), (method, url)
    # The lists and filters of the other organisation do not show ours.
    assert other_scim.get("Users").json()["totalResults"] == 0
    assert other_scim.get("Groups", filter='displayName eq "East"').json()["totalResults"] == 0
    assert other_scim.get("Users", filter=f'id eq "{ada}"').json()["totalResults"] == 0
    after = (
        list(Membership.objects.values_list("id", "deactivated_at", "updated_at")),
        list(Team.objects.values_list("id", "name", "parent_id", "updated_at")),
        list(User.objects.values_list("id", "email", "first_name")),
        AuditEntry.objects.count(),
    )
    assert after == before
    # Creating the same person there makes a membership there, leaving ours alone.
    theirs = other_scim.post("Users", entra_user("ada@acme.example"))
    assert theirs.status_code == 201 and theirs.json()["id"] != ada
    assert Membership.objects.get(code=ada).deactivated_at is None


def test_unknown_ids_and_endpoints_are_scim_404s(org, scim):
    for url in ("Users/not-a-uuid", "Users/00000000-0000-0000-0000-000000000000",
                "Groups/'; drop table x; --", "Nope", "Users/x/y", "Schemas/urn:nope",
                "ResourceTypes/Printer"):  # fmt: skip
        assert_error(scim.get(url), 404)
    # A trailing slash is forgiven.
    assert scim.get("/scim/v2/Users/").status_code == 200
    assert scim.get("/scim/v2/ServiceProviderConfig/").status_code == 200


def test_discovery_documents(org, scim):
    config = scim.get("ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True and config["bulk"]["supported"] is False
    assert config["filter"] == {"supported": True, "maxResults": 200}
    types = scim.get("ResourceTypes").json()
    assert {t["id"] for t in types["Resources"]} == {"User", "Group"}
    assert scim.get("ResourceTypes/User").json()["endpoint"] == "/Users"
    schemas = scim.get("Schemas").json()["Resources"]
    ids = {s["id"] for s in schemas}
    assert "urn:ietf:params:scim:schemas:extension:snowball:2.0:Group" in ids
    assert scim.get("Schemas/urn:ietf:params:scim:schemas:core:2.0:User").status_code == 200
    assert_error(scim.post("ServiceProviderConfig", {}), 405)


@pytest.mark.parametrize(
    "expression",
    [
        'title eq "x"',  # an attribute we do not filter on
        'userName eq "x" or password eq "y"',  # one unknown half is not silently dropped
        "userName eq",
        'userName zz "x"',
        'userName eq "x" \x00',
        "((((",
        "x" * 2000,
        'emails[type eq "work"] eq "x"',
        'name[givenName eq "x"].familyName eq "y"',
    ],
)
def test_bad_filters_are_invalid_filter(org, scim, expression):
    assert_error(scim.get("Users", filter=expression), 400, "invalidFilter")


def test_filters_on_ids_that_are_not_uuids_find_nothing(org, scim):
    scim.post("Users", entra_user("ada@acme.example"))
    response = scim.get("Users", filter='id eq "not-a-uuid"')
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["totalResults"] == 0
    assert scim.get("Users", filter='userName sw "ADA"').json()["totalResults"] == 1
    assert (
        scim.get("Users", filter='userName eq "x" or userName co "acme"').json()["totalResults"]
        == 1
    )
    assert scim.get("Groups", filter='members[value eq "nope"]').json()["totalResults"] == 0


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        (b"{not json", "invalidSyntax"),
        (b"[]", "invalidSyntax"),
        (b"\xff\xfe", "invalidSyntax"),
        (b"[" * 100_000 + b"]" * 100_000, "invalidSyntax"),
        (json.dumps({"name": {"givenName": "x"}}), "invalidValue"),  # no userName
        (json.dumps({"userName": "not an address"}), "invalidValue"),
        (json.dumps({"userName": 42}), "invalidValue"),
        (json.dumps({"userName": "a@acme.example", "active": "maybe"}), "invalidValue"),
        (json.dumps({"userName": "a@acme.example", "name": "Ada"}), "invalidValue"),
        (
            json.dumps({"userName": "a@acme.example", "name": {"givenName": "A\x00"}}),
            "invalidValue",
        ),
        (
            json.dumps({"userName": "a@acme.example", "name": {"givenName": "A" * 151}}),
            "invalidValue",
        ),
        (json.dumps({"userName": "a@acme.example", "nonsense": 1}), "invalidPath"),
    ],
)
def test_malformed_user_bodies_are_refused_and_create_nothing(org, scim, body, scim_type):
    assert_error(scim.post("Users", body), 400, scim_type)
    assert not ScimUser.objects.exists() and not User.objects.filter(email="a@acme.example")


@pytest.mark.parametrize(
    "operations",
    [
        None,
        [],
        "replace",
        [{"op": "frobnicate", "path": "active", "value": True}],
        [{"op": "replace", "path": "active"}],
        [{"op": "remove"}],
        [{"op": "remove", "path": "userName"}],
        [{"op": "replace", "path": "active", "value": "nope"}],
        [{"op": "replace", "path": "shoeSize", "value": 42}],
        [{"op": "replace", "path": "][", "value": 1}],
        [{"op": "replace", "value": ["active", False]}],
        # The first operation is fine, the second is not: neither is applied.
        [
            {"op": "replace", "path": "displayName", "value": "Changed"},
            {"op": "replace", "path": "userName", "value": "nope"},
        ],
    ],
)
def test_malformed_patches_are_refused_and_change_nothing(org, scim, operations):
    ada = scim.post("Users", entra_user("ada@acme.example")).json()
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}
    if operations is not None:
        body["Operations"] = operations
    response = scim.patch(f"Users/{ada['id']}", body)
    assert_error(response, 400)
    assert scim.get(f"Users/{ada['id']}").json() == ada


def test_group_refusals(org, scim):
    assert_error(scim.post("Groups", {"members": []}), 400, "invalidValue")
    assert_error(scim.post("Groups", {"displayName": "x" * 121}), 400, "invalidValue")
    assert_error(scim.post("Groups", {"displayName": "East", "members": "all"}), 400)
    group = scim.post("Groups", {"displayName": "East"}).json()
    assert_error(scim.post("Groups", {"displayName": "EAST"}), 409, "uniqueness")
    scim.post("Groups", {"displayName": "West"})
    assert_error(
        scim.patch(f"Groups/{group['id']}", {"Operations": [
            {"op": "replace", "path": "displayName", "value": "west"}]}),
        409, "uniqueness",
    )  # fmt: skip
    assert_error(
        scim.patch(f"Groups/{group['id']}", {"Operations": [
            {"op": "remove", "path": 'members[value ne "x"]'}]}),
        400, "invalidFilter",
    )  # fmt: skip
    assert Team.objects.get(code=group["id"]).name == "East"
    assert ScimGroup.objects.count() == 2


def test_oversized_bodies_are_413(org, scim):
    big = json.dumps({"userName": "a@acme.example", "displayName": "x" * 1_100_000})
    assert_error(scim.post("Users", big), 413)
    assert not ScimUser.objects.exists()


def test_a_conflicting_external_id_is_a_uniqueness_error(org, scim):
    scim.post("Users", entra_user("ada@acme.example", externalId="same"))
    assert_error(scim.post("Users", entra_user("bob@acme.example", externalId="same")), 409,
                 "uniqueness")  # fmt: skip
    assert not User.objects.filter(email="bob@acme.example").exists()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
KEYS = st.sampled_from(["userName", "name", "active", "externalId", "displayName", "emails",
                        "members", "Operations", "op", "path", "value", "schemas"])  # fmt: skip
HOSTILE = st.dictionaries(KEYS | st.text(max_size=10), JSON, max_size=6)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=HOSTILE, method=st.sampled_from(["post_user", "patch_user", "put_user", "post_group",
                                            "patch_group", "put_group"]))  # fmt: skip
def test_hostile_bodies_never_get_a_server_error(org, scim, body, method):
    ada = ScimUser.objects.select_related("membership").first()
    if ada is None:
        scim.post("Users", entra_user("ada@acme.example"))
        scim.post("Groups", {"displayName": "East"})
        ada = ScimUser.objects.select_related("membership").first()
    group = ScimGroup.objects.select_related("team").first()
    verb, kind = method.split("_")
    url = {"user": "Users", "group": "Groups"}[kind]
    if verb != "post":
        url += f"/{ada.membership.code if kind == 'user' else group.team.code}"
    response = scim.request(verb, url, body)
    assert response.status_code < 500, (method, body, response.content)
    assert response["Content-Type"] == "application/scim+json"


@pytest.mark.parametrize(
    "expression",
    [
        'meta.created gt "soon"',
        'id gt "x"',
        'userName eq "a\x00b"',
        'meta.lastModified ge "2026-13-45T00:00:00Z"',
    ],
)
def test_values_that_do_not_fit_their_attribute_are_invalid_filters(org, scim, expression):
    assert_error(scim.get("Users", filter=expression), 400, "invalidFilter")


def test_paging_far_past_the_end_is_an_empty_page(org, scim):
    response = scim.get("Users", startIndex="99999999999999999999", count="99999999999")
    assert response.status_code == 200 and response.json()["Resources"] == []
    assert_error(scim.get("Users", startIndex="first"), 400, "invalidValue")


ATTRIBUTES = ["userName", "id", "externalId", "meta.created", "displayName",
              'members[value eq "x"]', "name.givenName", "emails.value"]  # fmt: skip


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    expression=st.text(max_size=60)
    | st.builds(
        lambda attribute, op, value: f"{attribute} {op} {value}",
        st.sampled_from(
            [
                "userName",
                "id",
                "externalId",
                "meta.created",
                "displayName",
                'members[value eq "x"]',
                "name.givenName",
                "emails.value",
            ]
        ),
        st.sampled_from(["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr", "xx"]),
        st.text(max_size=20).map(json.dumps) | st.sampled_from(["true", "null", "1", ""]),
    ),
    kind=st.sampled_from(["Users", "Groups"]),
)
def test_hostile_filters_never_get_a_server_error(org, scim, expression, kind):
    response = scim.get(kind, filter=expression)
    assert response.status_code in (200, 400), (expression, response.content)
