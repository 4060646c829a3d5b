import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from validation.directory_files import ImportRowError, is_json_lines, read_records
from validation.directory_import import directory_apply
from validation.management.json_import import FileProgress, finished


class Command(BaseCommand):
    help = (
        "Import the customer directory (tenants, domains, products, subscriptions) from a JSON "
        "or JSON Lines file: the whole directory, or with --changes a delta."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .json or .jsonl file (the README documents both)")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--changes",
            action="store_true",
            help="the file lists changes only (with removals); nothing else is touched",
        )
        mode.add_argument(
            "--prune",
            action="store_true",
            help="remove the tenants, domains and subscriptions the full file no longer lists",
        )
        parser.add_argument(
            "--allow-moves",
            action="store_true",
            help="move a domain to another tenant even when claims use it",
        )

    def handle(self, *args, file, changes, prune, allow_moves, **options):
        started = time.monotonic()
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        json_lines = is_json_lines(path)
        with path.open("rb") as raw:
            progress = FileProgress(raw, description="directory", stream=self.stderr._out)
            try:
                report = directory_apply(
                    records=read_records(progress, json_lines=json_lines),
                    changes=changes,
                    prune=prune,
                    allow_moves=allow_moves,
                    progress=progress.count,
                )
            except ImportRowError as exc:
                raise CommandError(f"{file}: nothing was imported. {exc}") from None
            finally:
                progress.close()
        finished(self, file, report, started)
