"""The shared shape of the import commands: read a file, import it, report with the time."""

import json
import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from validation.directory_files import ImportRowError, strict_json

PROGRESS_BYTES = 32_768  # smaller files import too fast for a bar to help


def read_json(path: str):
    try:
        return strict_json(Path(path).read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{path} is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text") from None
    except ImportRowError as exc:
        raise CommandError(f"{path}: nothing was imported. {exc}") from None


def finished(command: BaseCommand, file: str, report, started: float) -> None:
    seconds = max(time.monotonic() - started, 1e-6)
    command.stdout.write(
        command.style.SUCCESS(
            f"{file}: {report.rows} rows in {seconds:.1f} s ({report.rows / seconds:,.0f} rows/s); "
            f"{report.summary()}"
        )
    )


class FileProgress:
    """A binary file read through a bar of its bytes (which gives the time left), with the
    rows imported so far and their rate beside it."""

    def __init__(self, raw, *, description: str, stream):
        size = os.fstat(raw.fileno()).st_size
        self.raw = raw
        self.rows = 0
        self.started = time.monotonic()
        self.bar = tqdm(
            total=size,
            desc=description,
            unit="B",
            unit_scale=True,
            file=stream,
            disable=stream is None or size < PROGRESS_BYTES,
        )

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.bar.update(len(data))
        return data

    def seek(self, offset: int) -> int:
        return self.raw.seek(offset)

    def __iter__(self):
        for line in self.raw:
            self.bar.update(len(line))
            yield line

    def count(self, rows: int) -> None:
        before, self.rows = self.rows, self.rows + rows
        if before // 10_000 != self.rows // 10_000:
            self._show_rate()

    def _show_rate(self) -> None:
        rate = self.rows / max(time.monotonic() - self.started, 1e-6)
        self.bar.set_postfix_str(f"{self.rows:,} rows, {rate:,.0f} rows/s", refresh=False)

    def close(self) -> None:
        self._show_rate()
        self.bar.close()


class JsonImportCommand(BaseCommand):
    importer = None  # staticmethod(importer) in subclasses; returns an ImportReport

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the JSON file (the README documents its shape)")

    def importer_options(self, options) -> dict:
        """Extra keyword arguments for the importer, from the command's own options."""
        return {}

    def handle(self, *args, file, **options):
        started = time.monotonic()
        data = read_json(file)
        try:
            report = self.importer(
                data, progress_stream=self.stderr._out, **self.importer_options(options)
            )
        except ImportRowError as exc:
            raise CommandError(f"{file}: nothing was imported. {exc}") from None
        finished(self, file, report, started)
