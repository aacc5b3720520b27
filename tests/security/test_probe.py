"""Role probe over every URL the project registers (found from the resolver, so a new view is
covered without anyone adding it here): every role requests every page of its own organisation
with real objects, GET and POST (an empty POST is the commonest malformed request), and never
gets a server error. Foreign objects are covered by tests/programme/test_tenancy.py, which walks
the same patterns; this file adds every role and the patterns outside the apps."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from programme.models import Role
from tests.factories import member
from tests.programme.test_tenancy import foreign_objects, tenant_patterns, url_for

APPS = {"programme", "kickoff", "showcase", "metrics", "goals", "identity"}
FILLED = {"org", "code", "join_code", "participant", "subject"}  # what url_for can fill in
ROLES = [Role.SPONSOR, Role.CONSULTANT, Role.MANAGER, Role.SELLER, Role.MARKETING, Role.ADMIN]
# Patterns of other projects, with the reason they are not probed here.
THIRD_PARTY = {
    "admin": "Django's admin (tested by Django); who reaches it is tested in test_deployment",
    "allauth": "django-allauth's sign-in, sign-up and MFA pages (tested by allauth)",
}


def project_patterns() -> list[str]:
    """Every named pattern outside the apps' urlconfs, e.g. /healthz."""
    found = []
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLPattern) and pattern.name:
            found.append(pattern.name)
        elif isinstance(pattern, URLResolver):
            module = getattr(pattern.urlconf_module, "__name__", str(pattern.urlconf_module))
            owner = pattern.app_name or module.split(".")[0]
            known = owner in THIRD_PARTY or owner in APPS or module == "config.tenant_urls"
            assert known, f"{module}: probe its patterns or say why not in THIRD_PARTY"
    return found


def test_every_registered_pattern_is_probed_or_excused() -> None:
    assert project_patterns() == ["healthz", "set_language"]  # both probed below
    assert len(tenant_patterns()) > 100


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_patterns_outside_the_apps_never_answer_a_server_error(org, login, signed_in) -> None:
    from django.test import Client

    client = login(member(org, Role.SELLER)) if signed_in else Client()
    client.raise_request_exception = False
    malformed = [{}, {"language": "xx"}, {"language": "de", "next": "https://elsewhere.example/"}]
    answers = [client.get("/healthz").status_code, client.get("/i18n/setlang/").status_code]
    answers += [client.post("/i18n/setlang/", data).status_code for data in malformed]
    assert all(status < 500 for status in answers), answers
    assert answers[1] == 405  # the switcher only changes something on POST


@pytest.mark.parametrize("role", ROLES)
def test_no_role_gets_a_server_error_anywhere(org, login, role) -> None:
    objects = foreign_objects(org)  # the same objects, in the member's own organisation
    client = login(member(org, role))
    client.raise_request_exception = False
    failures = []
    for name, params in tenant_patterns():
        if set(params) - FILLED:  # signed tokens: tested with real tokens where they are made
            continue
        url = url_for(name, params, org.slug, objects)
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            if status >= 500:
                failures.append(f"{method.upper()} {url} ({name}): {status}")
    assert failures == []
