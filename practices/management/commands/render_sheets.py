"""manage.py render_sheets: render every live practice sheet and city factsheet ahead of time."""

import logging

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from practices.models import CityPage, PracticePage
from practices.sheets.cache import city_factsheet_pdf, practice_sheet_pdf

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    """Fill the sheet store with the public version of every live sheet.

    Sheets already stored for the current revision are skipped, so running it again (after a
    deployment, from cron) only renders what changed. A page that fails is reported on stderr
    and the others still render; the command then ends with an error naming how many failed.
    Members' versions (with unconsented contact details) are rendered on first download.
    """

    help = "Render the public PDF sheet of every live practice and city into the sheet store."

    def add_arguments(self, parser):
        """Declare --only."""
        parser.add_argument(
            "--only",
            choices=["practices", "cities"],
            help="Render only practice sheets or only city factsheets.",
        )

    def handle(self, *args, **options):
        """Render each live page's public sheet, with a progress bar on stderr."""
        pages = []
        if options["only"] != "cities":
            pages += [
                (practice_sheet_pdf, page)
                for page in PracticePage.objects.live().order_by("path").specific()
            ]
        if options["only"] != "practices":
            pages += [
                (city_factsheet_pdf, page) for page in CityPage.objects.live().order_by("path")
            ]
        anonymous = AnonymousUser()
        rendered = stored = 0
        failures = []
        progress = tqdm(
            pages,
            desc="Sheets",
            unit="sheet",
            file=self.stderr._out,  # the raw stream: tqdm redraws its line in place
            disable=options["verbosity"] == 0,
        )
        for make_pdf, page in progress:
            try:
                _pdf, was_rendered = make_pdf(page, anonymous)
            except Exception as exc:  # one broken page must not stop the others
                logger.exception("The sheet of page %s could not be rendered.", page.pk)
                failures.append(page)
                progress.write(
                    f'Could not render the sheet of "{page.title}" (page {page.pk}): {exc}',
                    file=self.stderr._out,
                )
                continue
            if was_rendered:
                rendered += 1
            else:
                stored += 1
        summary = f"{rendered} sheets rendered, {stored} already stored, {len(failures)} failed."
        if failures:
            raise CommandError(summary)
        if options["verbosity"] > 0:
            self.stdout.write(self.style.SUCCESS(summary))
