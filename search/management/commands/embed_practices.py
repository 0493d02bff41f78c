"""manage.py embed_practices: write the semantic search vectors of every searchable practice."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from search.embedders import get_embedder
from search.semantic import embed_practices


class Command(BaseCommand):
    """Embed every searchable practice whose text changed since its vector was written.

    Unchanged practices keep their vectors, so running it again costs little; after a change
    of model (PRACTICE_EMBEDDER) every practice is embedded again. Vectors of practices that
    are no longer searchable are removed. The task worker does the same for each change; this
    command is for a first load, a model change, or repairing what lost tasks left behind.
    """

    help = "Embed the searchable practices for semantic search (unchanged ones are kept)."

    def handle(self, *args, **options):
        """Embed, with a progress bar on stderr, and say what was done."""
        embedder = get_embedder()
        if embedder is None:
            raise CommandError(
                "Semantic search is off (PRACTICE_EMBEDDER); there is nothing to embed."
            )
        show_progress = options["verbosity"] > 0

        def progress(iterable, total):
            """A progress bar over the practices."""
            return tqdm(
                iterable,
                total=total,
                desc=f"Embedding practices ({embedder.model_id})",
                unit="practice",
                file=self.stderr._out,  # the raw stream: tqdm redraws its line in place
                disable=not show_progress,
            )

        try:
            summary = embed_practices(progress=progress)
        except Exception as error:
            raise CommandError(f"The practices were not embedded: {error}") from error
        self.stdout.write(self.style.SUCCESS(str(summary)))
