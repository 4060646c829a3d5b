from validation.importers import import_directory
from validation.management.json_import import JsonImportCommand


class Command(JsonImportCommand):
    help = "Upsert customer tenants, domains, products and subscriptions from a JSON file."
    importer = staticmethod(import_directory)
