"""Deployment files: docker-compose parses, and every command names something that exists."""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_services() -> None:
    services = compose()["services"]
    assert set(services) >= {"postgres", "redis", "web", "worker", "beat"}
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")


def test_app_services_share_one_configuration() -> None:
    services = compose()["services"]
    env_files = {str(services[name].get("env_file")) for name in ("web", "worker", "beat")}
    environments = [services[name].get("environment") for name in ("web", "worker", "beat")]
    assert len(env_files) == 1
    assert all(env == environments[0] for env in environments)
    environment = environments[0]
    for key in ("DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"):
        assert key in environment


def _command(service: dict) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_every_service_command_names_a_module_that_exists() -> None:
    services = compose()["services"]
    checked = 0
    for name in ("web", "worker", "beat", "migrate"):
        if name not in services:
            continue
        argv = _command(services[name])
        if argv[0] == "gunicorn":
            module, _, attribute = next(a for a in argv[1:] if ":" in a).partition(":")
            assert hasattr(importlib.import_module(module), attribute)
        elif argv[0] == "celery":
            app = argv[argv.index("-A") + 1]
            assert hasattr(importlib.import_module(app), "celery_app")
            assert argv[argv.index("-A") + 2] in {"worker", "beat"}
        elif argv[:2] == ["python", "manage.py"]:
            from django.core.management import get_commands

            assert argv[2] in get_commands()
        else:
            raise AssertionError(f"unexpected command for {name}: {argv}")
        checked += 1
    assert checked >= 3


def test_procfile_runs_web_worker_and_beat() -> None:
    lines = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()
    )
    assert set(lines) == {"web", "worker", "beat"}
    assert re.search(r"celery -A config worker", lines["worker"])
    assert re.search(r"celery -A config beat", lines["beat"])


def test_dockerfile_installs_the_project() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install" in dockerfile and "collectstatic" in dockerfile


def test_the_image_and_the_package_hold_every_project_app() -> None:
    """An app missing from the image crashes production at start-up, while every test passes."""
    from django.conf import settings

    local = [app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()]
    assert {"programme", "goals"} <= set(local)
    dockerfile = (ROOT / "Dockerfile").read_text()
    pyproject = (ROOT / "pyproject.toml").read_text()
    for app in [*local, "config"]:
        assert f"COPY {app} ./{app}" in dockerfile, f"the Dockerfile does not copy {app}/"
        assert f'"{app}*"' in pyproject, f"pyproject.toml does not package {app}"
