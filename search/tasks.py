"""The search index's background work: one task re-indexes a batch of practices in bulk.

Changes queue it through schedule_index() (search/signals.py); the worker runs it
(`manage.py db_worker`, docs/operations.md). It reads the practices when it runs, not when it
was queued, so a late or repeated task still writes what the database holds; and a lost one
is repaired by `manage.py rebuild_practice_index`.
"""

import logging

from django_tasks import task

from practicehub.tasks import retried

from .backends import get_backend

logger = logging.getLogger(__name__)


@task(takes_context=True)
@retried
def index_practices(page_ids: list[int]) -> int:
    """Bring the index in line with the database for these practices; return how many."""
    return get_backend().index_many(page_ids)


def schedule_index(page_ids):
    """Re-index these practices now when the engine allows it for so few, else queue it."""
    page_ids = sorted(set(page_ids))
    if not page_ids:
        return
    backend = get_backend()
    if len(page_ids) <= backend.inline_limit:
        try:
            backend.index_many(page_ids)
            return
        except Exception:
            # The worker tries again (and retries), so the change is not lost.
            logger.warning("Indexing practices %s at once failed; queued.", page_ids, exc_info=True)
    index_practices.enqueue(page_ids)
