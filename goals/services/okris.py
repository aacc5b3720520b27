"""Writes for OKRIs: objectives, key results with their baselines, check-ins, initiatives, the
revenue confirmation and the weekly check-in reminder. Each write takes the acting membership
(`by`) and asks goals.policies itself, so it is safe whoever calls it."""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _lazy

from goals import alignment, policies
from goals.measures import INDICATORS, REVENUE_INDICATORS, indicator_now
from goals.models import CheckIn, Initiative, KeyResult, Objective, Scope
from goals.models.okris import KeyResultGrade, ObjectiveClosure, closure_of
from goals.progress import HOLDING, Direction, holds_the_line
from metrics.indicators import monday
from programme import services as programme_services
from programme.i18n import deferred
from programme.models import (
    EmailKind,
    Membership,
    Organisation,
    Phase,
    Programme,
    Role,
    Team,
    Wave,
)
from programme.viewer import Viewer

# Revenue cannot be credibly measured in the first phase and is easy to fool: people learning a
# skill are not yet the reason a deal closes, and a revenue target turns a habit into a quota.
# The first phase is everything before the programme expands wave by wave.
FIRST_PHASES = {Phase.KICKOFF, Phase.TRAINING, Phase.CONSULTATION}
REVENUE_WORDS = re.compile(
    r"\b(revenue|turnover|bookings?|order intake|sales volume|quota|ARR|MRR|margin|profit"
    r"|pipeline value|deal value|deal size)\b|[€$£]|\b(k|m)?(eur|usd|gbp)\b",
    re.IGNORECASE,
)
REVENUE_WARNING = _lazy(
    "Revenue in the first phase: it cannot be measured credibly yet (deals close for many "
    "reasons, and a LinkedIn habit is weeks old), it is easy to fool, and it turns learning "
    "into a quota. It counts toward progress only if a sponsor confirms it."
)
CLOSED_MESSAGE = _lazy(
    "This objective is closed and graded: it is read-only. Copy it forward to work on it in "
    "the next period."
)
RECENT_CHECK_IN = timedelta(days=6)  # updated this recently: no reminder this week
REMIND_FROM_HOUR = 9  # Monday, local time, after the weekly summary


__all__ = [
    "FIRST_PHASES",
    "RECENT_CHECK_IN",
    "REMIND_FROM_HOUR",
    "REVENUE_WARNING",
    "REVENUE_WORDS",
    "already_met",
    "check_in",
    "checkin_reminders_send",
    "initiative_add",
    "initiative_status_set",
    "is_about_revenue",
    "key_result_add",
    "key_result_confirm",
    "key_result_remove",
    "objective_archive",
    "objective_create",
    "objective_parent_set",
    "reminder_week",
]


def _require_edit(membership: Membership, objective: Objective, *,
                  closed_ok: bool = False) -> None:  # fmt: skip
    if not policies.can_edit_objective(Viewer(membership), objective):
        raise PermissionDenied("Only the objective's owner, its team's manager, a sponsor or a "
                               "consultant change it.")  # fmt: skip
    if objective.archived_at is not None:
        raise ValidationError(gettext("This objective is archived."))
    if not closed_ok and closure_of(objective) is not None:
        raise ValidationError(CLOSED_MESSAGE)


def _number(value: float | None, message: str) -> float:
    if value is None or not math.isfinite(value):
        raise ValidationError(message)
    return float(value)


def objective_create(
    *, by: Membership, programme: Programme, scope: str, title: str, owner: Membership,
    starts_on: date, ends_on: date, wave: Wave | None = None, team: Team | None = None,
    parent: Objective | None = None,
) -> Objective:  # fmt: skip
    if not policies.can_create_objective(by):
        raise PermissionDenied("Sponsors, consultants and managers set objectives.")
    org = by.organisation_id
    if programme.organisation_id != org or owner.organisation_id != org:
        raise ValidationError(gettext("Choose a programme and an owner of this organisation."))
    if scope not in Scope.values:
        raise ValidationError(
            gettext(
                "Choose what the objective is for: the programme, a wave, a team or one person."
            )
        )
    wave = wave if scope == Scope.WAVE else None
    team = team if scope == Scope.TEAM else None
    if scope == Scope.WAVE and (wave is None or wave.programme_id != programme.pk):
        raise ValidationError(gettext("Choose one of this programme's waves."))
    if scope == Scope.TEAM and (team is None or team.organisation_id != org):
        raise ValidationError(gettext("Choose the team."))
    team_id = team.pk if team is not None else None
    if not policies.can_create_objective_for(Viewer(by), scope, team_id):
        raise PermissionDenied("Managers set objectives for their own teams.")
    title = title.strip()
    if not title:
        raise ValidationError(gettext("Say in a sentence what you want to achieve."))
    if ends_on <= starts_on:
        raise ValidationError(gettext("The period must end after it starts."))
    if parent is not None:
        _parent_check(scope=scope, programme=programme, parent=parent)
    return Objective.objects.create(
        organisation_id=org, programme=programme, scope=scope, wave=wave, team=team,
        title=title[:200], owner=owner, starts_on=starts_on, ends_on=ends_on, parent=parent,
    )  # fmt: skip


def objective_archive(*, objective: Objective, by: Membership) -> None:
    _require_edit(by, objective, closed_ok=True)  # a closed objective may leave the list
    objective.archived_at = timezone.now()
    objective.save(update_fields=["archived_at", "updated_at"])


def is_about_revenue(title: str, indicator: str = "", said_so: bool = False) -> bool:
    return said_so or indicator in REVENUE_INDICATORS or bool(REVENUE_WORDS.search(title))


def key_result_add(
    *, objective: Objective, by: Membership, title: str, source: str, target: float | None,
    indicator: str = "", unit: str = "", baseline: float | None = None,
    about_revenue: bool = False, direction: str = Direction.INCREASE, weight: int | None = 1,
    contributes_to: Objective | None = None,
) -> KeyResult:  # fmt: skip
    """The baseline is captured now: read from the indicators for a linked key result, given by
    hand for a manual one. Without it no progress could be shown. The direction says which way
    the value should go (or which line it should hold)."""
    _require_edit(by, objective)
    title = title.strip()
    if not title:
        raise ValidationError(gettext("Say what the key result measures."))
    if direction not in Direction.values:
        raise ValidationError(
            gettext(
                "Choose the direction: increase to, decrease to, stay at or above, "
                "stay at or below."
            )
        )
    target = _number(target, _lazy("Give the target as a number."))
    week = None
    weight = _weight(weight)
    if contributes_to is not None:
        _contribution_check(objective=objective, target=contributes_to)
    if source == KeyResult.Source.INDICATOR:
        if objective.scope == Scope.PERSON:
            raise ValidationError(PERSON_INDICATORS)
        if indicator not in INDICATORS:
            raise ValidationError(gettext("Choose one of the indicators offered."))
        baseline, week = indicator_now(objective=objective, indicator=indicator)
        unit = INDICATORS[indicator][1]
    elif source == KeyResult.Source.MANUAL:
        if baseline is None:
            raise ValidationError(gettext("Give the baseline: where things stand today."))
        baseline, indicator = _number(baseline, _lazy("Give the baseline as a number.")), ""
    else:
        raise ValidationError(gettext("Choose whether the indicators or check-ins measure it."))
    if unit == "%" and not 0 <= target <= 100:
        raise ValidationError(gettext("A percentage target lies between 0 and 100."))
    if target == baseline and direction not in HOLDING:
        raise ValidationError(
            gettext(
                "The target equals the baseline (%(baseline)s): there is nothing to move toward. "
                "To keep it there, choose “stay at or above” or “stay at or below”."
            )
            % {"baseline": f"{baseline:g}"}
        )
    revenue = is_about_revenue(title, indicator, about_revenue)
    programme = objective.programme
    key_result = KeyResult.objects.create(
        objective=objective, title=title[:200], source=source, indicator=indicator,
        unit=unit.strip()[:30], baseline=baseline, target=target, current=baseline,
        direction=direction, weight=weight, contributes_to=contributes_to,
        measured_week=week, about_revenue=revenue,
        needs_sponsor=revenue and programme.current_phase in FIRST_PHASES,
    )  # fmt: skip
    if key_result.needs_sponsor:
        _ask_sponsors(key_result, programme)
    return key_result


def _ask_sponsors(key_result: KeyResult, programme: Programme) -> None:
    sponsors = list(programme.sponsors.active()) or list(
        Membership.objects.active().filter(
            organisation_id=programme.organisation_id, role=Role.SPONSOR
        )
    )
    slug = Organisation.objects.values_list("slug", flat=True).get(pk=programme.organisation_id)
    url = reverse("goals-objective-detail", args=[slug, key_result.objective.code])
    for sponsor in sponsors:
        programme_services.notify(
            recipient=sponsor, kind=EmailKind.OKRI, url=url,
            text=gettext_noop("A key result about revenue in the first phase needs your "
                              "decision: “%(title)s”."),
            params={"title": key_result.title},
        )  # fmt: skip


def already_met(key_result: KeyResult) -> bool:
    """An increase / decrease whose baseline already met its target: it holds the line."""
    return key_result.direction not in HOLDING and holds_the_line(
        key_result.direction, key_result.baseline, key_result.target
    )


def key_result_confirm(*, key_result: KeyResult, by: Membership) -> None:
    if not policies.can_confirm_revenue(by):
        raise PermissionDenied("A sponsor decides whether revenue stays in the first phase.")
    if not key_result.needs_sponsor or key_result.confirmed_at is not None:
        raise ValidationError(gettext("This key result needs no confirmation."))
    if closure_of(key_result.objective) is not None:
        raise ValidationError(CLOSED_MESSAGE)
    key_result.confirmed_by, key_result.confirmed_at = by, timezone.now()
    key_result.save(update_fields=["confirmed_by", "confirmed_at", "updated_at"])


def key_result_remove(*, key_result: KeyResult, by: Membership) -> None:
    """Its objective's editors remove it; a sponsor may drop revenue they will not confirm."""
    awaiting = key_result.needs_sponsor and key_result.confirmed_at is None
    if not (awaiting and policies.can_confirm_revenue(by)):
        _require_edit(by, key_result.objective)
    key_result.delete()


def check_in(
    *, key_result: KeyResult, by: Membership, value: float | None, confidence: int | None,
    comment: str = "",
) -> CheckIn:  # fmt: skip
    _require_edit(by, key_result.objective)
    if key_result.source != KeyResult.Source.MANUAL:
        raise ValidationError(gettext("This key result follows the indicators by itself."))
    value = _number(value, "value")
    if confidence is None or not 1 <= confidence <= 10:
        raise ValidationError(
            gettext("Say how confident you are, from 1 (not at all) to 10 (certain).")
        )
    with transaction.atomic():
        if _lock_closure(key_result.objective_id) is not None:  # closed meanwhile
            raise ValidationError(CLOSED_MESSAGE)
        made = CheckIn.objects.create(
            key_result=key_result, value=value, confidence=confidence,
            comment=comment.strip()[:1000], by=by,
        )  # fmt: skip
        key_result.current, key_result.confidence = value, confidence
        key_result.checked_in_at = timezone.now()
        key_result.save(update_fields=["current", "confidence", "checked_in_at", "updated_at"])
        programme_services.publish(
            key_result.objective.organisation,
            "key_result.updated",
            {
                "key": f"{key_result.code}:{made.pk}",
                "data": {
                    "key_result": str(key_result.code),
                    "title": key_result.title,
                    "objective": str(key_result.objective.code),
                    "current": value,
                    "target": key_result.target,
                    "confidence": confidence,
                },
            },
        )
    return made


def initiative_add(
    *, objective: Objective, by: Membership, title: str, owner: Membership,
    due_on: date | None = None,
) -> Initiative:  # fmt: skip
    _require_edit(by, objective)
    title = title.strip()
    if not title:
        raise ValidationError(gettext("Say what will be done."))
    if owner.organisation_id != objective.organisation_id:
        raise ValidationError(gettext("The owner must belong to this organisation."))
    return Initiative.objects.create(objective=objective, title=title[:200], owner=owner,
                                     due_on=due_on)  # fmt: skip


def initiative_status_set(*, initiative: Initiative, by: Membership, status: str) -> None:
    objective = initiative.objective
    edits = policies.can_edit_objective(Viewer(by), objective)
    if not policies.can_update_initiative(by, initiative.owner_id, edits):
        raise PermissionDenied("The initiative's owner or the objective's editors update it.")
    if objective.archived_at is not None:
        raise ValidationError(gettext("This objective is archived."))
    if closure_of(objective) is not None:
        raise ValidationError(CLOSED_MESSAGE)
    if status not in Initiative.Status.values:
        raise ValidationError(gettext("Choose one of the statuses offered."))
    initiative.status = status
    initiative.save(update_fields=["status", "updated_at"])


def reminder_week(organisation: Organisation, now: datetime | None = None) -> date | None:
    """The Monday whose reminders are due (from 09:00 local), or None before then."""
    local = (now or timezone.now()).astimezone(ZoneInfo(organisation.time_zone or "UTC"))
    week = monday(local.date())
    if local.date() == week and local.hour < REMIND_FROM_HOUR:
        return None
    return week


def checkin_reminders_send(*, organisation_id: int, now: datetime | None = None) -> int:
    """Once a week, each owner is told how many of their manual key results wait for a check-in;
    key results checked in (or made) recently are skipped. Claimed by compare-and-set on
    `reminded_week`, so a rerun or a second worker reminds nobody twice. Returns the number of
    people reminded."""
    organisation = Organisation.objects.get(pk=organisation_id)
    now = now or timezone.now()
    week = reminder_week(organisation, now)
    if week is None:
        return 0
    local_today = now.astimezone(ZoneInfo(organisation.time_zone or "UTC")).date()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {KeyResult._meta.db_table} kr SET reminded_week = %(week)s
                FROM {Objective._meta.db_table} o
                WHERE o.id = kr.objective_id AND o.organisation_id = %(org)s
                  AND o.archived_at IS NULL AND %(today)s BETWEEN o.starts_on AND o.ends_on
                  AND NOT EXISTS (SELECT 1 FROM {ObjectiveClosure._meta.db_table} c
                                  WHERE c.objective_id = o.id)
                  AND kr.source = 'manual'
                  AND (kr.reminded_week IS NULL OR kr.reminded_week < %(week)s)
                  AND COALESCE(kr.checked_in_at, kr.created_at) < %(recent)s
                  -- a leaver's (#18) key results are not claimed: reactivated, they are reminded
                  AND NOT EXISTS (SELECT 1 FROM {Membership._meta.db_table} m
                                  WHERE m.id = o.owner_id AND m.deactivated_at IS NOT NULL)
                RETURNING o.owner_id""",  # noqa: S608
            {"week": week, "org": organisation_id, "today": local_today,
             "recent": now - RECENT_CHECK_IN},
        )  # fmt: skip
        waiting = Counter(owner for (owner,) in cursor.fetchall() if owner is not None)
        url = reverse("goals-okris", args=[organisation.slug]) + "?mine=1"
        for owner in Membership.objects.filter(pk__in=waiting):
            text, params = deferred.ngettext(
                "%(count)s key result of yours waits for this week's check-in: "
                "value, confidence, a word on why.",
                "%(count)s key results of yours wait for this week's check-in: "
                "value, confidence, a word on why.",
                waiting[owner.pk],
            )
            programme_services.notify(
                recipient=owner, kind=EmailKind.OKRI, url=url, text=text, params=params
            )
    return len(waiting)


# --- Alignment (issue #22): objectives under objectives, weights, contributions ---
# The rules themselves are goals.alignment's; these checks give each refusal its words.

MAX_WEIGHT = 10
# An objective's level as a word inside a sentence ("a team objective").
LEVEL_NAMES = {
    Scope.PROGRAMME: pgettext_lazy("objective level", "programme"),
    Scope.WAVE: pgettext_lazy("objective level", "wave"),
    Scope.TEAM: pgettext_lazy("objective level", "team"),
    Scope.PERSON: pgettext_lazy("objective level", "person"),
}
PERSON_INDICATORS = _lazy(
    "A person's objective is measured by check-ins: the indicators count groups of people, "
    "never one person."
)


def _weight(weight: int | None) -> int:
    if weight is None:
        return 1
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= MAX_WEIGHT:
        raise ValidationError(
            gettext("Give the weight as a whole number from 1 to %(max)s.") % {"max": MAX_WEIGHT}
        )
    return weight


def _parent_check(*, scope: str, programme: Programme, parent: Objective,
                  child: Objective | None = None) -> None:  # fmt: skip
    if parent.organisation_id != programme.organisation_id or parent.programme_id != programme.pk:
        raise ValidationError(gettext("An objective sits under one of the same programme."))
    if parent.archived_at is not None:
        raise ValidationError(
            gettext("That objective is archived: choose a live one to sit under.")
        )
    if closure_of(parent) is not None:
        raise ValidationError(
            gettext(
                "That objective is closed and graded: choose one of the current period "
                "to sit under."
            )
        )
    if not alignment.may_sit_under(scope, parent.scope):
        raise ValidationError(
            # Translators: level and parent are objective levels (programme, wave, team, person).
            gettext(
                "A %(level)s objective cannot sit under a %(parent)s objective, which is "
                "narrower: choose one of the same or a broader level."
            )
            % {"level": LEVEL_NAMES[scope], "parent": LEVEL_NAMES[parent.scope]}
        )
    if child is not None:
        parent_of = dict(
            Objective.objects.filter(organisation_id=programme.organisation_id)
            .values_list("pk", "parent_id")
        )  # fmt: skip
        if alignment.would_cycle(child.pk, parent.pk, parent_of):
            raise ValidationError(
                gettext(
                    "An objective cannot sit under itself or under one of the objectives below it."
                )
            )


def _contribution_check(*, objective: Objective, target: Objective) -> None:
    if (target.organisation_id != objective.organisation_id
            or target.programme_id != objective.programme_id):  # fmt: skip
        raise ValidationError(
            gettext("A key result contributes only to an objective of its programme.")
        )
    if target.archived_at is not None:
        raise ValidationError(gettext("That objective is archived: choose a live one."))
    if not alignment.may_contribute_to(objective.scope, target.scope):
        raise ValidationError(
            gettext(
                "A key result contributes only to an objective of a broader level than its own "
                "(a team's to a wave's or the programme's, for instance)."
            )
        )


def objective_parent_set(*, objective: Objective, by: Membership,
                         parent: Objective | None) -> None:  # fmt: skip
    """Put an objective under another (or at the top, with None). Its editors decide."""
    _require_edit(by, objective)
    if parent is not None:
        _parent_check(scope=objective.scope, programme=objective.programme, parent=parent,
                      child=objective)  # fmt: skip
    objective.parent = parent
    objective.save(update_fields=["parent", "updated_at"])


# --- Closing a period: grades, lessons, copies forward (issue #22) ---

GRADE_STEP = Decimal("0.1")

__all__ += [
    "CLOSED_MESSAGE",
    "grade_prefill",
    "next_period",
    "objective_close",
    "objective_copy_forward",
]


def _lock_closure(objective_id: int) -> ObjectiveClosure | None:
    """Lock the objective's row (until the transaction ends) and return its closure, if any:
    closing and checking in serialise on it."""
    Objective.objects.select_for_update().filter(pk=objective_id).values_list("pk").first()
    return ObjectiveClosure.objects.filter(objective_id=objective_id).first()


def grade_prefill(key_result: KeyResult) -> Decimal:
    """The grade offered when closing: its progress, to the nearest tenth."""
    return (Decimal(str(key_result.progress)) / GRADE_STEP).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    ) * GRADE_STEP


def _grade(value: object, title: str) -> Decimal:
    message = gettext("Grade “%(title)s” from 0.0 to 1.0, in steps of 0.1.") % {"title": title}
    try:
        grade = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(message) from error
    if value is None or not grade.is_finite() or not 0 <= grade <= 1 or grade % GRADE_STEP:
        raise ValidationError(message)
    return grade.quantize(GRADE_STEP)


def objective_close(
    *, objective: Objective, by: Membership, grades: dict[int, tuple[object, str]],
    lessons: str, today: date | None = None,
) -> ObjectiveClosure:  # fmt: skip
    """Close the period of an objective: every key result gets a grade (0.0-1.0, step 0.1) and a
    comment, keyed by the key result's id in `grades`; the objective gets what was learned.
    From then on it is read-only. Before its end date only its owner or a consultant close it."""
    today = today or timezone.localdate()
    ended = today >= objective.ends_on
    if not policies.can_close_objective(Viewer(by), objective, ended=ended):
        if not ended:
            raise PermissionDenied("Before its end date, only the objective's owner or a "
                                   "consultant close it.")  # fmt: skip
        raise PermissionDenied("Only the objective's owner, its team's manager, a sponsor, a "
                               "consultant or an admin close it.")  # fmt: skip
    if objective.archived_at is not None:
        raise ValidationError(gettext("This objective is archived."))
    if closure_of(objective) is not None:
        raise ValidationError(gettext("This objective is already closed."))
    lessons = lessons.strip()
    if not lessons:
        raise ValidationError(
            gettext("Say what you learned in this period: the next one starts from it.")
        )
    made = []
    for key_result in objective.key_results.all():
        score, comment = grades.get(key_result.pk, (None, ""))
        made.append(KeyResultGrade(
            key_result=key_result, score=_grade(score, key_result.title),
            comment=(comment or "").strip()[:1000], final_value=key_result.current,
        ))  # fmt: skip
    with transaction.atomic():
        # The objective's row is the lock check-ins take too: of two people closing at once
        # the second is told, and a check-in landing meanwhile is the value graded.
        if _lock_closure(objective.pk) is not None:
            raise ValidationError(gettext("This objective is already closed."))
        final = dict(KeyResult.objects.filter(objective=objective).values_list("pk", "current"))
        for grade in made:
            grade.final_value = final.get(grade.key_result_id, grade.final_value)
        closure = ObjectiveClosure.objects.create(objective=objective, closed_by=by,
                                                  lessons=lessons[:4000])  # fmt: skip
        KeyResultGrade.objects.bulk_create(made)
    objective.closure = closure
    return closure


def _month_start(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def next_period(objective: Objective) -> tuple[date, date]:
    """The period after the objective's: from the day after it ended, just as long. A period
    of whole months (a quarter, say) is followed by as many whole months: 1 Apr - 30 Jun by
    1 Jul - 30 Sep, not by 91 days that end on 29 Sep."""
    first, last = objective.starts_on, objective.ends_on
    starts_on = last + timedelta(days=1)
    if first.day == 1 and starts_on.day == 1:
        months = (starts_on.year - first.year) * 12 + starts_on.month - first.month
        return starts_on, _month_start(starts_on, months) - timedelta(days=1)
    return starts_on, starts_on + (last - first)


def objective_copy_forward(
    *, objective: Objective, by: Membership, starts_on: date | None = None,
    ends_on: date | None = None,
) -> Objective:  # fmt: skip
    """A closed objective's copy for the next period (by default `next_period`): same scope,
    title and owner, its key results with their baselines set where the closed period ended
    and no check-ins. A key result that reached its target now holds that line. The copy
    links back to its origin (`copy.origin.objective`); an objective is copied forward once."""
    if not policies.can_copy_objective(Viewer(by), objective):
        raise PermissionDenied("Only the objective's owner, its team's manager, a sponsor, a "
                               "consultant or an admin copy it forward.")  # fmt: skip
    closure = closure_of(objective)
    if closure is None:
        raise ValidationError(gettext("Close and grade the objective before copying it forward."))
    default_start, default_end = next_period(objective)
    starts_on, ends_on = starts_on or default_start, ends_on or default_end
    if ends_on <= starts_on:
        raise ValidationError(gettext("The period must end after it starts."))
    if ends_on <= objective.ends_on:
        raise ValidationError(
            gettext("The next period must end after this one ended (%(ended)s).")
            % {"ended": formats.date_format(objective.ends_on, "DATE_FORMAT")}
        )
    programme = objective.programme
    key_results = list(objective.key_results.select_related("grade"))
    with transaction.atomic():
        locked = ObjectiveClosure.objects.select_for_update().get(pk=closure.pk)
        if locked.copied_to_id is not None:
            raise ValidationError(gettext("This objective was already copied forward."))
        copy = Objective.objects.create(
            organisation_id=objective.organisation_id, programme=programme,
            scope=objective.scope, wave_id=objective.wave_id, team_id=objective.team_id,
            title=objective.title, owner_id=objective.owner_id or by.pk,
            starts_on=starts_on, ends_on=ends_on,
        )  # fmt: skip
        copies = [_key_result_copy(kr, copy, programme) for kr in key_results]
        KeyResult.objects.bulk_create(copies)
        locked.copied_to = copy
        locked.save(update_fields=["copied_to", "updated_at"])
        for key_result in copies:
            if key_result.needs_sponsor:
                _ask_sponsors(key_result, programme)
    closure.copied_to = copy
    return copy


def _key_result_copy(key_result: KeyResult, objective: Objective,
                     programme: Programme) -> KeyResult:  # fmt: skip
    grade = getattr(key_result, "grade", None)
    final = grade.final_value if grade is not None else key_result.current
    direction = key_result.direction
    if direction not in HOLDING and holds_the_line(direction, final, key_result.target):
        # The target was reached: there is no distance left, so the next period keeps it.
        direction = (Direction.STAY_ABOVE if direction == Direction.INCREASE
                     else Direction.STAY_BELOW)  # fmt: skip
    return KeyResult(
        objective=objective, title=key_result.title, source=key_result.source,
        indicator=key_result.indicator, direction=direction, unit=key_result.unit,
        baseline=final, target=key_result.target, current=final,
        about_revenue=key_result.about_revenue,
        needs_sponsor=key_result.about_revenue and programme.current_phase in FIRST_PHASES,
    )  # fmt: skip
