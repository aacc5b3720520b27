"""Start and stop the test OpenID Connect provider (tests/identity/idp/) in its own process,
with its own database on the same PostgreSQL server as the test run."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "snowball-test-client"
CLIENT_SECRET = "snowball-test-secret"
IDP_PASSWORD = "idp password 1"


@dataclass(frozen=True)
class OidcIdp:
    url: str  # the issuer: http://127.0.0.1:<port>/o
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET


def _admin_connection():
    import psycopg2

    db = settings.DATABASES["default"]
    connection = psycopg2.connect(
        dbname="postgres", user=db["USER"], password=db["PASSWORD"], host=db["HOST"],
        port=db["PORT"],
    )  # fmt: skip
    connection.autocommit = True
    return connection


def _admin_sql(*statements: str) -> None:
    # Not `with connection:` (a transaction): CREATE and DROP DATABASE run outside one.
    connection = _admin_connection()
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


@contextlib.contextmanager
def running_oidc_idp(users: list[dict[str, str]]) -> Iterator[OidcIdp]:
    run = os.environ.get("SNOWBALL_TEST_RUN", "0")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    name = f"snowball_test_idp_{run}_{worker}"
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    db = {**settings.DATABASES["default"], "NAME": name}
    db.pop("TEST", None)
    env = {
        **os.environ,
        "IDP_DATABASE": json.dumps(db, default=str),
        "IDP_RSA_KEY": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        "IDP_SETUP": json.dumps(
            {"users": users, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
        ),
        "DJANGO_SETTINGS_MODULE": "tests.identity.idp.settings",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.identity.idp.serve"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = process.stdout.readline()
        if not line.startswith("READY"):
            process.kill()
            raise RuntimeError(f"the test IdP did not start: {line}{process.stderr.read()}")
        port = int(line.split()[1])
        yield OidcIdp(url=f"http://127.0.0.1:{port}/o")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
