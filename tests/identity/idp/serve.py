"""Run the test OpenID Connect provider: migrate its database, create its users and Snowball's
client from IDP_SETUP (JSON), then serve HTTP on 127.0.0.1 (port printed as "READY <port>")."""

from __future__ import annotations

import contextlib
import json
import os
import socketserver
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.identity.idp.settings")


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    setup = json.loads(os.environ["IDP_SETUP"])
    for person in setup["users"]:
        user, _ = User.objects.get_or_create(username=person["email"])
        user.email = person["email"]
        user.first_name = person.get("first_name", "")
        user.last_name = person.get("last_name", "")
        user.set_password(person["password"])
        user.save()
    Application.objects.filter(client_id=setup["client_id"]).delete()
    Application.objects.create(
        name="Snowball",
        client_id=setup["client_id"],
        client_secret=setup["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="http://localhost/",
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = make_server(
        "127.0.0.1", 0, get_wsgi_application(), ThreadingWSGIServer, handler_class=QuietHandler
    )
    print(f"READY {server.server_port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    sys.exit(0)


if __name__ == "__main__":
    main()
