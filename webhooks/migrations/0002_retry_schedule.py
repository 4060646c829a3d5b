"""The retries' django-q2 schedule, created with the schema rather than by cron."""

from django.db import migrations

# Send the deliveries whose retry has come due, every minute.
FUNC, SCHEDULE_TYPE = "webhooks.tasks.deliver_due", "I"


def create(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        func=FUNC, defaults={"schedule_type": SCHEDULE_TYPE, "minutes": 1, "repeats": -1}
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_endpoints_and_deliveries"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
