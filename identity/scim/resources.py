"""Users and groups as SCIM JSON (RFC 7643), and the discovery documents."""

from __future__ import annotations

from identity.models import ScimGroup, ScimUser
from identity.scim.parsing import (
    ENTERPRISE_USER,
    GROUP_SCHEMA,
    LIST_SCHEMA,
    SNOWBALL_GROUP,
    USER_SCHEMA,
)

MAX_PAGE = 200  # ServiceProviderConfig's filter.maxResults


def _time(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def user_resource(link: ScimUser, base: str) -> dict[str, object]:
    membership = link.membership
    user = membership.user
    scim_id = str(membership.code)
    full = " ".join(part for part in (user.first_name, user.last_name) if part)
    participant = getattr(membership, "participant", None)
    team = participant.team if participant is not None else None
    resource: dict[str, object] = {
        "schemas": [USER_SCHEMA],
        "id": scim_id,
        "externalId": link.external_id or None,
        "userName": user.email,
        "name": {"givenName": user.first_name, "familyName": user.last_name, "formatted": full},
        "displayName": link.display_name or full or user.email,
        "emails": [{"value": user.email, "type": "work", "primary": True}],
        "active": membership.deactivated_at is None,
        "groups": (
            [{"value": str(team.code), "display": team.name, "$ref": f"{base}Groups/{team.code}"}]
            if team is not None and hasattr(team, "scim")
            else []
        ),
        "meta": {
            "resourceType": "User",
            "created": _time(link.created_at),
            "lastModified": _time(max(link.updated_at, membership.updated_at)),
            "location": f"{base}Users/{scim_id}",
        },
    }
    if resource["externalId"] is None:
        del resource["externalId"]
    return resource


def group_resource(group: ScimGroup, base: str, *, with_members: bool = True) -> dict[str, object]:
    team = group.team
    scim_id = str(team.code)
    resource: dict[str, object] = {
        "schemas": [GROUP_SCHEMA, SNOWBALL_GROUP],
        "id": scim_id,
        "displayName": team.name,
        SNOWBALL_GROUP: {"parent": str(team.parent.code) if team.parent_id else None},
        "meta": {
            "resourceType": "Group",
            "created": _time(group.created_at),
            "lastModified": _time(max(group.updated_at, team.updated_at)),
            "location": f"{base}Groups/{scim_id}",
        },
    }
    if group.external_id:
        resource["externalId"] = group.external_id
    if with_members:
        resource["members"] = [
            {
                "value": str(participant.membership.code),
                "display": participant.membership.user.email,
                "$ref": f"{base}Users/{participant.membership.code}",
            }
            for participant in getattr(group.team, "scim_members", [])
        ]
    return resource


def list_response(resources: list[dict], total: int, start: int) -> dict[str, object]:
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def service_provider_config(base: str) -> dict[str, object]:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://github.com/snowball/snowball/blob/main/docs/scim.md",
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_PAGE},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A token an admin creates on the organisation's SCIM page.",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{base}ServiceProviderConfig",
        },
    }


def resource_types(base: str) -> list[dict[str, object]]:
    return [
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{"schema": ENTERPRISE_USER, "required": False}],
            "meta": {"resourceType": "ResourceType", "location": f"{base}ResourceTypes/User"},
        },
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "schema": GROUP_SCHEMA,
            "schemaExtensions": [{"schema": SNOWBALL_GROUP, "required": False}],
            "meta": {"resourceType": "ResourceType", "location": f"{base}ResourceTypes/Group"},
        },
    ]


def _attribute(name: str, *, kind: str = "string", required: bool = False,
               multi: bool = False, mutability: str = "readWrite",
               unique: str = "none", sub: list | None = None) -> dict[str, object]:  # fmt: skip
    attribute: dict[str, object] = {
        "name": name, "type": kind, "multiValued": multi, "required": required,
        "caseExact": False, "mutability": mutability, "returned": "default",
        "uniqueness": unique,
    }  # fmt: skip
    if sub:
        attribute["subAttributes"] = sub
    return attribute


def schemas(base: str) -> list[dict[str, object]]:
    member = [
        _attribute("value", mutability="immutable"),
        _attribute("display", mutability="readOnly"),
    ]
    found = [
        {
            "id": USER_SCHEMA,
            "name": "User",
            "description": "A member of the organisation (Snowball signs people in by e-mail).",
            "attributes": [
                _attribute("userName", required=True, unique="server"),
                _attribute(
                    "name",
                    kind="complex",
                    sub=[
                        _attribute("givenName"),
                        _attribute("familyName"),
                        _attribute("formatted", mutability="readOnly"),
                    ],
                ),
                _attribute("displayName"),
                _attribute(
                    "emails",
                    kind="complex",
                    multi=True,
                    mutability="readOnly",
                    sub=[
                        _attribute("value"),
                        _attribute("type"),
                        _attribute("primary", kind="boolean"),
                    ],
                ),
                _attribute("active", kind="boolean"),
                _attribute("externalId", unique="server"),
                _attribute("groups", kind="complex", multi=True, mutability="readOnly", sub=member),
            ],
        },
        {
            "id": GROUP_SCHEMA,
            "name": "Group",
            "description": "A team. A person is in one team: joining a group leaves the last one.",
            "attributes": [
                _attribute("displayName", required=True, unique="server"),
                _attribute("externalId", unique="server"),
                _attribute("members", kind="complex", multi=True, sub=member),
            ],
        },
        {
            "id": SNOWBALL_GROUP,
            "name": "SnowballGroup",
            "description": "Where the team sits: the id of its parent group (or null).",
            "attributes": [_attribute("parent")],
        },
    ]
    for schema in found:
        schema["schemas"] = ["urn:ietf:params:scim:schemas:core:2.0:Schema"]
        schema["meta"] = {"resourceType": "Schema", "location": f"{base}Schemas/{schema['id']}"}
    return found
