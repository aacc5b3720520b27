"""The architecture, kept by a test instead of by memory.

It reads the code (no database) and fails on:
1. an import edge between the project's apps that is not in ALLOWED_IMPORTS;
2. a template of one app that links (`{% url %}`), includes or extends a page of an app it may
   not import (use the registries in programme/home.py instead);
3. a write into another app's tables: raw SQL (INSERT, UPDATE, DELETE, COPY, TRUNCATE) naming
   its table, or an ORM write (`Model.objects....create/update/delete...`) on its model. Such
   writes go through the owning app's services;
4. a tenant view that resolves the organisation itself instead of through `tenant_view`;
5. a decision by role (`x.role == Role.X`, `x.role in SOME_ROLES`) outside a policies module.

Each checker is also run on a planted violation, so a checker that finds nothing because it is
broken fails too.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
APPS = ("programme", "kickoff", "showcase", "metrics", "goals", "identity")
# Who may import whom: programme is the core and imports no app; the feature apps build on it.
ALLOWED_IMPORTS: dict[str, set[str]] = {
    "programme": set(),
    "kickoff": {"programme"},
    "showcase": {"programme"},
    "metrics": {"programme", "kickoff", "showcase"},
    "goals": {"programme", "metrics"},
    "identity": {"programme"},
}
ORM_WRITES = {"create", "bulk_create", "get_or_create", "update_or_create", "update", "delete",
              "bulk_update"}  # fmt: skip
SQL_WRITE = re.compile(
    r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY|TRUNCATE(?:\s+TABLE)?)\s+"
    r"(?:\{(?P<expr>[\w.]+)\}|\"?(?P<table>[a-z_][a-z0-9_]*)\"?)",
)
TEMPLATE_URL = re.compile(r"\{%\s*url\s+['\"](?P<name>[\w-]+)['\"]")
TEMPLATE_LOAD = re.compile(r"\{%\s*(?:include|extends)\s+['\"](?P<path>[\w-]+)/[^'\"]+['\"]")


def python_files(app: str) -> list[Path]:
    return sorted(p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


def template_files(app: str) -> list[Path]:
    return sorted((ROOT / app / "templates").rglob("*.html"))


# 1. Imports ---------------------------------------------------------------------------------


def import_violations(app: str, source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        for module in modules:
            target = module.split(".")[0]
            if target in APPS and target != app and target not in ALLOWED_IMPORTS[app]:
                found.append(f"line {node.lineno}: {app} imports {module}")
    return found


# 2. Templates -------------------------------------------------------------------------------


@cache
def url_owners() -> dict[str, str]:
    """URL name -> the app whose view serves it."""
    owners: dict[str, str] = {}

    def walk(patterns) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                owners[pattern.name] = pattern.lookup_str.split(".")[0]

    walk(get_resolver().url_patterns)
    return owners


def template_violations(app: str, source: str) -> list[str]:
    allowed = ALLOWED_IMPORTS[app] | {app}
    found = []
    for match in TEMPLATE_URL.finditer(source):
        owner = url_owners().get(match["name"])
        if owner in APPS and owner not in allowed:
            found.append(f"{app} links {match['name']} of {owner}")
    for match in TEMPLATE_LOAD.finditer(source):
        owner = match["path"]
        if owner in APPS and owner not in allowed:
            found.append(f"{app} includes or extends a template of {owner}")
    return found


# 3. Writes into another app's tables --------------------------------------------------------


@cache
def model_apps() -> tuple[dict[str, str], dict[str, str]]:
    """(model class name -> app label, table name -> app label) for the project's apps."""
    by_name, by_table = {}, {}
    for model in django_apps.get_models(include_auto_created=True):
        label = model._meta.app_label
        if label in APPS:
            by_name[model.__name__] = label
            by_table[model._meta.db_table] = label
    return by_name, by_table


def _table_aliases(tree: ast.AST) -> dict[str, str]:
    """`name = Model._meta.db_table` (also in tuple assignments) -> {name: Model}."""
    aliases = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            pairs = (
                zip(target.elts, node.value.elts, strict=False)
                if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                else [(target, node.value)]
            )
            for name, value in pairs:
                text = ast.unparse(value)
                if isinstance(name, ast.Name) and text.endswith("._meta.db_table"):
                    aliases[name.id] = text.split(".")[0]
    return aliases


def _objects_model(node: ast.AST) -> str | None:
    """The model of a chain like `Model.objects.filter(...).update(...)`, if any."""
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            return node.value.id if isinstance(node.value, ast.Name) else None
        node = node.func if isinstance(node, ast.Call) else node.value
    return None


def write_violations(app: str, source: str) -> list[str]:
    by_name, by_table = model_apps()
    tree = ast.parse(source)
    aliases = _table_aliases(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts = [node.value]
        elif isinstance(node, ast.JoinedStr):
            texts = ["".join(
                v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
                for v in node.values
            )]  # fmt: skip
        else:
            texts = []
        for text in texts:
            for match in SQL_WRITE.finditer(text):
                if match["expr"]:
                    model = aliases.get(match["expr"]) or match["expr"].split(".")[0]
                    owner = by_name.get(model)
                else:
                    owner = by_table.get(match["table"])
                if owner is not None and owner != app:
                    found.append(f"line {node.lineno}: raw SQL writes {owner}'s table")
        is_write = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        if is_write and node.func.attr in ORM_WRITES:
            model = _objects_model(node.func.value)
            owner = by_name.get(model) if model else None
            if owner is not None and owner != app:
                found.append(f"line {node.lineno}: {model}.objects...{node.func.attr}()")
    return found


# 4. Every tenant view comes in through tenant_view ------------------------------------------


def resolve_violations(app: str, source: str) -> list[str]:
    return [
        f"line {n.lineno}: calls membership_for_request (use @tenant_view)"
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Call) and ast.unparse(n.func).endswith("membership_for_request")
    ]


# 5. Role decisions live in policies ---------------------------------------------------------


def role_decision_violations(app: str, source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        text = ast.unparse(node)
        on_role = any(isinstance(o, ast.Attribute) and o.attr == "role" for o in operands)
        if on_role and ("Role." in text or "_ROLES" in text):
            found.append(f"line {node.lineno}: {text} (ask a policy)")
    return found


# The tree -----------------------------------------------------------------------------------

# Files allowed to break a rule, with the reason. Keep this short.
EXCUSED = {
    # The benchmarks' data generator, not the product: it bulk-inserts 24,000 people, their
    # teams and waves in seconds, the way tests/factories.py builds test data.
    "metrics/management/commands/seed_bench.py",
}


@pytest.mark.parametrize("app", APPS)
def test_apps_import_only_what_they_may(app) -> None:
    found = {
        str(path.relative_to(ROOT)): problems
        for path in python_files(app)
        if (problems := import_violations(app, path.read_text()))
    }
    assert found == {}


@pytest.mark.parametrize("app", APPS)
def test_templates_link_only_pages_of_apps_they_may_import(app) -> None:
    found = {
        str(path.relative_to(ROOT)): problems
        for path in template_files(app)
        if (problems := template_violations(app, path.read_text()))
    }
    assert found == {}


@pytest.mark.parametrize("app", APPS)
def test_no_app_writes_another_apps_tables(app) -> None:
    found = {
        str(path.relative_to(ROOT)): problems
        for path in python_files(app)
        if str(path.relative_to(ROOT)) not in EXCUSED
        and (problems := write_violations(app, path.read_text()))
    }
    assert found == {}


@pytest.mark.parametrize("app", APPS)
def test_views_reach_the_organisation_only_through_tenant_view(app) -> None:
    found = {
        str(path.relative_to(ROOT)): problems
        for path in python_files(app)
        if path.name != "tenancy.py" and (problems := resolve_violations(app, path.read_text()))
    }
    assert found == {}


@pytest.mark.parametrize("app", APPS)
def test_role_decisions_are_made_in_policies_only(app) -> None:
    found = {
        str(path.relative_to(ROOT)): problems
        for path in python_files(app)
        if path.name != "policies.py"
        and (problems := role_decision_violations(app, path.read_text()))
    }
    assert found == {}


def test_every_tenant_page_is_a_tenant_view() -> None:
    """Every pattern under o/<slug:org>/ is served by a view wrapped in tenant_view."""
    from config import tenant_urls

    bare = [
        pattern.name
        for pattern in tenant_urls.urlpatterns
        if not hasattr(pattern.callback, "tenant_policy")
    ]
    assert len(tenant_urls.urlpatterns) > 100
    assert bare == []


# The checkers catch what they are for -------------------------------------------------------


def test_the_checkers_find_a_planted_violation_of_each_kind() -> None:
    assert import_violations("programme", "from showcase.models import CaseStudy\n")
    assert import_violations("kickoff", "import metrics.rollups\n")
    assert not import_violations("goals", "from metrics import indicators\n")

    assert template_violations("metrics", "<a href=\"{% url 'goals-success' org %}\">")
    assert template_violations("programme", '{% include "showcase/_card.html" %}')
    assert not template_violations("kickoff", "<a href=\"{% url 'programme-people-list' o %}\">")

    insert = 'sql = f"INSERT INTO {Notification._meta.db_table} (text) VALUES (%s)"\n'
    aliased = 'n = Notification._meta.db_table\nsql = f"UPDATE {n} SET text = %s"\n'
    literal = 'sql = "DELETE FROM programme_notification WHERE id = %s"\n'
    orm = "IndicatorThreshold.objects.filter(organisation=o).update(value=3)\n"
    for planted in (insert, aliased, literal):
        assert write_violations("showcase", planted), planted
    assert write_violations("goals", orm)
    assert not write_violations("programme", insert)
    assert not write_violations("goals", "IndicatorThreshold.objects.filter(pk=1).first()\n")

    assert resolve_violations("showcase", "m = membership_for_request(request, org)\n")

    assert role_decision_violations("goals", "if by.role == Role.MANAGER:\n    pass\n")
    assert role_decision_violations("kickoff", "ok = membership.role in STAFF_ROLES\n")
    assert not role_decision_violations("programme", "changed = membership.role != row.role\n")
