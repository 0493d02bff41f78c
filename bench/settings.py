"""Settings for benchmark processes: the base settings pointed at a separate database.

BENCH_DATABASE_URL names the database (a PostgreSQL database or an SQLite file of its own);
the generator refuses to write anywhere else (HOUSE_STYLE.md habit 13).
"""

import os
import tempfile
from pathlib import Path

import dj_database_url

from practicehub.settings.base import *  # noqa: F403
from practicehub.settings.base import BASE_DIR

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "bench-only-key")  # never used to serve
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get(
            "BENCH_DATABASE_URL", f"sqlite:///{Path(tempfile.gettempdir()) / 'ph-bench.sqlite3'}"
        ),
        conn_max_age=60,
    )
}
# Rendered sheets go to a scratch folder, never the project's media.
MEDIA_ROOT = Path(
    os.environ.get("BENCH_MEDIA_ROOT", Path(tempfile.gettempdir()) / "ph-bench-media")
)
# The switch the volume generator checks; only this settings module turns it on.
PRACTICE_ALLOW_VOLUME_DATA = True
# Databases the generator must never touch, whatever the environment says.
BENCH_FORBIDDEN_DATABASES = {"practicehub", str(BASE_DIR / "db.sqlite3")}


def osmem_search(url):
    """PRACTICE_SEARCH for the Elasticsearch engine on the osmem-server at `url`."""
    return {
        "BACKEND": "search.backends.elasticsearch",
        "URL": url,
        "INDEX": "bench-practices",
        "TIMEOUT": 120,
        # osmem-server needs plain JSON media types (tests/search/transport.py).
        "OPTIONS": {"node_class": "tests.search.transport.PlainJsonNode"},
    }


# The Elasticsearch engine on osmem-server, for this process and for the task workers the
# publish measurement starts (bench/measure.py: measure_publish).
if os.environ.get("BENCH_ELASTICSEARCH_URL"):
    PRACTICE_SEARCH = osmem_search(os.environ["BENCH_ELASTICSEARCH_URL"])
else:
    PRACTICE_SEARCH = {"BACKEND": "search.backends.database"}
