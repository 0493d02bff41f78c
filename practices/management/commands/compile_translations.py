"""Compile the interface's translation catalogues (`make messages`) without GNU gettext."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    """Write locale/<lang>/LC_MESSAGES/django.mo from each django.po in LOCALE_PATHS.

    Django's own compilemessages needs gettext's msgfmt, which `make run` cannot expect on a
    fresh machine; polib reads and writes the same formats. Fuzzy entries are left out, as
    msgfmt leaves them out.
    """

    help = "Compile locale/<lang>/LC_MESSAGES/django.po into django.mo (no gettext needed)."

    def handle(self, *args, **options):
        """Compile every catalogue, newest source first; fail with the file name on a bad one."""
        catalogues = sorted(
            po for folder in settings.LOCALE_PATHS for po in Path(folder).glob("*/LC_MESSAGES/*.po")
        )
        for po_path in catalogues:
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            try:
                catalogue = polib.pofile(str(po_path))
            except (OSError, ValueError) as error:
                raise CommandError(f"{po_path}: {error}") from error
            for entry in catalogue.fuzzy_entries():
                catalogue.remove(entry)
            catalogue.save_as_mofile(str(mo_path))
            self.stdout.write(f"Compiled {po_path.relative_to(settings.BASE_DIR)}")
