import json
import os
import shlex
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from honcho.manager import Manager

from cpor_portal.embedded_db import stop_embedded_database
from cpor_portal.management.commands.seed_demo import SSO_DEMO_PORT, SSO_DEMO_USER


class Command(BaseCommand):
    help = (
        "Prepare the database (migrate, demo data) and run the web server and a django-q2 "
        "worker together in the foreground; Ctrl-C stops both, and the embedded PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000", help="host:port for the web server")
        parser.add_argument(
            "--sso-demo",
            action="store_true",
            help="also run a local OpenID Connect provider and sign in with it (development)",
        )

    def handle(self, *args, addr, sso_demo, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("seed_demo", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"\nCPOR Portal: http://{addr}/  (admin: /admin/)"))
        self.stdout.write("Press Ctrl-C to stop the web server and the worker.\n")
        manager = Manager()
        web_env = None
        if sso_demo:
            web_env = self._add_sso_provider(manager)
        manager.add_process("web", f"{sys.executable} manage.py runserver {addr}", env=web_env)
        manager.add_process("worker", f"{sys.executable} manage.py qcluster")
        try:
            manager.loop()
        finally:
            self._stop_database()
        sys.exit(manager.returncode)

    def _add_sso_provider(self, manager: Manager) -> dict:
        """oidc-provider-mock (a development dependency) with the demo's Northwind person."""
        claims = shlex.quote(json.dumps(SSO_DEMO_USER))
        manager.add_process(
            "sso",
            f"{sys.executable} -m oidc_provider_mock -p {SSO_DEMO_PORT} --user-claims {claims}",
        )
        self.stdout.write(
            f"Single sign-on: a local OpenID Connect provider on port {SSO_DEMO_PORT}; "
            f'"Sign in with Microsoft" and choose {SSO_DEMO_USER["sub"]}.'
        )
        return {
            **os.environ,
            "CPOR_OIDC_ISSUER": f"http://127.0.0.1:{SSO_DEMO_PORT}",
            "CPOR_OIDC_CLIENT_ID": "cpor-demo",
            "CPOR_OIDC_CLIENT_SECRET": "cpor-demo-secret",
        }

    def _stop_database(self) -> None:
        if not settings.EMBEDDED_DATABASE:
            return
        stop_embedded_database(settings.CPOR_PGDATA)
        self.stdout.write(
            "Embedded PostgreSQL stopped; the data stays in " + str(settings.CPOR_PGDATA)
        )
