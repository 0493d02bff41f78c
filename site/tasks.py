"""What every background task of Practice Hub shares: retries with a back-off.

django-tasks runs a task once; a failed task stays failed. Index updates fail for passing
reasons (a cluster restarting, a locked SQLite file), so the tasks that should try again are
declared with `@task(takes_context=True)` on top of `@retried` (a bundle is not: its reader's
next reload queues it again):

    @task(takes_context=True)
    @retried
    def index_practices(page_ids): ...

A failed attempt is recorded as failed (its row shows the error in the task report) and a new
attempt is queued with `attempt=<n + 1>` after PRACTICE_TASK_RETRY_DELAY * 2**(n - 1)
seconds, until PRACTICE_TASK_MAX_ATTEMPTS attempts have failed.
"""

import logging
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


def retry_delay(attempt):
    """Seconds to wait before the attempt after `attempt` (doubling each time)."""
    return settings.PRACTICE_TASK_RETRY_DELAY * 2 ** (attempt - 1)


def will_retry(attempt):
    """Whether a failure of attempt number `attempt` is followed by another attempt."""
    return attempt < settings.PRACTICE_TASK_MAX_ATTEMPTS


def is_retried(task):
    """Whether `task` (a django-tasks Task) queues itself again when it fails."""
    return getattr(task.func, "retried", False)


def retried(func):
    """Wrap a task function so that a failure queues the same call again (see the module)."""

    @wraps(func)
    def run(context, *args, attempt=1, **kwargs):
        try:
            return func(*args, **kwargs)
        except Exception as error:
            if not will_retry(attempt):
                logger.error(
                    "%s failed for the last time (attempt %d): %s", func.__name__, attempt, error
                )
                raise
            # Logged before queueing: a backend that runs tasks at once runs the retry inside
            # enqueue(), and the log should read in the order things happened.
            logger.warning(
                "%s failed (attempt %d: %s); it will be tried again.", func.__name__, attempt, error
            )
            task = context.task_result.task
            if task.get_backend().supports_defer:
                delay = timedelta(seconds=retry_delay(attempt))
                task = task.using(run_after=timezone.now() + delay)
            task.enqueue(*args, attempt=attempt + 1, **kwargs)
            raise

    # django-tasks reads the signature to find `context`: show it the wrapper's, not func's.
    del run.__wrapped__
    run.retried = True  # what the task report asks (practices/task_report.py)
    return run
