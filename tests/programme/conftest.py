"""What the programme tests share."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from programme import services
from programme.models import Role
from tests.factories import member


@pytest.fixture
def programme(org, consultant):
    sponsor = member(org, Role.SPONSOR)
    return services.programme_save(
        by=consultant,
        organisation=org,
        data={
            "name": "Social selling",
            "start_date": timezone.localdate() - datetime.timedelta(days=60),
            "problem_flag_days": 7,
            "meeting_cadence_days": 14,
        },
        sponsors=[sponsor],
        consultants=[],
    )
