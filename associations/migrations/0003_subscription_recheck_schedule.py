"""The daily re-check of approved claims' subscriptions (also run after every import)."""

from django.db import migrations

FUNC = "associations.tasks.recheck_approved_subscriptions"


def create(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        func=FUNC, defaults={"schedule_type": "D", "repeats": -1}
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [("associations", "0002_schedules")]

    operations = [migrations.RunPython(create, remove)]
