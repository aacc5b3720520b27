"""SCIM requests into plain values: no database here, so every refusal happens before a write.

The shapes the providers really send differ (RFC 7644 §3.5.2 leaves room): Microsoft Entra ID
capitalises `op` ("Replace", "Add") and sends booleans as strings ("False"); both Entra and
Okta send `replace` without a `path` and an object `value`; members come as a list of
`{"value": id}` or, for removal, in the path (`members[value eq "id"]`). Each is normalised here
into one state change, applied in order to a copy of the resource's state (`UserState`,
`GroupState`); the services then write the difference.

Filters are parsed by scim2-filter-parser (the parser django-scim2 uses) into a Django `Q` over
attributes we whitelist: an attribute outside the whitelist is an `invalidFilter`, never
silently dropped (the library's transpiler drops it, which would turn `foo eq "x"` into "all").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from scim2_filter_parser import ast as scim_ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser, SCIMParserError
from scim2_filter_parser.transpilers.django_q_object import Transpiler

from identity.scim.errors import ScimError, invalid_value

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SNOWBALL_GROUP = "urn:ietf:params:scim:schemas:extension:snowball:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"

MAX_BODY_BYTES = 1_000_000  # a group of 10,000 members is ~600 kB of {"value": "<uuid>"}
MAX_FILTER_LENGTH = 1000
MAX_OPERATIONS = 1000
MAX_NAME = 150  # User.first_name / last_name
MAX_TEAM_NAME = 120  # Team.name
MAX_EXTERNAL_ID = 255
UUID_RE = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I)
# Attributes of the core User schema (and the enterprise extension) that Snowball does not keep:
# accepted and ignored, so a provider's default attribute mapping works unchanged.
IGNORED_USER_ATTRIBUTES = {
    "emails", "nickname", "profileurl", "title", "usertype", "preferredlanguage", "locale",
    "timezone", "password", "phonenumbers", "ims", "photos", "addresses", "groups",
    "entitlements", "roles", "x509certificates", "name.formatted", "name.middlename",
    "name.honorificprefix", "name.honorificsuffix", "id", "meta", "schemas",
}  # fmt: skip
IGNORED_GROUP_ATTRIBUTES = {"id", "meta", "schemas"}


# --- Bodies -----------------------------------------------------------------------------------


def parse_body(raw: bytes) -> dict:
    """The request's JSON object, or invalidSyntax."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ScimError(400, "The request body is not valid JSON.", "invalidSyntax") from None
    if not isinstance(data, dict):
        raise ScimError(400, "The request body must be a JSON object.", "invalidSyntax")
    return data


def text(value: object, what: str, *, max_length: int, required: bool = False) -> str:
    """A string attribute: a string (or null for empty), without control characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid_value(f"'{what}' must be a string.")
    value = value.strip()
    if required and not value:
        raise invalid_value(f"'{what}' is required.")
    if len(value) > max_length:
        raise invalid_value(f"'{what}' is longer than {max_length} characters.")
    if any(ord(char) < 32 for char in value):
        raise invalid_value(f"'{what}' contains control characters.")
    return value


def boolean(value: object, what: str) -> bool:
    """A boolean, also as Entra ID's strings "True"/"False"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise invalid_value(f"'{what}' must be true or false.")


def email_address(value: object) -> str:
    address = text(value, "userName", max_length=254, required=True).lower()
    try:
        validate_email(address)
    except ValidationError:
        raise invalid_value(
            "'userName' must be the person's e-mail address (Snowball signs people in by it)."
        ) from None
    return address


def scim_id(value: object, what: str) -> str:
    """A resource id we issued (a UUID), lower-cased; anything else names nothing."""
    if isinstance(value, dict):
        value = value.get("value")
    if not isinstance(value, str) or not UUID_RE.match(value.strip()):
        raise invalid_value(f"'{what}' must be the id of a resource of this service.")
    return value.strip().lower()


# --- Users ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserState:
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    display_name: str = ""
    external_id: str = ""
    active: bool = True


def _user_set(state: UserState, attribute: str, value: object) -> UserState:
    """`attribute` (lower-cased, core schema prefix removed) set to `value`."""
    if attribute == "username":
        return replace(state, email=email_address(value))
    if attribute == "name":
        if value is None:
            return replace(state, first_name="", last_name="")
        if not isinstance(value, dict):
            raise invalid_value("'name' must be an object.")
        for key, sub in value.items():
            state = _user_set(state, f"name.{str(key).lower()}", sub)
        return state
    if attribute == "name.givenname":
        return replace(state, first_name=text(value, "name.givenName", max_length=MAX_NAME))
    if attribute == "name.familyname":
        return replace(state, last_name=text(value, "name.familyName", max_length=MAX_NAME))
    if attribute == "displayname":
        return replace(state, display_name=text(value, "displayName", max_length=255))
    if attribute == "externalid":
        return replace(state, external_id=text(value, "externalId", max_length=MAX_EXTERNAL_ID))
    if attribute == "active":
        return replace(state, active=boolean(value, "active"))
    if attribute in IGNORED_USER_ATTRIBUTES or attribute.startswith(ENTERPRISE_USER.lower()):
        return state
    if attribute.startswith("urn:"):
        return state  # an extension we do not know (its object, or one of its attributes)
    raise ScimError(400, f"Snowball does not keep the user attribute '{attribute[:100]}'.",
                    "invalidPath")  # fmt: skip


def _plain_attribute(name: str, core_schema: str) -> str:
    name = name.strip().lower()
    prefix = core_schema.lower() + ":"
    return name.removeprefix(prefix)


def user_state_from_resource(body: dict, *, base: UserState | None = None) -> UserState:
    """A POST or PUT body: every attribute it holds; absent ones as in `base` (PUT clears the
    optional ones: the caller passes a base with them empty)."""
    state = base or UserState()
    attributes = {_plain_attribute(str(key), USER_SCHEMA): value for key, value in body.items()}
    if "username" not in attributes:
        raise invalid_value("'userName' is required.")
    for attribute, value in attributes.items():
        state = _user_set(state, attribute, value)
    return state


# --- PATCH ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    op: str  # add, replace or remove (lower-cased)
    path: str  # "" for none
    value: object


def patch_operations(body: dict) -> list[Operation]:
    operations = None
    for key, value in body.items():
        if str(key).lower() == "operations":
            operations = value
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "A PATCH needs a non-empty 'Operations' list.", "invalidSyntax")
    if len(operations) > MAX_OPERATIONS:
        raise ScimError(400, f"At most {MAX_OPERATIONS} operations per request.", "tooMany")
    parsed = []
    for number, operation in enumerate(operations, start=1):
        if not isinstance(operation, dict):
            raise ScimError(400, f"Operation {number} is not an object.", "invalidSyntax")
        fields = {str(k).lower(): v for k, v in operation.items()}
        op = fields.get("op")
        if not isinstance(op, str) or op.strip().lower() not in {"add", "replace", "remove"}:
            raise ScimError(
                400, f"Operation {number}: 'op' must be add, replace or remove.", "invalidSyntax"
            )
        path = fields.get("path") or ""
        if not isinstance(path, str) or len(path) > MAX_FILTER_LENGTH:
            raise ScimError(400, f"Operation {number}: 'path' is not valid.", "invalidPath")
        op = op.strip().lower()
        if op == "remove" and not path.strip():
            raise ScimError(400, f"Operation {number}: a remove needs a path.", "noTarget")
        if op != "remove" and "value" not in fields:
            raise invalid_value(f"Operation {number}: '{op}' needs a value.")
        parsed.append(Operation(op, path.strip(), fields.get("value")))
    return parsed


PATH_RE = re.compile(
    r"^(?P<attribute>(?:urn:[^\[\]]+:)?[A-Za-z$][\w$-]*(?:\.[A-Za-z$][\w$-]*)?)"
    r"(?:\[(?P<filter>.+)\])?(?:\.(?P<sub>[A-Za-z][\w-]*))?$"
)


def split_path(path: str) -> tuple[str, str, str]:
    """(attribute, value filter, sub-attribute) of a PATCH path, e.g. `members[value eq "x"]`
    -> ("members", 'value eq "x"', ""). The attribute keeps an extension's URN prefix."""
    match = PATH_RE.match(path)
    if match is None:
        raise ScimError(400, f"The path '{path[:100]}' is not valid.", "invalidPath")
    return match["attribute"], match["filter"] or "", match["sub"] or ""


def apply_user_operations(state: UserState, operations: list[Operation]) -> UserState:
    for operation in operations:
        if not operation.path:
            if not isinstance(operation.value, dict):
                raise invalid_value("An operation without a path needs an object value.")
            for key, value in operation.value.items():
                state = _user_set(state, _plain_attribute(str(key), USER_SCHEMA), value)
            continue
        attribute, value_filter, sub = split_path(operation.path)
        attribute = _plain_attribute(attribute, USER_SCHEMA)
        if value_filter or sub:
            # Multi-valued attributes with a filter (emails[type eq "work"].value, addresses...)
            # are all ones Snowball does not keep.
            if attribute.split(".")[0] in IGNORED_USER_ATTRIBUTES:
                continue
            raise ScimError(400, f"The path '{operation.path[:100]}' is not supported.",
                            "invalidPath")  # fmt: skip
        if operation.op == "remove":
            if attribute == "username":
                raise ScimError(400, "'userName' is required: it cannot be removed.", "mutability")
            if attribute == "active":
                raise ScimError(400, "'active' cannot be removed; replace it.", "mutability")
            state = _user_set(state, attribute, None)
        else:
            state = _user_set(state, attribute, operation.value)
    return state


# --- Groups -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupState:
    name: str = ""
    external_id: str = ""
    # The parent group's id ("" for none); None when the request did not say (keep the parent).
    parent: str | None = None
    members: frozenset[str] = field(default_factory=frozenset)


def member_ids(value: object) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise invalid_value("'members' must be a list of {\"value\": id}.")
    return {scim_id(item, "members.value") for item in value}


def _parent(value: object) -> str:
    if value in (None, ""):
        return ""
    return scim_id(value, f"{SNOWBALL_GROUP}:parent")


def _group_set(state: GroupState, attribute: str, value: object) -> GroupState:
    if attribute == "displayname":
        name = text(value, "displayName", max_length=MAX_TEAM_NAME, required=True)
        return replace(state, name=name)
    if attribute == "externalid":
        return replace(state, external_id=text(value, "externalId", max_length=MAX_EXTERNAL_ID))
    if attribute == "members":
        return replace(state, members=frozenset(member_ids(value)))
    if attribute == SNOWBALL_GROUP.lower():
        if value is None:
            return replace(state, parent="")
        if not isinstance(value, dict):
            raise invalid_value(f"'{SNOWBALL_GROUP}' must be an object.")
        for key, sub in value.items():
            if str(key).lower() != "parent":
                raise ScimError(400, f"Unknown attribute '{str(key)[:100]}'.", "invalidPath")
            state = replace(state, parent=_parent(sub))
        return state
    if attribute == f"{SNOWBALL_GROUP.lower()}:parent":
        return replace(state, parent=_parent(value))
    if attribute in IGNORED_GROUP_ATTRIBUTES:
        return state
    raise ScimError(400, f"Snowball does not keep the group attribute '{attribute[:100]}'.",
                    "invalidPath")  # fmt: skip


def group_state_from_resource(body: dict, *, base: GroupState | None = None) -> GroupState:
    state = base or GroupState()
    if not any(str(key).lower() == "displayname" for key in body):
        raise invalid_value("'displayName' is required.")
    for key, value in body.items():
        state = _group_set(state, _plain_attribute(str(key), GROUP_SCHEMA), value)
    return state


def _members_in_filter(value_filter: str) -> set[str]:
    """The ids of `value eq "id" [or value eq "id2" ...]` (a members path's filter)."""
    tree = _parse_filter(value_filter)
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, scim_ast.Filter) and not node.negated and node.namespace is None:
            walk(node.expr)
        elif isinstance(node, scim_ast.LogExpr) and node.op.lower() == "or":
            walk(node.expr1)
            walk(node.expr2)
        elif (
            isinstance(node, scim_ast.AttrExpr)
            and node.value.lower() == "eq"
            and isinstance(node.attr_path, scim_ast.AttrPath)
            and isinstance(node.attr_path.attr_name, str)
            and node.attr_path.attr_name.lower() == "value"
            and node.attr_path.sub_attr is None
            and node.comp_value is not None
        ):
            found.add(scim_id(node.comp_value.value, "members.value"))
        else:
            raise ScimError(400, 'A members filter is `value eq "<id>"`.', "invalidFilter")

    walk(tree)
    return found


def apply_group_operations(state: GroupState, operations: list[Operation]) -> GroupState:
    for operation in operations:
        if not operation.path:
            if not isinstance(operation.value, dict):
                raise invalid_value("An operation without a path needs an object value.")
            for key, value in operation.value.items():
                attribute = _plain_attribute(str(key), GROUP_SCHEMA)
                if attribute == "members" and operation.op == "add":
                    state = replace(state, members=state.members | member_ids(value))
                else:
                    state = _group_set(state, attribute, value)
            continue
        attribute, value_filter, sub = split_path(operation.path)
        attribute = _plain_attribute(attribute, GROUP_SCHEMA)
        if attribute == "members":
            if sub:
                raise ScimError(400, "Members are changed as a whole.", "invalidPath")
            named = _members_in_filter(value_filter) if value_filter else None
            if operation.op == "add":
                state = replace(state, members=state.members | member_ids(operation.value))
            elif operation.op == "replace" and named is None:
                state = replace(state, members=frozenset(member_ids(operation.value)))
            elif operation.op == "remove" and named is None:
                # Remove the listed members (Okta, others), or all of them without a value.
                gone = member_ids(operation.value) if operation.value else state.members
                state = replace(state, members=state.members - gone)
            elif operation.op == "remove":
                state = replace(state, members=state.members - named)
            else:
                raise ScimError(400, "Replace members as a whole list.", "invalidPath")
            continue
        if value_filter or sub:
            raise ScimError(400, f"The path '{operation.path[:100]}' is not supported.",
                            "invalidPath")  # fmt: skip
        if operation.op == "remove":
            if attribute == "displayname":
                raise ScimError(400, "'displayName' is required: it cannot be removed.",
                                "mutability")  # fmt: skip
            state = _group_set(state, attribute, None)
        else:
            state = _group_set(state, attribute, operation.value)
    return state


# --- Filters ----------------------------------------------------------------------------------


class _StrictTranspiler(Transpiler):
    """The library's transpiler, refusing attributes outside the map instead of dropping them."""

    def visit_AttrPath(self, node):
        mapped = super().visit_AttrPath(node)
        if mapped is None:
            name = node.attr_name if isinstance(node.attr_name, str) else "?"
            raise ScimError(400, f"Filtering on '{name[:100]}' is not supported.", "invalidFilter")
        return mapped

    def is_filter(self, node):
        # emails[type eq "work"].value eq "x" (Entra ID): every person has one address, of any
        # type, so the bracket narrows nothing; filter on the address alone.
        namespace = node.attr_path.attr_name
        if isinstance(namespace, scim_ast.Filter) and namespace.namespace is not None:
            outer = namespace.namespace
            sub = outer.sub_attr
            if str(outer.attr_name).lower() == "emails" and sub is not None:
                path = scim_ast.AttrPath("emails", sub, None)
                return self.visit_AttrExpr(scim_ast.AttrExpr(node.value, path, node.comp_value))
        raise ScimError(400, "This filter is not supported.", "invalidFilter")


def _parse_filter(expression: str):
    if len(expression) > MAX_FILTER_LENGTH:
        raise ScimError(400, "The filter is too long.", "invalidFilter")
    if any(ord(char) < 32 for char in expression):
        raise ScimError(400, "The filter contains control characters.", "invalidFilter")
    try:
        return SCIMParser().parse(SCIMLexer().tokenize(expression))
    except (SCIMParserError, ValueError, TypeError, AttributeError, IndexError, RecursionError):
        raise ScimError(
            400, "The filter is not valid SCIM filter syntax.", "invalidFilter"
        ) from None


def filter_query(expression: str, attributes: dict[tuple[str, str | None, str | None], str]) -> Q:
    """`expression` (a SCIM filter) as a Q over the mapped fields; invalidFilter otherwise."""
    tree = _parse_filter(expression)
    if tree is None:
        raise ScimError(400, "The filter is empty.", "invalidFilter")
    try:
        query = _StrictTranspiler(attributes).transpile(tree)
    except ScimError:
        raise
    except (ValueError, TypeError, AttributeError, NotImplementedError, RecursionError):
        raise ScimError(400, "This filter is not supported.", "invalidFilter") from None
    if not isinstance(query, Q):
        raise ScimError(400, "This filter is not supported.", "invalidFilter")
    return query
