"""Calls managed in the UI (status, public text, internal note, budget frame, population year, copy
origin) and the case officer's own eligibility verdict on applications. Calls that exist already were
loaded from parameter files and take applications: they become published."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def publish_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("scheme", "Call").objects.update(status="published")


class Migration(migrations.Migration):

    dependencies = [
        ('scheme', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='application',
            name='officer_eligibility_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='application',
            name='officer_eligibility_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='application',
            name='officer_eligibility_reason',
            field=models.TextField(blank=True, verbose_name="reason for the officer's verdict"),
        ),
        migrations.AddField(
            model_name='application',
            name='officer_eligible',
            field=models.BooleanField(blank=True, null=True, verbose_name="officer's eligibility verdict"),
        ),
        migrations.AddField(
            model_name='call',
            name='budget',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=14, null=True, verbose_name='budget frame (NOK)'),
        ),
        migrations.AddField(
            model_name='call',
            name='closed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='call',
            name='copied_from',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='copies', to='scheme.call'),
        ),
        migrations.AddField(
            model_name='call',
            name='description',
            field=models.TextField(blank=True, verbose_name='description of the call'),
        ),
        migrations.AddField(
            model_name='call',
            name='internal_note',
            field=models.TextField(blank=True, verbose_name='internal note'),
        ),
        migrations.AddField(
            model_name='call',
            name='population_year',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='population year'),
        ),
        migrations.AddField(
            model_name='call',
            name='published_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='call',
            name='status',
            field=models.CharField(choices=[('draft', 'Utkast'), ('published', 'Publisert'), ('closed', 'Lukket')], default='draft', max_length=20, verbose_name='status'),
        ),
        migrations.RunPython(publish_existing, migrations.RunPython.noop),
    ]
