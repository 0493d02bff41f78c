"""The real task queue in tests: django-tasks-db's backend and its worker run in-process."""

import signal
from unittest import mock

from django.core.management import call_command

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker():
    """Run the real worker in this process until the queue is empty."""
    # db_worker installs its own signal handlers; give the test runner its own back.
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    # Between tasks the worker closes connections Django would close after a request; inside
    # a TestCase's transaction that would close the test's own connection. Django's test
    # client keeps it open for requests in the same way.
    try:
        with mock.patch(
            "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
        ):
            call_command(
                "db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0
            )
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
