"""Demo data for the kick-off: a finished session, its concerns, emotions and a stakeholder map,
and a second session open right now that the demo sellers can join."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from kickoff import selectors, services
from kickoff.models import Concern, ConcernStatus, KickoffSession
from programme import services as programme_services
from programme.anonymous import anonymous_flush
from programme.demo import register_demo_seeder
from programme.models import Membership, Organisation, Participant, Programme, Role

CONCERNS = [
    ("Time", "I have no time for LinkedIn next to my quota", "Protected hours in the week", 14),
    ("Time", "Posting every day is impossible for me", "A realistic rhythm, like twice a week", 9),
    (
        "Being judged",
        "My posts will be counted and used in my review",
        "A promise that they won't",
        17,
    ),
    (
        "Being judged",
        "Colleagues will laugh at my first posts",
        "Practice in a small group first",
        8,
    ),
    ("Skills", "I don't know what to write about", "Examples from our own industry", 12),
    ("Skills", "My English is not good enough to post", "Posting in our own language is fine", 5),
    ("Customers", "Customers will see it as spam", "Learn how to comment before selling", 7),
    ("Tools", "Our CRM cannot record LinkedIn leads", "", 4),
]
# How the closed kick-off's room split on each concern (agree, disagree, pass): the counts
# closing keeps, so its report, projector and "consensus / divisive" orders have splits to show.
CLOSED_SPLITS = [
    (16, 3, 2),
    (13, 2, 4),
    (15, 4, 1),
    (6, 7, 3),
    (5, 9, 2),
    (11, 1, 3),
    (4, 3, 6),
    (9, 2, 1),
]
# The open session (wave 2's kick-off, today): (worry, what would help, votes).
OPEN_CONCERNS = [
    ("I sell to water utilities: will there be examples from our sector?", "Cases from peers", 6),
    ("What if a customer complains about a post?", "A short guide on what we may say", 4),
    ("Wave 1 had training hours; will we get the same?", "", 3),
]
# Agree / disagree / pass on the open session's concerns, one letter per seller in the room.
_OPINION = {"a": "agree", "d": "disagree", "p": "pass"}
OPEN_OPINIONS = [
    [_OPINION[x] for x in "aaaaaaaaaaaaadapp"],  # 14 agree, 1 disagree: consensus
    [_OPINION[x] for x in "adadadadadadap"],  # 7 agree, 6 disagree: divisive
    [_OPINION[x] for x in "aaap"],  # 3 sides only: no split shown
]
# The one concern whose author chose to show their name (the others are anonymous).
NAMED_CONCERN = 6
OPEN_NAMED_CONCERN = 1
RESPONSES = {
    2: "Claire confirmed in writing: no post counts in reviews, ever. We look at regularity "
    "and conversations, and only to help.",
    3: "First posts are practised in groups of four during the hands-on training.",
}


@register_demo_seeder
def seed_kickoff(organisation: Organisation) -> None:
    programme = Programme.objects.filter(organisation=organisation).first()
    if programme is None or KickoffSession.objects.filter(programme=programme).exists():
        return
    rng = random.Random(4)  # noqa: S311 - demo data, fixed seed
    today = timezone.localdate()
    people = {
        m.user.email.split("@")[0]: m
        for m in Membership.objects.filter(organisation=organisation).select_related("user")
    }
    mia, sponsor = people["mia.novak"], people["claire.martin"]
    sellers = list(
        Participant.objects.filter(organisation=organisation, membership__role=Role.SELLER)
        .select_related("membership")
        .order_by("pk")
    )
    session = services.kickoff_save(
        by=mia,
        programme=programme,
        data={
            "title": "Kick-off: why social selling, and what worries you",
            "held_on": programme.start_date + timedelta(days=2),
            "facilitator": mia,
            "sponsor_present": True,
            "examples": "https://www.linkedin.com/posts/example-industrial-seller-story\n"
            "https://www.linkedin.com/posts/example-customer-conversation",
            "sponsor_notes": "Claire told her own story of a deal that started with a comment.",
        },
        attendees=[sponsor, mia] + [p.membership for p in sellers[:30]],
    )
    services.kickoff_open(by=mia, session=session)
    session.refresh_from_db()
    for index, (category, worry, would_help, votes) in enumerate(CONCERNS):
        concern = services.concern_submit(
            session=session, by=sellers[index].membership, worry=worry,
            would_help=would_help, anonymous=index != NAMED_CONCERN,
        )  # fmt: skip
        anonymous_flush()  # anonymous concerns are queued; the demo writes each at once
        agrees, disagrees, passes = CLOSED_SPLITS[index]
        Concern.objects.filter(pk=concern.pk).update(
            category=category, votes=votes, agrees=agrees, disagrees=disagrees, passes=passes
        )
        if index in RESPONSES:
            concern = Concern.objects.get(pk=concern.pk)
            services.concern_follow_up(
                concern=concern, by=mia, status=ConcernStatus.ADDRESSED, owner=sponsor,
                action="", response=RESPONSES[index],
            )  # fmt: skip
        elif index in (0, 4):
            concern = Concern.objects.get(pk=concern.pk)
            services.concern_follow_up(
                concern=concern, by=mia, status=ConcernStatus.IN_PROGRESS, owner=mia,
                action="Working with managers on protected time and industry examples.",
                response="",
            )  # fmt: skip
    services.kickoff_close(by=mia, session=session)
    _seed_theme_follow_up(session, mia)

    _seed_blocked_words(mia)
    _seed_open_session(programme, mia, sellers)

    for kind, intensity, source in (
        ("anxiety", 3, None), ("cynicism", 2, "manager"), ("silence", 2, None),
        ("repeated_question", 2, None), ("enthusiasm", 3, "seller"), ("questioning", 1, None),
    ):  # fmt: skip
        participant = None
        if source == "manager":
            participant = people["marc.roux"].participant
        elif source == "seller":
            participant = sellers[3]
        services.emotion_log(
            session=session, by=mia,
            data={"kind": kind, "intensity": intensity, "participant": participant,
                  "team": sellers[0].team if source is None else None, "note": ""},
        )  # fmt: skip

    # Weekly assessments: opposition shrinks as wave 1 starts (and some of it only hides).
    stances = ["strong_opponent", "sceptic", "undecided", "supporter", "champion"]
    weeks = 6
    for person in sellers[:40]:
        level = rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4])
        influence = rng.choice(["low", "low", "medium", "high"])
        for week in range(0, weeks, 2):
            on = programme.start_date + timedelta(days=3 + 7 * week)
            if on > today:
                break
            stage = ["unaware", "resisting", "exploring", "committed"][min(3, max(0, level - 1))]
            services.assessment_record(
                participant=person, by=mia,
                data={"assessed_on": on, "stance": stances[level], "influence": influence,
                      "curve_stage": stage, "note": ""},
            )  # fmt: skip
            if rng.random() < 0.45:
                level = min(4, level + 1)
    for name, stance in (("marc.roux", "sceptic"), ("jan.weber", "strong_opponent")):
        services.assessment_record(
            participant=people[name].participant, by=mia,
            data={"assessed_on": today - timedelta(days=3), "stance": stance, "influence": "high",
                  "curve_stage": "resisting", "note": "Worried about the time taken from calls."},
        )  # fmt: skip
    plan = services.engagement_plan_ensure(
        participant=people["jan.weber"].participant, by=mia,
        goal="Understand his objections; ask him to sponsor the DACH examples.",
    )  # fmt: skip
    services.engagement_action_add(
        by=mia, plan=plan, action="One-to-one lunch with Jan", due_on=today + timedelta(days=4)
    )


def _seed_open_session(programme: Programme, mia: Membership, sellers: list) -> None:
    """Wave 2's kick-off, open today: sellers find it on their home page and join it."""
    session = services.kickoff_save(
        by=mia,
        programme=programme,
        data={
            "title": "Kick-off wave 2: your questions before we start",
            "held_on": timezone.localdate(),
            "facilitator": mia,
            "sponsor_present": False,
            "sponsor_notes": "Claire sends a short video: why she asked for this, and that no "
            "post will ever count in a review.",
            "examples": "https://www.linkedin.com/posts/example-water-utility-story",
        },
        attendees=[mia] + [p.membership for p in sellers[30:60]],
    )
    services.kickoff_open(by=mia, session=session)
    session.refresh_from_db()
    for index, (worry, would_help, votes) in enumerate(OPEN_CONCERNS):
        concern = services.concern_submit(
            session=session, by=sellers[30 + index].membership, worry=worry,
            would_help=would_help, anonymous=index != OPEN_NAMED_CONCERN,
        )  # fmt: skip
        anonymous_flush()
        # Real "me too" votes from people in the room: closing the session forgets them.
        for voter in sellers[33 : 33 + votes]:
            services.concern_vote(concern=concern, by=voter.membership)
        # Agree / disagree / pass: the first concern shared by the room, the second splitting
        # it, the third with too few sides for a split (kickoff.consensus).
        for voter, opinion in zip(sellers[36:60], OPEN_OPINIONS[index], strict=False):
            services.concern_opine(concern=concern, by=voter.membership, opinion=opinion)
    # Everyone who wrote a concern, said "me too" or took a side opened the join page first, so
    # the session page's "N joined" is never below the sides taken on one concern.
    for seller in sellers[30:53]:
        services.kickoff_join_record(session=session, by=seller.membership)
    # One concern holds a blocked word: it waits in Mia's moderation queue, on no screen.
    services.concern_submit(
        session=session, by=sellers[45].membership, worry=HELD_CONCERN[0],
        would_help=HELD_CONCERN[1], anonymous=True,
    )  # fmt: skip
    anonymous_flush()


# --- Moderation and themes (issue #22) ---

BLOCKED_WORDS = ["idiot", "stupid"]
HELD_CONCERN = (
    "Honestly this whole LinkedIn plan is stupid, who reads that?",
    "Ask the sellers before deciding",
)
THEME_RESPONSE = (
    "Posting is not the goal: a short, realistic rhythm (twice a week) is, practised in small "
    "groups first, and no post is ever counted in a review."
)


def _seed_blocked_words(by: Membership) -> None:
    for word in BLOCKED_WORDS:
        programme_services.blocked_word_add(by=by, word=word)


def _seed_theme_follow_up(session: KickoffSession, by: Membership) -> None:
    """The closed kick-off's most frequent theme, answered once in "you said, we did"."""
    themes = selectors.concern_themes(session, session.organisation)
    if not themes:
        return
    theme = themes[0]
    services.theme_follow_up_save(
        session=session, by=by, word=theme.word, label=theme.label,
        concerns=list(selectors.concerns_with_theme(session, session.organisation, theme.word)),
        action="", response=THEME_RESPONSE,
    )  # fmt: skip


# --- Kick-off formats: wave 1's kick-off saved as a format, wave 2's planned from it ------------
DEMO_FORMAT = "Wave kick-off (90 min)"
DEMO_AGENDA = """Welcome, and why social selling, told by Claire — 15
Stories from the previous wave — 15
What worries you, what would help — 25
Me too: the room votes — 10
Emotion check — 5
What happens next, and when — 20"""


@register_demo_seeder
def seed_kickoff_formats(organisation: Organisation) -> None:
    """The closed wave-1 kick-off and the open wave-2 one share a format, so its comparison
    shows two waves side by side (wave 2 asks the format's reworded questions)."""
    from datetime import time

    from kickoff.models import EmotionKind, KickoffFormat
    from programme.models import Wave

    programme = Programme.objects.filter(organisation=organisation).first()
    if programme is None or KickoffFormat.objects.filter(organisation=organisation).exists():
        return
    sessions = list(KickoffSession.objects.filter(programme=programme).order_by("held_on", "pk"))
    waves = list(Wave.objects.filter(programme=programme).order_by("number"))
    if len(sessions) < 2 or len(waves) < 2:
        return
    mia = Membership.objects.get(organisation=organisation, user__email__startswith="mia.novak@")
    first, second = sessions[0], sessions[-1]
    services.kickoff_save(
        programme=programme, by=mia, session=first, data={"wave": waves[0]},
        attendees=list(first.attendees.all()),
    )  # fmt: skip
    kickoff_format = services.kickoff_format_save_from_session(
        session=first, by=mia,
        data={"name": DEMO_FORMAT, "agenda": DEMO_AGENDA, "emotion_check": True,
              "worry_question": "What worries you about selling through LinkedIn?",
              "help_question": "What would help you start?", "follow_up_days": 30},
    )  # fmt: skip
    services.kickoff_plan_from_format(
        programme=programme, by=mia, kickoff_format=kickoff_format, session=second,
        data={"wave": waves[1], "starts_at": time(9, 30)},
        attendees=list(second.attendees.all()),
    )  # fmt: skip
    second.refresh_from_db()
    for kind, intensity in (
        (EmotionKind.ANXIETY, 2), (EmotionKind.QUESTIONING, 2), (EmotionKind.ENTHUSIASM, 3),
        (EmotionKind.ENTHUSIASM, 2), (EmotionKind.SILENCE, 1),
    ):  # fmt: skip
        services.emotion_log(
            session=second, by=mia,
            data={"kind": kind, "intensity": intensity, "participant": None, "team": None,
                  "note": ""},
        )  # fmt: skip
