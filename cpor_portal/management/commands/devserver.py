import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from honcho.manager import Manager

from cpor_portal.embedded_db import stop_embedded_database


class Command(BaseCommand):
    help = (
        "Prepare the database (migrate, demo data) and run the web server and a django-q2 "
        "worker together in the foreground; Ctrl-C stops both, and the embedded PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port for the web server")

    def handle(self, *args, addr, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("seed_demo", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"\nCPOR Portal: http://{addr}/  (admin: /admin/)"))
        self.stdout.write("Press Ctrl-C to stop the web server and the worker.\n")
        manager = Manager()
        manager.add_process("web", f"{sys.executable} manage.py runserver {addr}")
        manager.add_process("worker", f"{sys.executable} manage.py qcluster")
        try:
            manager.loop()
        finally:
            self._stop_database()
        sys.exit(manager.returncode)

    def _stop_database(self) -> None:
        if not settings.EMBEDDED_DATABASE:
            return
        stop_embedded_database(settings.CPOR_PGDATA)
        self.stdout.write(
            "Embedded PostgreSQL stopped; the data stays in " + str(settings.CPOR_PGDATA)
        )
