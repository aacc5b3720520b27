"""Case studies: who writes and reads what, reactions, comments, moderation, search, XSS."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.urls import reverse
from PIL import Image

from programme.models import Programme, Role, Team, Wave, WaveMember
from programme.viewer import Viewer
from showcase import services
from showcase.models import CaseComment, CaseImage, CaseReaction, CaseReport, CaseStudy
from tests.factories import member

STORY = "I asked a question about **cold-chain audits** in my post; three buyers answered."


def url(name, org, case=None, **query):
    args = [org.slug] + ([case.code] if case is not None else [])
    target = reverse(name, args=args)
    return target + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def new_case(author, **data):
    defaults = {"kind": "post_worked", "title": "Question posts work", "story": STORY,
                "visibility": "organisation", "tags": "questions, audits"}  # fmt: skip
    return services.case_save(author=author.participant, data={**defaults, **data})


@pytest.fixture
def team(org):
    return Team.objects.create(organisation=org, name="North")


def test_seller_publishes_and_others_read_it(org, login, team):
    author = member(org, Role.SELLER, team=team)
    client = login(author)
    response = client.post(url("showcase-case-create", org), {
        "kind": "meeting_booked", "title": "From comment to meeting", "story": STORY,
        "outcome": "A meeting with the CFO", "visibility": "organisation",
        "tags": "CFO, Comments, cfo", "links": "https://www.linkedin.com/feed/update/urn:li:1",
    })  # fmt: skip
    assert response.status_code == 302
    case = CaseStudy.objects.get()
    assert case.tags == ["cfo", "comments"] and case.team == team
    assert "<strong>cold-chain audits</strong>" in case.story_html
    page = login(member(org, Role.SELLER)).get(response["Location"]).content.decode()
    assert "From comment to meeting" in page and "LinkedIn post" in page
    feed = login(member(org, Role.MANAGER)).get(url("showcase-case-feed", org)).content.decode()
    assert "From comment to meeting" in feed


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SPONSOR, Role.MARKETING, Role.ADMIN])
def test_only_the_people_who_did_the_work_author_cases(org, login, role):
    someone = member(org, role)
    client = login(someone)
    assert client.get(url("showcase-case-create", org)).status_code == 403
    assert client.post(url("showcase-case-create", org), {"title": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        new_case(someone)
    assert CaseStudy.objects.count() == 0


def test_bad_input_is_refused_with_a_message(org, login):
    client = login(member(org, Role.SELLER))
    response = client.post(url("showcase-case-create", org), {
        "kind": "nonsense", "title": "", "story": "x", "visibility": "team",
        "links": "javascript:alert(1)\nnot a url",
    })  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400 and "Not a web address" in page
    assert CaseStudy.objects.count() == 0
    # A team-only case from someone in no team is refused, not silently widened.
    response = client.post(url("showcase-case-create", org), {
        "kind": "post_worked", "title": "t", "story": "s", "visibility": "team",
    })  # fmt: skip
    assert response.status_code == 400 and "no team" in response.content.decode()


def test_team_and_wave_cases_stay_in_their_group(org, login, team):
    author = member(org, Role.SELLER, team=team)
    teammate = member(org, Role.SELLER, team=team)
    stranger = member(org, Role.SELLER)
    programme = Programme.objects.create(organisation=org, name="P", start_date="2026-01-05")
    wave = Wave.objects.create(programme=programme, number=1, start_date="2026-01-05")
    WaveMember.objects.create(programme=programme, wave=wave, participant=author.participant)
    WaveMember.objects.create(programme=programme, wave=wave, participant=stranger.participant)
    team_case = new_case(author, title="Team only", visibility="team")
    wave_case = new_case(author, title="Wave only", visibility="wave")
    assert login(teammate).get(url("showcase-case-detail", org, team_case)).status_code == 200
    assert login(stranger).get(url("showcase-case-detail", org, team_case)).status_code == 404
    assert login(stranger).get(url("showcase-case-detail", org, wave_case)).status_code == 200
    assert login(teammate).get(url("showcase-case-detail", org, wave_case)).status_code == 404
    feed = login(stranger).get(url("showcase-case-feed", org)).content.decode()
    assert "Wave only" in feed and "Team only" not in feed


def test_a_wave_case_stays_readable_to_its_wave_after_a_later_programme_starts(org, login):
    """Visibility counts every wave the reader is in, not only their newest programme's."""
    author, reader = member(org, Role.SELLER), member(org, Role.SELLER)
    first = Programme.objects.create(organisation=org, name="2026", start_date="2026-01-05")
    wave = Wave.objects.create(programme=first, number=1, start_date="2026-01-05")
    for person in (author, reader):
        WaveMember.objects.create(programme=first, wave=wave, participant=person.participant)
    wave_case = new_case(author, title="Wave only", visibility="wave")
    later = Programme.objects.create(organisation=org, name="2027", start_date="2027-01-04")
    WaveMember.objects.create(
        programme=later,
        wave=Wave.objects.create(programme=later, number=1, start_date="2027-01-04"),
        participant=reader.participant,
    )
    client = login(reader)
    assert client.get(url("showcase-case-detail", org, wave_case)).status_code == 200
    assert "Wave only" in client.get(url("showcase-case-feed", org)).content.decode()


def test_only_the_author_edits_and_deletes(org, login):
    author, other = member(org, Role.SELLER), member(org, Role.SELLER)
    case = new_case(author)
    assert login(other).get(url("showcase-case-edit", org, case)).status_code == 403
    assert (
        login(member(org, Role.CONSULTANT)).post(url("showcase-case-delete", org, case)).status_code
        == 403
    )
    response = login(author).post(url("showcase-case-edit", org, case), {
        "kind": "lesson", "title": "What failed", "story": "Too salesy.",
        "visibility": "organisation", "tags": "tone",
    })  # fmt: skip
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.kind, case.title, case.tags) == ("lesson", "What failed", ["tone"])
    assert login(author).post(url("showcase-case-delete", org, case)).status_code == 302
    assert not CaseStudy.objects.exists()


def test_one_reaction_of_each_kind_per_person(org, login):
    case = new_case(member(org, Role.SELLER))
    client = login(member(org, Role.SELLER))
    for _ in range(2):
        client.post(url("showcase-case-react", org, case), {"kind": "useful"})
    assert not CaseReaction.objects.exists()  # the second click takes it back
    client.post(url("showcase-case-react", org, case), {"kind": "useful"})
    client.post(url("showcase-case-react", org, case), {"kind": "will_try"})
    fragment = client.post(
        url("showcase-case-react", org, case), {"kind": "inspiring"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert 'id="reactions"' in fragment and "<html" not in fragment
    assert CaseReaction.objects.count() == 3
    assert client.post(url("showcase-case-react", org, case), {"kind": "love"}).status_code == 400


def test_threaded_comments_and_moderation(org, login):
    author = member(org, Role.SELLER)
    case = new_case(author)
    reader = member(org, Role.SELLER)
    consultant = member(org, Role.CONSULTANT)
    login(reader).post(url("showcase-case-comment", org, case), {"body": "How long did it take?"})
    first = CaseComment.objects.get()
    login(author).post(
        url("showcase-case-comment", org, case), {"body": "Two weeks.", "parent": first.code}
    )
    assert CaseComment.objects.get(parent=first).body == "Two weeks."
    empty = login(reader).post(url("showcase-case-comment", org, case), {"body": "  "})
    assert empty.status_code == 400 and CaseComment.objects.count() == 2

    hide = reverse("showcase-comment-hide", args=[org.slug, first.code])
    assert login(reader).post(hide, {"reason": "no"}).status_code == 403
    login(consultant).post(hide, {"reason": "Names a customer"})
    assert (
        "How long did it take?"
        not in login(author).get(url("showcase-case-detail", org, case)).content.decode()
    )
    own = login(reader).get(url("showcase-case-detail", org, case)).content.decode()
    assert "Names a customer" in own and "How long did it take?" in own  # the author sees why

    login(member(org, Role.SELLER)).post(url("showcase-case-report", org, case), {"reason": "x"})
    assert CaseReport.objects.count() == 1
    assert (
        login(author).post(url("showcase-case-hide", org, case), {"reason": "r"}).status_code == 403
    )
    login(consultant).post(url("showcase-case-hide", org, case), {"reason": "Customer data"})
    assert login(reader).get(url("showcase-case-detail", org, case)).status_code == 404
    assert (
        "Question posts work"
        not in login(reader).get(url("showcase-case-feed", org)).content.decode()
    )
    mine = login(author).get(url("showcase-case-detail", org, case)).content.decode()
    assert "Customer data" in mine
    assert CaseReport.objects.get().handled_at is not None
    unhide = url("showcase-case-unhide", org, case)
    assert login(author).post(unhide).status_code == 403
    login(consultant).post(unhide)
    assert login(reader).get(url("showcase-case-detail", org, case)).status_code == 200


def test_a_moderator_hides_comments_only_on_cases_they_may_read(org, login, team):
    """A consultant outside a team does not read its team-only cases, nor moderate them."""
    author, teammate = member(org, Role.SELLER, team=team), member(org, Role.SELLER, team=team)
    case = new_case(author, visibility="team")
    comment = services.comment_add(case=case, by=teammate, body="Our numbers: 12 meetings")
    consultant = login(member(org, Role.CONSULTANT))
    assert consultant.get(url("showcase-case-detail", org, case)).status_code == 404
    hide = reverse("showcase-comment-hide", args=[org.slug, comment.code])
    assert consultant.post(hide, {"reason": "Looks odd"}).status_code == 404
    assert CaseComment.objects.get(pk=comment.pk).hidden_at is None
    # On a case they read, the same consultant hides it.
    services.case_save(author=author.participant, case=case, data={"visibility": "organisation"})
    assert consultant.post(hide, {"reason": "Names a customer"}).status_code == 302
    assert CaseComment.objects.get(pk=comment.pk).hidden_at is not None


def test_search_finds_a_word_of_the_story_with_a_highlight(org, login):
    new_case(
        member(org, Role.SELLER),
        title="Audits",
        story="We ran a webinar on <b>refrigeration</b> audits.",
    )
    new_case(member(org, Role.SELLER), title="Other", story="Nothing about that.")
    client = login(member(org, Role.SELLER))
    page = client.get(url("showcase-case-search", org, q="refrigeration")).content.decode()
    assert "Audits" in page and "Other" not in page.split('id="results"')[1]
    assert "<mark>refrigeration</mark>" in page and "<b>" not in page  # markup never passes
    fragment = client.get(
        url("showcase-case-search", org, q="webinars"), headers={"HX-Request": "true"}
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="results"') and "Audits" in fragment  # stemmed


@pytest.mark.parametrize("walk", [True, False])
def test_search_honours_visibility_and_ranks_either_way_it_finds_candidates(
    org, login, team, monkeypatch, walk
):
    """Both ways of finding the newest matches give the same, visible-only results."""
    from showcase import selectors

    monkeypatch.setattr(selectors, "_walk_newest_first", lambda matches, total: walk)
    teammate, outsider = member(org, Role.SELLER, team=team), member(org, Role.SELLER)
    new_case(teammate, title="Team only", story="Pallet tracking for our team", visibility="team")
    new_case(outsider, title="Everyone pallet", story="Pallet pallet tracking story")
    hidden = new_case(outsider, title="Hidden pallet", story="Pallet tracking, names a client")
    services.case_hide(case=hidden, by=member(org, Role.CONSULTANT), reason="Client named")
    reader = member(org, Role.SELLER, team=team)
    found = [case.title for case in selectors.search(Viewer(reader), "pallet")]
    assert found == ["Everyone pallet", "Team only"]  # more mentions rank higher
    # The author still finds their own hidden case; the team-only one stays out.
    own = {case.title for case in selectors.search(Viewer(outsider), "pallet")}
    assert own == {"Hidden pallet", "Everyone pallet"}
    moderator = member(org, Role.CONSULTANT)
    assert "Hidden pallet" in [c.title for c in selectors.search(Viewer(moderator), "pallet")]


XSS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>", "<svg onload=alert(1)>",
    "\"><script>alert(1)</script>", "<iframe src=//evil>", "<body onload=alert(1)>",
]  # fmt: skip


def test_xss_payloads_render_inert_everywhere(org, login):
    author = member(org, Role.SELLER)
    for payload in XSS:
        case = new_case(author, title=payload[:150], story=payload, outcome=payload[:300],
                        tags=payload, segment=payload[:120])  # fmt: skip
        services.comment_add(case=case, by=author, body=payload)
    client = login(member(org, Role.SELLER))
    pages = [client.get(url("showcase-case-feed", org)).content.decode()]
    pages += [
        client.get(url("showcase-case-detail", org, case)).content.decode()
        for case in CaseStudy.objects.all()
    ]
    pages.append(client.get(url("showcase-case-search", org, q="alert")).content.decode())
    for page in pages:
        found = _active_content(page.split("<main", 1)[-1].split("</main>", 1)[0])
        assert found == [], found


class _Active(HTMLParser):
    """Collects what a browser would execute: scripts, event handlers, javascript: links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in {"script", "iframe", "svg", "object", "embed"}:
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")


def _active_content(html: str) -> list[str]:
    parser = _Active()
    parser.feed(html)
    # The page's own script tags (Bootstrap, htmx) come after </main>; nothing else may run.
    return parser.found


# The feed for a seller in a team and a wave, once the session knows the organisation: the
# user, the membership, the viewer's participant (once: the "Share a case" button and the
# visibility filter share it), their waves, the page of cases, the organisation switcher.
# It was 7 while the view and the selector each looked the participant up.
FEED_QUERIES = 6


def test_feed_runs_the_same_queries_whatever_the_number_of_cases(org, login, team, count_queries):
    reader = member(org, Role.SELLER, team=team)
    programme = Programme.objects.create(organisation=org, name="P", start_date="2026-01-01")
    wave = Wave.objects.create(programme=programme, number=1, start_date="2026-01-05")
    WaveMember.objects.create(programme=programme, wave=wave, participant=reader.participant)
    client = login(reader)

    def feed() -> None:
        assert client.get(url("showcase-case-feed", org)).status_code == 200

    new_case(member(org, Role.SELLER))
    count_queries(feed)  # the first visit also stores the organisation in the session
    few = count_queries(feed)
    authors = [member(org, Role.SELLER) for _ in range(5)]
    for i in range(30):
        case = new_case(authors[i % 5], title=f"Case {i}")
        services.comment_add(case=case, by=reader, body="thanks")
    assert count_queries(feed) == few
    assert few <= FEED_QUERIES


def test_feed_loads_more_newest_first_with_counts(org, login):
    reader = member(org, Role.SELLER)
    client = login(reader)
    author = member(org, Role.SELLER)
    cases = [new_case(author, title=f"Case number {i:02d}") for i in range(25)]
    services.comment_add(case=cases[-1], by=reader, body="thanks")
    hidden = services.comment_add(case=cases[-1], by=reader, body="spam")
    CaseComment.objects.filter(pk=hidden.pk).update(hidden_at=cases[0].created_at)
    services.reaction_toggle(case=cases[-1], by=reader, kind="useful")

    first = client.get(url("showcase-case-feed", org)).content.decode()
    assert "Case number 24" in first and "Case number 05" in first
    assert "Case number 04" not in first and "page=2" in first
    newest = first[first.index("Case number 24") : first.index("Case number 23")]
    assert "1 reaction · 1 comment" in newest  # the hidden comment is not counted

    more = client.get(url("showcase-case-feed", org, page=2), HTTP_HX_REQUEST="true")
    text = more.content.decode()
    assert "Case number 04" in text and "Case number 00" in text
    assert "Case number 05" not in text and "page=3" not in text
    for junk in ("abc", "0", "-3", "99999999999"):
        assert client.get(url("showcase-case-feed", org, page=junk)).status_code == 200


def _image(kind: str = "JPEG", size=(40, 30), exif: bool = False) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    extra = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # camera make
        data[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS latitude
        extra["exif"] = data.tobytes()
    image.save(buffer, kind, **extra)
    name = {"JPEG": "photo.jpg", "PNG": "chart.png", "WEBP": "pic.webp", "GIF": "anim.gif"}[kind]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _form(**extra) -> dict:
    return {"kind": "post_worked", "title": "With pictures", "story": "See below.",
            "visibility": "organisation", **extra}  # fmt: skip


def test_images_are_checked_by_content_stripped_and_served_to_readers_only(org, login, team):
    author = member(org, Role.SELLER, team=team)
    client = login(author)
    response = client.post(
        url("showcase-case-create", org), _form(images=[_image(exif=True), _image("PNG")])
    )
    assert response.status_code == 302
    case = CaseStudy.objects.get()
    jpeg, png = case.images.all()
    assert (jpeg.content_type, png.content_type) == ("image/jpeg", "image/png")
    served = login(member(org, Role.SELLER)).get(
        reverse("showcase-image", args=[org.slug, jpeg.code])
    )
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    body = b"".join(served.streaming_content)
    assert b"SecretCam" not in body and Image.open(io.BytesIO(body)).getexif() == {}
    # A team-only case's image is not served outside the team.
    case.visibility = "team"
    case.save()
    outsider = login(member(org, Role.SELLER))
    assert outsider.get(reverse("showcase-image", args=[org.slug, jpeg.code])).status_code == 404
    # The author removes one; nobody else can.
    remove = reverse("showcase-image-delete", args=[org.slug, png.code])
    assert login(member(org, Role.SELLER, team=team)).post(remove).status_code == 403
    assert client.post(remove).status_code == 302 and case.images.count() == 1


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("setup.jpg", b"MZ\x90\x00" + b"\x00" * 200),
            "not an image we can read",
        ),
        (
            SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            "not an image we can read",
        ),
        (
            SimpleUploadedFile("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50),
            "not an image we can read",
        ),
        ("gif", "is a GIF image: use JPEG, PNG or WebP"),
        ("big", "larger than 5 MB"),
    ],
)
def test_bad_uploads_get_a_clear_error_and_change_nothing(org, login, upload, message):
    if upload == "gif":
        upload = _image("GIF")
    elif upload == "big":
        upload = SimpleUploadedFile("huge.jpg", b"\xff\xd8" + b"\x00" * (5 * 1024 * 1024 + 1))
    response = login(member(org, Role.SELLER)).post(
        url("showcase-case-create", org), _form(images=[upload])
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not CaseStudy.objects.exists()


def test_at_most_five_images(org, login):
    client = login(member(org, Role.SELLER))
    response = client.post(
        url("showcase-case-create", org), _form(images=[_image() for _ in range(6)])
    )
    assert response.status_code == 400 and "At most 5 images" in response.content.decode()


def _stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_save_that_fails_leaves_neither_the_case_nor_an_image_file(
    org, login, settings, tmp_path, monkeypatch
):
    """The case, its image rows and their files are kept together or not at all."""
    settings.MEDIA_ROOT = tmp_path
    saved_rows = []
    row_save = CaseImage.save

    def second_row_fails(image, *args, **kwargs):
        if saved_rows:
            raise DatabaseError("the database went away")
        row_save(image, *args, **kwargs)
        saved_rows.append(image)

    monkeypatch.setattr(CaseImage, "save", second_row_fails)
    client = login(member(org, Role.SELLER))
    with pytest.raises(DatabaseError):
        client.post(url("showcase-case-create", org), _form(images=[_image(), _image("PNG")]))
    assert saved_rows  # the first image's row and file were written before the failure
    assert not CaseStudy.objects.exists() and not CaseImage.objects.exists()
    assert _stored_files(tmp_path) == []


def test_an_image_file_goes_only_once_its_delete_commits(
    org, login, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    author = member(org, Role.SELLER)
    client = login(author)
    client.post(url("showcase-case-create", org), _form(images=[_image(), _image("PNG")]))
    first, second = CaseImage.objects.all()
    kept = first.file.name.rsplit("/")[-1]
    with pytest.raises(RuntimeError), transaction.atomic():
        services.image_delete(image=CaseImage.objects.get(pk=first.pk), by=author)
        raise RuntimeError("rolled back")
    assert CaseImage.objects.filter(pk=first.pk).exists() and len(_stored_files(tmp_path)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        remove = reverse("showcase-image-delete", args=[org.slug, second.code])
        assert client.post(remove).status_code == 302
    assert [path.name for path in _stored_files(tmp_path)] == [kept]


def test_featuring_needs_the_authors_consent(org, login):
    author = member(org, Role.SELLER)
    case = new_case(author)
    consultant, manager = member(org, Role.CONSULTANT), member(org, Role.MANAGER)
    feature = url("showcase-case-feature", org, case)
    assert login(member(org, Role.SELLER)).post(feature).status_code == 403
    assert login(member(org, Role.SPONSOR)).post(feature).status_code == 403
    page = login(consultant).post(feature, follow=True).content.decode()
    assert "The author is asked" in page  # asked, not featured (tests/showcase/test_featuring.py)
    case.refresh_from_db()
    assert case.featured_at is None
    services.case_save(author=author.participant, case=case, data={"feature_consent": True})
    login(manager).post(feature)
    case.refresh_from_db()
    assert case.featured_at is not None
    home = login(member(org, Role.SELLER)).get(
        reverse("programme-organisation-home", args=[org.slug])
    )
    assert "From the showcase" in home.content.decode() and case.title in home.content.decode()
    # The author changes their mind: off the home page at once.
    services.case_save(author=author.participant, case=case, data={"feature_consent": False})
    case.refresh_from_db()
    assert case.featured_at is None
    home = login(member(org, Role.SELLER)).get(
        reverse("programme-organisation-home", args=[org.slug])
    )
    assert "From the showcase" not in home.content.decode()
