"""manage.py send_search_digests: queue the saved-search e-mails that are due (run daily)."""

from django.core.management.base import BaseCommand

from practices.follow import queue_due_digests


class Command(BaseCommand):
    """Queue one task per due digest; the task worker sends them (docs/operations.md)."""

    help = "Queue the weekly and monthly e-mails of saved searches that are due."

    def handle(self, *args, **options):
        """Queue the due digests and say how many."""
        count = queue_due_digests()
        self.stdout.write(f"{count} saved-search digest(s) queued.")
