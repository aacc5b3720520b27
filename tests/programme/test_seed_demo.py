from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from programme.models import Membership, Organisation, Participant, Role, Team, User


def test_seed_demo_is_believable_and_idempotent(db, capsys) -> None:
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert "claire.martin@acme.example" in output and "snowball-demo" in output

    acme = Organisation.objects.get(slug="acme")
    roles = dict(
        Membership.objects.filter(organisation=acme)
        .values_list("role")
        .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("pk"))
    )
    assert roles[Role.SPONSOR] == 1 and roles[Role.CONSULTANT] == 2 and roles[Role.MANAGER] == 3
    assert roles[Role.SELLER] == 60
    assert Team.objects.filter(organisation=acme, parent__isnull=False).count() == 3
    assert Participant.objects.filter(organisation=acme).values("job_role").distinct().count() >= 3

    counts = (
        User.objects.count(),
        Membership.objects.count(),
        Participant.objects.count(),
        Team.objects.count(),
    )
    stamps = sorted(Participant.objects.values_list("pk", "updated_at"))
    call_command("seed_demo")
    assert counts == (
        User.objects.count(),
        Membership.objects.count(),
        Participant.objects.count(),
        Team.objects.count(),
    )
    assert stamps == sorted(Participant.objects.values_list("pk", "updated_at"))

    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "mia.novak@acme.example", "password": "snowball-demo"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # two organisations: the chooser
