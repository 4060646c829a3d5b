"""The request flow's django-q2 schedules, created with the schema rather than by cron."""

from django.db import migrations

SCHEDULES = [
    # Re-queue requests left validating (a worker died, a directory retry gave up).
    ("associations.tasks.requeue_stale_validations", "I", 10),
    # Daily re-check of claims waiting for the customer to provision the subscription.
    ("associations.tasks.recheck_unprovisioned", "D", None),
]


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for func, schedule_type, minutes in SCHEDULES:
        Schedule.objects.update_or_create(
            func=func, defaults={"schedule_type": schedule_type, "minutes": minutes, "repeats": -1}
        )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(
        func__in=[func for func, _type, _minutes in SCHEDULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
