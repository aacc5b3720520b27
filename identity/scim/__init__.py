"""SCIM 2.0 provisioning (RFC 7643/7644, issue #18): an organisation's identity provider
(Microsoft Entra ID, Okta, ...) creates, updates and deactivates its people and manages its teams
as groups, with a bearer token an admin of the organisation created.

- `parsing`: request bodies, PATCH operations and filters into plain Python values (no database);
- `selectors`: what one token may read (its organisation's provisioned users and groups);
- `services`: the writes, each validated whole before anything is written;
- `resources`: users and groups as SCIM JSON;
- `views`: the API under /scim/v2/ (token-authenticated, so CSRF-exempt) and the admin page.
"""
