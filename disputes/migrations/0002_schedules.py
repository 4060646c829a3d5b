"""Arbitration's django-q2 schedules, created with the schema rather than by cron."""

from django.db import migrations

SCHEDULES = [
    # Reject claims whose information request went unanswered for 14 business days.
    ("disputes.tasks.expire_information_requests", "H"),
    # Flag overdue cases for reviewers and tell partners their review takes longer.
    ("disputes.tasks.flag_overdue_reviews", "H"),
]


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for func, schedule_type in SCHEDULES:
        Schedule.objects.update_or_create(
            func=func, defaults={"schedule_type": schedule_type, "repeats": -1}
        )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(
        func__in=[func for func, _type in SCHEDULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create, remove)]
