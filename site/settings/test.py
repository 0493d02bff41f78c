"""Test settings: fast hashing, in-memory cache and email, plain static storage."""

import tempfile

from .base import *

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not SQLite's in-memory database: the worker processes that the queue's tests
    # start (tests/search/test_background_tasks.py) open the same test database.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"practicehub-tests-{os.getpid()}.sqlite3")
    }

DEBUG = False
# Uploads made outside a test's own MEDIA_ROOT (tests/conftest.py), such as class-level demo
# data, go to a temporary folder rather than the working tree.
# The worker processes some tests start inherit the folder through the environment.
MEDIA_ROOT = Path(
    os.environ.setdefault(
        "PRACTICE_TEST_MEDIA_ROOT", tempfile.mkdtemp(prefix="practicehub-test-media-")
    )
)
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "progress",
    },
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
WAGTAILADMIN_BASE_URL = "http://testserver"
# Serve static files straight from the app folders (no collectstatic in tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tasks run at once, inside the test, so that a test sees what a worker would have done. The
# tests of the queue itself (tests/search/test_background_tasks.py) switch to the database
# backend and run the real worker; PRACTICE_TEST_TASKS=database gives the worker processes
# those tests start the same backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
if os.environ.get("PRACTICE_TEST_TASKS") == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PRACTICE_TASK_RETRY_DELAY = 0
# The cache outlives each test, and every test client is one visitor (127.0.0.1): the tests of
# the bundle limits set their own (tests/security/test_bundle_limits.py).
PRACTICE_BUNDLE_RENDERS_PER_VISITOR = PRACTICE_BUNDLE_ANONYMOUS_RENDERS = 10_000
PRACTICE_DOWNLOADS_PER_VISITOR = 10_000
PRACTICE_API_CALLS_PER_VISITOR = 100_000
# Embedding every practice the tests create would cost seconds a test: semantic search is off
# here, and its tests switch the real model on (tests/search/semantic.py).
PRACTICE_EMBEDDER = {"BACKEND": None}
