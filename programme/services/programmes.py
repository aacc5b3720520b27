"""Programmes, waves, risks and problems. Each write takes the acting membership (`by`) and
asks `programme.policies` itself."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from programme import policies
from programme.anonymous import anonymous_enqueue, register_anonymous_writer, write_items
from programme.models import (
    Membership,
    Organisation,
    Participant,
    Problem,
    ProblemStatus,
    Programme,
    Risk,
    Wave,
    WaveMember,
)
from programme.policies import require


def programme_save(
    *,
    organisation: Organisation,
    data: dict[str, object],
    sponsors: Iterable[Membership],
    consultants: Iterable[Membership],
    by: Membership,
    programme: Programme | None = None,
) -> Programme:
    require(policies.can_manage_programme(by), by, organisation.pk, "Only the programme team does.")
    programme = programme or Programme(organisation=organisation)
    for name, value in data.items():
        setattr(programme, name, value)
    programme.save()
    programme.sponsors.set(sponsors)
    programme.consultants.set(consultants)
    return programme


def wave_name_taken_message(name: str) -> str:
    return gettext(
        "Another wave of this programme is already called “%(name)s”: choose another name, "
        "so people can tell the waves apart."
    ) % {"name": name}


def _wave_name_check(programme: Programme, name: str, wave: Wave | None = None) -> None:
    """Names are unique per programme, whatever the case (the database holds the rule too)."""
    if (
        name
        and programme.waves.filter(name__iexact=name).exclude(pk=getattr(wave, "pk", None)).exists()
    ):
        raise ValidationError({"name": wave_name_taken_message(name)})


def wave_create(*, programme: Programme, by: Membership, name: str, start_date: object) -> Wave:
    require(
        policies.can_manage_programme(by),
        by,
        programme.organisation_id,
        "Only the programme team adds waves.",
    )
    name = name.strip()
    with transaction.atomic():
        # Lock the programme so two consultants adding waves at once get numbers 2 and 3
        # (and the name check below cannot race another wave of the same name).
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        _wave_name_check(programme, name)
        number = (programme.waves.aggregate(n=Max("number"))["n"] or 0) + 1
        return Wave.objects.create(
            programme=programme, number=number, name=name, start_date=start_date
        )


def wave_rename(*, wave: Wave, name: str, by: Membership) -> Wave:
    """Give a wave another name; the rest (number, people, cases) stays."""
    require(
        policies.can_manage_programme(by),
        by,
        wave.programme.organisation_id,
        "Only the programme team renames waves.",
    )
    name = name.strip()
    with transaction.atomic():
        Programme.objects.select_for_update().filter(pk=wave.programme_id).first()
        _wave_name_check(wave.programme, name, wave)
        wave.name = name
        wave.save(update_fields=["name", "updated_at"])
    return wave


def wave_add_members(
    *, wave: Wave, by: Membership, participants: Iterable[Participant]
) -> tuple[int, list[Participant]]:
    """Add people to a wave. Returns (added, already in another wave of the programme)."""
    require(
        policies.can_manage_programme(by),
        by,
        wave.programme.organisation_id,
        "Only the programme team puts people in waves.",
    )
    participants = list(participants)
    taken = dict(
        WaveMember.objects.filter(
            programme_id=wave.programme_id, participant__in=participants
        ).values_list("participant_id", "wave_id")
    )
    elsewhere = [p for p in participants if taken.get(p.pk) not in (None, wave.pk)]
    new = [p for p in participants if p.pk not in taken]
    WaveMember.objects.bulk_create(
        [WaveMember(programme_id=wave.programme_id, wave=wave, participant=p) for p in new],
        ignore_conflicts=True,
    )
    return len(new), elsewhere


def wave_remove_member(*, wave: Wave, by: Membership, participant: Participant) -> bool:
    require(
        policies.can_manage_programme(by),
        by,
        wave.programme.organisation_id,
        "Only the programme team takes people out of waves.",
    )
    deleted, _ = WaveMember.objects.filter(wave=wave, participant=participant).delete()
    return bool(deleted)


def risk_save(
    *, programme: Programme, by: Membership, data: dict[str, str], risk: Risk | None = None
) -> Risk:
    require(
        policies.can_manage_risks(by),
        by,
        programme.organisation_id,
        "Only the sponsor or a consultant writes risks.",
    )
    risk = risk or Risk(programme=programme)
    for name, value in data.items():
        setattr(risk, name, value)
    risk.save()
    return risk


def problem_raise(
    *, programme: Programme, by: Membership, title: str, description: str, anonymous: bool
) -> Problem:
    """Anyone in the programme raises a problem; anonymous keeps no author and only the day,
    and is queued for the timer to write with others, shuffled (programme.anonymous): the
    returned problem is unsaved until then."""
    require(policies.can_raise_problem(by), by, programme.organisation_id, "Not your programme.")
    raised_on = timezone.localdate()
    if anonymous:
        code = anonymous_enqueue(
            "problem",
            {"programme_id": programme.pk, "title": title, "description": description,
             "raised_on": raised_on.isoformat()},
        )  # fmt: skip
        return Problem(
            code=code, organisation_id=programme.organisation_id, programme=programme,
            title=title, description=description, raised_on=raised_on,
        )  # fmt: skip
    return Problem.objects.create(
        organisation_id=programme.organisation_id,
        programme=programme,
        title=title,
        description=description,
        raised_by=by,
        raised_on=raised_on,
    )


def _anonymous_problems_write(items: list[dict]) -> None:
    write_items(
        items, model=Problem, parent=Programme, parent_key="programme_id",
        build=lambda item, organisation_id: Problem(
            code=item["code"], organisation_id=organisation_id, programme_id=item["programme_id"],
            title=item["title"], description=item["description"],
            raised_on=date.fromisoformat(item["raised_on"]),
        ),
    )  # fmt: skip


register_anonymous_writer("problem", _anonymous_problems_write)


def problem_triage(
    *, problem: Problem, by: Membership, owner: Membership | None, status: str, resolution: str
) -> None:
    require(
        policies.can_triage_problem(by),
        by,
        problem.organisation_id,
        "Only a consultant or the sponsor triages problems.",
    )
    problem.owner = owner
    problem.status = status
    problem.resolution = resolution
    if status == ProblemStatus.RESOLVED:
        problem.resolved_on = problem.resolved_on or timezone.localdate()
    else:
        problem.resolved_on = None
    problem.save(update_fields=["owner", "status", "resolution", "resolved_on"])


__all__ = [
    "problem_raise",
    "problem_triage",
    "programme_save",
    "risk_save",
    "wave_add_members",
    "wave_create",
    "wave_name_taken_message",
    "wave_remove_member",
    "wave_rename",
]
