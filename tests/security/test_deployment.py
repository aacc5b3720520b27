"""Deployment security and operations: `check --deploy` is clean with production settings, every
page carries a strict Content-Security-Policy, the admin wants staff with MFA, /healthz checks
the database and the broker, and every response and log line carries a request id."""

from __future__ import annotations

import logging
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from programme.models import Role
from tests.factories import member

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_reports_nothing_with_production_settings() -> None:
    env = {
        **os.environ,
        "SNOWBALL_TESTING": "0", "DJANGO_DEBUG": "0",
        "DATABASE_URL": "postgres://snowball:x@db.invalid:5432/snowball",
        "REDIS_URL": "redis://redis.invalid:6379/0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "snowball.example.com",
        "SITE_URL": "https://snowball.example.com",
    }  # fmt: skip
    # The test run's own settings (the browser tests allow async-unsafe calls) are not production's.
    for name in (
        "DJANGO_SECURE_COOKIES",
        "DJANGO_SSL_REDIRECT",
        "DJANGO_HSTS_SECONDS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "DJANGO_SETTINGS_MODULE",
    ):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_pages_carry_a_strict_content_security_policy(org, login) -> None:
    response = login(member(org, Role.SELLER)).get(reverse("showcase-case-feed", args=[org.slug]))
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe" not in policy["script-src"] + policy["default-src"]
    assert response["X-Frame-Options"] == "DENY"


def test_no_template_runs_inline_script() -> None:
    """An inline script or handler would be blocked by the policy: the behaviour would break."""
    templates = [p for p in ROOT.glob("**/templates/**/*.html") if ".venv" not in p.parts]
    assert len(templates) > 50
    for template in templates:
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, f"{template}: {tag}"
        handler = re.search(r"\son[a-z]+\s*=\s*[\"']", text)
        assert handler is None, f"{template}: inline handler {handler and handler.group()}"


def test_healthz_checks_the_database_and_the_broker(db, client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:9/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unreachable"}


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        from django_guid.log_filters import CorrelationId

        self.addFilter(CorrelationId())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_every_response_and_log_line_carries_the_request_id(db, client) -> None:
    made = client.get("/healthz")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    collect = Collect()
    logger = logging.getLogger("config.operations")
    logger.addHandler(collect)
    try:
        with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:9/0"):
            response = client.get("/healthz", headers={"X-Request-ID": "proxy-given-7f3a"})
    finally:
        logger.removeHandler(collect)
    assert response["X-Request-ID"] == "proxy-given-7f3a"
    assert collect.records and {r.correlation_id for r in collect.records} == {"proxy-given-7f3a"}


@pytest.mark.django_db
def test_the_admin_wants_staff_who_use_mfa(org, login) -> None:
    from allauth.mfa.models import Authenticator

    anonymous = Client().get("/admin/")
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    seller = member(org, Role.SELLER)
    assert login(seller).get("/admin/login/").status_code == 403
    staff = member(org, Role.ADMIN)
    staff.user.is_staff = staff.user.is_superuser = True
    staff.user.save()
    client = login(staff)
    response = client.get("/admin/", follow=True)
    # Sent to set up MFA (allauth first asks for the password again).
    chain = [url for url, _ in response.redirect_chain]
    assert reverse("mfa_activate_totp") in chain and response.status_code == 200
    Authenticator.objects.create(
        user=staff.user, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    assert client.get("/admin/").status_code == 200
