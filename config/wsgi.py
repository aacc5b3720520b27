from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Before gunicorn hands this worker a request: views imported, templates compiled.
from config.warmup import warm_up  # noqa: E402 - needs the application's settings

warm_up()
