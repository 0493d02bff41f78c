"""manage.py load_demo_data: the seeds' networks, city, events and practices, idempotently."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from practices import demo
from practices.importing import ImportFailed, PracticeImporter


class Command(BaseCommand):
    """Load fixtures/demo/*.json; running it again updates the same pages, never duplicates.

    With --admin it also makes sure an `admin` superuser exists: its password comes from
    DEMO_ADMIN_PASSWORD, or is generated and printed when the account is first created.
    """

    help = "Load the demo content (networks, Mechelen, events, practices) from fixtures/demo."

    def add_arguments(self, parser):
        """Declare --admin."""
        parser.add_argument(
            "--admin", action="store_true", help="Also create the admin account (see the docs)."
        )

    def handle(self, *args, **options):
        """Load everything in one transaction."""
        with transaction.atomic():
            demo.load_home()
            networks = demo.load_networks()
            if options["verbosity"] > 0:
                self.stdout.write(f"Networks: {', '.join(networks)}")
            demo.load_cities(networks)
            demo.load_events(networks)
            try:
                report = PracticeImporter(progress=options["verbosity"] > 0).import_file(
                    demo.DEMO_DIR / "practices.json"
                )
            except ImportFailed as exc:
                raise CommandError("The demo practices did not import:\n" + str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo practices: {len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged."
            )
        )
        if options["admin"]:
            self._ensure_admin()

    def _ensure_admin(self):
        users = get_user_model()
        password = os.environ.get("DEMO_ADMIN_PASSWORD")
        user = users.objects.filter(username="admin").first()
        if user and not password:
            self.stdout.write(
                "Admin account: admin (password unchanged; set DEMO_ADMIN_PASSWORD to reset it)."
            )
            return
        password = password or secrets.token_urlsafe(12)
        if user is None:
            user = users.objects.create_superuser("admin", "admin@example.org", password)
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        self.stdout.write(
            self.style.SUCCESS(f"Admin account: admin / {password}  (sign in at /admin/)")
        )
