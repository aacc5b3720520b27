"""Rollup tables: no single-column indexes the composite ones already serve (every row an
incremental run rewrites updated five indexes), and room on each page (fillfactor 80) so an
updated row stays on its page and touches no index at all (a HOT update). Pages written
before this keep their fill until rewritten."""

import django.db.models.deletion
from django.db import migrations, models


ROLLUP_TABLES = ("metrics_participantweek", "metrics_indicatorweek", "metrics_groupweek")


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0009_authenticity"),
        ("programme", "0017_roster_leavers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="groupweek",
            name="organisation",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="programme.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="indicatorweek",
            name="organisation",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="programme.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="indicatorweek",
            name="participant",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="indicator_weeks",
                to="programme.participant",
            ),
        ),
        migrations.AlterField(
            model_name="participantweek",
            name="organisation",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="programme.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="participantweek",
            name="participant",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="weeks",
                to="programme.participant",
            ),
        ),
        migrations.RunSQL(
            [f"ALTER TABLE {table} SET (fillfactor = 80)" for table in ROLLUP_TABLES],
            [f"ALTER TABLE {table} RESET (fillfactor)" for table in ROLLUP_TABLES],
        ),
    ]
