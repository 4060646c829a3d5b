from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from disputes.roles import ensure_reviewers_group
from partners.errors import TeamError
from partners.forms import InviteForm
from partners.members import invitation_send, invited_user_create


class Command(BaseCommand):
    help = (
        "Create a reviewer (a staff user in the Reviewers group) and e-mail them an invitation "
        "to set a password; they set up two-factor authentication before the admin opens."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("name", help='full name, e.g. "Dana Reviewer"')
        parser.add_argument(
            "--language",
            choices=[code for code, _ in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the invitation mail",
        )

    def handle(self, *args, email, name, language, **options):
        try:
            email = InviteForm.base_fields["email"].clean(email.strip().lower())
        except ValidationError as error:
            raise CommandError(f"{email!r}: {' '.join(error.messages)}") from None
        first_name, _, last_name = name.strip().partition(" ")
        with transaction.atomic():
            try:
                user = invited_user_create(
                    email=email,
                    first_name=first_name[:150],
                    last_name=last_name[:150],
                    is_staff=True,
                )
            except TeamError:
                raise CommandError(
                    f"{email} already has an account; nothing was changed."
                ) from None
            user.groups.add(ensure_reviewers_group())
            invitation_send(user=user, organisation=None, language=language)
        self.stdout.write(self.style.SUCCESS(f"Reviewer {email} created; the invitation is sent."))
