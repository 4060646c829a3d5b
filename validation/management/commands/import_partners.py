from django.conf import settings

from partners.members import invitation_send
from validation.importers import import_partners
from validation.management.json_import import JsonImportCommand


class Command(JsonImportCommand):
    help = (
        "Upsert partner organisations, MPN IDs, enrolments and users with roles from a JSON file."
    )
    importer = staticmethod(import_partners)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--invite",
            action="store_true",
            help="e-mail each new user an invitation to set a password (sent once the file is in)",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _ in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the invitation mails",
        )

    def importer_options(self, options) -> dict:
        if not options["invite"]:
            return {}
        language = options["language"]

        def invite(user, organisation):
            if user.email:
                invitation_send(user=user, organisation=organisation, language=language)
            else:
                self.stderr.write(f"{user.username} has no e-mail address: not invited.")

        return {"on_user_created": invite}
