"""Development e-mail: one line in the log per message, the whole message kept in a file.

`make run` sends hundreds of e-mails (invitations, digests, announcements); printed whole they
drowned the log. Each message is written to the data folder's mail/ directory instead, and the
log says who it went to, its subject and which file holds it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.message import EmailMessage

logger = logging.getLogger("snowball.mail")


class DevelopmentEmailBackend(FileBackend):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("file_path", str(Path(settings.EMAIL_FILE_PATH)))
        super().__init__(*args, **kwargs)

    def write_message(self, message: EmailMessage) -> None:
        super().write_message(message)
        logger.info(
            "E-mail to %s: %s (whole message in %s)",
            ", ".join(message.recipients()), message.subject, self._get_filename(),
        )  # fmt: skip
