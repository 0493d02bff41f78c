"""manage.py setup_roles: create or repair the groups, permissions and review workflow."""

from django.core.management.base import BaseCommand

from practices.roles import WORKFLOW_NAME, setup_roles


class Command(BaseCommand):
    """Idempotent: safe to run any time; it also runs after every migrate."""

    help = "Create or repair Curators, Members, the city editor groups and the review workflow."

    def handle(self, *args, **options):
        """Set everything up and list the groups."""
        groups = setup_roles()
        for name, group in sorted(groups.items()):
            self.stdout.write(f"{name}: {group.user_set.count()} user(s)")
        self.stdout.write(self.style.SUCCESS(f'Workflow "{WORKFLOW_NAME}" is assigned at Cities.'))
