"""The translation catalogues are complete: every message a person can read, extracted afresh
from the source, is translated (and not fuzzy) in German, French, Czech and Swedish, with the
same placeholders as the English. The extraction runs on a copy of the source, so the
repository's catalogues are never touched by the test."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
LANGUAGES = [code for code, _name in settings.LANGUAGES if not code.startswith("en")]
SOURCES = [
    "config",
    "programme",
    "identity",
    "kickoff",
    "showcase",
    "goals",
    "metrics",
    "templates",
    "static",
]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]")


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory) -> dict[str, polib.POFile]:
    """The committed catalogues merged with the messages extracted from today's source."""
    if shutil.which("xgettext") is None:
        message = "makemessages needs GNU gettext (Debian: apt-get install gettext)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    copy = tmp_path_factory.mktemp("source")
    ignore = shutil.ignore_patterns("__pycache__", "migrations", "vendor", "*.mo", "*.pyc")
    for name in SOURCES:
        shutil.copytree(BASE_DIR / name, copy / name, ignore=ignore)
    shutil.copytree(BASE_DIR / "locale", copy / "locale", ignore=ignore)
    shutil.copy(BASE_DIR / "manage.py", copy / "manage.py")
    # makemessages needs the settings, not the servers: given URLs, nothing embedded starts.
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete", "--no-location"]
    command += [f"--locale={code}" for code in LANGUAGES]
    done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return {
        code: polib.pofile(str(copy / "locale" / code / "LC_MESSAGES" / "django.po"))
        for code in LANGUAGES
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(fresh_catalogues, language) -> None:
    catalogue = fresh_catalogues[language]
    assert len(catalogue) > 500, "the source should have hundreds of messages"
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not missing, f"{len(missing)} messages not translated into {language}: {missing[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy messages in {language}: {fuzzy[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(fresh_catalogues, language) -> None:
    wrong = []
    for entry in fresh_catalogues[language].translated_entries():
        source = set(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural:
            source |= set(PLACEHOLDER.findall(entry.msgid_plural))
            for translated in entry.msgstr_plural.values():
                if not set(PLACEHOLDER.findall(translated)) <= source:
                    wrong.append((entry.msgid, translated))
        elif set(PLACEHOLDER.findall(entry.msgstr)) != source:
            wrong.append((entry.msgid, entry.msgstr))
    assert not wrong, f"{len(wrong)} translations into {language} change placeholders: {wrong[:10]}"


def test_czech_has_three_plural_forms(fresh_catalogues) -> None:
    header = fresh_catalogues["cs"].metadata.get("Plural-Forms", "")
    assert "nplurals=3" in header, header
    plurals = [entry for entry in fresh_catalogues["cs"] if entry.msgid_plural]
    assert plurals, "the source has plural messages"
    assert all(len(entry.msgstr_plural) == 3 for entry in plurals)
