"""manage.py load_demo_data: the seeds' networks, city, events and practices, idempotently."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from practices import demo
from practices.importing import ImportFailed, PracticeImporter


class Command(BaseCommand):
    """Load fixtures/demo/*.json; running it again updates the same pages, never duplicates.

    With --accounts it also makes sure the demo accounts exist: an `admin` superuser
    (password from DEMO_ADMIN_PASSWORD) and one account per role, `curator`,
    `mechelen-editor` and `member` (password from DEMO_USER_PASSWORD). A password that is
    not in the environment is generated and printed when the account is first created.
    """

    help = "Load the demo content (networks, Mechelen, events, practices) from fixtures/demo."

    def add_arguments(self, parser):
        """Declare --admin."""
        parser.add_argument(
            "--accounts",
            action="store_true",
            help="Also create the admin and the demo role accounts (curator, editor, member).",
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
            demo.load_access()
            demo.load_media()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo practices: {len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged."
            )
        )
        # The search index (a no-op for the database engine; Elasticsearch gets a new index).
        call_command("rebuild_practice_index", verbosity=options["verbosity"])
        if options["accounts"]:
            self._ensure_account("admin", "admin@example.org", [], "DEMO_ADMIN_PASSWORD", True)
            for account in demo.demo_accounts():
                self._ensure_account(
                    account["username"], account["email"], account["groups"], "DEMO_USER_PASSWORD"
                )

    def _ensure_account(self, username, email, group_names, password_variable, superuser=False):
        """Create or update one demo account and say how to sign in with it."""
        users = get_user_model()
        password = os.environ.get(password_variable)
        user = users.objects.filter(username=username).first()
        created = user is None
        if created:
            user = users(username=username, email=email, is_superuser=superuser, is_staff=superuser)
        if created or password:
            password = password or secrets.token_urlsafe(12)
            user.set_password(password)
        user.save()
        user.groups.set(Group.objects.filter(name__in=group_names))
        roles = ", ".join(group_names) or "superuser"
        if created or os.environ.get(password_variable):
            self.stdout.write(self.style.SUCCESS(f"Account {username} / {password}  ({roles})"))
        else:
            self.stdout.write(
                f"Account {username} ({roles}): password unchanged "
                f"(set {password_variable} to reset it)."
            )
