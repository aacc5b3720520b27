"""Compile the translation catalogues (locale/<code>/LC_MESSAGES/django.po -> .mo) in Python.

`make run`, `make test`, the test session and the Docker image call this, so a fresh clone needs
no GNU gettext to run (translators and the completeness test use `makemessages`, which does).
Only catalogues whose .po is newer than their .mo are compiled; each .mo is written beside it
and renamed into place, so processes starting together never read a half-written file.

    python -m config.catalogues          # compile what changed
    python -m config.catalogues --check  # also fail on untranslated or fuzzy messages
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogues() -> list[Path]:
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))


def compile_all(*, force: bool = False) -> list[Path]:
    """Compile each stale catalogue; returns the .mo files written."""
    written = []
    for po_path in catalogues():
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalogue = polib.pofile(str(po_path))
        handle, temporary = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
        os.close(handle)
        try:
            catalogue.save_as_mofile(temporary)
            os.replace(temporary, mo_path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        written.append(mo_path)
    return written


def problems() -> list[str]:
    """One line per message that is untranslated or fuzzy, per language."""
    found = []
    for po_path in catalogues():
        language = po_path.parent.parent.name
        catalogue = polib.pofile(str(po_path))
        for entry in catalogue.untranslated_entries():
            found.append(f"{language}: untranslated: {entry.msgid!r}")
        for entry in catalogue.fuzzy_entries():
            found.append(f"{language}: fuzzy: {entry.msgid!r}")
    return found


def main(argv: list[str]) -> int:
    written = compile_all(force="--force" in argv)
    if written:
        print(f"Translations: compiled {len(written)} catalogue(s).")
    if "--check" in argv:
        found = problems()
        for line in found:
            print(line, file=sys.stderr)
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
