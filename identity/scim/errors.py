"""SCIM errors (RFC 7644 §3.12): raised anywhere below a SCIM view, answered as an error body."""

from __future__ import annotations

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


class ScimError(Exception):
    """`status` the HTTP status; `scim_type` one of RFC 7644's (invalidFilter, invalidValue,
    invalidPath, invalidSyntax, mutability, noTarget, uniqueness, tooMany) or "" for none."""

    def __init__(self, status: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {
            "schemas": [ERROR_SCHEMA],
            "status": str(self.status),
            "detail": self.detail,
        }
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


def invalid_value(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidValue")


def not_found(kind: str, scim_id: str) -> ScimError:
    # The same answer for an id that never existed and one of another organisation.
    return ScimError(404, f"No {kind} with id '{scim_id[:100]}'.")
