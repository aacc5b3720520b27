"""Agree / disagree / pass: the scoring (kickoff.consensus) and its rules in the services: one
opinion per person per concern, changeable until closing, never on one's own concern, counts
only once the session closes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from kickoff import consensus, services
from kickoff.consensus import Split
from kickoff.models import Concern, ConcernOpinion
from programme.anonymous import anonymous_flush
from programme.models import Role
from tests.factories import member
from tests.kickoff import test_kickoff as base


def concern_with(pk, votes=0, agrees=0, disagrees=0, passes=0):
    return SimpleNamespace(pk=pk, votes=votes, agrees=agrees, disagrees=disagrees, passes=passes)


# --- The formula ------------------------------------------------------------------------------


def test_the_split_is_the_agree_share_among_those_who_took_a_side():
    split = Split(agrees=15, disagrees=5, passes=30)
    assert split.sided == 20 and split.voters == 50
    assert split.agree_share == 0.75
    assert (split.agree_percent, split.disagree_percent) == (75, 25)


def test_under_five_sided_voters_no_split_is_shown_and_no_score_given():
    for agrees, disagrees in ((4, 0), (2, 2), (0, 4)):
        split = Split(agrees, disagrees, passes=20)  # passes take no side
        assert not split.shown
        assert split.agree_share is None and split.agree_percent is None
        assert split.consensus is None and split.divisive is None
    assert Split(3, 2, 0).shown


def test_consensus_is_one_sidedness_weighted_by_participation():
    unanimous = Split(20, 0, 0)
    assert unanimous.consensus == pytest.approx(20 / 25)
    assert unanimous.divisive == pytest.approx(0)
    half = Split(10, 10, 0)
    assert half.consensus == pytest.approx(0)
    assert half.divisive == pytest.approx(20 / 25)
    # The room agreeing that something is NOT a worry is consensus too.
    assert Split(0, 20, 0).consensus == unanimous.consensus
    # The same verdict from more people weighs more.
    assert Split(40, 0, 0).consensus > Split(5, 0, 0).consensus
    assert Split(50, 50, 0).divisive > Split(5, 5, 0).divisive
    # Consensus and divisive share the weight between them.
    split = Split(13, 7, 4)
    assert split.consensus + split.divisive == pytest.approx(split.weight)


def test_orders_rank_consensus_and_divisive_and_put_concerns_without_a_split_last():
    shared = concern_with("shared", votes=1, agrees=18, disagrees=1)
    split = concern_with("split", votes=2, agrees=9, disagrees=9)
    few = concern_with("few", votes=30, agrees=3, disagrees=0)
    lean = concern_with("lean", votes=0, agrees=8, disagrees=4)
    items = [few, lean, split, shared]
    keys = lambda order: [c.pk for c in order]  # noqa: E731
    assert keys(consensus.ordered(items, consensus.CONSENSUS)) == ["shared", "lean", "split", "few"]
    assert keys(consensus.ordered(items, consensus.DIVISIVE)) == ["split", "lean", "shared", "few"]
    by_votes = consensus.ordered(items, consensus.MOST_VOTED)
    assert keys(by_votes) == ["few", "split", "shared", "lean"]
    arrivals = {"lean": 3, "shared": 7, "split": 3}
    newest = consensus.ordered(items, consensus.NEWEST, arrivals=arrivals)
    assert keys(newest) == ["shared", "split", "lean", "few"]  # ties: more votes first


def test_unknown_sorts_fall_back_and_reveal_cuts_the_order():
    assert consensus.sort_or_default("drop table") == consensus.MOST_VOTED
    assert consensus.sort_or_default("divisive") == consensus.DIVISIVE
    assert consensus.revealed([1, 2, 3], None) == ([1, 2, 3], 0)
    assert consensus.revealed([1, 2, 3], 1) == ([1], 2)
    assert consensus.revealed([1, 2, 3], 9) == ([1, 2, 3], 0)


# --- The rules, in the services ---------------------------------------------------------------


@pytest.fixture
def room(org):
    kickoff = base.kickoff.__wrapped__(org)
    session, consultant = kickoff["session"], kickoff["consultant"]
    services.kickoff_open(session=session, by=consultant)
    session.refresh_from_db()
    author = member(org, Role.SELLER)
    named = services.concern_submit(
        session=session, by=author, worry="Named", would_help="", anonymous=False
    )
    sent = services.concern_submit(
        session=session, by=author, worry="Anonymous", would_help="", anonymous=True
    )
    anonymous_flush()
    return {
        "session": session, "consultant": consultant, "author": author,
        "named": Concern.objects.get(pk=named.pk), "concern": Concern.objects.get(pk=sent.pk),
    }  # fmt: skip


def counts(concern):
    concern.refresh_from_db()
    return concern.agrees, concern.disagrees, concern.passes


def test_one_opinion_per_person_changeable_with_the_counts_following(org, room):
    concern, seller = room["concern"], member(org, Role.SELLER)
    assert services.concern_opine(concern=concern, by=seller, opinion="agree")
    assert not services.concern_opine(concern=concern, by=seller, opinion="agree")
    assert counts(concern) == (1, 0, 0)
    assert services.concern_opine(concern=concern, by=seller, opinion="disagree")
    assert counts(concern) == (0, 1, 0)
    services.concern_opine(concern=concern, by=seller, opinion="pass")
    assert counts(concern) == (0, 0, 1)
    assert ConcernOpinion.objects.filter(voter=seller).count() == 1
    services.concern_opine(concern=concern, by=member(org, Role.MANAGER), opinion="agree")
    assert counts(concern) == (1, 0, 1)


def test_a_bad_opinion_is_refused_and_changes_nothing(org, room):
    with pytest.raises(ValidationError, match="Choose agree, disagree or pass"):
        services.concern_opine(concern=room["concern"], by=member(org, Role.SELLER), opinion="x")
    assert counts(room["concern"]) == (0, 0, 0) and not ConcernOpinion.objects.exists()


def test_nobody_gives_an_opinion_on_their_own_named_concern(room):
    with pytest.raises(ValidationError, match="This concern is yours"):
        services.concern_opine(concern=room["named"], by=room["author"], opinion="agree")
    assert counts(room["named"]) == (0, 0, 0)


def test_closing_forgets_who_thought_what_and_keeps_the_counts(org, room):
    concern = room["concern"]
    for opinion in ("agree", "agree", "disagree", "pass"):
        services.concern_opine(concern=concern, by=member(org, Role.SELLER), opinion=opinion)
    services.kickoff_close(session=room["session"], by=room["consultant"])
    assert not ConcernOpinion.objects.exists()
    assert counts(concern) == (2, 1, 1)
    with pytest.raises(ValidationError, match="not taking concerns any more"):
        services.concern_opine(concern=concern, by=member(org, Role.SELLER), opinion="agree")
    assert counts(concern) == (2, 1, 1)


def test_merging_counts_a_persons_opinion_once(org, room):
    session, consultant = room["session"], room["consultant"]
    duplicate = services.concern_submit(
        session=session, by=consultant, worry="Dup", would_help="", anonymous=False
    )
    both, only_dup = member(org, Role.SELLER), member(org, Role.SELLER)
    services.concern_opine(concern=room["concern"], by=both, opinion="agree")
    services.concern_opine(concern=duplicate, by=both, opinion="disagree")
    services.concern_opine(concern=duplicate, by=only_dup, opinion="disagree")
    services.concern_merge(duplicate=duplicate, into=room["concern"], by=consultant)
    duplicate = Concern.objects.get(pk=duplicate.pk)
    assert counts(room["concern"]) == (1, 1, 0)  # "both" keeps their view on the one kept
    assert counts(duplicate) == (0, 0, 0)
    # An opinion given on the merged duplicate lands on the concern kept.
    services.concern_opine(concern=duplicate, by=member(org, Role.SELLER), opinion="pass")
    assert counts(room["concern"]) == (1, 1, 1)


def test_my_data_shows_and_erases_a_persons_open_opinions_and_the_counts_stay(org, room):
    from kickoff import privacy
    from programme.privacy import Identity

    seller = member(org, Role.SELLER)
    services.concern_opine(concern=room["concern"], by=seller, opinion="disagree")
    group = next(g for g in privacy.describe(seller) if g.key == "kickoff_named")
    assert group.count == 1
    assert privacy.export(seller).tables["opinions_open"] == [
        {"opinion": "disagree", "concern__worry": "Anonymous",
         "concern__session__title": "Kick-off Lyon"}
    ]  # fmt: skip
    identity = Identity(email=seller.user.email, full_name="", linkedin_url="")
    erased = privacy.erase(seller, keep_contributions=True, identity=identity, files=[])
    assert erased["opinions"] == 1 and not ConcernOpinion.objects.exists()
    assert counts(room["concern"]) == (0, 1, 0)


@pytest.mark.django_db(transaction=True)
def test_closing_leaves_no_opinion_dated_on_its_concerns(org, room):
    """An opinion rewrites its concern's row (the counts), stamping it with the opinion's
    transaction id; closing rewrites every concern of the session, as for "me too"."""
    from tests.security.test_xmin import xmins

    session = room["session"]
    for index in range(3):
        add = services.concern_submit(
            session=session, by=room["consultant"], worry=f"W{index}", would_help="",
            anonymous=True,
        )  # fmt: skip
        assert add
    anonymous_flush()
    concerns = list(Concern.objects.filter(session=session, worry__startswith="W"))
    for concern in concerns:
        services.concern_opine(concern=concern, by=member(org, Role.SELLER), opinion="agree")
    dated = {str(c.pk) for c in concerns}
    stamps = {pk: xmin for pk, xmin in xmins("kickoff_concern").items() if pk in dated}
    assert len(set(stamps.values())) == 3  # each dated by its opinion
    services.kickoff_close(session=session, by=room["consultant"])
    assert not ConcernOpinion.objects.exists()
    assert len(set(xmins("kickoff_concern").values())) == 1
