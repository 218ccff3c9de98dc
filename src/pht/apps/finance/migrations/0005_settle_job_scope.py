"""Fills ``scope_key`` (the year, as ``finance.job_kinds.scope`` gives it) of the settlement jobs still
waiting or running, so that the one-run-per-year constraint covers them too.

Jobs queued before the constraint may already hold the same year twice (the race it closes): the oldest
of each year gets the key, the others keep a blank one (they run as queued, unconstrained) and no insert
fails here.
"""

from django.db import migrations

KIND = "finance.settle"


def year_of(params):
    """«2018» of ``{"period": "2018-05"}`` or ``{"year": 2018}``; "" for anything else."""
    if not isinstance(params, dict):
        return ""
    value = str(params.get("period") or params.get("year") or "")[:4]
    return value if len(value) == 4 and value.isdigit() else ""


def fill_scope(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    held = set()
    active = Job.objects.filter(kind=KIND, status__in=["queued", "running"], scope_key="")
    for job in active.order_by("pk"):
        key = year_of(job.params)
        if not key or key in held:
            continue
        held.add(key)
        Job.objects.filter(pk=job.pk).update(scope_key=key)


def clear_scope(apps, schema_editor):
    apps.get_model("jobs", "Job").objects.filter(kind=KIND).update(scope_key="")


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0004_statement_payments"),
        ("jobs", "0002_job_scope_key"),
    ]

    operations = [migrations.RunPython(fill_scope, clear_scope)]
