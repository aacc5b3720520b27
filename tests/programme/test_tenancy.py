"""Tenancy: another organisation's pages and objects answer 404, for every view there is."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from programme.models import Role
from tests.factories import member

SCIM_API = ("service-provider-config", "resource-types", "resource-type", "schemas", "schema",
            "users", "user", "groups", "group", "fallback")  # fmt: skip
# Patterns outside the tenancy scheme (no organisation in the URL), with the reason.
NOT_TENANT = {
    "home": "redirects to the user's own organisation",
    "programme-invitation-accept": "reached by a signed token, tested in test_invitations",
    "programme-email-unsubscribe": "reached by a signed token, tested in test_weekly_summary",
    "kickoff-join-by-code": "looks a code up only among the user's own organisations",
    "healthz": "holds no data: says whether the database and the broker answer",
    "showcase-pick-redirect": "a pick's public short link, tested in tests/showcase",
    "showcase-pick-redirect-team": "a pick's public short link, tested in tests/showcase",
    "programme-calendar-feed-ics": "reached by a secret token, tested in test_calendar_feed",
    "set_language": "the sign-in page's language switcher: only the person's own choice",
    **{
        f"identity-scim-{name}": "the SCIM API: its bearer token names the organisation; every "
        "route is probed with another organisation's token in tests/identity/test_scim_errors.py"
        for name in SCIM_API
    },
    "identity-saml-finish-acs": "a SAML response's last step, before sign-in: tests/identity",
}


def tenant_patterns() -> list[tuple[str, list[str]]]:
    """Every named pattern of the project's own apps, with its URL parameters."""
    found = []

    def walk(patterns, prefix_params):
        for pattern in patterns:
            params = prefix_params + list(pattern.pattern.converters)
            if isinstance(pattern, URLResolver):
                module = getattr(pattern.urlconf_module, "__name__", "")
                apps = {"programme", "kickoff", "showcase", "metrics", "goals", "identity"}
                if module == "config.tenant_urls" or module.split(".")[0] in apps:
                    walk(pattern.url_patterns, params)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found.append((pattern.name, params))

    walk(get_resolver().url_patterns, [])
    return found


def foreign_objects(other_org) -> dict[str, object]:
    """One object of every kind, all in the other organisation."""
    from tests.factories import foreign_world

    world = foreign_world(other_org)
    target = world["participant"]
    from programme.models import DataExport

    their_download = DataExport.objects.create(
        organisation=other_org, membership=target.membership, status="done", file="privacy/x.zip"
    )
    from kickoff import services as kickoff_services

    their_format = kickoff_services.kickoff_format_save(
        by=member(other_org, Role.CONSULTANT), data={"name": "Their format", "agenda": "Hi — 5"}
    )
    from identity.scim import services as scim_services

    their_scim_token, _secret = scim_services.scim_token_create(
        by=member(other_org, Role.ADMIN), name="Their Entra ID"
    )
    return {
        "programme-my-data-download": their_download,
        "programme-participant-detail": target,
        "programme-participant-invite": target,
        "programme-roster-detail": world["roster_import"],
        "programme-roster-confirm": world["roster_import"],
        "programme-participant-deactivate": target,
        "programme-participant-reactivate": target,
        "programme-programme-detail": world["programme"],
        "programme-programme-edit": world["programme"],
        "programme-wave-create": world["programme"],
        "programme-wave-detail": world["wave"],
        "programme-wave-member-remove": world["wave"],
        "programme-risk-create": world["programme"],
        "programme-risk-edit": world["risk"],
        "programme-problem-list": world["programme"],
        "programme-problem-detail": world["problem"],
        "programme-announcement-create": world["programme"],
        "programme-announcement-detail": world["announcement"],
        "programme-announcement-edit": world["announcement"],
        "programme-announcement-publish": world["draft"],
        "programme-announcement-acknowledge": world["announcement"],
        "programme-announcement-reach": world["announcement"],
        "programme-announcement-remind": world["announcement"],
        "programme-announcement-translation": world["draft"],
        "programme-question-ask": world["announcement"],
        "programme-question-answer": world["question"],
        "programme-session-list": world["programme"],
        "programme-cycle-create": world["programme"],
        "programme-session-detail": world["session"],
        "programme-session-delete": world["session"],
        "programme-meeting-list": world["programme"],
        "programme-meeting-detail": world["meeting"],
        "programme-follow-up-done": world["follow_up"],
        "participant": target,
        "kickoff-session-list": world["programme"],
        "kickoff-you-said-we-did": world["programme"],
        "kickoff-session-detail": world["kickoff"],
        "kickoff-session-open": world["kickoff"],
        "kickoff-session-close": world["kickoff"],
        "kickoff-projector": world["kickoff"],
        "kickoff-emotion-log": world["kickoff"],
        "kickoff-concern-detail": world["concern"],
        "kickoff-concern-categorise": world["concern"],
        "kickoff-concern-merge": world["concern"],
        "kickoff-concern-vote": world["concern"],
        "kickoff-concern-opinion": world["concern"],
        "kickoff-presenter-notes": world["kickoff"],
        "kickoff-stakeholder-detail": target,
        "kickoff-engagement-action-add": target,
        "kickoff-engagement-action-done": world["engagement_action"],
        "kickoff-wave-planner": world["programme"],
        "kickoff-report": world["kickoff"],
        "kickoff-wave-rename": world["wave"],
        "kickoff-format-compare": their_format,
        "kickoff-format-edit": their_format,
        "kickoff-format-archive": their_format,
        "kickoff-session-save-as-format": world["kickoff"],
        "kickoff-session-plan-from-format": world["programme"],
        "kickoff-concern-moderate": world["concern"],
        "kickoff-session-export": world["kickoff"],
        "kickoff-session-theme-follow-up": world["kickoff"],
        "kickoff-session-premoderation": world["kickoff"],
        "metrics-import-detail": world["activity_import"],
        "metrics-api-token-revoke": world["api_token"],
        "identity-scim-token-revoke": their_scim_token,
        "join_code": world["kickoff"],
        **{
            f"showcase-case-{action}": world["case"]
            for action in (
                "detail",
                "edit",
                "delete",
                "react",
                "comment",
                "hide",
                "unhide",
                "report",
                "feature",
                "feature-answer",
            )
        },
        "showcase-comment-hide": world["case_comment"],
        "showcase-image": world["case_image"],
        "showcase-image-delete": world["case_image"],
        "showcase-pick-uptake": world["pick"],
        "showcase-pick-archive": world["pick"],
        "showcase-pick-translation": world["pick"],
        "showcase-pick-share": world["pick"],
        "showcase-pick-shared": world["pick"],
        "showcase-pick-preview": world["pick"],
        "showcase-pick-preview-image": world["pick"],
        "showcase-pick-redirect": world["pick"].share,  # for the probe (outside tenancy)
        "goals-proposal-vote": world["proposal"],
        "goals-proposal-decide": world["proposal"],
        "goals-celebration-answer": world["celebration"],
        **{
            f"goals-{name}": world[key]
            for name, key in [
                ("objective-detail", "objective"),
                ("objective-archive", "objective"),
                ("objective-align", "objective"),
                ("key-result-create", "objective"),
                ("initiative-create", "objective"),
                ("key-result-check-in", "key_result"),
                ("key-result-confirm", "key_result"),
                ("key-result-remove", "key_result"),
                ("initiative-status", "initiative"),
                ("objective-close", "objective"),
                ("objective-copy-forward", "objective"),
                ("evaluation", "programme"),
            ]
        },
    }


def url_for(name: str, params: list[str], slug: str, objects: dict[str, object]) -> str:
    kwargs: dict[str, object] = {}
    if "org" in params:
        kwargs["org"] = slug
    if "code" in params:
        assert name in objects, f"add an object of another organisation for '{name}' to this test"
        kwargs["code"] = objects[name].code
    if "join_code" in params:
        kwargs["join_code"] = objects["join_code"].join_code
    if "participant" in params:
        kwargs["participant"] = objects["participant"].code
    if "subject" in params:
        kwargs["subject"] = "success"
    return reverse(name, kwargs=kwargs)


def test_every_view_is_covered() -> None:
    names = [name for name, _ in tenant_patterns()]
    assert "programme-people-list" in names
    for name, params in tenant_patterns():
        assert "org" in params or name in NOT_TENANT, f"{name} has no organisation in its URL"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.CONSULTANT, Role.SPONSOR, Role.SELLER])
def test_other_organisation_answers_404_everywhere(org, other_org, login, role) -> None:
    client = login(member(org, role))
    objects = foreign_objects(other_org)
    for name, params in tenant_patterns():
        if name in NOT_TENANT:
            continue
        url = url_for(name, params, other_org.slug, objects)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code in (404, 405), f"{method.__name__.upper()} {url}"
            if response.status_code == 404:
                assert other_org.name not in response.content.decode()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.CONSULTANT])
def test_foreign_object_under_own_organisation_answers_404(org, other_org, login, role) -> None:
    client = login(member(org, role))
    objects = foreign_objects(other_org)
    for name, params in tenant_patterns():
        if "code" not in params or name in NOT_TENANT:
            continue
        url = url_for(name, params, org.slug, objects)
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url).status_code in (404, 405), url
    # Nothing of the other organisation changed: no publication, no answer, no follow-up done.
    objects["programme-announcement-publish"].refresh_from_db()
    assert objects["programme-announcement-publish"].status == "draft"
    objects["programme-question-answer"].refresh_from_db()
    assert objects["programme-question-answer"].answer == ""
    objects["programme-follow-up-done"].refresh_from_db()
    assert objects["programme-follow-up-done"].done_at is None
    objects["kickoff-session-close"].refresh_from_db()
    assert objects["kickoff-session-close"].status == "open"
    objects["kickoff-concern-vote"].refresh_from_db()
    assert objects["kickoff-concern-vote"].votes == 0
    assert not objects["kickoff-stakeholder-detail"].assessments.exists()
    objects["metrics-api-token-revoke"].refresh_from_db()
    assert objects["metrics-api-token-revoke"].revoked_at is None
    objects["identity-scim-token-revoke"].refresh_from_db()
    assert objects["identity-scim-token-revoke"].revoked_at is None
    objects["kickoff-engagement-action-done"].refresh_from_db()
    assert objects["kickoff-engagement-action-done"].done_on is None


def test_anonymous_visitors_are_sent_to_sign_in(org, other_org) -> None:
    from django.test import Client

    objects = foreign_objects(other_org)
    for name, params in tenant_patterns():
        if name in NOT_TENANT:
            continue
        response = Client().get(url_for(name, params, org.slug, objects))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_unknown_organisation_is_a_friendly_404(org, seller, login) -> None:
    response = login(seller).get("/o/no-such-company/people/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_organisation_switcher_lists_only_own_memberships(org, other_org, login) -> None:
    from tests.factories import OrganisationFactory

    consultant = member(org, Role.CONSULTANT)
    from programme.models import Membership, Participant

    second = Membership.objects.create(
        user=consultant.user, organisation=other_org, role="consultant"
    )
    Participant.objects.create(membership=second, organisation=other_org)
    third = OrganisationFactory(name="Initech", slug="initech")
    client = login(consultant)
    page = client.get(reverse("programme-organisation-home", args=[org.slug])).content.decode()
    assert "Switch organisation" in page and "Globex" in page and "Initech" not in page
    assert client.get(reverse("programme-organisation-home", args=[third.slug])).status_code == 404
    # Switching remembers the choice: the front door now leads to Globex.
    client.get(reverse("programme-organisation-home", args=[other_org.slug]))
    assert client.get("/")["Location"] == reverse("programme-organisation-home", args=["globex"])


def test_server_error_page_is_friendly_and_needs_no_database(rf) -> None:
    from programme.views import error_500

    response = error_500(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_permission_denied_page_explains(org, seller, login) -> None:
    response = login(seller).get(reverse("programme-roster-upload", args=[org.slug]))
    assert response.status_code == 403
    assert "Your role in this organisation does not give access" in response.content.decode()
