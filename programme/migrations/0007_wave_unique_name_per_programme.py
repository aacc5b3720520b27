"""Wave names unique per programme: existing duplicates are renamed first ("Supporters (2)")."""

from __future__ import annotations

import django.db.models.functions.text
from django.db import migrations, models


def rename_duplicate_waves(apps, schema_editor) -> None:
    """Keep the first wave of each name; number the later ones, skipping names in use."""
    Wave = apps.get_model("programme", "Wave")
    waves = list(Wave.objects.exclude(name="").order_by("programme_id", "number", "pk"))
    in_use: dict[int, set[str]] = {}
    for wave in waves:
        in_use.setdefault(wave.programme_id, set()).add(wave.name.lower())
    kept: dict[int, set[str]] = {}
    renamed = []
    for wave in waves:
        seen = kept.setdefault(wave.programme_id, set())
        if wave.name.lower() in seen:
            names, base, suffix = in_use[wave.programme_id], wave.name[:110], 2
            while f"{base} ({suffix})".lower() in names:
                suffix += 1
            wave.name = f"{base} ({suffix})"
            names.add(wave.name.lower())
            renamed.append(wave)
        seen.add(wave.name.lower())
    Wave.objects.bulk_update(renamed, ["name"])


class Migration(migrations.Migration):
    dependencies = [("programme", "0006_okris")]

    operations = [
        migrations.RunPython(rename_duplicate_waves, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="wave",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"),
                models.F("programme"),
                condition=models.Q(("name", ""), _negated=True),
                name="wave_unique_name_per_programme",
            ),
        ),
    ]
