"""Demo showcase: about 150 cases across the kinds, told the way sellers tell them, with
comments, reactions, marketing picks and their uptake, one featured and one hidden case."""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from programme import services as programme_services
from programme.demo import register_demo_seeder
from programme.models import Membership, Organisation, Participant, Role, Team
from showcase import previews, services, sharing
from showcase.models import CaseComment, CaseStudy, MarketingPick, PickClick, ReactionKind

CASES = 150
WEEKS = 10

SEGMENTS = ["Food retail", "Pharma logistics", "Automotive", "Public sector", "Energy",
            "Banking", "Telecom", "Chemicals"]  # fmt: skip
ROLES_MET = ["the head of supply chain", "a procurement lead", "the CFO", "an IT director",
             "the operations manager", "a plant manager", "the COO"]  # fmt: skip
TOPICS = ["cold-chain audits", "energy costs in warehouses", "late deliveries",
          "supplier risk", "the new EU reporting rules", "forecasting errors",
          "carbon reporting", "spare-parts stock"]  # fmt: skip

# kind: (title, story, outcome, technique, tags); {segment}, {role}, {topic} are filled in.
TEMPLATES: dict[str, list[tuple[str, str, str, str, str]]] = {
    "post_worked": [
        (
            "Asking buyers in {segment} what they would fix first",
            "I asked **20 water-utility buyers** one question in a post: what would *their* "
            "team fix first about {topic}?\n\n"
            "- 14 replied in the comments\n- 5 sent a private message\n- 2 asked for a call\n\n"
            "What worked: **no link, no brochure**, and I answered every reply the same day.",
            "Two discovery calls booked",
            "content",
            "questions, water utilities",
        ),
        (
            "A question post about {topic} got buyers talking",
            "I stopped posting our brochures. I asked one honest question: *what is the one thing "
            "about {topic} you would fix tomorrow?* I answered every comment within the hour.\n\n"
            "- 41 comments, 9 of them from people in my accounts\n- two asked for a call",
            "Two calls with {segment} prospects",
            "content",
            "questions, engagement",
        ),
        (
            "Sharing a customer's numbers (with their permission)",
            "Our customer in {segment} agreed to let me share how they cut {topic}. I wrote it "
            "as their story, not ours, and tagged their project lead.",
            "The post reached 6,000 people; three look-alike companies got in touch",
            "content",
            "customer story, proof",
        ),
        (
            "Three short posts in three weeks beat one long article",
            "I used to write one long article a month and nobody read it. I now write three lines "
            "every Tuesday about what I saw at customers that week ({topic} mostly).",
            "Profile views tripled; {role} at an account I had chased for a year replied",
            "content",
            "regularity, short posts",
        ),
    ],
    "comment_conversation": [
        (
            "Commenting before posting: how I met {role}",
            "For a month I only commented, two thoughtful comments a day on posts by people at my "
            "accounts. On a post about {topic} I added a figure from our benchmark.",
            "{role} asked me to send the benchmark, then to present it",
            "commenting",
            "comments, benchmark",
        ),
        (
            "A disagreement in the comments turned into a meeting",
            "Someone in {segment} posted that {topic} was overrated. I disagreed, politely, with "
            "one example. Ten replies later we agreed to continue over coffee.",
            "Coffee, then a workshop with their team",
            "commenting",
            "comments, debate",
        ),
    ],
    "private_message": [
        (
            "A message that was not a pitch",
            "After {role} liked my post on {topic}, I sent a two-line message: thanks, and one "
            "question about how they handle it. No attachment, no link, no meeting request.",
            "They answered with a long message and asked for a call themselves",
            "messaging",
            "messages, no pitch",
        ),
        (
            "Following up a trade-fair contact on LinkedIn",
            "Instead of the usual e-mail after the fair, I sent a message referring to what we "
            "said about {topic}, with a photo of the stand where we met.",
            "4 of 11 answered within a day, against 1 of 15 by e-mail last year",
            "messaging",
            "events, follow-up",
        ),
    ],
    "meeting_booked": [
        (
            "From a comment to a meeting with {role}",
            "I had commented on three of their posts over six weeks. When they posted about "
            "{topic}, I messaged: *we helped a {segment} company with exactly that, want the "
            "short version?*",
            "Meeting booked for next Thursday",
            "messaging",
            "meeting, patience",
        ),
        (
            "First meeting booked through LinkedIn, ever",
            "Honestly I did not believe in this. I posted about a mistake we made on {topic} and "
            "what we learned. {role} wrote: *we are making that mistake right now*.",
            "A meeting, and I am a convert",
            "content",
            "first meeting, honesty",
        ),
    ],
    "cooperation": [
        (
            "A joint post with a partner in {segment}",
            "Our partner and I wrote a post together on {topic}, each from our side. Both our "
            "networks saw it, and their customers are not ours.",
            "A joint webinar is planned",
            "content",
            "partners, co-marketing",
        ),
        (
            "Pre-sales and sales posting as a pair",
            "Our pre-sales engineer answers the technical comments under my posts about "
            "{topic}. Buyers see two real people, not a brand.",
            "Technical questions now come to us before the RFP",
            "commenting",
            "pre-sales, teamwork",
        ),
    ],
    "deal_won": [
        (
            "A deal that started with a post on {topic}",
            "Six months ago {role} commented on my post about {topic}. We kept talking in "
            "messages, then met, then ran a pilot.",
            "Signed: a three-year contract in {segment}",
            "content",
            "deal, long cycle",
        ),
        (
            "Re-opening a lost account through LinkedIn",
            "We lost this {segment} account two years ago. I followed their new {role}, "
            "commented on their posts for two months, then congratulated them on a result.",
            "Back on the supplier list, first order signed",
            "networking",
            "deal, lost account",
        ),
    ],
    "lesson": [
        (
            "What did not work: posting the sales deck",
            "I posted our slides about {topic} as a carousel. 300 views, 2 likes, both from "
            "colleagues. Nobody wants to be sold to in their feed.",
            "Lesson: tell what you saw, not what we sell",
            "content",
            "failure, lesson",
        ),
        (
            "Connection requests without a note are ignored",
            "I sent 80 requests to {segment} people in a week with no note. 9 accepted, none "
            "replied. The week I wrote one personal line each, fewer requests, more answers.",
            "Lesson: fewer, personal requests",
            "networking",
            "failure, connections",
        ),
        (
            "I pitched in the first message and lost the contact",
            "{role} accepted my request and I sent our offer on {topic} straight away. They "
            "removed me the next day.",
            "Lesson: earn the conversation first",
            "messaging",
            "failure, messages",
        ),
    ],
}
COMMENTS = [
    "Trying this on Monday with my own accounts.",
    "Did you prepare the question in advance or was it spontaneous?",
    "Same experience in my team: the honest posts get the replies.",
    "Could you share the exact wording of your first message?",
    "This is the most useful thing I read this week.",
    "How long did it take between the first comment and the meeting?",
    "I tried something similar and it did not work; I think the timing matters.",
    "Great one. Our partner might want to do the same.",
]
REPLIES = [
    "About three weeks, and I nearly gave up.",
    "Happy to share it, I will send it to you.",
    "Yes, I wrote it the evening before.",
    "Agreed, Tuesday mornings work best for me.",
]
# (link, title, description, suggested angle, days ago): the newest first on every page.
PICKS = [
    ("https://www.linkedin.com/feed/update/urn:li:activity:7101", "Our cold-chain study 2026",
     "Five findings from 300 food and pharma logistics sites, with the numbers buyers ask for.",
     "Ask your network which of the five findings surprised them most.", 40),
    ("https://www.linkedin.com/feed/update/urn:li:activity:7102",
     "Customer video: how a retailer cut warehouse energy by 18%",
     "Three minutes with the retailer's site manager; no sales talk.",
     "Add one line on what you saw at your own customers.", 26),
    ("https://www.linkedin.com/feed/update/urn:li:activity:7103",
     "We are hiring 40 engineers this year",
     "Open roles in service and pre-sales, in six countries.",
     "Share it with a word on what you like about working here.", 12),
    ("https://www.linkedin.com/feed/update/urn:li:activity:7104",
     "Webinar: the new EU reporting rules in 30 minutes",
     "Thursday 10:00, with our compliance lead; a recording follows.",
     "Tag one customer who asked you about it.", 5),
    ("https://www.linkedin.com/feed/update/urn:li:activity:7105",
     "Water utilities: what 20 buyers told us about leak detection",
     "The questions they asked most, and the answers that moved them.",
     "Say which answer matches what your own customers tell you.", 1),
]  # fmt: skip


@register_demo_seeder
def seed_showcase(organisation: Organisation) -> None:
    if CaseStudy.objects.filter(organisation=organisation).exists():
        return
    rng = random.Random(5)  # noqa: S311 - demo data, fixed seed
    authors = list(
        Participant.objects.filter(
            organisation=organisation, membership__role__in=[Role.SELLER, Role.MANAGER]
        )
        .select_related("membership__user", "team")
        .order_by("pk")
    )
    if not authors:
        return
    readers = [author.membership for author in authors]
    marketing = Membership.objects.filter(organisation=organisation, role=Role.MARKETING).first()
    consultant = Membership.objects.filter(organisation=organisation, role=Role.CONSULTANT).first()
    with transaction.atomic():
        picks = []
        if marketing is not None:
            for url, title, note, angle, days_ago in PICKS:
                pick = services.pick_post(by=marketing, url=url, title=title, note=note,
                                          angle=angle)  # fmt: skip
                posted = timezone.now() - timedelta(days=days_ago, hours=rng.uniform(0, 8))
                MarketingPick.objects.filter(pk=pick.pk).update(created_at=posted)
                picks.append(pick)
            _seed_share_demo(organisation, picks, rng)
            for pick in picks[:-1]:  # the newest one nobody has had time to share yet
                for reader in rng.sample(readers, min(len(readers), rng.randint(3, 12))):
                    services.uptake_toggle(pick=pick, by=reader, action=rng.choice(
                        ["shared", "shared", "commented"]))  # fmt: skip
        # Most cases come from a core of active sellers, as in a real programme.
        core = authors[: max(5, len(authors) // 3)]
        kinds = list(TEMPLATES)
        now = timezone.now()
        cases = []
        for number in range(CASES):
            kind = kinds[number % len(kinds)]
            title, story, outcome, technique, tags = rng.choice(TEMPLATES[kind])
            words = {"segment": rng.choice(SEGMENTS), "role": rng.choice(ROLES_MET),
                     "topic": rng.choice(TOPICS)}  # fmt: skip
            author = rng.choice(core if rng.random() < 0.7 else authors)
            visibility = rng.choices(["organisation", "team", "wave"], [8, 1, 1])[0]
            if visibility == "team" and author.team_id is None:
                visibility = "organisation"
            links = ""
            if picks and technique == "content" and rng.random() < 0.25:
                links = rng.choice(picks).url + "?utm_source=share"
            data = {
                "kind": kind, "title": _sentence(title.format(**words))[:160],
                "story": story.format(**words), "outcome": outcome.format(**words)[:300],
                "technique": technique, "segment": words["segment"], "tags": tags,
                "visibility": visibility, "links": links,
                "feature_consent": rng.random() < 0.3,
                "language": "en",  # the templates are English, whoever tells them
            }  # fmt: skip
            try:
                case = services.case_save(author=author, data=data)
            except ValidationError:  # a wave-only case from someone in no wave
                data["visibility"] = "organisation"
                case = services.case_save(author=author, data=data)
            cases.append(case)
            _discuss(case, rng, readers)
            created = now - timedelta(days=rng.uniform(0, WEEKS * 7))
            CaseStudy.objects.filter(pk=case.pk).update(created_at=created, updated_at=created)
        manager = Membership.objects.filter(organisation=organisation, role=Role.MANAGER).first()
        if consultant is not None:
            # Featured the way the programme team does it: the manager asks, the author says
            # yes. And one question still waiting for the first demo seller's answer.
            featured = next(
                (c for c in cases if not c.feature_consent and c.kind == "deal_won"), None
            )
            if featured is not None:
                services.case_feature_request(case=featured, by=manager or consultant)
                services.case_feature_answer(case=featured, by=featured.author.membership, yes=True)
            waiting = next(
                (c for c in cases if c is not featured and not c.feature_consent
                 and c.author.membership.user.email.startswith("anna.andersen@")),
                None,
            )  # fmt: skip
            if waiting is not None:
                services.case_feature_request(case=waiting, by=manager or consultant)
            services.case_hide(
                case=cases[-1], by=consultant,
                reason="It names the client and the contract value: please remove both and we "
                "will show it again.",
            )  # fmt: skip


def _discuss(case: CaseStudy, rng: random.Random, readers: list[Membership]) -> None:
    others = [m for m in readers if m.pk != case.author.membership_id]
    for reader in rng.sample(others, min(len(others), rng.randint(0, 8))):
        services.reaction_toggle(case=case, by=reader, kind=rng.choice(ReactionKind.values))
    comments: list[CaseComment] = []
    for reader in rng.sample(others, min(len(others), rng.choice([0, 0, 1, 2, 3, 4]))):
        comments.append(services.comment_add(case=case, by=reader, body=rng.choice(COMMENTS)))
    if comments and rng.random() < 0.5:
        services.comment_add(
            case=case, by=case.author.membership, body=rng.choice(REPLIES), parent=comments[0]
        )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- Picks that are easy to share well -------------------------------------------------------

PREVIEW_COLOURS = [(10, 102, 194), (0, 122, 90), (180, 83, 9), (109, 40, 217), (190, 24, 93)]


def _demo_thumbnail(colour: tuple[int, int, int]) -> previews.Thumbnail:
    """A plain banner drawn here: the demo reaches no network."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 315), colour)
    draw = ImageDraw.Draw(image)
    for step in range(0, 600, 40):
        draw.line([(step, 315), (step + 200, 0)], fill=tuple(min(255, c + 40) for c in colour),
                  width=8)  # fmt: skip
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return previews.Thumbnail(out.getvalue(), 600, 315)


def _seed_share_demo(organisation: Organisation, picks: list, rng: random.Random) -> None:
    """The disclosure line, stored previews (as if fetched) and clicks by team."""
    programme_services.organisation_settings_update(
        organisation=organisation,
        managers_see_individuals=organisation.managers_see_individuals,
        disclosure_line="#employee",
    )
    for index, pick in enumerate(picks):
        preview = previews.Preview(
            title=pick.title, description=pick.note,
            image_url="", image=_demo_thumbnail(PREVIEW_COLOURS[index % len(PREVIEW_COLOURS)]),
        )  # fmt: skip
        services.pick_preview_store(pick=pick, preview=preview)
    teams = list(Team.objects.filter(organisation=organisation).values_list("code", flat=True))
    PickClick.objects.bulk_create(
        [PickClick(pick=pick, team_key=sharing.team_key(code), clicks=rng.randint(2, 60))
         for pick in picks[:-1] for code in rng.sample(teams, min(len(teams), 4))]
    )  # fmt: skip


# --- Content in several languages (#20) ------------------------------------------------------
# The France team's cases are told in French, DACH's in German (their sellers' languages);
# one pick also speaks both. (title, story, outcome); {segment} and {topic} are filled in.

CASES_IN = {
    "fr": {
        "team": "France",
        "segments": ["la grande distribution", "la logistique pharmaceutique", "l'automobile",
                     "le secteur public", "l'énergie"],
        "topics": ["les audits de la chaîne du froid", "les coûts d'énergie des entrepôts",
                   "les retards de livraison", "le risque fournisseurs", "le reporting carbone"],
        "texts": [
            ("Une question aux acheteurs de {segment}",
             "J'ai posé une seule question dans un post : que corrigeriez-vous en premier "
             "dans **{topic}** ?\n\n- 17 réponses en commentaire\n- 4 messages privés\n\n"
             "Ce qui a marché : *pas de lien, pas de brochure*, et une réponse à chacun le "
             "jour même.",
             "Deux rendez-vous de découverte"),
            ("Commenter avant de publier : ma rencontre avec un directeur des achats",
             "Pendant un mois, je n'ai fait que commenter les posts de mes comptes, deux "
             "commentaires réfléchis par jour. Sur un post consacré à {topic}, j'ai ajouté "
             "un chiffre de notre étude.",
             "Il m'a demandé de lui présenter l'étude"),
            ("Un message qui n'était pas un argumentaire",
             "Après un « j'aime » sur mon post, j'ai envoyé deux lignes : merci, et une "
             "question sur la façon dont ils gèrent {topic}. Sans pièce jointe ni demande de "
             "rendez-vous.",
             "Une longue réponse, puis un appel qu'ils ont proposé eux-mêmes"),
            ("Ce qui n'a pas marché : publier la présentation commerciale",
             "J'ai publié nos diapositives sur {topic} en carrousel. 300 vues, 2 mentions "
             "« j'aime », toutes deux de collègues. Personne ne veut se faire vendre quelque "
             "chose dans son fil.",
             "Leçon : raconter ce que j'ai vu, pas ce que nous vendons"),
            ("Un contrat signé dans {segment} après un post",
             "Il y a six mois, un client potentiel a commenté mon post sur {topic}. Nous avons "
             "continué en messages, puis nous nous sommes rencontrés, puis un pilote.",
             "Contrat de trois ans signé"),
        ],
    },
    "de": {
        "team": "DACH",
        "segments": ["dem Lebensmittelhandel", "der Pharmalogistik", "der Automobilbranche",
                     "dem öffentlichen Sektor", "der Energiewirtschaft"],
        "topics": ["Kühlketten-Audits", "Energiekosten im Lager", "Lieferverzögerungen",
                   "Lieferantenrisiken", "CO₂-Berichterstattung"],
        "texts": [
            ("Eine Frage an Einkäufer aus {segment}",
             "Ich habe in einem Beitrag nur eine Frage gestellt: Was würden Sie bei "
             "**{topic}** zuerst verbessern?\n\n- 23 Antworten in den Kommentaren\n"
             "- 5 private Nachrichten\n\n"
             "Was funktioniert hat: *kein Link, keine Broschüre*, und jede Antwort noch am "
             "selben Tag.",
             "Zwei Erstgespräche vereinbart"),
            ("Erst kommentieren, dann posten: wie ich den Einkaufsleiter kennenlernte",
             "Einen Monat lang habe ich nur kommentiert, zwei durchdachte Kommentare am Tag "
             "bei Beiträgen meiner Kunden. Bei einem Beitrag über {topic} habe ich eine Zahl "
             "aus unserer Studie ergänzt.",
             "Er bat mich, die Studie vorzustellen"),
            ("Eine Nachricht ohne Verkaufsargument",
             "Nachdem ein Entscheider meinen Beitrag gelikt hatte, schrieb ich zwei Zeilen: "
             "Danke, und eine Frage, wie sie mit {topic} umgehen. Kein Anhang, keine "
             "Terminanfrage.",
             "Eine lange Antwort, und den Termin schlugen die Kunden selbst vor"),
            ("Was nicht funktioniert hat: die Verkaufspräsentation posten",
             "Ich habe unsere Folien zu {topic} als Karussell gepostet. 300 Aufrufe, zwei "
             "Likes, beide von Kollegen. Niemand will im eigenen Feed etwas verkauft "
             "bekommen.",
             "Lektion: erzählen, was ich bei Kunden gesehen habe, nicht was wir verkaufen"),
            ("Ein Abschluss in {segment}, der mit einem Beitrag begann",
             "Vor sechs Monaten kommentierte ein Interessent meinen Beitrag über {topic}. Wir "
             "schrieben uns weiter, trafen uns, dann folgte ein Pilotprojekt.",
             "Dreijahresvertrag unterschrieben"),
        ],
    },
}  # fmt: skip

PICK_TRANSLATIONS = {
    "https://www.linkedin.com/feed/update/urn:li:activity:7101": {
        "fr": ("Notre étude 2026 sur la chaîne du froid",
               "Cinq constats tirés de 300 sites logistiques alimentaires et pharmaceutiques, "
               "avec les chiffres que demandent les acheteurs.",
               "Demandez à votre réseau lequel des cinq constats l'a le plus surpris."),
        "de": ("Unsere Kühlketten-Studie 2026",
               "Fünf Erkenntnisse aus 300 Lebensmittel- und Pharmalogistik-Standorten, mit den "
               "Zahlen, nach denen Einkäufer fragen.",
               "Fragen Sie Ihr Netzwerk, welche der fünf Erkenntnisse es am meisten überrascht "
               "hat."),
    },
}  # fmt: skip


@register_demo_seeder
def seed_content_languages(organisation: Organisation) -> None:
    """The France team's cases in French, DACH's in German, through the case service (so
    each is searched in its language); one pick in French and German too. Idempotent: a
    case already holding its text is left alone."""
    from showcase.pick_translations import pick_translation_save

    for language, spec in CASES_IN.items():
        cases = (
            CaseStudy.objects.filter(organisation=organisation, author__team__name=spec["team"])
            .select_related("author__membership__user", "author__membership__organisation")
            .order_by("pk")
        )
        for index, case in enumerate(cases):
            title, story, outcome = spec["texts"][index % len(spec["texts"])]
            words = {"segment": spec["segments"][index % len(spec["segments"])],
                     "topic": spec["topics"][(index // 2) % len(spec["topics"])]}  # fmt: skip
            title = title.format(**words)[:160]
            if case.title == title and case.language == language:
                continue
            services.case_save(author=case.author, case=case, data={
                "title": title, "story": story.format(**words),
                "outcome": outcome.format(**words)[:300], "language": language,
            })  # fmt: skip
    for url, versions in PICK_TRANSLATIONS.items():
        pick = MarketingPick.objects.filter(organisation=organisation, url=url).first()
        if pick is None or pick.posted_by is None:
            continue
        for language, (title, note, angle) in versions.items():
            if not pick.translations.filter(language=language).exists():
                pick_translation_save(pick=pick, by=pick.posted_by, language=language,
                                      title=title, note=note, angle=angle)  # fmt: skip
