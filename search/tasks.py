"""Index updates as django-tasks tasks, so they can move from the web process to a worker.

Development and tests run them at once (ImmediateBackend); production may configure a queue.
"""

import logging

from django_tasks import task

from practices.models import PracticePage

from .backends import get_backend

logger = logging.getLogger(__name__)


@task()
def sync_practices(page_ids: list[int]) -> int:
    """Bring the index in line with the database for these practices; return how many.

    A practice that is gone is removed; one that exists is indexed, which removes it when it
    is no longer searchable (a draft, archived). Reading the pages here, not in the signal,
    means a queued task always writes what is in the database when it runs.
    """
    backend = get_backend()
    pages = {page.pk: page for page in PracticePage.objects.filter(pk__in=page_ids)}
    try:
        for page_id in page_ids:
            if page_id in pages:
                backend.index(pages[page_id])
            else:
                backend.remove(page_id)
    except Exception as error:
        # The immediate task backend records failures silently; say it where people look,
        # and re-raise so that a worker marks the task failed.
        logger.warning("Updating the search index for practices %s failed: %s", page_ids, error)
        raise
    return len(page_ids)
