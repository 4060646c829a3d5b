"""The reminders' django-q2 schedule, created with the schema rather than by cron."""

from django.db import migrations

# Remind partners of information requests and dispute windows that end soon.
FUNC, SCHEDULE_TYPE = "disputes.tasks.remind_partners", "H"


def create(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        func=FUNC, defaults={"schedule_type": SCHEDULE_TYPE, "repeats": -1}
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0003_queue_and_audit_indexes"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
