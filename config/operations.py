"""Operations: the health endpoint, and the Django admin kept for staff who use MFA."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)
BROKER_TIMEOUT_SECONDS = 2


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "not healthy"; the log says which
        logger.exception("health: database unreachable")
        return False


def _broker_ok() -> bool:
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            return True
    except Exception:
        logger.exception("health: broker unreachable")
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 otherwise (says which; no data)."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    body = {name: "ok" if fine else "unreachable" for name, fine in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)


def staff_with_mfa(request: HttpRequest) -> bool:
    """The admin's permission: an active staff account that signs in with a second factor."""
    from allauth.mfa.models import Authenticator

    user = request.user
    return bool(
        user.is_active and user.is_staff
        and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )  # fmt: skip


@never_cache
def admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin signs in through allauth (so the second factor is asked); staff without MFA
    are sent to set it up first."""
    next_url = request.GET.get("next") or reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={next_url}")
    if not request.user.is_staff:
        raise PermissionDenied
    messages.warning(
        request, gettext("The admin needs two-factor authentication: set it up first.")
    )
    return redirect("mfa_activate_totp")
