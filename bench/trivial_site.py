"""The machine's ceiling for bench/load.py: Snowball's own settings and middleware (sessions,
authentication, CSP, request ids), with one view that does nothing. Serves as both the
settings module and the URLconf."""

from django.http import HttpResponse
from django.urls import path

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.trivial_site"


def trivial(request: object) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("trivial/", trivial)]
