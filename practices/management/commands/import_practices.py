"""manage.py import_practices FILE...: import practices from interchange JSON files."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from practices.importing import ImportFailed, PracticeImporter


class Command(BaseCommand):
    """Validate each file completely, then import it in one transaction (all or nothing).

    Problems are printed as `file: record N ("title"): field: message`. The exit code is
    non-zero when any file failed; files that passed are imported all the same. With
    --dry-run each file is imported inside a transaction that is then rolled back, so the
    report is exactly what an import would do.
    """

    help = "Import practices from JSON files in the interchange format (see docs/importing.md)."

    def add_arguments(self, parser):
        """Declare the files and the options."""
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--add-missing-terms",
            action="store_true",
            help=(
                "Create vocabulary terms the hub does not know instead of rejecting the record, "
                "and networks it does not know as draft network pages."
            ),
        )
        parser.add_argument(
            "--drafts", action="store_true", help="Import every record as a draft for curation."
        )
        parser.add_argument(
            "--default-network",
            metavar="NAME",
            help="File records that have neither a city nor a network under this network.",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help=(
                "Reject records with neither a city nor a network (instead of filing them "
                "under Unfiled practices as drafts)."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check and report everything an import would do, and write nothing.",
        )
        parser.add_argument(
            "--user", metavar="USERNAME", help="Record revisions and the audit log as this user."
        )

    def handle(self, *args, **options):
        """Import each file and print a summary; fail if any file had problems."""
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get_by_natural_key(options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f'There is no user "{options["user"]}".') from None
        importer = PracticeImporter(
            add_missing_terms=options["add_missing_terms"],
            drafts=options["drafts"],
            default_network=options["default_network"],
            strict=options["strict"],
            dry_run=options["dry_run"],
            user=user,
            progress=options["verbosity"] > 0,
            progress_file=self.stderr._out,  # the raw stream: tqdm redraws its line in place
        )
        failed = 0
        for path in options["files"]:
            try:
                report = importer.import_file(path)
            except ImportFailed as exc:
                failed += 1
                for line in exc.messages:
                    self.stderr.write(line)
                self.stderr.write(
                    self.style.ERROR(
                        f"{path}: not imported ({len(exc.messages)} problem(s)); nothing changed."
                    )
                )
                continue
            self._summarise(report)
        if failed:
            raise CommandError(f"{failed} of {len(options['files'])} file(s) not imported.")

    def _summarise(self, report):
        counts = (
            f"{len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged"
        )
        if report.dry_run:
            self.stdout.write(
                self.style.SUCCESS(f"{report.path}: dry run, nothing written; would be {counts}.")
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"{report.path}: {counts}."))
        for city in report.cities_created:
            self.stdout.write(f"  new city: {city}")
        for network in report.networks_created:
            self.stdout.write(
                self.style.WARNING(f"  new network: {network} (draft, needs curation)")
            )
        for title, other, page_id in report.possible_duplicates:
            self.stdout.write(
                self.style.WARNING(
                    f'  "{title}" is a possible duplicate of "{other}" (page {page_id}): '
                    "imported and flagged for curators, not merged"
                )
            )
        for term in report.terms_added:
            self.stdout.write(f"  new vocabulary term: {term}")
        for title, reasons in report.needs_curation:
            self.stdout.write(
                self.style.WARNING(
                    f'  "{title}" saved as a draft, needs curation: {"; ".join(reasons)}'
                )
            )
