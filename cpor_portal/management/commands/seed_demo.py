from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from disputes.roles import ensure_reviewers_group
from partners.models import Membership
from validation.importers import import_directory, import_partners
from validation.management.json_import import read_json

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
DEMO_PASSWORD = "cpor-demo"  # noqa: S105 (published demo logins, development only)
REVIEWER_USERNAME = "reviewer"


class Command(BaseCommand):
    help = "Load the demo organisations, users and customers (idempotent) and print the logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            partners = import_partners(
                read_json(DEMO_DIR / "partners.json"),
                on_user_created=self._give_demo_password,
            )
            directory = import_directory(read_json(DEMO_DIR / "directory.json"))
            self._ensure_reviewer()
        self.stdout.write(f"Partners: {partners.summary()}")
        self.stdout.write(f"Directory: {directory.summary()}")
        self._print_logins()

    @staticmethod
    def _give_demo_password(user) -> None:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])

    def _ensure_reviewer(self) -> None:
        user, created = get_user_model().objects.get_or_create(
            username=REVIEWER_USERNAME,
            defaults={"is_staff": True, "email": "reviewer@vendor.example"},
        )
        if created:
            self._give_demo_password(user)
        user.groups.add(ensure_reviewers_group())

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        memberships = Membership.objects.select_related("user", "organisation").order_by(
            "organisation__name", "role", "user__username"
        )
        for membership in memberships:
            self.stdout.write(
                f"  {membership.user.username:<15} {membership.get_role_display():<30} "
                f"{membership.organisation.name}"
            )
        self.stdout.write(f"  {REVIEWER_USERNAME:<15} {'Reviewer (Django admin)':<30} /admin/")
