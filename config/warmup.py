"""What a server process would otherwise do on its first requests, done before it takes one.

A fresh gunicorn worker's first page cost 420 ms of CPU against 13 ms for the next (the kick-off
join page): importing every view through the URLconf, building the reverse-lookup tables (once
per language), compiling each template on first use and reading each language's catalogue.
When a room of 300 opens the join page at once, the first requests of every worker paid it
while the others queued behind them (bench/kickoff_load.py, "join page opened"). The workers
now pay it at start, before gunicorn sends them a request.

Nothing here touches the database or Redis: it runs at import of config.wsgi, in each worker.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django.conf import settings
from django.template import TemplateSyntaxError, engines
from django.template.autoreload import get_template_directories
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)
TEMPLATE_SUFFIXES = (".html", ".txt")


def own_template_names() -> list[str]:
    """The project's own templates (not the installed packages'), by their loader names."""
    base = Path(settings.BASE_DIR).resolve()
    names = []
    for folder in get_template_directories():
        folder = Path(folder).resolve()
        if not folder.is_relative_to(base) or ".venv" in folder.parts or not folder.is_dir():
            continue
        names += [
            path.relative_to(folder).as_posix()
            for path in folder.rglob("*")
            if path.suffix in TEMPLATE_SUFFIXES and path.is_file()
        ]
    return sorted(set(names))


def warm_up() -> dict[str, float]:
    """Imports the views, fills the reverse tables and catalogues of every language and
    compiles the project's templates into the cached loader. Returns what it did, for the log
    line (and the test)."""
    started = time.perf_counter()
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every view module
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # reads the language's catalogues
            resolver.reverse_dict  # noqa: B018 - built once per active language
    compiled = 0
    engine = engines["django"]
    for name in own_template_names():
        try:
            engine.get_template(name)
        except TemplateSyntaxError as exc:
            # The pages using it will fail as they would have; the rest of the site serves.
            logger.warning("template %s does not compile: %s", name, exc)
            continue
        compiled += 1
    seconds = time.perf_counter() - started
    logger.info("warmed up: %d templates compiled in %.2f s", compiled, seconds)
    return {"templates": compiled, "seconds": seconds}
