"""Backup and restore, as the README documents them: `pg_dump --format=custom` of a populated
database, `pg_restore` into an empty one, and every row of every table is there, unchanged."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import foreign_world


def client_binary(name: str) -> str:
    """The embedded server's own pg_dump/pg_restore (same version), else the one on PATH."""
    import pgserver

    bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
    found = str(bundled) if bundled.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: apt-get install postgresql-client")
    return found


def libpq_env(database: str) -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "PGHOST": db["HOST"] or "localhost",
        "PGPORT": str(db["PORT"] or 5432),
        "PGUSER": db["USER"],
        "PGPASSWORD": db["PASSWORD"] or "",
        "PGDATABASE": database,
    }


def every_row(database: str) -> dict[str, tuple[int, str]]:
    """For each table: its row count and a digest of all its rows."""
    import psycopg2

    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname=database, user=db["USER"], password=db["PASSWORD"], host=db["HOST"],
        port=db["PORT"] or None,
    )  # fmt: skip
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            rows = {}
            for (table,) in cursor.fetchall():
                cursor.execute(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' "  # noqa: S608
                    f"ORDER BY t::text), '')) FROM \"{table}\" t"
                )
                rows[table] = cursor.fetchone()
            return rows
    finally:
        conn.close()


def test_a_dump_restored_into_an_empty_database_holds_every_row(transactional_db, org, tmp_path):
    foreign_world(org)  # one object of every kind, committed
    source = connection.settings_dict["NAME"]
    before = every_row(source)
    assert before["programme_participant"][0] > 0 and before["kickoff_concern"][0] > 0
    assert sum(count for count, _ in before.values()) > 100

    dump = tmp_path / "snowball.dump"
    subprocess.run(
        [client_binary("pg_dump"), "--format=custom", "--no-owner", f"--file={dump}"],
        env=libpq_env(source), check=True,
    )  # fmt: skip
    target = f"restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{target}"')
    try:
        subprocess.run(
            [client_binary("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction",
             f"--dbname={target}", str(dump)],
            env=libpq_env(target), check=True,
        )  # fmt: skip
        after = every_row(target)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    assert after == before
