"""manage.py rebuild_practice_index: re-index every searchable practice."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from search.backends import get_backend
from search.embedders import get_embedder


class Command(BaseCommand):
    """Rebuild the practice search index of the configured engine.

    Elasticsearch: create a new index named <alias>-<timestamp>, bulk-load every live,
    non-archived practice into it (with a progress bar on stderr), then move the alias to it
    in one step and delete the old index; searches keep working throughout. Database: there
    is no separate index, and the command says so. Exits with an error when the engine
    cannot be reached. Then the semantic search vectors are brought up to date
    (`embed_practices`: unchanged texts keep their vectors).
    """

    help = "Rebuild the practice search index (Elasticsearch: new index, then swap the alias)."

    def handle(self, *args, **options):
        """Run the rebuild and print what it did."""
        show_progress = options["verbosity"] > 0

        def progress(iterable, total):
            """A progress bar over the documents sent to the engine."""
            return tqdm(
                iterable,
                total=total,
                desc="Indexing practices",
                unit="practice",
                file=self.stderr._out,  # the raw stream: tqdm redraws its line in place
                disable=not show_progress,
            )

        try:
            summary = get_backend().rebuild(progress=progress)
        except Exception as error:
            raise CommandError(f"The practice index was not rebuilt: {error}") from error
        self.stdout.write(self.style.SUCCESS(summary))
        if get_embedder() is not None:
            # The vectors are part of the index: repair them too (unchanged ones are kept).
            call_command("embed_practices", verbosity=options["verbosity"], stdout=self.stdout)
