"""The shared shape of the two import commands: read a JSON file, import it, report."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from validation.importers import ImportRowError


def read_json(path: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{path} is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text") from None


class JsonImportCommand(BaseCommand):
    importer = None  # staticmethod(importer) in subclasses; returns an ImportReport

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the JSON file (the README documents its shape)")

    def importer_options(self, options) -> dict:
        """Extra keyword arguments for the importer, from the command's own options."""
        return {}

    def handle(self, *args, file, **options):
        data = read_json(file)
        try:
            report = self.importer(
                data, progress_stream=self.stderr._out, **self.importer_options(options)
            )
        except ImportRowError as exc:
            raise CommandError(f"{file}: nothing was imported. {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"{file}: {report.summary()}"))
