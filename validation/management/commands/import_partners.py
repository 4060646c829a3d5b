from validation.importers import import_partners
from validation.management.json_import import JsonImportCommand


class Command(JsonImportCommand):
    help = (
        "Upsert partner organisations, MPN IDs, enrolments and users with roles from a JSON file."
    )
    importer = staticmethod(import_partners)
