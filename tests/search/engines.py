"""Mixins that point a TestCase at one engine: the database, or Elasticsearch on osmem."""

import socket

import pytest
from django.test import override_settings

from search.backends import get_backend

cluster = None  # the session's OsmemServer, set by the search_cluster fixture (conftest.py)

TEST_ALIAS = "test-practices"
# Test code only: osmem rejects the client's compatibility media types (see transport.py).
TEST_CLIENT_OPTIONS = {"node_class": "tests.search.transport.PlainJsonNode"}


def elasticsearch_settings(url, **extra):
    """PRACTICE_SEARCH for the Elasticsearch engine at `url`, connecting like the tests must."""
    return {
        "BACKEND": "search.backends.elasticsearch",
        "URL": url,
        "INDEX": TEST_ALIAS,
        "TIMEOUT": 5,
        "OPTIONS": TEST_CLIENT_OPTIONS,
        **extra,
    }


def closed_port_url():
    """The URL of a loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class DatabaseEngine:
    """Run the TestCase with the database engine (the default)."""

    engine_settings = {"BACKEND": "search.backends.database"}

    @classmethod
    def setUpClass(cls):
        cls._engine_override = override_settings(PRACTICE_SEARCH=cls.engine_settings)
        cls._engine_override.enable()
        cls.addClassCleanup(cls._engine_override.disable)
        super().setUpClass()


@pytest.mark.elasticsearch
@pytest.mark.usefixtures("search_cluster")
class ElasticsearchEngine:
    """Run the TestCase with the Elasticsearch engine on a fresh clone of the osmem cluster.

    The session fixture starts the server before any class set-up runs (pytest sets up
    session-scoped fixtures first), so setUpTestData can already index into the clone.
    """

    @classmethod
    def setUpClass(cls):
        cls.cluster_clone = cluster.clone()
        cls.addClassCleanup(cls.cluster_clone.close)
        cls._engine_override = override_settings(
            PRACTICE_SEARCH=elasticsearch_settings(cls.cluster_clone.url)
        )
        cls._engine_override.enable()
        cls.addClassCleanup(cls._engine_override.disable)
        super().setUpClass()


def rebuild_index():
    """Rebuild the configured engine's index (a no-op on the database engine)."""
    return get_backend().rebuild()
